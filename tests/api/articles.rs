//! `/v1/articles`: the nested create, the list with its filters, sorts and pages, reads with
//! includes and ETags, merge patches, deletes, and every way a request is refused.

// Tests and their helpers fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;

use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{
    assert_includes_match_their_routes, assert_problem, assert_writes_need_a_write_key, etag,
    next_link, seed_body, small_article, spawn_app, spawn_app_with, TestApp,
};

const SEED: &str = "us-officials-condemn-uk-immigration-approach";

// --- helpers of this file (the sections tests use them too) ------------------------------------

/// The smallest article the API accepts, with a slug to tell it apart.
fn bare_article(slug: &str, body: &str) -> Value {
    json!({"slug": slug, "headline": format!("Headline of {slug}"), "body": body})
}

/// `base` with the members of `extra` set on it.
fn with(mut base: Value, extra: Value) -> Value {
    for (key, value) in extra.as_object().expect("extra is not an object") {
        base[key] = value.clone();
    }
    base
}

/// POSTs an article that must be accepted and answers it.
async fn create(app: &TestApp, body: &Value) -> Value {
    let response = app.post_json("/v1/articles", body).await;
    let status = response.status();
    let json: Value = response.json().await.expect("not JSON");
    assert_eq!(status, StatusCode::CREATED, "{json}");
    json
}

/// Query-string pairs, in order; a name may repeat.
type Query<'a> = &'a [(&'a str, &'a str)];

/// GET `path` with a query, each pair percent-encoded; the caller checks the answer.
async fn get_with(app: &TestApp, path: &str, query: &[(&str, &str)]) -> Response {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    app.get(&format!("{path}?{query}")).await
}

/// A page of the article list that must be a 200.
async fn list(app: &TestApp, query: &[(&str, &str)]) -> Value {
    let response = get_with(app, "/v1/articles", query).await;
    assert_eq!(response.status(), StatusCode::OK, "{query:?}");
    response.json().await.expect("not JSON")
}

/// The slugs of a page's articles, in order.
fn slugs(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data is not an array")
        .iter()
        .map(|a| a["slug"].as_str().expect("slug").to_owned())
        .collect()
}

/// Four articles that differ in every field the list filters on:
///
/// | slug                   | published_at          | category    | keywords             | language | publisher    | mentions                           | speakers           |
/// |------------------------|-----------------------|-------------|----------------------|----------|--------------|------------------------------------|--------------------|
/// | housing-minister-quits | 2026-11-23T08:00:00Z  | politics    | housing, resignations| en       | The Times    | jane-doe, united-kingdom           | jane-doe           |
/// | flood-defences-fail    | 2026-10-01T12:00:00Z  | environment | floods, climate      | en-GB    | The Guardian | united-kingdom, environment-agency | environment-agency |
/// | france-votes           | 2025-09-17T10:00:00Z  | politics    | elections            | fr       | Le Monde     | france, jane-doe                   | –                  |
/// | housing-explainer      | –                     | explainer   | housing              | en       | –            | –                                  | –                  |
///
/// They are created in this order.
async fn create_catalogue(app: &TestApp) {
    let jane = json!({"name": "Jane Doe", "kind": "person"});
    let uk = json!({"name": "United Kingdom", "kind": "location"});
    let agency = json!({"name": "Environment Agency", "kind": "organization"});
    let france = json!({"name": "France", "kind": "location"});
    let articles = [
        json!({
            "slug": "housing-minister-quits",
            "headline": "Minister quits over housing plan",
            "body": "The housing minister resigned on Monday after a row with Jane Doe, who said the plan was dead.",
            "category": "politics",
            "keywords": ["housing", "resignations"],
            "language": "en",
            "publisher": "The Times",
            "published_at": "2026-11-23T08:00:00Z",
            "entities": [{"entity": jane, "mention_count": 1}, {"entity": uk, "mention_count": 1}],
            "quotes": [{"text": "the plan was dead", "kind": "partial", "speaker": jane}]
        }),
        json!({
            "slug": "flood-defences-fail",
            "headline": "Flood defences fail in the north",
            "body": "Flood defences failed across the north of England, the Environment Agency said.",
            "category": "environment",
            "keywords": ["floods", "climate"],
            "language": "en-GB",
            "publisher": "The Guardian",
            "published_at": "2026-10-01T12:00:00Z",
            "entities": [{"entity": uk, "mention_count": 1}, {"entity": agency, "mention_count": 1}],
            "quotes": [{"text": "Flood defences failed", "speaker": agency}]
        }),
        json!({
            "slug": "france-votes",
            "headline": "France elects a new parliament",
            "body": "Voters in France elected a new parliament, Jane Doe reported from Paris.",
            "category": "politics",
            "keywords": ["elections"],
            "language": "fr",
            "publisher": "Le Monde",
            "published_at": "2025-09-17T10:00:00Z",
            "entities": [{"entity": france, "mention_count": 1}, {"entity": jane, "mention_count": 1}]
        }),
        json!({
            "slug": "housing-explainer",
            "headline": "What the housing plan means",
            "body": "What the housing plan means for renters.",
            "category": "explainer",
            "keywords": ["housing"],
            "language": "en"
        }),
    ];
    for article in &articles {
        create(app, article).await;
    }
}

/// The id of an entity, by slug.
async fn entity_id(app: &TestApp, slug: &str) -> String {
    app.get_json(&format!("/v1/entities/{slug}")).await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

// --- create ------------------------------------------------------------------------------------

#[tokio::test]
async fn creating_the_seed_stores_its_whole_structure() {
    let app = spawn_app().await;
    let response = app.post_json("/v1/articles", &seed_body()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        location,
        format!("/v1/articles/{}", created["id"].as_str().unwrap())
    );
    assert_eq!(
        created["slug"],
        "us-officials-condemn-uk-immigration-approach"
    );
    assert_eq!(created["version"], 1);
    assert_eq!(created["sections"].as_array().unwrap().len(), 4);
    assert_eq!(created["quotes"].as_array().unwrap().len(), 9);
    assert_eq!(created["entities"].as_array().unwrap().len(), 13);

    let article = app
        .get_json("/v1/articles/us-officials-condemn-uk-immigration-approach?include=sections,quotes,entities")
        .await;
    let headings: Vec<_> = article["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["heading"].clone())
        .collect();
    assert_eq!(
        headings,
        [
            json!(null),
            json!("Confidential Diplomatic Directive"),
            json!("A Pattern of Failure and Security Concerns"),
            json!("Continuation of Trump's Warnings")
        ]
    );
    let top = &article["entities"][0];
    assert_eq!(top["entity"]["slug"], "united-kingdom");
    assert_eq!(top["mention_count"], 7);
    let trump_quotes: Vec<_> = article["quotes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["speaker"]["slug"] == "donald-trump")
        .map(|q| q["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        trump_quotes,
        [
            "destroy",
            "I would stop it, and it doesn't matter if you call out the military."
        ]
    );
}

#[tokio::test]
async fn an_article_with_its_includes_carries_what_its_parts_routes_answer() {
    let app = spawn_app().await;
    let seed = app.create_seed().await;
    let read = assert_includes_match_their_routes(&app, seed["slug"].as_str().unwrap()).await;
    assert_eq!(read["quotes"].as_array().unwrap().len(), 9);

    // A quote nobody is named for, a salience that needs all 17 digits to read back as the same
    // number, and an article with no parts at all.
    let mut body = small_article("unattributed");
    body["quotes"][0].as_object_mut().unwrap().remove("speaker");
    body["entities"][0]["salience"] = json!(0.1 + 0.2);
    create(&app, &body).await;
    let read = assert_includes_match_their_routes(&app, "unattributed").await;
    assert_eq!(read["quotes"][0]["speaker"], Value::Null);
    assert_eq!(read["entities"][0]["salience"], json!(0.30000000000000004));
    create(&app, &bare_article("bare", "Nothing to structure here.")).await;
    let read = assert_includes_match_their_routes(&app, "bare").await;
    for part in ["sections", "quotes", "entities"] {
        assert_eq!(read[part], json!([]), "{part} of an article without any");
    }
}

#[tokio::test]
async fn creating_an_article_without_optional_fields_fills_the_defaults() {
    let app = spawn_app().await;
    let created = create(
        &app,
        &json!({"headline": "  Minister Quits Over Housing Plan ", "body": "The housing minister resigned on Monday."}),
    )
    .await;
    assert_eq!(created["slug"], "minister-quits-over-housing-plan");
    assert_eq!(created["headline"], "Minister Quits Over Housing Plan");
    assert_eq!(created["language"], "en");
    assert_eq!(created["word_count"], 6);
    assert_eq!(created["version"], 1);
    assert_eq!(created["keywords"], json!([]));
    assert_eq!(created["authors"], json!([]));
    assert_eq!(created["published_at"], Value::Null);
    assert_eq!(created["created_at"], created["updated_at"]);
    assert_eq!(created["sections"], json!([]));
    assert_eq!(created["quotes"], json!([]));
    assert_eq!(created["entities"], json!([]));
}

#[tokio::test]
async fn reading_articles_needs_a_key_when_the_service_says_so() {
    let app = spawn_app_with(true).await;
    app.create_seed().await;
    for path in [
        "/v1/articles".to_owned(),
        format!("/v1/articles/{SEED}"),
        format!("/v1/articles/{SEED}/sections"),
    ] {
        let anonymous = app.get(&path).await;
        assert_problem(anonymous, StatusCode::UNAUTHORIZED, "unauthorized", &[]).await;
        let reader = app
            .request(Method::GET, &path)
            .bearer_auth(&app.read_key)
            .send()
            .await
            .unwrap();
        assert_eq!(reader.status(), StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn creating_an_article_needs_a_write_key() {
    let app = spawn_app().await;
    let anonymous = app
        .request(Method::POST, "/v1/articles")
        .json(&seed_body())
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, StatusCode::UNAUTHORIZED, "unauthorized", &[]).await;
    let read_only = app
        .request(Method::POST, "/v1/articles")
        .bearer_auth(&app.read_key)
        .json(&seed_body())
        .send()
        .await
        .unwrap();
    assert_problem(read_only, StatusCode::FORBIDDEN, "forbidden", &[]).await;
    assert_eq!(app.count_rows("articles").await, 0);
}

#[tokio::test]
async fn creating_patching_and_deleting_refuse_missing_garbage_and_read_keys() {
    let app = spawn_app().await;
    app.create_seed().await;
    let path = format!("/v1/articles/{SEED}");
    assert_writes_need_a_write_key(
        &app,
        Method::POST,
        "/v1/articles",
        Some(&small_article("x")),
    )
    .await;
    assert_writes_need_a_write_key(&app, Method::PATCH, &path, Some(&json!({"headline": "X"})))
        .await;
    assert_writes_need_a_write_key(&app, Method::DELETE, &path, None).await;
    let article = app.get_json(&path).await;
    assert_eq!(article["version"], 1);
    assert_eq!(app.count_rows("articles").await, 1);
}

#[tokio::test]
async fn a_nested_create_that_fails_halfway_leaves_nothing_behind() {
    let app = spawn_app().await;
    let mut body = seed_body();
    // The last quote names a speaker that does not exist: found only after the article, its
    // sections, entities and earlier quotes have been written inside the transaction.
    body["quotes"][8]["speaker"] = json!({"slug": "no-such-entity"});
    let response = app.post_json("/v1/articles", &body).await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["quotes[8].speaker.slug"],
    )
    .await;
    app.assert_no_content().await;
}

#[tokio::test]
async fn a_nested_create_whose_last_entity_repeats_an_earlier_one_leaves_nothing_behind() {
    let app = spawn_app().await;
    let mut body = seed_body();
    // Thirteen entities (with their aliases) are created inside the transaction before the
    // fourteenth turns out to be the first one again, by another name.
    body["entities"]
        .as_array_mut()
        .unwrap()
        .push(json!({"entity": {"name": "america", "kind": "location", "slug": "united-states"}, "mention_count": 1}));
    let response = app.post_json("/v1/articles", &body).await;
    let problem = assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["entities[13].entity"],
    )
    .await;
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("entities[0]"),
        "{problem}"
    );
    app.assert_no_content().await;
}

#[tokio::test]
async fn a_nested_create_with_a_later_section_on_a_taken_position_leaves_nothing_behind() {
    let app = spawn_app().await;
    let mut body = seed_body();
    body["sections"][3]["position"] = json!(1);
    let response = app.post_json("/v1/articles", &body).await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["sections[3].position"],
    )
    .await;
    for table in ["articles", "sections", "quotes", "entities"] {
        assert_eq!(app.count_rows(table).await, 0, "{table} is not empty");
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_answers_400_naming_the_body() {
    let app = spawn_app().await;
    let response = app
        .write(Method::POST, "/v1/articles")
        .header("content-type", "application/json")
        .body(r#"{"headline": "Minister quits", "body": "#)
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::BAD_REQUEST, "bad-request", &["body"]).await;
    assert_eq!(app.count_rows("articles").await, 0);
}

#[tokio::test]
async fn a_body_sent_as_another_media_type_or_none_answers_415() {
    let app = spawn_app().await;
    let json = serde_json::to_string(&small_article("housing")).unwrap();
    let as_text = app
        .write(Method::POST, "/v1/articles")
        .header("content-type", "text/plain")
        .body(json.clone())
        .send()
        .await
        .unwrap();
    assert_problem(
        as_text,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
        &[],
    )
    .await;
    let untyped = app
        .write(Method::POST, "/v1/articles")
        .body(json)
        .send()
        .await
        .unwrap();
    assert_problem(
        untyped,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
        &[],
    )
    .await;
    assert_eq!(app.count_rows("articles").await, 0);
}

#[tokio::test]
async fn a_merge_patch_media_type_is_accepted_as_json() {
    let app = spawn_app().await;
    app.create_seed().await;
    let response = app
        .write(Method::PATCH, &format!("/v1/articles/{SEED}"))
        .header("content-type", "application/merge-patch+json")
        .body(r#"{"category": "immigration"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let article: Value = response.json().await.unwrap();
    assert_eq!(article["category"], "immigration");
}

/// Bodies with an unknown member at the top, in a section, and in a quote's speaker, with the
/// field each problem must name.
fn bodies_with_an_unknown_field() -> Vec<(Value, &'static str)> {
    let top = with(small_article("housing"), json!({"colour": "red"}));
    let mut nested = small_article("housing");
    nested["sections"][0]["colour"] = json!("red");
    let mut deeper = small_article("housing");
    deeper["quotes"][0]["speaker"]["colour"] = json!("red");
    vec![
        (top, "colour"),
        (nested, "sections[0].colour"),
        (deeper, "quotes[0].speaker.colour"),
    ]
}

#[tokio::test]
async fn an_unknown_field_answers_422_saying_which_and_listing_the_known_ones() {
    let app = spawn_app().await;
    for (body, _) in bodies_with_an_unknown_field() {
        let response = app.post_json("/v1/articles", &body).await;
        let problem = assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &[],
        )
        .await;
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("not a known field"), "{problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains("colour"),
            "{problem}"
        );
    }
    let top = app
        .post_json("/v1/articles", &bodies_with_an_unknown_field()[0].0)
        .await;
    let problem = assert_problem(
        top,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &[],
    )
    .await;
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("`headline`"),
        "the message lists the known fields: {problem}"
    );
    assert_eq!(app.count_rows("articles").await, 0);
}

#[tokio::test]
async fn an_unknown_field_answers_422_naming_its_path_even_when_nested() {
    let app = spawn_app().await;
    let mut named = Vec::new();
    let mut expected = Vec::new();
    for (body, field) in bodies_with_an_unknown_field() {
        let response = app.post_json("/v1/articles", &body).await;
        let problem = assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &[],
        )
        .await;
        named.push(problem["errors"][0]["field"].as_str().unwrap().to_owned());
        expected.push(field);
    }
    assert_eq!(named, expected);
}

#[tokio::test]
async fn a_missing_headline_or_body_answers_422_naming_it() {
    let app = spawn_app().await;
    for missing in ["headline", "body"] {
        let mut body = small_article("housing");
        body.as_object_mut().unwrap().remove(missing);
        let response = app.post_json("/v1/articles", &body).await;
        let problem = assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &[missing],
        )
        .await;
        assert_eq!(problem["errors"][0]["message"], "is required");
    }
    assert_eq!(app.count_rows("articles").await, 0);
}

#[tokio::test]
async fn an_empty_blank_or_over_long_headline_answers_422() {
    let app = spawn_app().await;
    let many_words = "word ".repeat(101);
    let one_long_word = "a".repeat(501);
    for headline in ["", "   \t ", many_words.as_str(), one_long_word.as_str()] {
        let body = with(small_article("housing"), json!({"headline": headline}));
        let response = app.post_json("/v1/articles", &body).await;
        assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["headline"],
        )
        .await;
    }
    assert_eq!(app.count_rows("articles").await, 0);
}

#[tokio::test]
async fn a_headline_of_exactly_500_characters_is_accepted() {
    let app = spawn_app().await;
    let headline = "Ä".repeat(500); // 500 chars, 1000 bytes: the limit counts characters
    let created = create(
        &app,
        &with(
            small_article("long-headline"),
            json!({"headline": headline}),
        ),
    )
    .await;
    assert_eq!(created["headline"].as_str().unwrap().chars().count(), 500);
}

#[tokio::test]
async fn an_invalid_slug_source_url_or_language_answers_422_naming_each() {
    let app = spawn_app().await;
    let cases = [
        json!({"slug": "Not A Slug"}),
        json!({"slug": "double--hyphen"}),
        json!({"source_url": "not a url"}),
        json!({"source_url": "ftp://example.com/article"}),
        json!({"language": "english"}),
        json!({"language": "e"}),
    ];
    for case in cases {
        let field = case.as_object().unwrap().keys().next().unwrap().clone();
        let response = app
            .post_json(
                "/v1/articles",
                &with(small_article("housing"), case.clone()),
            )
            .await;
        assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &[&field],
        )
        .await;
    }
    let all_at_once = with(
        small_article("housing"),
        json!({"slug": "Not A Slug", "source_url": "nope", "language": "english"}),
    );
    let response = app.post_json("/v1/articles", &all_at_once).await;
    let problem = assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["slug", "source_url", "language"],
    )
    .await;
    assert_eq!(problem["detail"], "3 fields are not valid");
    assert_eq!(app.count_rows("articles").await, 0);
}

#[tokio::test]
async fn other_invalid_members_of_a_nested_create_answer_422_naming_each() {
    let app = spawn_app().await;
    let cases: [(Value, &str); 6] = [
        (json!({"published_at": "yesterday"}), "published_at"),
        (json!({"keywords": ["housing", "  "]}), "keywords"),
        (json!({"standfirst": ""}), "standfirst"),
        (json!({"authors": vec!["A. Writer"; 51]}), "authors"),
        (json!({"category": 7}), "category"),
        (
            json!({"sections": [{"position": -1, "body": "Lede."}]}),
            "sections[0].position",
        ),
    ];
    for (extra, field) in cases {
        let body = with(bare_article("housing", "A story."), extra);
        let response = app.post_json("/v1/articles", &body).await;
        assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &[field],
        )
        .await;
    }

    let mut quotes = small_article("housing");
    quotes["quotes"][0]["section_id"] = json!("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
    quotes["quotes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"text": "I cannot", "position": 0}));
    let response = app.post_json("/v1/articles", &quotes).await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["quotes[0].section_id", "quotes[1].position"],
    )
    .await;
    assert_eq!(app.count_rows("articles").await, 0);
}

#[tokio::test]
async fn offsets_count_characters_not_bytes() {
    let app = spawn_app().await;
    // 14 characters, 18 bytes in UTF-8.
    let body = "Zürich — café.";
    let fits = with(
        bare_article("zurich", body),
        json!({"sections": [{"body": body, "start": 0, "end": 14}],
               "quotes": [{"text": "café", "start": 9, "end": 13}]}),
    );
    let created = create(&app, &fits).await;
    assert_eq!(created["sections"][0]["end"], 14);
    assert_eq!(created["quotes"][0]["start"], 9);

    let beyond = with(
        bare_article("zurich-2", body),
        json!({"sections": [{"body": body, "start": 0, "end": 15}]}),
    );
    let response = app.post_json("/v1/articles", &beyond).await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["sections[0].end"],
    )
    .await;
}

#[tokio::test]
async fn section_and_quote_offsets_outside_the_body_answer_422_naming_them() {
    let app = spawn_app().await;
    let mut body = seed_body();
    body["sections"][3]["end"] = json!(2711); // the body is 2710 characters long
    body["quotes"][2]["start"] = json!(5000);
    body["quotes"][2]["end"] = json!(5001);
    body["entities"][4]["first_offset"] = json!(2710);
    let response = app.post_json("/v1/articles", &body).await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &[
            "sections[3].end",
            "quotes[2].start",
            "quotes[2].end",
            "entities[4].first_offset",
        ],
    )
    .await;
    assert_eq!(app.count_rows("articles").await, 0);
}

#[tokio::test]
async fn offsets_that_end_before_they_start_or_are_negative_answer_422() {
    let app = spawn_app().await;
    let mut body = small_article("housing");
    body["sections"][0]["start"] = json!(30);
    body["sections"][0]["end"] = json!(10);
    body["quotes"][0]["start"] = json!(-1);
    let response = app.post_json("/v1/articles", &body).await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["sections[0].end", "quotes[0].start"],
    )
    .await;
}

#[tokio::test]
async fn a_start_without_an_end_answers_422_naming_the_missing_one() {
    let app = spawn_app().await;
    let mut body = small_article("housing");
    body["sections"][1].as_object_mut().unwrap().remove("end");
    body["quotes"][0].as_object_mut().unwrap().remove("start");
    let response = app.post_json("/v1/articles", &body).await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["sections[1].end", "quotes[0].start"],
    )
    .await;
    assert_eq!(app.count_rows("articles").await, 0);
}

#[tokio::test]
async fn a_quote_in_a_section_position_no_section_has_answers_422() {
    let app = spawn_app().await;
    let mut body = small_article("housing");
    body["quotes"][0]["section_position"] = json!(7);
    let response = app.post_json("/v1/articles", &body).await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["quotes[0].section_position"],
    )
    .await;
    assert_eq!(app.count_rows("articles").await, 0);
}

#[tokio::test]
async fn duplicate_section_positions_answer_422() {
    let app = spawn_app().await;
    let mut body = small_article("housing");
    body["sections"][0]["position"] = json!(3);
    body["sections"][1]["position"] = json!(3);
    body["quotes"][0]["section_position"] = json!(3);
    let response = app.post_json("/v1/articles", &body).await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["sections[1].position"],
    )
    .await;
    assert_eq!(app.count_rows("articles").await, 0);
}

#[tokio::test]
async fn the_same_entity_twice_in_entities_answers_422() {
    let app = spawn_app().await;
    let mut body = small_article("housing");
    body["entities"]
        .as_array_mut()
        .unwrap()
        .push(json!({"entity": {"name": "JANE  DOE", "kind": "person"}, "mention_count": 2}));
    let response = app.post_json("/v1/articles", &body).await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["entities[1].entity"],
    )
    .await;
    assert_eq!(app.count_rows("articles").await, 0);
    assert_eq!(app.count_rows("entities").await, 0);
}

#[tokio::test]
async fn a_speaker_given_by_name_without_a_kind_answers_422() {
    let app = spawn_app().await;
    let mut body = small_article("housing");
    body["quotes"][0]["speaker"] = json!({"name": "Jane Doe"});
    let response = app.post_json("/v1/articles", &body).await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["quotes[0].speaker.kind"],
    )
    .await;
    assert_eq!(app.count_rows("articles").await, 0);
}

#[tokio::test]
async fn a_taken_slug_answers_409_naming_slug() {
    let app = spawn_app().await;
    app.create_small("housing").await;
    let again = with(
        small_article("housing"),
        json!({"headline": "Another story"}),
    );
    let response = app.post_json("/v1/articles", &again).await;
    assert_problem(response, StatusCode::CONFLICT, "conflict", &["slug"]).await;

    // A slug made from the headline is checked the same way.
    let derived = json!({"headline": "Housing", "body": "Another story."});
    let response = app.post_json("/v1/articles", &derived).await;
    assert_problem(response, StatusCode::CONFLICT, "conflict", &["slug"]).await;
    assert_eq!(app.count_rows("articles").await, 1);
}

#[tokio::test]
async fn a_source_url_ingested_before_answers_409_naming_source_url() {
    let app = spawn_app().await;
    let url = "https://news.example.com/2026/11/housing";
    create(
        &app,
        &with(small_article("housing"), json!({"source_url": url})),
    )
    .await;
    let response = app
        .post_json(
            "/v1/articles",
            &with(small_article("housing-again"), json!({"source_url": url})),
        )
        .await;
    assert_problem(response, StatusCode::CONFLICT, "conflict", &["source_url"]).await;
    assert_eq!(app.count_rows("articles").await, 1);
}

#[tokio::test]
async fn a_body_over_one_mebibyte_answers_413() {
    let app = spawn_app().await;
    let body = bare_article("huge", &"a".repeat(1024 * 1024));
    let response = app.post_json("/v1/articles", &body).await;
    assert_problem(
        response,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        &[],
    )
    .await;
    assert_eq!(app.count_rows("articles").await, 0);
}

// --- get ---------------------------------------------------------------------------------------

#[tokio::test]
async fn an_article_reads_the_same_by_id_and_by_slug_without_its_parts() {
    let app = spawn_app().await;
    let created = app.create_seed().await;
    let id = created["id"].as_str().unwrap();
    let by_id = app.get(&format!("/v1/articles/{id}")).await;
    assert_eq!(by_id.status(), StatusCode::OK);
    let by_id_etag = etag(&by_id);
    let by_id: Value = by_id.json().await.unwrap();
    let by_slug = app.get(&format!("/v1/articles/{SEED}")).await;
    assert_eq!(etag(&by_slug), by_id_etag);
    let by_slug: Value = by_slug.json().await.unwrap();
    assert_eq!(by_id, by_slug);
    assert_eq!(by_id["id"], created["id"]);
    assert_eq!(by_id["headline"], seed_body()["headline"]);
    assert_eq!(by_id["body"], seed_body()["body"]);
    assert_eq!(by_id["keywords"], seed_body()["keywords"]);
    for part in ["sections", "quotes", "entities"] {
        assert!(by_id.get(part).is_none(), "{part} without include");
    }
}

#[tokio::test]
async fn an_article_is_found_by_its_id_in_upper_case() {
    let app = spawn_app().await;
    let created = app.create_small("housing").await;
    let upper = created["id"].as_str().unwrap().to_uppercase();
    let article = app.get_json(&format!("/v1/articles/{upper}")).await;
    assert_eq!(article["id"], created["id"]);
}

#[tokio::test]
async fn an_article_whose_slug_looks_like_a_uuid_is_found_by_its_slug() {
    let app = spawn_app().await;
    let slug = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    create(&app, &bare_article(slug, "A story with an odd slug.")).await;
    let article = app.get_json(&format!("/v1/articles/{slug}")).await;
    assert_eq!(article["slug"], slug);
}

#[tokio::test]
async fn include_embeds_each_part_asked_for_and_only_those() {
    let app = spawn_app().await;
    app.create_seed().await;
    let cases: [(&str, &[(&str, usize)]); 4] = [
        ("sections", &[("sections", 4)]),
        ("quotes", &[("quotes", 9)]),
        ("entities", &[("entities", 13)]),
        (
            "sections,quotes,entities",
            &[("sections", 4), ("quotes", 9), ("entities", 13)],
        ),
    ];
    for (include, parts) in cases {
        let article = app
            .get_json(&format!("/v1/articles/{SEED}?include={include}"))
            .await;
        for part in ["sections", "quotes", "entities"] {
            match parts.iter().find(|(name, _)| *name == part) {
                Some((_, len)) => assert_eq!(
                    article[part].as_array().map(Vec::len),
                    Some(*len),
                    "{part} with include={include}"
                ),
                None => assert!(article.get(part).is_none(), "{part} with include={include}"),
            }
        }
    }
    let sections = app
        .get_json(&format!("/v1/articles/{SEED}?include=sections"))
        .await;
    let positions: Vec<_> = sections["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, [0, 1, 2, 3]);
    let quotes = app
        .get_json(&format!("/v1/articles/{SEED}?include=quotes"))
        .await;
    let positions: Vec<_> = quotes["quotes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, (0..9).collect::<Vec<_>>());
}

#[tokio::test]
async fn an_unknown_include_answers_400_naming_include() {
    let app = spawn_app().await;
    app.create_seed().await;
    let response = app
        .get(&format!("/v1/articles/{SEED}?include=sections,comments"))
        .await;
    let problem = assert_problem(
        response,
        StatusCode::BAD_REQUEST,
        "bad-request",
        &["include"],
    )
    .await;
    assert!(
        problem["detail"].as_str().unwrap().contains("comments"),
        "{problem}"
    );
}

#[tokio::test]
async fn an_unknown_parameter_on_a_get_answers_400_naming_it() {
    let app = spawn_app().await;
    app.create_seed().await;
    let response = app
        .get(&format!("/v1/articles/{SEED}?expand=sections"))
        .await;
    assert_problem(
        response,
        StatusCode::BAD_REQUEST,
        "bad-request",
        &["expand"],
    )
    .await;
}

#[tokio::test]
async fn an_unknown_article_answers_404_to_every_method() {
    let app = spawn_app().await;
    for key in ["no-such-article", "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"] {
        let path = format!("/v1/articles/{key}");
        let get = app.get(&path).await;
        assert_problem(get, StatusCode::NOT_FOUND, "not-found", &[]).await;
        let patch = app.patch_json(&path, &json!({"headline": "X"})).await;
        assert_problem(patch, StatusCode::NOT_FOUND, "not-found", &[]).await;
        let delete = app.delete(&path).await;
        assert_problem(delete, StatusCode::NOT_FOUND, "not-found", &[]).await;
    }
}

#[tokio::test]
async fn a_get_with_the_current_etag_in_if_none_match_answers_304() {
    let app = spawn_app().await;
    app.create_seed().await;
    let path = format!("/v1/articles/{SEED}?include=sections");
    let first = app.get(&path).await;
    let tag = etag(&first);
    let not_modified = app
        .request(Method::GET, &path)
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(etag(&not_modified), tag);
    assert!(not_modified.bytes().await.unwrap().is_empty());

    let other = app
        .request(Method::GET, &path)
        .header("if-none-match", "\"something-else\"")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::OK);

    // Once the article changes, the old ETag no longer matches.
    let patched = app
        .patch_json(
            &format!("/v1/articles/{SEED}"),
            &json!({"category": "immigration"}),
        )
        .await;
    assert_eq!(patched.status(), StatusCode::OK);
    let after = app
        .request(Method::GET, &path)
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::OK);
    assert_ne!(etag(&after), tag);
}

#[tokio::test]
async fn a_list_with_the_current_etag_in_if_none_match_answers_304() {
    let app = spawn_app().await;
    create_catalogue(&app).await;
    let path = "/v1/articles?limit=2&sort=-created_at";
    let first = app.get(path).await;
    assert_eq!(first.status(), StatusCode::OK);
    let tag = etag(&first);
    let not_modified = app
        .request(Method::GET, path)
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);
    assert!(not_modified.bytes().await.unwrap().is_empty());

    create(&app, &bare_article("breaking-news", "Something happened.")).await;
    let after = app
        .request(Method::GET, path)
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::OK);
}

// --- list: filters -----------------------------------------------------------------------------

#[tokio::test]
async fn the_list_answers_data_and_a_null_next_cursor_when_everything_fits() {
    let app = spawn_app().await;
    let empty = list(&app, &[]).await;
    assert_eq!(empty, json!({"data": [], "next_cursor": null}));

    create_catalogue(&app).await;
    let response = get_with(&app, "/v1/articles", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get("link").is_none());
    etag(&response);
    let page: Value = response.json().await.unwrap();
    assert_eq!(page["next_cursor"], Value::Null);
    assert!(page.get("total").is_none(), "total only when asked");
    let first = &page["data"][0];
    assert_eq!(first["slug"], "housing-minister-quits");
    assert_eq!(first["keywords"], json!(["housing", "resignations"]));
    assert_eq!(first["publisher"], "The Times");
    for part in ["sections", "quotes", "entities"] {
        assert!(first.get(part).is_none(), "lists do not embed {part}");
    }
}

#[tokio::test]
async fn articles_filtered_by_an_entity_slug_or_id_are_those_that_mention_it() {
    let app = spawn_app().await;
    create_catalogue(&app).await;
    let by_slug = list(&app, &[("entity", "jane-doe")]).await;
    assert_eq!(slugs(&by_slug), ["housing-minister-quits", "france-votes"]);
    let uk = entity_id(&app, "united-kingdom").await;
    let by_id = list(&app, &[("entity", &uk)]).await;
    assert_eq!(
        slugs(&by_id),
        ["housing-minister-quits", "flood-defences-fail"]
    );
    let by_upper_id = list(&app, &[("entity", &uk.to_uppercase())]).await;
    assert_eq!(slugs(&by_upper_id), slugs(&by_id));
    let unknown = list(&app, &[("entity", "no-such-entity")]).await;
    assert_eq!(unknown, json!({"data": [], "next_cursor": null}));
}

#[tokio::test]
async fn a_repeated_entity_filter_keeps_articles_that_mention_all_of_them() {
    let app = spawn_app().await;
    create_catalogue(&app).await;
    let uk = entity_id(&app, "united-kingdom").await;
    let both = list(&app, &[("entity", "jane-doe"), ("entity", &uk)]).await;
    assert_eq!(slugs(&both), ["housing-minister-quits"]);
    let none = list(
        &app,
        &[("entity", "jane-doe"), ("entity", "environment-agency")],
    )
    .await;
    assert_eq!(slugs(&none), Vec::<String>::new());
    let one_unknown = list(&app, &[("entity", "jane-doe"), ("entity", "nobody")]).await;
    assert_eq!(slugs(&one_unknown), Vec::<String>::new());
    let twice = list(&app, &[("entity", "jane-doe"), ("entity", "jane-doe")]).await;
    assert_eq!(slugs(&twice), ["housing-minister-quits", "france-votes"]);
}

#[tokio::test]
async fn articles_filtered_by_speaker_are_those_quoting_that_entity_not_merely_mentioning_it() {
    let app = spawn_app().await;
    create_catalogue(&app).await;
    let jane = list(&app, &[("speaker", "jane-doe")]).await;
    assert_eq!(slugs(&jane), ["housing-minister-quits"]);
    let agency = entity_id(&app, "environment-agency").await;
    let by_id = list(&app, &[("speaker", &agency)]).await;
    assert_eq!(slugs(&by_id), ["flood-defences-fail"]);
    let never_quoted = list(&app, &[("speaker", "france")]).await;
    assert_eq!(slugs(&never_quoted), Vec::<String>::new());
}

#[tokio::test]
async fn articles_filtered_by_category_keyword_language_or_publisher_match_exactly() {
    let app = spawn_app().await;
    create_catalogue(&app).await;
    let cases: [(&str, &str, &[&str]); 8] = [
        (
            "category",
            "politics",
            &["housing-minister-quits", "france-votes"],
        ),
        ("category", "explainer", &["housing-explainer"]),
        (
            "keyword",
            "housing",
            &["housing-minister-quits", "housing-explainer"],
        ),
        ("keyword", "climate", &["flood-defences-fail"]),
        (
            "language",
            "en",
            &["housing-minister-quits", "housing-explainer"],
        ),
        ("language", "fr", &["france-votes"]),
        ("publisher", "The Guardian", &["flood-defences-fail"]),
        ("publisher", "Le Monde", &["france-votes"]),
    ];
    for (name, value, expected) in cases {
        let page = list(&app, &[(name, value)]).await;
        assert_eq!(slugs(&page), expected, "{name}={value}");
    }
    let nothing = list(&app, &[("category", "sport")]).await;
    assert_eq!(slugs(&nothing), Vec::<String>::new());
}

#[tokio::test]
async fn publication_bounds_take_rfc_3339_times_or_dates_after_inclusive_before_exclusive() {
    let app = spawn_app().await;
    create_catalogue(&app).await;
    let cases: [(&str, &str, &[&str]); 8] = [
        (
            "published_after",
            "2026-10-01",
            &["housing-minister-quits", "flood-defences-fail"],
        ),
        (
            "published_after",
            "2026-10-01T12:00:00Z",
            &["housing-minister-quits", "flood-defences-fail"],
        ),
        // The same instant written in another zone.
        (
            "published_after",
            "2026-10-01T14:00:00+02:00",
            &["housing-minister-quits", "flood-defences-fail"],
        ),
        (
            "published_after",
            "2026-10-01T12:00:01Z",
            &["housing-minister-quits"],
        ),
        (
            "published_before",
            "2026-10-01T12:00:00Z",
            &["france-votes"],
        ),
        (
            "published_before",
            "2026-10-02",
            &["flood-defences-fail", "france-votes"],
        ),
        ("published_before", "2025-09-17", &[]),
        ("published_after", "2027-01-01", &[]),
    ];
    for (name, value, expected) in cases {
        let page = list(&app, &[(name, value)]).await;
        assert_eq!(slugs(&page), expected, "{name}={value}");
    }
    let window = list(
        &app,
        &[
            ("published_after", "2025-01-01"),
            ("published_before", "2026-11-01T00:00:00Z"),
        ],
    )
    .await;
    assert_eq!(slugs(&window), ["flood-defences-fail", "france-votes"]);
}

#[tokio::test]
async fn publication_bounds_compare_to_the_microsecond() {
    let app = spawn_app().await;
    create_paging_articles(&app).await;
    // paging-5 was published at 2026-02-01T09:30:00.123456Z.
    let cases: [(&str, &str, &[&str]); 4] = [
        (
            "published_after",
            "2026-02-01T09:30:00.123456Z",
            &["paging-5"],
        ),
        ("published_after", "2026-02-01T09:30:00.123457Z", &[]),
        ("published_after", "2026-02-01T09:30:00.123Z", &["paging-5"]),
        (
            "published_before",
            "2026-01-01T00:00:00.000001Z",
            &["paging-2", "paging-0", "paging-3"],
        ),
    ];
    for (name, value, expected) in cases {
        let page = list(&app, &[("keyword", "paging"), (name, value)]).await;
        assert_eq!(slugs(&page), expected, "{name}={value}");
    }
}

#[tokio::test]
async fn articles_filtered_by_q_contain_every_word_in_any_case() {
    let app = spawn_app().await;
    create_catalogue(&app).await;
    let cases: [(&str, &[&str]); 5] = [
        ("housing", &["housing-minister-quits", "housing-explainer"]),
        ("HOUSING renters", &["housing-explainer"]),
        // A word only the headline has.
        ("elects", &["france-votes"]),
        ("flood agency", &["flood-defences-fail"]),
        ("housing flood", &[]),
    ];
    for (q, expected) in cases {
        // Newest first, so the order does not depend on how each backend ranks.
        let page = list(&app, &[("q", q), ("sort", "-published_at")]).await;
        assert_eq!(slugs(&page), expected, "q={q}");
    }
    // A search without a letter or digit matches nothing.
    let percent = list(&app, &[("q", "%")]).await;
    assert_eq!(slugs(&percent), Vec::<String>::new());
}

#[tokio::test]
async fn filters_combine_so_that_every_one_holds() {
    let app = spawn_app().await;
    create_catalogue(&app).await;
    let cases: [(Query, &[&str]); 4] = [
        (
            &[("category", "politics"), ("keyword", "housing")],
            &["housing-minister-quits"],
        ),
        (
            &[("entity", "jane-doe"), ("published_before", "2026-01-01")],
            &["france-votes"],
        ),
        (
            &[("language", "en"), ("q", "plan"), ("sort", "published_at")],
            &["housing-minister-quits", "housing-explainer"],
        ),
        (
            &[
                ("entity", "united-kingdom"),
                ("speaker", "jane-doe"),
                ("publisher", "The Guardian"),
            ],
            &[],
        ),
    ];
    for (query, expected) in cases {
        let page = list(&app, query).await;
        assert_eq!(slugs(&page), expected, "{query:?}");
    }
}

// --- list: sorting, paging, counting -----------------------------------------------------------

#[tokio::test]
async fn each_sort_key_orders_the_list_with_undated_articles_last() {
    let app = spawn_app().await;
    create_catalogue(&app).await;
    let cases: [(Option<&str>, [&str; 4]); 5] = [
        (
            None,
            [
                "housing-minister-quits",
                "flood-defences-fail",
                "france-votes",
                "housing-explainer",
            ],
        ),
        (
            Some("-published_at"),
            [
                "housing-minister-quits",
                "flood-defences-fail",
                "france-votes",
                "housing-explainer",
            ],
        ),
        (
            Some("published_at"),
            [
                "france-votes",
                "flood-defences-fail",
                "housing-minister-quits",
                "housing-explainer",
            ],
        ),
        (
            Some("-created_at"),
            [
                "housing-explainer",
                "france-votes",
                "flood-defences-fail",
                "housing-minister-quits",
            ],
        ),
        (
            Some("created_at"),
            [
                "housing-minister-quits",
                "flood-defences-fail",
                "france-votes",
                "housing-explainer",
            ],
        ),
    ];
    for (sort, expected) in cases {
        let query: Vec<(&str, &str)> = sort.map(|s| ("sort", s)).into_iter().collect();
        let page = list(&app, &query).await;
        assert_eq!(slugs(&page), expected, "sort={sort:?}");
    }
}

/// Seven articles tagged `paging`, each mentioning Paging Person, whose publication times tie,
/// carry fractions of a second, or are missing, and one more with neither tag nor mention.
async fn create_paging_articles(app: &TestApp) {
    let published = [
        Some("2026-01-01T00:00:00Z"),
        None,
        Some("2026-01-01T00:00:00Z"),
        Some("2025-12-31T23:59:59.5Z"),
        None,
        Some("2026-02-01T09:30:00.123456Z"),
        None,
    ];
    for (index, published_at) in published.iter().enumerate() {
        let article = with(
            bare_article(&format!("paging-{index}"), "A story in a long list."),
            json!({
                "keywords": ["paging"],
                "published_at": published_at,
                "entities": [{"entity": {"name": "Paging Person", "kind": "person"}, "mention_count": 1}],
            }),
        );
        create(app, &article).await;
    }
    create(
        app,
        &with(
            bare_article("not-paged", "A story outside the list."),
            json!({"published_at": "2026-01-15T00:00:00Z"}),
        ),
    )
    .await;
}

/// Walks every page of `query` with `limit`, by `next_cursor` and by the `Link` header in turn,
/// checking that the two always agree; answers the slugs in the order seen.
async fn walk(app: &TestApp, query: &[(&str, &str)], limit: usize) -> Vec<String> {
    let limit_text = limit.to_string();
    let mut first: Vec<(&str, &str)> = query.to_vec();
    first.push(("limit", &limit_text));
    let mut response = get_with(app, "/v1/articles", &first).await;
    let mut seen = Vec::new();
    let mut follow_link = true;
    loop {
        assert_eq!(response.status(), StatusCode::OK);
        let link = next_link(&response);
        let page: Value = response.json().await.unwrap();
        let data = slugs(&page);
        assert!(data.len() <= limit, "a page longer than the limit");
        seen.extend(data.iter().cloned());
        let cursor = page["next_cursor"].as_str().map(str::to_owned);
        assert_eq!(
            link.is_some(),
            cursor.is_some(),
            "Link present exactly when next_cursor is: {page}"
        );
        let (Some(link), Some(cursor)) = (link, cursor) else {
            break;
        };
        assert_eq!(data.len(), limit, "only the last page may be short");
        assert!(link.starts_with("/v1/articles?"), "{link}");
        response = if follow_link {
            app.get(&link).await
        } else {
            let mut next = first.clone();
            next.push(("cursor", &cursor));
            get_with(app, "/v1/articles", &next).await
        };
        follow_link = !follow_link;
        assert!(seen.len() <= 100, "the walk does not end");
    }
    seen
}

#[tokio::test]
async fn walking_every_page_of_every_sort_sees_each_article_once_in_order() {
    let app = spawn_app().await;
    create_paging_articles(&app).await;
    // By keyword; by entity, which a list in publication order reads through the entity's
    // mentions in their own index order; by both.
    let filters: [&[(&str, &str)]; 3] = [
        &[("keyword", "paging")],
        &[("entity", "paging-person")],
        &[("entity", "paging-person"), ("keyword", "paging")],
    ];
    for filter in filters {
        for sort in ["-published_at", "published_at", "-created_at", "created_at"] {
            let mut query = filter.to_vec();
            query.push(("sort", sort));
            let mut all = query.clone();
            all.push(("limit", "100"));
            let whole = slugs(&list(&app, &all).await);
            assert_eq!(whole.len(), 7, "{filter:?} sort={sort}");
            for limit in [1, 2, 3] {
                let walked = walk(&app, &query, limit).await;
                assert_eq!(walked, whole, "{filter:?} sort={sort} limit={limit}");
                let unique: HashSet<_> = walked.iter().collect();
                assert_eq!(
                    unique.len(),
                    7,
                    "duplicates: {filter:?} sort={sort} limit={limit}"
                );
            }
        }
        // Ties on published_at are broken by id; undated articles come last either way.
        let newest_first = slugs(&list(&app, filter).await);
        assert_eq!(
            newest_first,
            ["paging-5", "paging-2", "paging-0", "paging-3", "paging-6", "paging-4", "paging-1"],
            "{filter:?}"
        );
        let mut oldest = filter.to_vec();
        oldest.push(("sort", "published_at"));
        assert_eq!(
            slugs(&list(&app, &oldest).await),
            ["paging-3", "paging-0", "paging-2", "paging-5", "paging-1", "paging-4", "paging-6"],
            "{filter:?}"
        );
    }
}

#[tokio::test]
async fn the_next_link_keeps_the_filters_and_sort_of_the_first_page() {
    let app = spawn_app().await;
    create_paging_articles(&app).await;
    let response = get_with(
        &app,
        "/v1/articles",
        &[
            ("keyword", "paging"),
            ("sort", "created_at"),
            ("limit", "4"),
        ],
    )
    .await;
    let link = next_link(&response).expect("a next link");
    for part in ["keyword=paging", "sort=created_at", "limit=4", "cursor="] {
        assert!(link.contains(part), "{part} missing from {link}");
    }
    let second: Value = app.get_json(&link).await;
    assert_eq!(slugs(&second), ["paging-4", "paging-5", "paging-6"]);
    assert_eq!(second["next_cursor"], Value::Null);
}

#[tokio::test]
async fn count_true_adds_the_total_of_all_pages() {
    let app = spawn_app().await;
    create_catalogue(&app).await;
    let page = list(
        &app,
        &[("category", "politics"), ("count", "true"), ("limit", "1")],
    )
    .await;
    assert_eq!(page["total"], 2);
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert!(page["next_cursor"].is_string());
    let all = list(&app, &[("count", "true")]).await;
    assert_eq!(all["total"], 4);
    let none = list(&app, &[("entity", "nobody"), ("count", "true")]).await;
    assert_eq!(none["total"], 0);
    let not_asked = list(&app, &[("count", "false")]).await;
    assert!(not_asked.get("total").is_none());
}

#[tokio::test]
async fn a_bad_limit_answers_400_naming_limit() {
    let app = spawn_app().await;
    for limit in ["0", "101", "abc", "-1", ""] {
        let response = get_with(&app, "/v1/articles", &[("limit", limit)]).await;
        assert_problem(response, StatusCode::BAD_REQUEST, "bad-request", &["limit"]).await;
    }
    let largest = get_with(&app, "/v1/articles", &[("limit", "100")]).await;
    assert_eq!(largest.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_cursor_not_given_out_for_the_list_answers_400_naming_cursor_not_a_page_from_elsewhere() {
    let app = spawn_app().await;
    app.create_seed().await;
    app.create_small("housing").await;
    let next = |page: Value| page["next_cursor"].as_str().unwrap().to_owned();
    let by_mentions = next(app.get_json("/v1/entities?sort=-mentions&limit=2").await);
    let by_name = next(app.get_json("/v1/entities?sort=name&limit=2").await);
    let by_time = next(app.get_json("/v1/articles?limit=1").await);

    let foreign = [
        // Never one at all.
        ("/v1/articles", "garbage"),
        ("/v1/articles", "e30"), // {}
        ("/v1/articles", "!!!"),
        // One of another list or order.
        ("/v1/entities?sort=name", &by_mentions),
        ("/v1/articles", &by_mentions),
        ("/v1/entities?sort=-mentions", &by_name),
        ("/v1/articles", &by_name),
        ("/v1/entities?sort=-mentions", &by_time),
        ("/v1/articles?q=minister&sort=relevance", &by_time),
        ("/v1/quotes?q=plan&sort=relevance", &by_time),
    ];
    for (path, cursor) in foreign {
        let separator = if path.contains('?') { '&' } else { '?' };
        let response = app.get(&format!("{path}{separator}cursor={cursor}")).await;
        assert_problem(
            response,
            StatusCode::BAD_REQUEST,
            "bad-request",
            &["cursor"],
        )
        .await;
    }
    // Each one still continues its own list.
    for (path, cursor) in [
        ("/v1/entities?sort=-mentions&limit=2", &by_mentions),
        ("/v1/entities?sort=name&limit=2", &by_name),
        ("/v1/articles?limit=1", &by_time),
    ] {
        let response = app.get(&format!("{path}&cursor={cursor}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn an_unknown_sort_answers_400_listing_the_valid_keys() {
    let app = spawn_app().await;
    let response = get_with(&app, "/v1/articles", &[("sort", "-headline")]).await;
    let problem = assert_problem(response, StatusCode::BAD_REQUEST, "bad-request", &["sort"]).await;
    let message = problem["errors"][0]["message"].as_str().unwrap();
    for key in ["-published_at", "published_at", "-created_at", "created_at"] {
        assert!(message.contains(key), "{key} missing from {message}");
    }
}

#[tokio::test]
async fn a_bad_date_or_count_answers_400_naming_the_parameter() {
    let app = spawn_app().await;
    let cases = [
        ("published_after", "yesterday"),
        ("published_before", "2026-13-01"),
        ("published_after", "2026-11-23 08:00"),
        ("count", "maybe"),
    ];
    for (name, value) in cases {
        let response = get_with(&app, "/v1/articles", &[(name, value)]).await;
        assert_problem(response, StatusCode::BAD_REQUEST, "bad-request", &[name]).await;
    }
}

#[tokio::test]
async fn an_unknown_list_parameter_answers_400_naming_it_and_the_known_ones() {
    let app = spawn_app().await;
    let response = get_with(&app, "/v1/articles", &[("author", "Jane Doe")]).await;
    let problem = assert_problem(
        response,
        StatusCode::BAD_REQUEST,
        "bad-request",
        &["author"],
    )
    .await;
    let message = problem["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("published_after"), "{message}");
}

// --- patch -------------------------------------------------------------------------------------

#[tokio::test]
async fn a_merge_patch_changes_what_it_names_and_clears_what_it_nulls() {
    let app = spawn_app().await;
    let created = app.create_seed().await;
    let path = format!("/v1/articles/{SEED}");
    let response = app
        .patch_json(
            &path,
            &json!({
                "headline": "US memo says UK governments let Britons down",
                "standfirst": null,
                "category": null,
                "keywords": ["migration", "diplomacy"]
            }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let response_etag = etag(&response);
    let patched: Value = response.json().await.unwrap();
    assert_eq!(
        patched["headline"],
        "US memo says UK governments let Britons down"
    );
    assert_eq!(patched["standfirst"], Value::Null);
    assert_eq!(patched["category"], Value::Null);
    assert_eq!(patched["keywords"], json!(["migration", "diplomacy"]));
    assert_eq!(patched["version"], 2);
    // What the patch left out stays as it was.
    for unchanged in [
        "id",
        "slug",
        "body",
        "language",
        "word_count",
        "created_at",
        "authors",
    ] {
        assert_eq!(patched[unchanged], created[unchanged], "{unchanged}");
    }
    let before =
        chrono::DateTime::parse_from_rfc3339(created["updated_at"].as_str().unwrap()).unwrap();
    let after =
        chrono::DateTime::parse_from_rfc3339(patched["updated_at"].as_str().unwrap()).unwrap();
    assert!(after > before, "updated_at {after} is not after {before}");

    // The change is stored, and the PATCH answered the ETag a GET now gives.
    let stored = app.get(&path).await;
    assert_eq!(etag(&stored), response_etag);
    let stored: Value = stored.json().await.unwrap();
    assert_eq!(stored, patched);
    let by_old_keyword = list(&app, &[("keyword", "immigration")]).await;
    assert_eq!(slugs(&by_old_keyword), Vec::<String>::new());
    let by_new_keyword = list(&app, &[("keyword", "migration")]).await;
    assert_eq!(slugs(&by_new_keyword), [SEED]);
    let by_old_category = list(&app, &[("category", "politics")]).await;
    assert_eq!(slugs(&by_old_category), Vec::<String>::new());
}

#[tokio::test]
async fn patching_published_at_and_keywords_to_empty_moves_the_article_in_the_list() {
    let app = spawn_app().await;
    create_catalogue(&app).await;
    let response = app
        .patch_json(
            "/v1/articles/housing-minister-quits",
            &json!({"published_at": null, "keywords": []}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let patched: Value = response.json().await.unwrap();
    assert_eq!(patched["published_at"], Value::Null);
    assert_eq!(patched["keywords"], json!([]));
    // Undated now, it goes last with the other undated article, which is newer and so first.
    assert_eq!(
        slugs(&list(&app, &[]).await),
        [
            "flood-defences-fail",
            "france-votes",
            "housing-explainer",
            "housing-minister-quits"
        ]
    );
    assert_eq!(
        slugs(&list(&app, &[("keyword", "housing")]).await),
        ["housing-explainer"]
    );
    let redated = app
        .patch_json(
            "/v1/articles/housing-minister-quits",
            &json!({"published_at": "2027-01-01T00:00:00+01:00"}),
        )
        .await;
    assert_eq!(redated.status(), StatusCode::OK);
    let redated: Value = redated.json().await.unwrap();
    let published =
        chrono::DateTime::parse_from_rfc3339(redated["published_at"].as_str().unwrap()).unwrap();
    assert_eq!(
        published,
        chrono::DateTime::parse_from_rfc3339("2026-12-31T23:00:00Z").unwrap()
    );
    assert_eq!(slugs(&list(&app, &[]).await)[0], "housing-minister-quits");
}

#[tokio::test]
async fn patching_the_body_to_one_as_long_keeps_every_offset_valid() {
    let app = spawn_app().await;
    app.create_seed().await;
    let path = format!("/v1/articles/{SEED}");
    let body = seed_body()["body"]
        .as_str()
        .unwrap()
        .replacen("stark", "harsh", 1);
    let response = app.patch_json(&path, &json!({"body": body})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let patched: Value = response.json().await.unwrap();
    assert_eq!(patched["body"], body);
    assert_eq!(patched["version"], 2);
}

#[tokio::test]
async fn patching_the_body_recounts_its_words() {
    let app = spawn_app().await;
    let created = create(&app, &bare_article("short", "one two three")).await;
    assert_eq!(created["word_count"], 3);
    let patched: Value = app
        .patch_json(
            "/v1/articles/short",
            &json!({"body": "one two  three\nfour five"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(patched["body"], "one two  three\nfour five");
    assert_eq!(patched["word_count"], 5);
    assert_eq!(patched["version"], 2);
}

#[tokio::test]
async fn each_patch_bumps_the_version_by_one() {
    let app = spawn_app().await;
    app.create_small("housing").await;
    for expected in 2..=4 {
        let patched: Value = app
            .patch_json(
                "/v1/articles/housing",
                &json!({"publisher": format!("Edition {expected}")}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(patched["version"], expected);
    }
}

#[tokio::test]
async fn a_patch_that_changes_nothing_keeps_versions_etags_and_the_change_feed_as_they_were() {
    let app = spawn_app().await;
    let created = app.create_seed().await;
    let article_path = format!("/v1/articles/{SEED}");
    let section = &created["sections"][1];
    let quote = &created["quotes"][0];
    let section_path = format!("/v1/sections/{}", section["id"].as_str().unwrap());
    let quote_path = format!("/v1/quotes/{}", quote["id"].as_str().unwrap());
    let entity_path = "/v1/entities/donald-trump".to_owned();
    let entity = app.get_json(&entity_path).await;
    let cursor = app.get_json("/v1/changes?since=latest").await["next_cursor"].clone();

    // Each resource's ETag now, and patches that name only what it already is.
    let unchanged = [
        (&article_path, json!({})),
        (
            &article_path,
            json!({
                "headline": created["headline"], "body": created["body"],
                "keywords": created["keywords"], "category": created["category"],
                "published_at": created["published_at"], "authors": created["authors"]
            }),
        ),
        (&section_path, json!({})),
        (
            &section_path,
            json!({"heading": section["heading"], "body": section["body"], "start": section["start"]}),
        ),
        (
            &quote_path,
            json!({"text": quote["text"], "cue": quote["cue"]}),
        ),
        (&entity_path, json!({})),
        (
            &entity_path,
            json!({"name": entity["name"], "aliases": entity["aliases"], "kind": entity["kind"]}),
        ),
    ];
    for (path, patch) in &unchanged {
        let tag = etag(&app.get(path).await);
        let response = app
            .write(Method::PATCH, path)
            .header("if-match", &tag)
            .json(patch)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "PATCH {path} {patch}");
        assert_eq!(
            etag(&response),
            tag,
            "PATCH {path} {patch} changed the ETag"
        );
        assert_eq!(etag(&app.get(path).await), tag, "GET {path} after {patch}");
    }
    let article = app.get_json(&article_path).await;
    assert_eq!(article["version"], created["version"]);
    assert_eq!(article["updated_at"], created["updated_at"]);
    assert_eq!(app.get_json(&entity_path).await, entity);
    let feed = app
        .get_json(&format!("/v1/changes?since={}", cursor.as_str().unwrap()))
        .await;
    assert_eq!(
        feed["data"],
        json!([]),
        "no-op patches made changes: {feed}"
    );

    // One value that differs is a change again, and only then.
    let changed: Value = app
        .patch_json(&article_path, &json!({"category": "not-the-same"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(changed["version"], created["version"].as_i64().unwrap() + 1);
}

#[tokio::test]
async fn patching_the_slug_moves_the_article_to_its_new_slug() {
    let app = spawn_app().await;
    let created = app.create_small("housing").await;
    let response = app
        .patch_json("/v1/articles/housing", &json!({"slug": "minister-quits"}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let moved = app.get_json("/v1/articles/minister-quits").await;
    assert_eq!(moved["id"], created["id"]);
    let old = app.get("/v1/articles/housing").await;
    assert_problem(old, StatusCode::NOT_FOUND, "not-found", &[]).await;
}

#[tokio::test]
async fn patching_with_the_current_if_match_etag_answers_200() {
    let app = spawn_app().await;
    app.create_seed().await;
    let path = format!("/v1/articles/{SEED}");
    let tag = etag(&app.get(&path).await);
    let response = app
        .write(Method::PATCH, &path)
        .header("if-match", &tag)
        .json(&json!({"category": "immigration"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // The ETag the PATCH answered is the one to use next.
    let next_tag = etag(&response);
    assert_ne!(next_tag, tag);
    let again = app
        .write(Method::PATCH, &path)
        .header("if-match", &next_tag)
        .json(&json!({"category": "politics"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    let article: Value = again.json().await.unwrap();
    assert_eq!(article["version"], 3);
}

#[tokio::test]
async fn patching_with_a_stale_if_match_answers_412_and_changes_nothing() {
    let app = spawn_app().await;
    app.create_seed().await;
    let path = format!("/v1/articles/{SEED}");
    let stale = etag(&app.get(&path).await);
    let first = app
        .write(Method::PATCH, &path)
        .header("if-match", &stale)
        .json(&json!({"headline": "First editor's headline"}))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let second = app
        .write(Method::PATCH, &path)
        .header("if-match", &stale)
        .json(&json!({"headline": "Second editor's headline"}))
        .send()
        .await
        .unwrap();
    assert_problem(
        second,
        StatusCode::PRECONDITION_FAILED,
        "precondition-failed",
        &[],
    )
    .await;
    let article = app.get_json(&path).await;
    assert_eq!(article["headline"], "First editor's headline");
    assert_eq!(article["version"], 2);
}

#[tokio::test]
async fn an_if_match_etag_from_a_get_with_includes_is_not_the_articles_etag() {
    let app = spawn_app().await;
    app.create_seed().await;
    let path = format!("/v1/articles/{SEED}");
    let with_parts = etag(&app.get(&format!("{path}?include=sections")).await);
    let response = app
        .write(Method::PATCH, &path)
        .header("if-match", &with_parts)
        .json(&json!({"category": "immigration"}))
        .send()
        .await
        .unwrap();
    assert_problem(
        response,
        StatusCode::PRECONDITION_FAILED,
        "precondition-failed",
        &[],
    )
    .await;
    assert_eq!(app.get_json(&path).await["category"], "politics");
}

#[tokio::test]
async fn adding_a_section_bumps_the_article_version_and_stales_its_etag() {
    let app = spawn_app().await;
    app.create_small("housing").await;
    let before = app.get("/v1/articles/housing").await;
    let stale = etag(&before);
    let before: Value = before.json().await.unwrap();
    let response = app
        .post_json(
            "/v1/articles/housing/sections",
            &json!({"heading": "Reaction", "body": "Opposition parties welcomed the resignation."}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let after = app.get_json("/v1/articles/housing").await;
    assert_eq!(after["version"], before["version"].as_i64().unwrap() + 1);
    assert_ne!(after["updated_at"], before["updated_at"]);
    let patch = app
        .write(Method::PATCH, "/v1/articles/housing")
        .header("if-match", &stale)
        .json(&json!({"category": "housing"}))
        .send()
        .await
        .unwrap();
    assert_problem(
        patch,
        StatusCode::PRECONDITION_FAILED,
        "precondition-failed",
        &[],
    )
    .await;
}

#[tokio::test]
async fn patching_the_body_shorter_than_stored_offsets_answers_422_naming_body() {
    let app = spawn_app().await;
    app.create_seed().await;
    let path = format!("/v1/articles/{SEED}");
    let response = app
        .patch_json(
            &path,
            &json!({"body": "Senior US officials have issued a stark condemnation."}),
        )
        .await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["body"],
    )
    .await;
    let article = app.get_json(&path).await;
    assert_eq!(article["body"], seed_body()["body"]);
    assert_eq!(article["version"], 1);
}

#[tokio::test]
async fn patching_the_slug_or_source_url_to_a_taken_one_answers_409() {
    let app = spawn_app().await;
    let url = "https://news.example.com/2026/11/housing";
    create(
        &app,
        &with(small_article("housing"), json!({"source_url": url})),
    )
    .await;
    app.create_small("floods").await;
    let slug = app
        .patch_json("/v1/articles/floods", &json!({"slug": "housing"}))
        .await;
    assert_problem(slug, StatusCode::CONFLICT, "conflict", &["slug"]).await;
    let source = app
        .patch_json("/v1/articles/floods", &json!({"source_url": url}))
        .await;
    assert_problem(source, StatusCode::CONFLICT, "conflict", &["source_url"]).await;
    let floods = app.get_json("/v1/articles/floods").await;
    assert_eq!(floods["version"], 1);
    assert_eq!(floods["source_url"], Value::Null);
    // Keeping its own slug is not a conflict.
    let own = app
        .patch_json(
            "/v1/articles/housing",
            &json!({"slug": "housing", "source_url": url}),
        )
        .await;
    assert_eq!(own.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_invalid_patch_answers_422_naming_each_field_and_changes_nothing() {
    let app = spawn_app().await;
    app.create_small("housing").await;
    let cases = [
        json!({"headline": "  "}),
        json!({"headline": "a".repeat(501)}),
        json!({"slug": "Not A Slug"}),
        json!({"source_url": "not a url"}),
        json!({"language": "english"}),
        json!({"standfirst": ""}),
        json!({"published_at": "last tuesday"}),
    ];
    for case in cases {
        let field = case.as_object().unwrap().keys().next().unwrap().clone();
        let response = app.patch_json("/v1/articles/housing", &case).await;
        assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &[&field],
        )
        .await;
    }
    assert_eq!(app.get_json("/v1/articles/housing").await["version"], 1);
}

#[tokio::test]
async fn a_patch_with_an_unknown_field_answers_422_and_changes_nothing() {
    let app = spawn_app().await;
    app.create_small("housing").await;
    let response = app
        .patch_json(
            "/v1/articles/housing",
            &json!({"headline": "New", "sections": []}),
        )
        .await;
    let problem = assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &[],
    )
    .await;
    assert!(
        problem["detail"].as_str().unwrap().contains("sections"),
        "{problem}"
    );
    let article = app.get_json("/v1/articles/housing").await;
    assert_eq!(article["headline"], "Minister quits over housing plan");
    assert_eq!(article["version"], 1);
}

#[tokio::test]
async fn a_patch_with_an_unknown_field_answers_422_naming_it() {
    let app = spawn_app().await;
    app.create_small("housing").await;
    let response = app
        .patch_json("/v1/articles/housing", &json!({"sections": []}))
        .await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["sections"],
    )
    .await;
}

#[tokio::test]
async fn patching_a_required_field_to_null_answers_422_instead_of_ignoring_it() {
    let app = spawn_app().await;
    app.create_small("housing").await;
    for field in [
        "headline", "body", "slug", "language", "authors", "keywords",
    ] {
        let response = app
            .patch_json("/v1/articles/housing", &json!({ field: null }))
            .await;
        assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &[field],
        )
        .await;
    }
    let article = app.get_json("/v1/articles/housing").await;
    assert_eq!(article["version"], 1);
    assert_eq!(article["headline"], "Minister quits over housing plan");
}

#[tokio::test]
async fn patching_malformed_json_answers_400_naming_the_body() {
    let app = spawn_app().await;
    app.create_small("housing").await;
    let response = app
        .write(Method::PATCH, "/v1/articles/housing")
        .header("content-type", "application/merge-patch+json")
        .body("{\"headline\": \"X\",}")
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::BAD_REQUEST, "bad-request", &["body"]).await;
}

// --- delete ------------------------------------------------------------------------------------

#[tokio::test]
async fn deleting_an_article_answers_204_then_404_and_takes_its_parts_but_not_its_entities() {
    let app = spawn_app().await;
    app.create_seed().await;
    app.create_small("housing").await;
    let response = app.delete(&format!("/v1/articles/{SEED}")).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.bytes().await.unwrap().is_empty());
    let gone = app.get(&format!("/v1/articles/{SEED}")).await;
    assert_problem(gone, StatusCode::NOT_FOUND, "not-found", &[]).await;
    let again = app.delete(&format!("/v1/articles/{SEED}")).await;
    assert_problem(again, StatusCode::NOT_FOUND, "not-found", &[]).await;

    // Only the small article's parts are left.
    assert_eq!(app.count_rows("articles").await, 1);
    assert_eq!(app.count_rows("sections").await, 2);
    assert_eq!(app.count_rows("quotes").await, 1);
    assert_eq!(app.count_rows("article_entities").await, 1);
    assert_eq!(app.count_rows("article_keywords").await, 1);
    // The seed's 13 entities and the small article's one stay.
    assert_eq!(app.count_rows("entities").await, 14);
    let trump = app.get("/v1/entities/donald-trump").await;
    assert_eq!(trump.status(), StatusCode::OK);
    assert_eq!(slugs(&list(&app, &[]).await), ["housing"]);
}

#[tokio::test]
async fn deleting_by_id_with_the_current_if_match_answers_204() {
    let app = spawn_app().await;
    let created = app.create_seed().await;
    let path = format!("/v1/articles/{}", created["id"].as_str().unwrap());
    let tag = etag(&app.get(&path).await);
    let response = app
        .write(Method::DELETE, &path)
        .header("if-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.count_rows("articles").await, 0);
    assert_eq!(app.count_rows("sections").await, 0);
    assert_eq!(app.count_rows("quotes").await, 0);
    assert_eq!(app.count_rows("article_entities").await, 0);
    assert_eq!(app.count_rows("entities").await, 13);
}

#[tokio::test]
async fn deleting_with_a_stale_if_match_answers_412_and_keeps_the_article() {
    let app = spawn_app().await;
    app.create_seed().await;
    let path = format!("/v1/articles/{SEED}");
    let stale = etag(&app.get(&path).await);
    let patched = app
        .patch_json(&path, &json!({"category": "immigration"}))
        .await;
    assert_eq!(patched.status(), StatusCode::OK);
    let response = app
        .write(Method::DELETE, &path)
        .header("if-match", &stale)
        .send()
        .await
        .unwrap();
    assert_problem(
        response,
        StatusCode::PRECONDITION_FAILED,
        "precondition-failed",
        &[],
    )
    .await;
    let article = app.get_json(&path).await;
    assert_eq!(article["category"], "immigration");
    assert_eq!(app.count_rows("sections").await, 4);
    assert_eq!(app.count_rows("quotes").await, 9);
}

#[tokio::test]
async fn a_parameter_given_twice_answers_400_naming_it() {
    let app = spawn_app().await;
    let response = app.get("/v1/articles?limit=2&limit=3").await;
    assert_problem(response, StatusCode::BAD_REQUEST, "bad-request", &["limit"]).await;
}

#[tokio::test]
async fn a_headline_of_one_very_long_word_still_makes_a_slug() {
    let app = spawn_app().await;
    let word = "a".repeat(300);
    let response = app
        .post_json("/v1/articles", &json!({"headline": word, "body": "Text."}))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let article: serde_json::Value = response.json().await.unwrap();
    assert_eq!(article["slug"].as_str().unwrap().len(), 200);
}
