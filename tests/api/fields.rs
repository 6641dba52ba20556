//! Sparse fieldsets: `fields=` on every list and get of a resource, with `include` and paging.

// Tests and their helpers fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use reqwest::header::{ACCEPT, IF_MATCH, IF_NONE_MATCH};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, etag, next_link, spawn_app, TestApp};

const SEED: &str = "us-officials-condemn-uk-immigration-approach";

/// The member names of a JSON object.
fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .cloned()
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

/// The items of a list answer, asserting there is at least one.
fn items(page: &Value) -> &Vec<Value> {
    let data = page["data"].as_array().expect("data is not an array");
    assert!(!data.is_empty(), "the list is empty: {page}");
    data
}

/// Asserts every item of the list at `path` has exactly the members `expected`.
async fn assert_list_members(app: &TestApp, path: &str, expected: &[&str]) -> Value {
    let page = app.get_json(path).await;
    for item in items(&page) {
        assert_eq!(keys(item), set(expected), "GET {path}: {item}");
    }
    page
}

/// Asserts the answer of `path` has exactly the members `expected`.
async fn assert_members(app: &TestApp, path: &str, expected: &[&str]) -> Value {
    let value = app.get_json(path).await;
    assert_eq!(keys(&value), set(expected), "GET {path}: {value}");
    value
}

async fn fields_problem(app: &TestApp, path: &str) -> String {
    let body = assert_problem(
        app.get(path).await,
        StatusCode::BAD_REQUEST,
        "bad-request",
        &["fields"],
    )
    .await;
    body["errors"][0]["message"].as_str().unwrap().to_owned()
}

// --- articles ----------------------------------------------------------------------------------

#[tokio::test]
async fn an_article_list_answers_only_the_named_members_and_id_and_pages_as_before() {
    let app = spawn_app().await;
    for slug in ["first", "second", "third"] {
        app.create_small(slug).await;
    }
    let path = "/v1/articles?fields=slug,headline,published_at&limit=2&count=true";
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK);
    let next = next_link(&response).expect("a next link");
    assert!(
        next.contains("fields=slug%2Cheadline%2Cpublished_at"),
        "{next}"
    );
    let page: Value = response.json().await.unwrap();
    assert_eq!(keys(&page), set(&["data", "next_cursor", "total"]));
    assert_eq!(page["total"], 3);
    assert_eq!(items(&page).len(), 2);
    for item in items(&page) {
        assert_eq!(keys(item), set(&["id", "slug", "headline", "published_at"]));
    }

    let rest = app.get_json(&next).await;
    assert_eq!(rest["next_cursor"], Value::Null);
    assert_eq!(items(&rest).len(), 1);
    assert_eq!(
        keys(&rest["data"][0]),
        set(&["id", "slug", "headline", "published_at"])
    );
    let slugs: BTreeSet<String> = items(&page)
        .iter()
        .chain(items(&rest))
        .map(|a| a["slug"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(slugs, set(&["first", "second", "third"]));
}

#[tokio::test]
async fn an_article_get_answers_only_the_named_members_and_id_with_spaces_allowed() {
    let app = spawn_app().await;
    let full = app.create_seed().await;
    let article = assert_members(
        &app,
        &format!("/v1/articles/{SEED}?fields=headline"),
        &["id", "headline"],
    )
    .await;
    assert_eq!(article["id"], full["id"]);
    assert_eq!(article["headline"], full["headline"]);
    assert_members(
        &app,
        &format!("/v1/articles/{SEED}?fields=%20slug%20,%20word_count%20,id"),
        &["id", "slug", "word_count"],
    )
    .await;
}

#[tokio::test]
async fn included_relations_stay_whole_unless_a_dotted_path_narrows_them() {
    let app = spawn_app().await;
    let full = app.create_seed().await;
    let path = format!(
        "/v1/articles/{SEED}?include=sections,quotes,entities&fields=headline,sections.heading,quotes.text"
    );
    let article = assert_members(
        &app,
        &path,
        &["id", "headline", "sections", "quotes", "entities"],
    )
    .await;
    assert_eq!(article["sections"].as_array().unwrap().len(), 4);
    for section in article["sections"].as_array().unwrap() {
        assert_eq!(keys(section), set(&["id", "heading"]));
    }
    assert_eq!(article["quotes"].as_array().unwrap().len(), 9);
    for quote in article["quotes"].as_array().unwrap() {
        assert_eq!(keys(quote), set(&["id", "text"]));
    }
    // Not narrowed: whole, exactly as without `fields`.
    assert_eq!(article["entities"], full["entities"]);

    // Only the relations included are there, even when `fields` names others whole.
    assert_members(
        &app,
        &format!("/v1/articles/{SEED}?include=quotes&fields=slug,sections"),
        &["id", "slug", "quotes"],
    )
    .await;
}

#[tokio::test]
async fn a_dotted_path_narrows_nested_objects_and_a_mention_keeps_its_entity_id() {
    let app = spawn_app().await;
    app.create_seed().await;
    let article = app
        .get_json(&format!(
            "/v1/articles/{SEED}?include=entities,quotes&fields=entities.entity.name,quotes.speaker.name"
        ))
        .await;
    assert_eq!(keys(&article), set(&["id", "entities", "quotes"]));
    for mention in article["entities"].as_array().unwrap() {
        assert_eq!(keys(mention), set(&["entity"]));
        assert_eq!(keys(&mention["entity"]), set(&["id", "name"]));
    }
    let mut speakers = 0;
    for quote in article["quotes"].as_array().unwrap() {
        assert_eq!(keys(quote), set(&["id", "speaker"]));
        if !quote["speaker"].is_null() {
            speakers += 1;
            assert_eq!(keys(&quote["speaker"]), set(&["id", "name"]));
        }
    }
    assert!(
        speakers > 0,
        "no quote of the seed has a speaker: {article}"
    );

    let article = app
        .get_json(&format!(
            "/v1/articles/{SEED}?include=entities&fields=entities.mention_count"
        ))
        .await;
    for mention in article["entities"].as_array().unwrap() {
        assert_eq!(keys(mention), set(&["entity", "mention_count"]));
        assert_eq!(keys(&mention["entity"]), set(&["id"]));
    }
}

#[tokio::test]
async fn a_dotted_path_into_a_relation_not_included_is_a_400_saying_to_include_it() {
    let app = spawn_app().await;
    app.create_seed().await;
    let message = fields_problem(
        &app,
        &format!("/v1/articles/{SEED}?fields=sections.heading"),
    )
    .await;
    assert!(message.contains("include=sections"), "{message}");
    let message = fields_problem(
        &app,
        &format!("/v1/articles/{SEED}?include=quotes&fields=quotes.text,entities.salience"),
    )
    .await;
    assert!(message.contains("include=entities"), "{message}");
    // A list has no relations.
    let message = fields_problem(&app, "/v1/articles?fields=quotes.text").await;
    assert!(message.contains("include=quotes"), "{message}");
}

#[tokio::test]
async fn an_unknown_member_is_a_400_listing_the_members_of_the_type() {
    let app = spawn_app().await;
    app.create_seed().await;
    let message = fields_problem(&app, &format!("/v1/articles/{SEED}?fields=headline,nope")).await;
    let all = "authors, body, category, created_at, entities, headline, highlights, id, keywords, \
               language, published_at, publisher, quotes, sections, slug, source_url, standfirst, \
               updated_at, version, word_count";
    assert_eq!(
        message,
        format!("names `nope`, which is not a member; the members are {all}")
    );
    let message = fields_problem(
        &app,
        &format!("/v1/articles/{SEED}?include=sections&fields=sections.title"),
    )
    .await;
    assert_eq!(
        message,
        "names `sections.title`, which is not a member of `sections`; the members of `sections` \
         are article_id, body, end, heading, id, position, provenance, start"
    );
    let message = fields_problem(&app, "/v1/quotes?fields=speaker.wikidata_id").await;
    assert!(
        message.contains("the members of `speaker` are id, kind, name, slug"),
        "{message}"
    );
    let message = fields_problem(&app, &format!("/v1/articles/{SEED}?fields=headline.text")).await;
    assert!(message.contains("`headline` has no members"), "{message}");
    // Names of the JSON, not of the database or of other resources.
    fields_problem(&app, "/v1/entities?fields=headline").await;
    fields_problem(
        &app,
        &format!("/v1/articles/{SEED}/sections?fields=start_offset"),
    )
    .await;
}

#[tokio::test]
async fn an_empty_fields_is_a_400() {
    let app = spawn_app().await;
    app.create_seed().await;
    for value in ["", "%20", ",,"] {
        let message = fields_problem(&app, &format!("/v1/articles/{SEED}?fields={value}")).await;
        assert!(message.starts_with("names no member"), "{message}");
        fields_problem(&app, &format!("/v1/quotes?fields={value}")).await;
    }
}

#[tokio::test]
async fn the_etag_is_that_of_the_narrowed_answer_and_304_works_per_field_set() {
    let app = spawn_app().await;
    app.create_seed().await;
    for base in [format!("/v1/articles/{SEED}?"), "/v1/articles?".to_owned()] {
        let headline = etag(&app.get(&format!("{base}fields=headline")).await);
        let slug = etag(&app.get(&format!("{base}fields=slug")).await);
        let whole = etag(&app.get(&base).await);
        assert_ne!(headline, slug, "{base}");
        assert_ne!(headline, whole, "{base}");
        let conditional = |fields: &str, tag: &str| {
            app.request(Method::GET, &format!("{base}fields={fields}"))
                .header(IF_NONE_MATCH, tag)
                .send()
        };
        let unchanged = conditional("headline", &headline).await.unwrap();
        assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED, "{base}");
        assert_eq!(etag(&unchanged), headline);
        let other = conditional("slug", &headline).await.unwrap();
        assert_eq!(other.status(), StatusCode::OK, "{base}");
        assert_eq!(etag(&other), slug);
    }
}

#[tokio::test]
async fn if_match_on_a_patch_still_wants_the_etag_of_the_whole_article() {
    let app = spawn_app().await;
    app.create_seed().await;
    let narrowed = etag(
        &app.get(&format!("/v1/articles/{SEED}?fields=headline"))
            .await,
    );
    let whole = etag(&app.get(&format!("/v1/articles/{SEED}")).await);
    let patch = |tag: String| {
        app.write(Method::PATCH, &format!("/v1/articles/{SEED}"))
            .header(IF_MATCH, tag)
            .json(&json!({"category": "immigration"}))
            .send()
    };
    let stale = patch(narrowed).await.unwrap();
    assert_problem(
        stale,
        StatusCode::PRECONDITION_FAILED,
        "precondition-failed",
        &[],
    )
    .await;
    assert_eq!(patch(whole).await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn fields_with_json_ld_or_ninjs_is_a_400() {
    let app = spawn_app().await;
    app.create_seed().await;
    for accept in ["application/ld+json", "application/vnd.ninjs+json"] {
        let response = app
            .request(Method::GET, &format!("/v1/articles/{SEED}?fields=headline"))
            .header(ACCEPT, accept)
            .send()
            .await
            .unwrap();
        let body = assert_problem(
            response,
            StatusCode::BAD_REQUEST,
            "bad-request",
            &["fields"],
        )
        .await;
        assert!(body["detail"].as_str().unwrap().contains(accept), "{body}");
    }
}

#[tokio::test]
async fn highlights_stay_whole_with_highlight_unless_narrowed() {
    let app = spawn_app().await;
    app.create_seed().await;
    let page = assert_list_members(
        &app,
        "/v1/articles?q=immigration&highlight=true&fields=slug",
        &["id", "slug", "highlights"],
    )
    .await;
    let whole = app
        .get_json("/v1/articles?q=immigration&highlight=true")
        .await;
    assert_eq!(
        page["data"][0]["highlights"],
        whole["data"][0]["highlights"]
    );
    let page = assert_list_members(
        &app,
        "/v1/articles?q=immigration&highlight=true&fields=highlights.headline",
        &["id", "highlights"],
    )
    .await;
    assert_eq!(keys(&page["data"][0]["highlights"]), set(&["headline"]));
    let message = fields_problem(&app, "/v1/quotes?q=military&fields=highlights.text").await;
    assert!(message.contains("highlight=true"), "{message}");
    assert_list_members(
        &app,
        "/v1/quotes?q=military&highlight=true&fields=text",
        &["id", "text", "highlights"],
    )
    .await;
}

#[tokio::test]
async fn an_entitys_articles_take_fields_too() {
    let app = spawn_app().await;
    app.create_seed().await;
    assert_list_members(
        &app,
        "/v1/entities/united-kingdom/articles?fields=slug,published_at",
        &["id", "slug", "published_at"],
    )
    .await;
}

// --- sections, quotes, entities, mentions ------------------------------------------------------

#[tokio::test]
async fn sections_take_fields_on_the_list_and_the_get() {
    let app = spawn_app().await;
    app.create_seed().await;
    let page = assert_list_members(
        &app,
        &format!("/v1/articles/{SEED}/sections?fields=position,heading"),
        &["id", "position", "heading"],
    )
    .await;
    assert_eq!(keys(&page), set(&["data", "next_cursor"]));
    let id = page["data"][1]["id"].as_str().unwrap();
    assert_members(
        &app,
        &format!("/v1/sections/{id}?fields=body"),
        &["id", "body"],
    )
    .await;
}

#[tokio::test]
async fn quotes_take_fields_on_every_list_and_the_get() {
    let app = spawn_app().await;
    app.create_seed().await;
    let expected = ["id", "text", "speaker"];
    for path in [
        "/v1/quotes?fields=text,speaker.slug".to_owned(),
        format!("/v1/articles/{SEED}/quotes?fields=text,speaker.slug"),
        "/v1/entities/donald-trump/quotes?fields=text,speaker.slug".to_owned(),
    ] {
        let page = assert_list_members(&app, &path, &expected).await;
        for quote in items(&page) {
            if !quote["speaker"].is_null() {
                assert_eq!(keys(&quote["speaker"]), set(&["id", "slug"]), "{path}");
            }
        }
    }
    let page = app
        .get_json("/v1/entities/donald-trump/quotes?fields=speaker_label&limit=1")
        .await;
    assert_eq!(keys(&page["data"][0]), set(&["id", "speaker_label"]));
    assert!(page["next_cursor"].is_string(), "{page}");
    let id = page["data"][0]["id"].as_str().unwrap();
    assert_members(
        &app,
        &format!("/v1/quotes/{id}?fields=kind,cue"),
        &["id", "kind", "cue"],
    )
    .await;
}

#[tokio::test]
async fn entities_take_fields_on_the_list_and_the_get() {
    let app = spawn_app().await;
    app.create_seed().await;
    assert_list_members(
        &app,
        "/v1/entities?fields=name,mention_count&sort=-mentions",
        &["id", "name", "mention_count"],
    )
    .await;
    let entity = assert_members(
        &app,
        "/v1/entities/keir-starmer?fields=aliases",
        &["id", "aliases"],
    )
    .await;
    assert!(entity["aliases"].is_array());
}

#[tokio::test]
async fn mentions_take_fields_on_the_list_and_the_get() {
    let app = spawn_app().await;
    app.create_seed().await;
    let page = assert_list_members(
        &app,
        &format!("/v1/articles/{SEED}/entities?fields=mention_count"),
        &["entity", "mention_count"],
    )
    .await;
    for mention in items(&page) {
        assert_eq!(keys(&mention["entity"]), set(&["id"]));
    }
    let mention = assert_members(
        &app,
        &format!("/v1/articles/{SEED}/entities/keir-starmer?fields=entity.slug,salience"),
        &["entity", "salience"],
    )
    .await;
    assert_eq!(mention["entity"]["slug"], "keir-starmer");
    assert_eq!(keys(&mention["entity"]), set(&["id", "slug"]));
}

#[tokio::test]
async fn a_route_that_takes_only_fields_lists_it_for_an_unknown_parameter() {
    let app = spawn_app().await;
    app.create_seed().await;
    let body = assert_problem(
        app.get("/v1/entities/keir-starmer?field=name").await,
        StatusCode::BAD_REQUEST,
        "bad-request",
        &["field"],
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("fields"),
        "{body}"
    );
    // Aggregates are not resources: no `fields` on the stats routes.
    assert_problem(
        app.get("/v1/stats/entities?fields=name").await,
        StatusCode::BAD_REQUEST,
        "bad-request",
        &["fields"],
    )
    .await;
}
