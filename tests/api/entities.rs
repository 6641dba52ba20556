//! `/v1/entities` (with their articles, quotes and merges) and the mentions under
//! `/v1/articles/{article}/entities`.

// Helpers outside `#[tokio::test]` functions fail a test loudly too; clippy only exempts the tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, next_link, small_article, spawn_app, TestApp};

const SEED: &str = "us-officials-condemn-uk-immigration-approach";

/// The seed's entities as `GET /v1/articles/{seed}/entities` lists them: most mentioned first,
/// then by name.
const SEED_MENTIONS: [(&str, i64); 13] = [
    ("united-kingdom", 7),
    ("united-states", 5),
    ("donald-trump", 4),
    ("europe", 2),
    ("keir-starmer", 2),
    ("the-times", 2),
    ("australia", 1),
    ("canada", 1),
    ("conservative-party", 1),
    ("labour-party", 1),
    ("london", 1),
    ("new-zealand", 1),
    ("us-state-department", 1),
];

fn slugs(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data is not an array")
        .iter()
        .map(|e| e["slug"].as_str().expect("slug").to_owned())
        .collect()
}

fn field<'a>(items: &'a Value, name: &str) -> Vec<&'a Value> {
    items
        .as_array()
        .expect("not an array")
        .iter()
        .map(|item| &item[name])
        .collect()
}

fn field_of_every_error(problem: &Value, field: &str) -> bool {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["field"] == field)
}

async fn version_of(app: &TestApp, article: &str) -> i64 {
    app.get_json(&format!("/v1/articles/{article}")).await["version"]
        .as_i64()
        .unwrap()
}

/// Every item of a list, following `Link` from `path` to the last page.
async fn all_pages(app: &TestApp, path: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut next = Some(path.to_owned());
    while let Some(path) = next {
        let response = app.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        next = next_link(&response);
        let page: Value = response.json().await.unwrap();
        assert_eq!(page["next_cursor"].is_string(), next.is_some(), "{page}");
        items.extend(page["data"].as_array().unwrap().iter().cloned());
        pages += 1;
    }
    (items, pages)
}

async fn create_entity(app: &TestApp, body: &Value) -> Value {
    let response = app.post_json("/v1/entities", body).await;
    assert_eq!(response.status(), StatusCode::CREATED, "POST {body}");
    response.json().await.unwrap()
}

async fn put_mention(app: &TestApp, article: &str, entity: &str, body: &Value) -> StatusCode {
    app.write(
        Method::PUT,
        &format!("/v1/articles/{article}/entities/{entity}"),
    )
    .json(body)
    .send()
    .await
    .unwrap()
    .status()
}

// --- listing -----------------------------------------------------------------------------------

#[tokio::test]
async fn entities_are_listed_by_name_by_default_and_filtered_by_kind() {
    let app = spawn_app().await;
    app.create_seed().await;
    let all = app.get_json("/v1/entities?count=true").await;
    assert_eq!(all["total"], 13);
    let names: Vec<String> = field(&all["data"], "name")
        .into_iter()
        .map(|n| n.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        &names[..5],
        [
            "Australia",
            "Canada",
            "Conservative Party",
            "Donald Trump",
            "Europe"
        ]
    );

    let people = app.get_json("/v1/entities?kind=person").await;
    assert_eq!(slugs(&people), ["donald-trump", "keir-starmer"]);
    let organizations = app
        .get_json("/v1/entities?kind=organization&count=true")
        .await;
    assert_eq!(organizations["total"], 4);
    assert!(field(&organizations["data"], "kind")
        .iter()
        .all(|k| **k == "organization"));
    let events = app.get_json("/v1/entities?kind=event").await;
    assert_eq!(events["data"], json!([]));
}

#[tokio::test]
async fn entity_names_sort_both_ways_across_pages() {
    let app = spawn_app().await;
    app.create_seed().await;
    let whole = app.get_json("/v1/entities?limit=100").await;
    let (ascending, pages) = all_pages(&app, "/v1/entities?sort=name&limit=5").await;
    assert_eq!(pages, 3);
    assert_eq!(ascending, *whole["data"].as_array().unwrap());

    let (descending, _) = all_pages(&app, "/v1/entities?sort=-name&limit=4").await;
    let mut reversed = ascending.clone();
    reversed.reverse();
    assert_eq!(descending, reversed);
}

#[tokio::test]
async fn the_most_mentioned_entities_come_first_with_minus_mentions() {
    let app = spawn_app().await;
    app.create_seed().await;
    let (entities, pages) = all_pages(&app, "/v1/entities?sort=-mentions&limit=2").await;
    assert_eq!(pages, 7);
    let counts: Vec<i64> = entities
        .iter()
        .map(|e| e["mention_count"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, [7, 5, 4, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1]);
    let top: Vec<&str> = entities[..3]
        .iter()
        .map(|e| e["slug"].as_str().unwrap())
        .collect();
    assert_eq!(top, ["united-kingdom", "united-states", "donald-trump"]);
    let mut distinct: Vec<&str> = entities
        .iter()
        .map(|e| e["slug"].as_str().unwrap())
        .collect();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 13);

    let (ascending, _) = all_pages(&app, "/v1/entities?sort=mentions&limit=5").await;
    let counts: Vec<i64> = ascending
        .iter()
        .map(|e| e["mention_count"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, [1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 4, 5, 7]);
    assert_eq!(ascending[12]["slug"], "united-kingdom");
}

#[tokio::test]
async fn an_entity_without_mentions_sorts_as_zero_mentions() {
    let app = spawn_app().await;
    app.create_seed().await;
    create_entity(&app, &json!({"name": "Angela Rayner", "kind": "person"})).await;
    let least = app.get_json("/v1/entities?sort=mentions&limit=1").await;
    assert_eq!(slugs(&least), ["angela-rayner"]);
    assert_eq!(least["data"][0]["mention_count"], 0);
    assert_eq!(least["data"][0]["article_count"], 0);
}

#[tokio::test]
async fn entity_search_matches_names_and_aliases_whatever_the_case() {
    let app = spawn_app().await;
    app.create_seed().await;
    let cases = [
        ("starmer", vec!["keir-starmer"]),
        ("BRITAIN", vec!["united-kingdom"]),
        ("mr%20trump", vec!["donald-trump"]),
        ("Sir%20Keir", vec!["keir-starmer"]),
        ("department%20of%20state", vec!["us-state-department"]),
        ("zealand", vec!["new-zealand"]),
        ("nobody", vec![]),
        ("%25", vec![]),
    ];
    for (q, expected) in cases {
        let page = app.get_json(&format!("/v1/entities?q={q}")).await;
        assert_eq!(slugs(&page), expected, "q={q}");
    }
    let state = app.get_json("/v1/entities?q=state&count=true").await;
    let mut found = slugs(&state);
    found.sort();
    assert_eq!(found, ["united-states", "us-state-department"]);
    assert_eq!(state["total"], 2);

    let located = app.get_json("/v1/entities?q=united&kind=location").await;
    let mut found = slugs(&located);
    found.sort();
    assert_eq!(found, ["united-kingdom", "united-states"]);
}

#[tokio::test]
async fn entity_search_ignores_accents_in_names_and_aliases() {
    let app = spawn_app().await;
    create_entity(&app, &json!({"name": "Zürich", "kind": "location"})).await;
    create_entity(
        &app,
        &json!({"name": "Geneva", "kind": "location", "aliases": ["Genève"]}),
    )
    .await;
    for q in ["Zürich", "zürich", "ZURICH", "zurich"] {
        let page = app.get_json(&format!("/v1/entities?q={q}")).await;
        assert_eq!(slugs(&page), ["zurich"], "q={q}");
    }
    for q in ["geneve", "GENÈVE"] {
        let page = app.get_json(&format!("/v1/entities?q={q}")).await;
        assert_eq!(slugs(&page), ["geneva"], "q={q}");
    }
}

#[tokio::test]
async fn an_entity_list_rejects_a_bad_kind_sort_limit_cursor_or_parameter() {
    let app = spawn_app().await;
    let cases = [
        ("kind=company", "kind"),
        ("sort=articles", "sort"),
        ("limit=0", "limit"),
        ("cursor=abc", "cursor"),
        ("count=maybe", "count"),
        ("name=Trump", "name"),
    ];
    for (query, field) in cases {
        let response = app.get(&format!("/v1/entities?{query}")).await;
        assert_problem(response, StatusCode::BAD_REQUEST, "bad-request", &[field]).await;
    }
}

// --- one entity --------------------------------------------------------------------------------

#[tokio::test]
async fn an_entity_is_read_by_slug_or_id_with_aliases_and_counts() {
    let app = spawn_app().await;
    app.create_seed().await;
    let response = app.get("/v1/entities/keir-starmer").await;
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let starmer: Value = response.json().await.unwrap();
    assert_eq!(starmer["name"], "Keir Starmer");
    assert_eq!(starmer["kind"], "person");
    assert_eq!(
        starmer["aliases"],
        json!(["Sir Keir", "Sir Keir Starmer", "Starmer"])
    );
    assert_eq!(
        starmer["description"],
        "Prime Minister of the United Kingdom since 2024"
    );
    assert_eq!(starmer["wikidata_id"], Value::Null);
    assert_eq!(starmer["article_count"], 1);
    assert_eq!(starmer["mention_count"], 2);

    let by_id = app
        .get_json(&format!("/v1/entities/{}", starmer["id"].as_str().unwrap()))
        .await;
    assert_eq!(by_id, starmer);

    let not_modified = app
        .request(Method::GET, "/v1/entities/keir-starmer")
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn an_entitys_counts_add_up_over_articles() {
    let app = spawn_app().await;
    app.create_seed().await;
    app.create_small("minister-quits").await;
    assert_eq!(
        put_mention(
            &app,
            "minister-quits",
            "united-kingdom",
            &json!({"mention_count": 3})
        )
        .await,
        StatusCode::CREATED
    );
    let uk = app.get_json("/v1/entities/united-kingdom").await;
    assert_eq!(uk["article_count"], 2);
    assert_eq!(uk["mention_count"], 10);
    assert_eq!(uk["wikidata_id"], "Q145");
    assert_eq!(uk["aliases"], json!(["Britain", "British", "UK"]));
}

#[tokio::test]
async fn an_entity_whose_slug_looks_like_a_uuid_is_found_by_its_slug() {
    let app = spawn_app().await;
    app.create_small("minister-quits").await;
    for slug in [
        "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
        "0123456789abcdef0123456789abcdef",
    ] {
        let created = create_entity(
            &app,
            &json!({"name": format!("Entity {slug}"), "slug": slug, "kind": "other"}),
        )
        .await;
        let path = format!("/v1/entities/{slug}");
        assert_eq!(app.get_json(&path).await, created);
        let patched = app
            .patch_json(&path, &json!({"description": "looks like an id"}))
            .await;
        assert_eq!(patched.status(), StatusCode::OK);
        assert_eq!(
            put_mention(&app, "minister-quits", slug, &json!({})).await,
            StatusCode::CREATED
        );
        let articles = app.get_json(&format!("{path}/articles")).await;
        assert_eq!(articles["data"].as_array().unwrap().len(), 1);
        assert_eq!(app.delete(&path).await.status(), StatusCode::NO_CONTENT);
    }
}

#[tokio::test]
async fn an_unknown_entity_is_a_404() {
    let app = spawn_app().await;
    for path in [
        "/v1/entities/nobody".to_owned(),
        format!("/v1/entities/{}", uuid::Uuid::now_v7()),
        "/v1/entities/nobody/articles".to_owned(),
        "/v1/entities/nobody/quotes".to_owned(),
    ] {
        assert_problem(
            app.get(&path).await,
            StatusCode::NOT_FOUND,
            "not-found",
            &[],
        )
        .await;
    }
}

// --- creating ----------------------------------------------------------------------------------

#[tokio::test]
async fn a_new_entity_gets_its_slug_from_its_name() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/v1/entities",
            &json!({
                "name": "Angela Rayner", "kind": "person",
                "aliases": ["Rayner", "Ms Rayner", "rayner", "ANGELA RAYNER"],
                "description": "Former Deputy Prime Minister", "wikidata_id": "Q4762048"
            }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();
    assert_eq!(
        location,
        format!("/v1/entities/{}", created["id"].as_str().unwrap())
    );
    assert_eq!(created["slug"], "angela-rayner");
    assert_eq!(created["name"], "Angela Rayner");
    assert_eq!(created["kind"], "person");
    // Sorted, without case duplicates or the canonical name.
    assert_eq!(created["aliases"], json!(["Ms Rayner", "Rayner"]));
    assert_eq!(created["wikidata_id"], "Q4762048");
    assert_eq!(created["article_count"], 0);
    assert_eq!(created["mention_count"], 0);
    assert_eq!(created["created_at"], created["updated_at"]);
    assert_eq!(app.get_json(&location).await, created);
    assert_eq!(app.get_json("/v1/entities/angela-rayner").await, created);

    let accented = create_entity(&app, &json!({"name": "  Zoë Ünal ", "kind": "other"})).await;
    assert_eq!(accented["slug"], "zoe-unal");
    assert_eq!(accented["name"], "Zoë Ünal");
}

#[tokio::test]
async fn a_new_entity_with_a_taken_slug_is_a_409() {
    let app = spawn_app().await;
    app.create_seed().await;
    let by_name = app
        .post_json(
            "/v1/entities",
            &json!({"name": "Donald Trump", "kind": "person"}),
        )
        .await;
    assert_problem(by_name, StatusCode::CONFLICT, "conflict", &["slug"]).await;
    let explicit = app
        .post_json(
            "/v1/entities",
            &json!({"name": "Trump Organization", "slug": "donald-trump", "kind": "organization"}),
        )
        .await;
    assert_problem(explicit, StatusCode::CONFLICT, "conflict", &["slug"]).await;
    assert_eq!(app.count_rows("entities").await, 13);
}

#[tokio::test]
async fn a_new_entity_breaking_a_rule_is_a_422_naming_the_field() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"name": "Donald Trump", "kind": "person", "wikidata_id": "22686"}),
            "wikidata_id",
        ),
        (
            json!({"name": "Donald Trump", "kind": "person", "wikidata_id": "Q22686x"}),
            "wikidata_id",
        ),
        (json!({"name": "   ", "kind": "person"}), "name"),
        (json!({"name": "", "kind": "person"}), "name"),
        (json!({"name": "Donald Trump"}), "kind"),
        (json!({"name": "Donald Trump", "kind": "president"}), "kind"),
        (json!({"kind": "person"}), "name"),
        (
            json!({"name": "Donald Trump", "kind": "person", "slug": "Donald Trump"}),
            "slug",
        ),
        (
            json!({"name": "Donald Trump", "kind": "person", "aliases": [" "]}),
            "aliases",
        ),
        (json!({"name": "!!!", "kind": "other"}), "name"),
    ];
    for (body, field) in cases {
        let response = app.post_json("/v1/entities", &body).await;
        let problem = assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &[field],
        )
        .await;
        assert!(field_of_every_error(&problem, field), "{body}: {problem}");
    }
    assert_eq!(app.count_rows("entities").await, 0);
}

#[tokio::test]
async fn writing_entities_and_mentions_needs_a_write_key() {
    let app = spawn_app().await;
    app.create_seed().await;
    let mention = format!("/v1/articles/{SEED}/entities/london");
    let attempts = [
        (
            Method::POST,
            "/v1/entities".to_owned(),
            Some(json!({"name": "X", "kind": "other"})),
        ),
        (
            Method::PATCH,
            "/v1/entities/london".to_owned(),
            Some(json!({"description": "x"})),
        ),
        (Method::DELETE, "/v1/entities/london".to_owned(), None),
        (
            Method::POST,
            "/v1/entities/london/merge".to_owned(),
            Some(json!({"duplicate": "europe"})),
        ),
        (
            Method::PUT,
            mention.clone(),
            Some(json!({"mention_count": 5})),
        ),
        (Method::DELETE, mention.clone(), None),
    ];
    for (method, path, body) in attempts {
        let anonymous = app.request(method.clone(), &path);
        let read_only = app
            .request(method.clone(), &path)
            .bearer_auth(&app.read_key);
        let (anonymous, read_only) = match &body {
            Some(body) => (anonymous.json(body), read_only.json(body)),
            None => (anonymous, read_only),
        };
        let anonymous = anonymous.send().await.unwrap();
        assert_problem(anonymous, StatusCode::UNAUTHORIZED, "unauthorized", &[]).await;
        let read_only = read_only.send().await.unwrap();
        assert_problem(read_only, StatusCode::FORBIDDEN, "forbidden", &[]).await;
    }
    assert_eq!(app.count_rows("entities").await, 13);
    assert_eq!(app.get_json(&mention).await["mention_count"], 1);
    assert_eq!(
        app.get_json("/v1/entities/london").await["description"],
        "Capital city of the United Kingdom"
    );
}

// --- changing ----------------------------------------------------------------------------------

#[tokio::test]
async fn patching_an_entitys_aliases_replaces_them_all() {
    let app = spawn_app().await;
    app.create_seed().await;
    let before = app.get_json("/v1/entities/keir-starmer").await;
    let response = app
        .patch_json(
            "/v1/entities/keir-starmer",
            &json!({"aliases": ["Starmer", "Keir", "keir starmer"], "description": null, "wikidata_id": "Q6384283"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let patched: Value = response.json().await.unwrap();
    assert_eq!(patched["aliases"], json!(["Keir", "Starmer"]));
    assert_eq!(patched["description"], Value::Null);
    assert_eq!(patched["wikidata_id"], "Q6384283");
    for unchanged in [
        "id",
        "slug",
        "name",
        "kind",
        "article_count",
        "mention_count",
        "created_at",
    ] {
        assert_eq!(patched[unchanged], before[unchanged], "{unchanged}");
    }
    assert_eq!(app.get_json("/v1/entities/keir-starmer").await, patched);
    // The old aliases no longer find it; the new ones do.
    assert_eq!(
        app.get_json("/v1/entities?q=sir%20keir").await["data"],
        json!([])
    );
    assert_eq!(
        slugs(&app.get_json("/v1/entities?q=keir").await),
        ["keir-starmer"]
    );
}

#[tokio::test]
async fn patching_an_entitys_name_to_an_alias_drops_that_alias() {
    let app = spawn_app().await;
    app.create_seed().await;
    let patched: Value = app
        .patch_json(
            "/v1/entities/keir-starmer",
            &json!({"name": "Sir Keir Starmer"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(patched["name"], "Sir Keir Starmer");
    assert_eq!(patched["slug"], "keir-starmer");
    assert_eq!(patched["aliases"], json!(["Sir Keir", "Starmer"]));
}

#[tokio::test]
async fn patching_an_entitys_slug_moves_it_and_a_taken_slug_is_a_409() {
    let app = spawn_app().await;
    app.create_seed().await;
    let taken = app
        .patch_json(
            "/v1/entities/keir-starmer",
            &json!({"slug": "donald-trump"}),
        )
        .await;
    assert_problem(taken, StatusCode::CONFLICT, "conflict", &["slug"]).await;

    let moved = app
        .patch_json("/v1/entities/keir-starmer", &json!({"slug": "starmer"}))
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    assert_eq!(
        app.get_json("/v1/entities/starmer").await["name"],
        "Keir Starmer"
    );
    assert_problem(
        app.get("/v1/entities/keir-starmer").await,
        StatusCode::NOT_FOUND,
        "not-found",
        &[],
    )
    .await;
    // Quotes and mentions follow the entity, whatever its slug.
    let quotes = app.get_json("/v1/quotes?speaker=starmer").await;
    assert_eq!(quotes["data"][0]["speaker"]["slug"], "starmer");
}

#[tokio::test]
async fn patching_an_entity_with_bad_values_is_a_422_and_an_unknown_one_a_404() {
    let app = spawn_app().await;
    app.create_seed().await;
    let cases = [
        (json!({"wikidata_id": "P31"}), "wikidata_id"),
        (json!({"name": " "}), "name"),
        (json!({"kind": "planet"}), "kind"),
        (json!({"slug": "Not_A_Slug"}), "slug"),
        (json!({"aliases": [""]}), "aliases"),
    ];
    for (body, field) in cases {
        let response = app.patch_json("/v1/entities/london", &body).await;
        assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &[field],
        )
        .await;
    }
    let unknown = app
        .patch_json("/v1/entities/nobody", &json!({"description": "x"}))
        .await;
    assert_problem(unknown, StatusCode::NOT_FOUND, "not-found", &[]).await;
}

#[tokio::test]
async fn patching_an_entity_with_a_stale_if_match_is_a_412_and_changes_nothing() {
    let app = spawn_app().await;
    app.create_seed().await;
    let read = app.get("/v1/entities/london").await;
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();

    let fresh = app
        .write(Method::PATCH, "/v1/entities/london")
        .header("if-match", &etag)
        .json(&json!({"description": "Capital of England"}))
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), StatusCode::OK);

    let stale = app
        .write(Method::PATCH, "/v1/entities/london")
        .header("if-match", &etag)
        .json(&json!({"description": "A city"}))
        .send()
        .await
        .unwrap();
    assert_problem(
        stale,
        StatusCode::PRECONDITION_FAILED,
        "precondition-failed",
        &[],
    )
    .await;
    let stale_delete = app
        .write(Method::DELETE, "/v1/entities/london")
        .header("if-match", &etag)
        .send()
        .await
        .unwrap();
    assert_problem(
        stale_delete,
        StatusCode::PRECONDITION_FAILED,
        "precondition-failed",
        &[],
    )
    .await;
    assert_eq!(
        app.get_json("/v1/entities/london").await["description"],
        "Capital of England"
    );
}

// --- deleting ----------------------------------------------------------------------------------

#[tokio::test]
async fn deleting_an_entity_removes_its_mentions_and_unlinks_its_quotes() {
    let app = spawn_app().await;
    let seed = app.create_seed().await;
    let before = version_of(&app, SEED).await;
    let response = app.delete("/v1/entities/donald-trump").await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    assert_problem(
        app.get("/v1/entities/donald-trump").await,
        StatusCode::NOT_FOUND,
        "not-found",
        &[],
    )
    .await;
    assert_eq!(app.count_rows("entities").await, 12);
    assert_eq!(app.count_rows("article_entities").await, 12);
    let mentions = app.get_json(&format!("/v1/articles/{SEED}/entities")).await["data"].clone();
    assert!(!field(&mentions, "entity")
        .iter()
        .any(|e| e["slug"] == "donald-trump"));

    // The quotes stay, with their label, but without a speaker.
    assert_eq!(app.count_rows("quotes").await, 9);
    for index in [5, 6] {
        let id = seed["quotes"][index]["id"].as_str().unwrap();
        let quote = app.get_json(&format!("/v1/quotes/{id}")).await;
        assert_eq!(quote["speaker"], Value::Null);
        assert_eq!(quote["speaker_label"], "Mr Trump");
        assert_eq!(quote["text"], seed["quotes"][index]["text"]);
    }
    assert_eq!(version_of(&app, SEED).await, before + 1);
    assert_problem(
        app.delete("/v1/entities/donald-trump").await,
        StatusCode::NOT_FOUND,
        "not-found",
        &[],
    )
    .await;
}

// --- articles and quotes of an entity ----------------------------------------------------------

#[tokio::test]
async fn an_entitys_articles_are_those_that_mention_it() {
    let app = spawn_app().await;
    let seed = app.create_seed().await;
    let small = app.create_small("minister-quits").await;
    let uk = app.get_json("/v1/entities/united-kingdom/articles").await;
    assert_eq!(field(&uk["data"], "id"), [&seed["id"]]);

    assert_eq!(
        put_mention(&app, "minister-quits", "united-kingdom", &json!({})).await,
        StatusCode::CREATED
    );
    let uk = app
        .get_json("/v1/entities/united-kingdom/articles?count=true")
        .await;
    assert_eq!(uk["total"], 2);
    let housing = app
        .get_json("/v1/entities/united-kingdom/articles?keyword=housing")
        .await;
    assert_eq!(field(&housing["data"], "id"), [&small["id"]]);

    let jane = app.get_json("/v1/entities/jane-doe").await;
    let by_id = app
        .get_json(&format!(
            "/v1/entities/{}/articles",
            jane["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(field(&by_id["data"], "id"), [&small["id"]]);
}

#[tokio::test]
async fn an_entitys_quotes_are_those_it_spoke() {
    let app = spawn_app().await;
    app.create_seed().await;
    let trump = app
        .get_json("/v1/entities/donald-trump/quotes?sort=created_at&count=true")
        .await;
    assert_eq!(trump["total"], 2);
    let texts: Vec<&Value> = field(&trump["data"], "text");
    assert_eq!(
        texts,
        [
            &json!("destroy"),
            &json!("I would stop it, and it doesn't matter if you call out the military.")
        ]
    );
    let direct = app
        .get_json("/v1/entities/donald-trump/quotes?kind=direct")
        .await;
    assert_eq!(direct["data"].as_array().unwrap().len(), 1);
    let us = app
        .get_json("/v1/entities/united-states/quotes?limit=3")
        .await;
    assert_eq!(us["data"].as_array().unwrap().len(), 3);
    assert!(us["next_cursor"].is_string());
    let london = app.get_json("/v1/entities/london/quotes").await;
    assert_eq!(london["data"], json!([]));
}

// --- merging -----------------------------------------------------------------------------------

#[tokio::test]
async fn merging_a_duplicate_moves_its_mentions_and_quotes_and_keeps_its_name_as_an_alias() {
    let app = spawn_app().await;
    app.create_seed().await;
    let small = app.create_small("minister-quits").await;
    let duplicate = create_entity(
        &app,
        &json!({"name": "Donald J. Trump", "kind": "person", "aliases": ["DJT"]}),
    )
    .await;
    assert_eq!(duplicate["slug"], "donald-j-trump");
    // Mentioned in the seed (which mentions donald-trump 4 times, first at 1733) and in a second article.
    assert_eq!(
        put_mention(
            &app,
            SEED,
            "donald-j-trump",
            &json!({"mention_count": 3, "first_offset": 1500, "salience": 0.4})
        )
        .await,
        StatusCode::CREATED
    );
    assert_eq!(
        put_mention(
            &app,
            "minister-quits",
            "donald-j-trump",
            &json!({"mention_count": 1, "first_offset": 4})
        )
        .await,
        StatusCode::CREATED
    );
    let spoken = app
        .post_json(
            "/v1/articles/minister-quits/quotes",
            &json!({"text": "The housing minister", "speaker": {"slug": "donald-j-trump"}}),
        )
        .await;
    assert_eq!(spoken.status(), StatusCode::CREATED);
    let spoken: Value = spoken.json().await.unwrap();
    let seed_version = version_of(&app, SEED).await;
    let small_version = version_of(&app, "minister-quits").await;

    let response = app
        .post_json(
            "/v1/entities/donald-trump/merge",
            &json!({"duplicate": "donald-j-trump"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let merged: Value = response.json().await.unwrap();
    assert_eq!(merged["slug"], "donald-trump");
    assert_eq!(merged["name"], "Donald Trump");
    assert_eq!(
        merged["aliases"],
        json!(["DJT", "Donald J. Trump", "Mr Trump", "Trump"])
    );
    assert_eq!(merged["article_count"], 2);
    assert_eq!(merged["mention_count"], 8);
    assert_eq!(app.get_json("/v1/entities/donald-trump").await, merged);

    // Both mention the seed: the counts are added, the first offset is the earlier one.
    let in_seed = app
        .get_json(&format!("/v1/articles/{SEED}/entities/donald-trump"))
        .await;
    assert_eq!(in_seed["mention_count"], 7);
    assert_eq!(in_seed["first_offset"], 1500);
    assert_eq!(in_seed["salience"], 0.4);
    let in_small = app
        .get_json("/v1/articles/minister-quits/entities/donald-trump")
        .await;
    assert_eq!(in_small["mention_count"], 1);
    assert_eq!(in_small["first_offset"], 4);

    let quote = app
        .get_json(&format!("/v1/quotes/{}", spoken["id"].as_str().unwrap()))
        .await;
    assert_eq!(quote["speaker"]["slug"], "donald-trump");
    let trump_quotes = app
        .get_json("/v1/entities/donald-trump/quotes?count=true")
        .await;
    assert_eq!(trump_quotes["total"], 3);

    assert_problem(
        app.get("/v1/entities/donald-j-trump").await,
        StatusCode::NOT_FOUND,
        "not-found",
        &[],
    )
    .await;
    assert_eq!(app.count_rows("entities").await, 14); // 13 of the seed + Jane Doe
    assert_eq!(
        app.get_json(&format!(
            "/v1/articles/{}/entities",
            small["id"].as_str().unwrap()
        ))
        .await["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(version_of(&app, SEED).await, seed_version + 1);
    assert_eq!(version_of(&app, "minister-quits").await, small_version + 1);

    // Its name now finds the survivor, inline and in search.
    let by_alias = app
        .post_json(
            "/v1/articles/minister-quits/quotes",
            &json!({"text": "resigned", "speaker": {"name": "Donald J. Trump", "kind": "person"}}),
        )
        .await;
    assert_eq!(by_alias.status(), StatusCode::CREATED);
    let by_alias: Value = by_alias.json().await.unwrap();
    assert_eq!(by_alias["speaker"]["slug"], "donald-trump");
    assert_eq!(
        slugs(&app.get_json("/v1/entities?q=djt").await),
        ["donald-trump"]
    );
}

#[tokio::test]
async fn merging_an_entity_into_itself_is_a_422() {
    let app = spawn_app().await;
    app.create_seed().await;
    let trump = app.get_json("/v1/entities/donald-trump").await;
    for duplicate in [json!("donald-trump"), trump["id"].clone()] {
        let response = app
            .post_json(
                "/v1/entities/donald-trump/merge",
                &json!({"duplicate": duplicate}),
            )
            .await;
        assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["duplicate"],
        )
        .await;
    }
    assert_eq!(app.get_json("/v1/entities/donald-trump").await, trump);
}

#[tokio::test]
async fn merging_an_unknown_duplicate_is_a_422_and_into_an_unknown_entity_a_404() {
    let app = spawn_app().await;
    app.create_seed().await;
    let unknown_duplicate = app
        .post_json(
            "/v1/entities/donald-trump/merge",
            &json!({"duplicate": "nobody"}),
        )
        .await;
    let problem = assert_problem(
        unknown_duplicate,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["duplicate"],
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("nobody"));
    let empty = app
        .post_json("/v1/entities/donald-trump/merge", &json!({"duplicate": ""}))
        .await;
    assert_problem(
        empty,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["duplicate"],
    )
    .await;
    let unknown_survivor = app
        .post_json("/v1/entities/nobody/merge", &json!({"duplicate": "london"}))
        .await;
    assert_problem(unknown_survivor, StatusCode::NOT_FOUND, "not-found", &[]).await;
    assert_eq!(app.count_rows("entities").await, 13);
}

// --- mentions ----------------------------------------------------------------------------------

#[tokio::test]
async fn an_articles_entities_are_listed_most_mentioned_first() {
    let app = spawn_app().await;
    let seed = app.create_seed().await;
    for key in [SEED, seed["id"].as_str().unwrap()] {
        let mentions = app.get_json(&format!("/v1/articles/{key}/entities")).await["data"].clone();
        let listed: Vec<(&str, i64)> = mentions
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["entity"]["slug"].as_str().unwrap(),
                    m["mention_count"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(listed, SEED_MENTIONS);
        assert_eq!(
            mentions[0],
            json!({
                "entity": {
                    "id": mentions[0]["entity"]["id"],
                    "slug": "united-kingdom",
                    "name": "United Kingdom",
                    "kind": "location"
                },
                "mention_count": 7,
                "first_offset": 60,
                "salience": null,
                "provenance": {"extractor_version": null, "confidence": null, "verified": true}
            })
        );
    }
    assert_problem(
        app.get("/v1/articles/no-such-article/entities").await,
        StatusCode::NOT_FOUND,
        "not-found",
        &[],
    )
    .await;
}

#[tokio::test]
async fn one_mention_is_read_by_article_and_entity_slug_or_id() {
    let app = spawn_app().await;
    let seed = app.create_seed().await;
    let by_slug = app
        .get_json(&format!("/v1/articles/{SEED}/entities/keir-starmer"))
        .await;
    assert_eq!(by_slug["entity"]["slug"], "keir-starmer");
    assert_eq!(by_slug["mention_count"], 2);
    assert_eq!(by_slug["first_offset"], 1980);
    assert_eq!(by_slug["salience"], Value::Null);
    let by_id = app
        .get_json(&format!(
            "/v1/articles/{}/entities/{}",
            seed["id"].as_str().unwrap(),
            by_slug["entity"]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(by_id, by_slug);
}

#[tokio::test]
async fn a_mention_that_does_not_exist_is_a_404() {
    let app = spawn_app().await;
    app.create_seed().await;
    app.create_small("minister-quits").await;
    for path in [
        "/v1/articles/minister-quits/entities/donald-trump".to_owned(),
        format!("/v1/articles/{SEED}/entities/nobody"),
        "/v1/articles/no-such-article/entities/donald-trump".to_owned(),
    ] {
        assert_problem(
            app.get(&path).await,
            StatusCode::NOT_FOUND,
            "not-found",
            &[],
        )
        .await;
    }
}

#[tokio::test]
async fn putting_a_mention_creates_it_then_replaces_it() {
    let app = spawn_app().await;
    app.create_seed().await;
    let small = app.create_small("minister-quits").await;
    let version = version_of(&app, "minister-quits").await;
    let london = app.get_json("/v1/entities/london").await;

    let created = app
        .write(Method::PUT, "/v1/articles/minister-quits/entities/london")
        .json(&json!({"mention_count": 2, "first_offset": 4, "salience": 0.25}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!(
            "/v1/articles/{}/entities/{}",
            small["id"].as_str().unwrap(),
            london["id"].as_str().unwrap()
        )
    );
    let created: Value = created.json().await.unwrap();
    assert_eq!(
        created,
        json!({
            "entity": {"id": london["id"], "slug": "london", "name": "London", "kind": "location"},
            "mention_count": 2, "first_offset": 4, "salience": 0.25,
            "provenance": {"extractor_version": null, "confidence": null, "verified": true}
        })
    );
    assert_eq!(app.get_json(&location).await, created);
    assert_eq!(version_of(&app, "minister-quits").await, version + 1);

    let replaced = app
        .write(Method::PUT, "/v1/articles/minister-quits/entities/london")
        .json(&json!({"mention_count": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), StatusCode::OK);
    let replaced: Value = replaced.json().await.unwrap();
    assert_eq!(replaced["mention_count"], 3);
    assert_eq!(replaced["first_offset"], Value::Null);
    assert_eq!(replaced["salience"], Value::Null);
    assert_eq!(app.get_json(&location).await, replaced);
    assert_eq!(version_of(&app, "minister-quits").await, version + 2);

    let listed = app.get_json("/v1/articles/minister-quits/entities").await["data"].clone();
    assert_eq!(listed[0]["entity"]["slug"], "london");
    assert_eq!(
        app.get_json("/v1/entities/london").await["article_count"],
        2
    );
}

#[tokio::test]
async fn a_mention_breaking_a_rule_is_a_422() {
    let app = spawn_app().await;
    app.create_small("minister-quits").await; // a body of 96 chars
    create_entity(&app, &json!({"name": "London", "kind": "location"})).await;
    let path = "/v1/articles/minister-quits/entities/london";
    let cases = [
        (json!({"first_offset": 96}), "first_offset"),
        (json!({"first_offset": -1}), "first_offset"),
        (json!({"mention_count": 0}), "mention_count"),
        (json!({"salience": 1.5}), "salience"),
    ];
    for (body, field) in cases {
        let response = app
            .write(Method::PUT, path)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &[field],
        )
        .await;
    }
    assert_eq!(app.count_rows("article_entities").await, 1);
    let last_char = app
        .write(Method::PUT, path)
        .json(&json!({"first_offset": 95}))
        .send()
        .await
        .unwrap();
    assert_eq!(last_char.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn putting_a_mention_of_an_unknown_entity_or_article_is_a_404() {
    let app = spawn_app().await;
    app.create_small("minister-quits").await;
    for path in [
        "/v1/articles/minister-quits/entities/nobody",
        "/v1/articles/no-such-article/entities/jane-doe",
    ] {
        let response = app
            .write(Method::PUT, path)
            .json(&json!({"mention_count": 1}))
            .send()
            .await
            .unwrap();
        assert_problem(response, StatusCode::NOT_FOUND, "not-found", &[]).await;
    }
    assert_eq!(app.count_rows("article_entities").await, 1);
}

#[tokio::test]
async fn deleting_a_mention_removes_it_but_not_the_entity() {
    let app = spawn_app().await;
    app.create_seed().await;
    let version = version_of(&app, SEED).await;
    let path = format!("/v1/articles/{SEED}/entities/the-times");
    let response = app.delete(&path).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_problem(
        app.get(&path).await,
        StatusCode::NOT_FOUND,
        "not-found",
        &[],
    )
    .await;
    assert_problem(
        app.delete(&path).await,
        StatusCode::NOT_FOUND,
        "not-found",
        &[],
    )
    .await;
    assert_eq!(version_of(&app, SEED).await, version + 1);
    let times = app.get_json("/v1/entities/the-times").await;
    assert_eq!(times["article_count"], 0);
    assert_eq!(times["mention_count"], 0);
    let listed = app.get_json(&format!("/v1/articles/{SEED}/entities")).await["data"].clone();
    assert_eq!(listed.as_array().unwrap().len(), 12);
}

#[tokio::test]
async fn patching_an_entity_with_null_for_a_member_that_cannot_be_cleared_is_a_422() {
    let app = spawn_app().await;
    app.create_seed().await;
    for member in ["name", "slug", "kind", "aliases"] {
        let response = app
            .patch_json("/v1/entities/keir-starmer", &json!({ member: null }))
            .await;
        assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &[member],
        )
        .await;
    }
    let entity = app.get_json("/v1/entities/keir-starmer").await;
    assert_eq!(entity["name"], "Keir Starmer");
    assert_eq!(
        entity["aliases"],
        json!(["Sir Keir", "Sir Keir Starmer", "Starmer"])
    );
}

/// Writes racing to create the same new entity inline all succeed, and share one entity.
#[tokio::test]
async fn concurrent_articles_naming_one_new_entity_all_succeed_and_share_it() {
    let app = spawn_app().await;
    let writers: Vec<_> = (0..12)
        .map(|i| {
            let request = app
                .write(Method::POST, "/v1/articles")
                .json(&small_article(&format!("race-{i}")));
            tokio::spawn(async move { request.send().await.unwrap() })
        })
        .collect();
    for writer in writers {
        let response = writer.await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let page = app.get_json("/v1/entities?q=jane").await;
    let found = page["data"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{page}");
    assert_eq!(found[0]["slug"], "jane-doe");
    assert_eq!(found[0]["article_count"], 12);
}
