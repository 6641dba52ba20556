//! `POST /v1/extract`, `"extract": true` on `POST /v1/articles`, and the provenance of records.
//!
//! These tests hold whatever the extractor proposes: they compare with the library's own output
//! (`newsmeta::extract::extract`) rather than with what a good extraction would be.

// Tests and their helpers fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use newsmeta::api::types::{
    ArticleCreate, EntityKind, EntityRef, MentionCreate, Provenance, SectionCreate,
};
use newsmeta::extract::{extract, EXTRACTOR_VERSION};
use newsmeta::ingest::Origins;
use newsmeta::store::articles;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{
    assert_includes_match_their_routes, assert_problem, spawn_app, spawn_app_configured, TestApp,
};

fn seed_text() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/seeds/seed-article.txt"
    ))
    .expect("seeds/seed-article.txt is missing")
}

async fn post_extract(
    app: &TestApp,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    app.request(Method::POST, "/v1/extract")
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("request failed")
}

#[tokio::test]
async fn extract_answers_the_library_proposal_for_plain_text() {
    let app = spawn_app().await;
    let text = seed_text();
    let response = post_extract(&app, "text/plain; charset=utf-8", text.clone()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, serde_json::to_value(extract(&text)).unwrap());
    assert_eq!(app.count_rows("articles").await, 0, "nothing is stored");
}

#[tokio::test]
async fn extract_answers_the_same_proposal_for_json_text() {
    let app = spawn_app().await;
    let text = "Héllo — “quoted”, she said.\nSecond paragraph";
    let response = app
        .request(Method::POST, "/v1/extract")
        .json(&json!({"text": text}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, serde_json::to_value(extract(text)).unwrap());
}

#[tokio::test]
async fn extract_answers_byte_identical_json_for_the_same_text() {
    let app = spawn_app().await;
    let text = seed_text();
    let first = post_extract(&app, "text/plain", text.clone())
        .await
        .bytes()
        .await
        .unwrap();
    let second = post_extract(&app, "text/plain", text)
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(first, second);
}

#[tokio::test]
async fn extract_rejects_an_empty_or_blank_text_with_a_422_naming_text() {
    let app = spawn_app().await;
    let response = post_extract(&app, "text/plain", "  \n\t ").await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["text"],
    )
    .await;
    let response = post_extract(&app, "text/plain", "").await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["text"],
    )
    .await;
    let response = app
        .request(Method::POST, "/v1/extract")
        .json(&json!({"text": ""}))
        .send()
        .await
        .unwrap();
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["text"],
    )
    .await;
}

#[tokio::test]
async fn extract_rejects_a_text_over_the_limit_with_a_413() {
    let app = spawn_app_configured(|state| state.extract_max_bytes = 100).await;
    let response = post_extract(&app, "text/plain", "word ".repeat(30)).await;
    assert_problem(
        response,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        &[],
    )
    .await;
    let response = post_extract(&app, "text/plain", "word ".repeat(10)).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn extract_rejects_other_media_types_with_a_415() {
    let app = spawn_app().await;
    for content_type in ["text/html", "application/xml", "text/plain; charset=latin1"] {
        let response = post_extract(&app, content_type, "Some text.").await;
        assert_problem(
            response,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            &[],
        )
        .await;
    }
    let response = app
        .request(Method::POST, "/v1/extract")
        .body("Some text.")
        .send()
        .await
        .unwrap();
    assert_problem(
        response,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
        &[],
    )
    .await;
}

#[tokio::test]
async fn extract_rejects_text_that_is_not_utf8_with_a_400() {
    let app = spawn_app().await;
    let response = post_extract(&app, "text/plain", vec![b'a', 0xff, 0xfe, b'b']).await;
    assert_problem(response, StatusCode::BAD_REQUEST, "bad-request", &["body"]).await;
}

#[tokio::test]
async fn extract_rejects_malformed_json_with_a_400_and_unknown_fields_with_a_422() {
    let app = spawn_app().await;
    let response = post_extract(&app, "application/json", "{\"text\": ").await;
    assert_problem(response, StatusCode::BAD_REQUEST, "bad-request", &["body"]).await;
    let response = app
        .request(Method::POST, "/v1/extract")
        .json(&json!({"text": "Some text.", "language": "en"}))
        .send()
        .await
        .unwrap();
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["language"],
    )
    .await;
}

#[tokio::test]
async fn extract_needs_a_key_when_reads_do() {
    let app = spawn_app_configured(|state| state.reads_require_key = true).await;
    let response = post_extract(&app, "text/plain", "Some text.").await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "unauthorized", &[]).await;
    let response = app
        .request(Method::POST, "/v1/extract")
        .bearer_auth(&app.read_key)
        .header("content-type", "text/plain")
        .body("Some text.")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// The provenance every extracted record carries.
fn extracted(confidence: f64) -> Value {
    json!({"extractor_version": EXTRACTOR_VERSION, "confidence": confidence, "verified": false})
}

fn manual() -> Value {
    json!({"extractor_version": null, "confidence": null, "verified": true})
}

#[tokio::test]
async fn create_with_extract_fills_what_was_left_out_from_the_proposal() {
    let app = spawn_app().await;
    let text = seed_text();
    let proposal = extract(&text);
    let response = app
        .post_json(
            "/v1/articles",
            &json!({"body": text, "extract": true, "category": "politics"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let article: Value = response.json().await.unwrap();

    assert_eq!(article["body"], json!(proposal.body));
    assert_eq!(article["category"], "politics");
    let headline = match &proposal.headline {
        Some(hint) => hint.text.clone(),
        None => newsmeta::ingest::headline_from_lede(&proposal.body).unwrap(),
    };
    assert_eq!(article["headline"], json!(headline));
    assert_eq!(
        article["standfirst"],
        json!(proposal.standfirst.as_ref().map(|h| h.text.clone()))
    );

    let sections = article["sections"].as_array().unwrap();
    assert_eq!(sections.len(), proposal.sections.len());
    for (got, proposed) in sections.iter().zip(&proposal.sections) {
        assert_eq!(got["heading"], json!(proposed.heading));
        assert_eq!(got["start"], json!(proposed.start));
        assert_eq!(got["provenance"], extracted(proposed.confidence));
    }
    let quotes = article["quotes"].as_array().unwrap();
    assert_eq!(quotes.len(), proposal.quotes.len());
    for (got, proposed) in quotes.iter().zip(&proposal.quotes) {
        assert_eq!(got["text"], json!(proposed.text));
        assert_eq!(got["speaker"]["name"].as_str(), proposed.speaker.as_deref());
        assert_eq!(got["provenance"], extracted(proposed.confidence));
    }
    let mut names: Vec<&str> = article["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["entity"]["name"].as_str().unwrap())
        .collect();
    let mut proposed: Vec<&str> = proposal.entities.iter().map(|e| e.name.as_str()).collect();
    names.sort();
    proposed.sort();
    assert_eq!(names, proposed);
}

#[tokio::test]
async fn create_with_extract_keeps_what_the_request_gave() {
    let app = spawn_app().await;
    let text =
        "The council voted on Tuesday to close the library.\n\"We had no choice,\" said Jane Doe.";
    let body = extract(text).body;
    let response = app
        .post_json(
            "/v1/articles",
            &json!({
                "headline": "Library to close",
                "standfirst": "A vote on Tuesday",
                "body": text,
                "extract": true,
                "sections": [{"heading": "All of it", "body": body}],
                "entities": [{"entity": {"name": "Jane Doe", "kind": "person"}, "mention_count": 1}]
            }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let article: Value = response.json().await.unwrap();
    assert_eq!(article["headline"], "Library to close");
    assert_eq!(article["standfirst"], "A vote on Tuesday");
    assert_eq!(article["sections"].as_array().unwrap().len(), 1);
    assert_eq!(article["sections"][0]["heading"], "All of it");
    assert_eq!(article["sections"][0]["provenance"], manual());
    let entities = article["entities"].as_array().unwrap();
    assert_eq!(entities.len(), 1);
    assert_eq!(entities[0]["entity"]["name"], "Jane Doe");
    assert_eq!(entities[0]["provenance"], manual());
    assert_eq!(
        article["quotes"].as_array().unwrap().len(),
        extract(text).quotes.len()
    );
}

/// A first line that reads like a headline: taken out of the body only when the request has no
/// headline of its own.
#[tokio::test]
async fn a_headline_line_leaves_the_body_only_when_the_request_has_no_headline() {
    let app = spawn_app().await;
    let text = "Ministers Face Revolt Over Plans to Cut School Budgets\n\
                MPs met on Monday to discuss the plans.\n\
                \"This cannot stand,\" said Jane Doe.";
    assert!(
        extract(text).headline.is_some(),
        "the fixture needs a headline line"
    );

    let response = app
        .post_json("/v1/articles", &json!({"body": text, "extract": true}))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let split: Value = response.json().await.unwrap();
    assert_eq!(
        split["headline"],
        "Ministers Face Revolt Over Plans to Cut School Budgets"
    );
    assert_eq!(split["body"], json!(extract(text).body));

    let response = app
        .post_json(
            "/v1/articles",
            &json!({"headline": "Budget revolt", "body": text, "extract": true}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let kept: Value = response.json().await.unwrap();
    assert_eq!(kept["headline"], "Budget revolt");
    assert_eq!(kept["body"], text);
    let quote = &kept["quotes"][0];
    let (start, end) = (
        quote["start"].as_u64().unwrap() as usize,
        quote["end"].as_u64().unwrap() as usize,
    );
    let in_body: String = text.chars().skip(start).take(end - start).collect();
    assert_eq!(quote["text"], json!(in_body));
}

#[tokio::test]
async fn create_without_a_headline_needs_extract() {
    let app = spawn_app().await;
    let response = app
        .post_json("/v1/articles", &json!({"body": "Some text."}))
        .await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["headline"],
    )
    .await;
}

#[tokio::test]
async fn records_people_enter_are_verified_and_manual() {
    let app = spawn_app().await;
    let article = app.create_small("manual").await;
    assert_eq!(article["sections"][0]["provenance"], manual());
    assert_eq!(article["quotes"][0]["provenance"], manual());
    assert_eq!(article["entities"][0]["provenance"], manual());
    let entity = app.get_json("/v1/entities/jane-doe").await;
    assert_eq!(entity["provenance"], manual());
}

/// An article stored through the store with every part marked as extracted, whatever the
/// extractor proposes today.
async fn create_extracted(app: &TestApp) -> Value {
    let input = ArticleCreate {
        slug: Some("machine".to_owned()),
        headline: Some("Machine-made".to_owned()),
        body: "Jane Doe spoke.\n\"Yes,\" she said.".to_owned(),
        sections: vec![SectionCreate {
            position: Some(0),
            heading: None,
            body: "Jane Doe spoke.".to_owned(),
            start: Some(0),
            end: Some(15),
        }],
        entities: vec![MentionCreate {
            entity: entity_ref("Jane Doe", &[]),
            mention_count: 1,
            first_offset: Some(0),
            salience: None,
        }],
        quotes: vec![serde_json::from_value(json!({
            "text": "Yes,", "speaker": {"name": "Jane Doe", "kind": "person"}, "start": 17, "end": 21
        }))
        .unwrap()],
        ..ArticleCreate::default()
    };
    let origins = Origins {
        sections: vec![Provenance::extracted(0.9)],
        quotes: vec![Provenance::extracted(0.75)],
        entities: vec![Provenance::extracted(0.5)],
    };
    articles::create_with(&app.db, &input, &origins)
        .await
        .unwrap();
    assert_includes_match_their_routes(app, "machine").await
}

fn entity_ref(name: &str, aliases: &[&str]) -> EntityRef {
    EntityRef {
        id: None,
        slug: None,
        name: Some(name.to_owned()),
        kind: Some(EntityKind::Person),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        description: None,
        wikidata_id: None,
    }
}

#[tokio::test]
async fn extracted_records_are_stored_and_shown_with_their_provenance() {
    let app = spawn_app().await;
    let article = create_extracted(&app).await;
    assert_eq!(article["sections"][0]["provenance"], extracted(0.9));
    assert_eq!(article["quotes"][0]["provenance"], extracted(0.75));
    assert_eq!(article["entities"][0]["provenance"], extracted(0.5));
    let entity = app.get_json("/v1/entities/jane-doe").await;
    assert_eq!(entity["provenance"], extracted(0.5));
}

#[tokio::test]
async fn a_patch_marks_extracted_records_verified_and_keeps_their_origin() {
    let app = spawn_app().await;
    let article = create_extracted(&app).await;
    let section = article["sections"][0]["id"].as_str().unwrap();
    let quote = article["quotes"][0]["id"].as_str().unwrap();
    let verified = |confidence: f64| json!({"extractor_version": EXTRACTOR_VERSION, "confidence": confidence, "verified": true});

    for (path, confidence) in [
        (format!("/v1/sections/{section}"), 0.9),
        (format!("/v1/quotes/{quote}"), 0.75),
        ("/v1/entities/jane-doe".to_owned(), 0.5),
    ] {
        let response = app.patch_json(&path, &json!({"verified": true})).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["provenance"], verified(confidence), "{path}");
        let response = app.patch_json(&path, &json!({"verified": null})).await;
        assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["verified"],
        )
        .await;
    }

    let mention = "/v1/articles/machine/entities/jane-doe";
    let response = app
        .write(Method::PUT, mention)
        .json(&json!({"mention_count": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["provenance"],
        extracted(0.5),
        "a PUT without `verified` keeps it"
    );
    let response = app
        .write(Method::PUT, mention)
        .json(&json!({"mention_count": 2, "verified": true}))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["provenance"], verified(0.5));
}

#[tokio::test]
async fn extracted_entities_are_matched_by_name_or_alias_ignoring_case_and_accents() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/v1/entities",
            &json!({"name": "Zoë Ström", "kind": "person", "aliases": ["Ms Ström"]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);

    let input = |slug: &str, entity: EntityRef| ArticleCreate {
        slug: Some(slug.to_owned()),
        headline: Some("Ström speaks".to_owned()),
        body: format!("Text of {slug}."),
        entities: vec![MentionCreate {
            entity,
            mention_count: 1,
            first_offset: None,
            salience: None,
        }],
        ..ArticleCreate::default()
    };
    let origins = Origins {
        entities: vec![Provenance::extracted(0.8)],
        ..Origins::default()
    };
    // By name, whatever the case and accents.
    articles::create_with(
        &app.db,
        &input("one", entity_ref("ZOE STROM", &[])),
        &origins,
    )
    .await
    .unwrap();
    // By alias, when the extractor's canonical name is another.
    articles::create_with(
        &app.db,
        &input("two", entity_ref("Zoe Anna Strom", &["ms strom"])),
        &origins,
    )
    .await
    .unwrap();
    assert_eq!(app.count_rows("entities").await, 1);
    let entity = app.get_json("/v1/entities/zoe-strom").await;
    assert_eq!(entity["article_count"], 2);
    assert_eq!(entity["provenance"], manual());
}

#[tokio::test]
async fn the_provenance_migration_makes_existing_rows_verified_manual_rows_with_a_content_hash() {
    use migration::{Migrator, MigratorTrait, SchemaManager};
    use sea_orm::EntityTrait;
    let app = spawn_app().await;
    let before = app.create_seed().await;
    let migrations = Migrator::migrations();
    let provenance = migrations
        .iter()
        .find(|m| m.name() == "m20261127_000005_provenance")
        .unwrap();
    let manager = SchemaManager::new(&app.db);
    provenance.down(&manager).await.unwrap();
    provenance.up(&manager).await.unwrap();

    let after = app
        .get_json(&format!(
            "/v1/articles/{}?include=sections,quotes,entities",
            before["slug"].as_str().unwrap()
        ))
        .await;
    for list in ["sections", "quotes", "entities"] {
        for record in after[list].as_array().unwrap() {
            assert_eq!(record["provenance"], manual(), "{list}");
        }
    }
    let stored = newsmeta::entity::article::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.content_hash,
        Some(newsmeta::domain::content_hash(&stored.body))
    );
}
