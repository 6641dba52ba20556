//! `/v1/articles/{article}/sections` and `/v1/sections/{id}`.

// Tests and their helpers fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, assert_writes_need_a_write_key, etag, spawn_app, TestApp};

const SEED: &str = "us-officials-condemn-uk-immigration-approach";

/// The seed's sections as the list answers them.
async fn seed_sections(app: &TestApp) -> Vec<Value> {
    app.get_json(&format!("/v1/articles/{SEED}/sections")).await["data"]
        .as_array()
        .expect("the sections are not an array")
        .clone()
}

fn positions(sections: &[Value]) -> Vec<i64> {
    sections
        .iter()
        .map(|s| s["position"].as_i64().expect("position"))
        .collect()
}

async fn article_version(app: &TestApp, article: &str) -> i64 {
    app.get_json(&format!("/v1/articles/{article}")).await["version"]
        .as_i64()
        .expect("version")
}

/// POSTs a section to the seed that must be accepted, and answers it.
async fn add_section(app: &TestApp, body: &Value) -> Value {
    let response = app
        .post_json(&format!("/v1/articles/{SEED}/sections"), body)
        .await;
    let status = response.status();
    let json: Value = response.json().await.expect("not JSON");
    assert_eq!(status, StatusCode::CREATED, "{json}");
    json
}

// --- list --------------------------------------------------------------------------------------

#[tokio::test]
async fn an_articles_sections_are_listed_in_position_order_by_slug_or_id() {
    let app = spawn_app().await;
    let article = app.create_seed().await;
    let sections = seed_sections(&app).await;
    assert_eq!(positions(&sections), [0, 1, 2, 3]);
    let headings: Vec<_> = sections.iter().map(|s| s["heading"].clone()).collect();
    assert_eq!(
        headings,
        [
            json!(null),
            json!("Confidential Diplomatic Directive"),
            json!("A Pattern of Failure and Security Concerns"),
            json!("Continuation of Trump's Warnings")
        ]
    );
    let spans: Vec<_> = sections
        .iter()
        .map(|s| (s["start"].as_i64().unwrap(), s["end"].as_i64().unwrap()))
        .collect();
    assert_eq!(spans, [(0, 215), (216, 732), (733, 1716), (1717, 2710)]);
    for section in &sections {
        assert_eq!(section["article_id"], article["id"]);
    }
    let by_id = app
        .get_json(&format!(
            "/v1/articles/{}/sections",
            article["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(by_id["data"].as_array().unwrap(), &sections);

    // Sections added out of order are still listed by position.
    add_section(&app, &json!({"position": 10, "body": "Tenth."})).await;
    add_section(&app, &json!({"position": 5, "body": "Fifth."})).await;
    assert_eq!(positions(&seed_sections(&app).await), [0, 1, 2, 3, 5, 10]);
}

#[tokio::test]
async fn an_article_without_sections_lists_none() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/v1/articles",
            &json!({"slug": "brief", "headline": "Brief", "body": "A brief item."}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let sections = app.get_json("/v1/articles/brief/sections").await;
    assert_eq!(sections, json!({"data": [], "next_cursor": null}));
}

#[tokio::test]
async fn the_sections_of_an_unknown_article_answer_404() {
    let app = spawn_app().await;
    let response = app.get("/v1/articles/no-such-article/sections").await;
    assert_problem(response, StatusCode::NOT_FOUND, "not-found", &[]).await;
}

#[tokio::test]
async fn a_section_list_with_the_current_etag_in_if_none_match_answers_304() {
    let app = spawn_app().await;
    app.create_seed().await;
    let path = format!("/v1/articles/{SEED}/sections");
    let tag = etag(&app.get(&path).await);
    let not_modified = app
        .request(Method::GET, &path)
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);
    assert!(not_modified.bytes().await.unwrap().is_empty());

    add_section(&app, &json!({"body": "An update."})).await;
    let changed = app
        .request(Method::GET, &path)
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(etag(&changed), tag);
}

// --- create ------------------------------------------------------------------------------------

#[tokio::test]
async fn a_new_section_without_a_position_goes_after_the_last_one() {
    let app = spawn_app().await;
    let article = app.create_seed().await;
    let response = app
        .post_json(
            &format!("/v1/articles/{SEED}/sections"),
            &json!({"heading": "Reaction", "body": "Downing Street declined to comment."}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created_etag = etag(&response);
    let created: Value = response.json().await.unwrap();
    assert_eq!(
        location,
        format!("/v1/sections/{}", created["id"].as_str().unwrap())
    );
    assert_eq!(created["position"], 4);
    assert_eq!(created["article_id"], article["id"]);
    assert_eq!(created["heading"], "Reaction");
    assert_eq!(created["body"], "Downing Street declined to comment.");
    assert_eq!(created["start"], Value::Null);
    assert_eq!(created["end"], Value::Null);

    let stored = app.get(&location).await;
    assert_eq!(stored.status(), StatusCode::OK);
    assert_eq!(etag(&stored), created_etag);
    assert_eq!(stored.json::<Value>().await.unwrap(), created);
    assert_eq!(positions(&seed_sections(&app).await), [0, 1, 2, 3, 4]);
}

#[tokio::test]
async fn the_first_section_of_an_article_without_sections_gets_position_0() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/v1/articles",
            &json!({"slug": "brief", "headline": "Brief", "body": "A brief item."}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let response = app
        .post_json(
            "/v1/articles/brief/sections",
            &json!({"body": "A brief item.", "start": 0, "end": 13}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let section: Value = response.json().await.unwrap();
    assert_eq!(section["position"], 0);
    assert_eq!(section["heading"], Value::Null);
    assert_eq!(
        (section["start"].clone(), section["end"].clone()),
        (json!(0), json!(13))
    );
}

#[tokio::test]
async fn a_new_section_takes_the_position_it_is_given_and_the_next_follows_it() {
    let app = spawn_app().await;
    app.create_seed().await;
    let seventh = add_section(&app, &json!({"position": 7, "body": "Later."})).await;
    assert_eq!(seventh["position"], 7);
    let next = add_section(&app, &json!({"body": "Even later."})).await;
    assert_eq!(next["position"], 8);
}

#[tokio::test]
async fn a_new_section_with_offsets_inside_the_body_keeps_them() {
    let app = spawn_app().await;
    app.create_seed().await;
    let section = add_section(
        &app,
        &json!({"position": 9, "body": "The whole text again.", "start": 0, "end": 2710}),
    )
    .await;
    assert_eq!(section["start"], 0);
    assert_eq!(section["end"], 2710);
}

#[tokio::test]
async fn adding_a_section_bumps_the_article_version() {
    let app = spawn_app().await;
    app.create_seed().await;
    add_section(&app, &json!({"body": "An update."})).await;
    assert_eq!(article_version(&app, SEED).await, 2);
}

#[tokio::test]
async fn a_new_section_on_a_taken_position_answers_409_naming_position() {
    let app = spawn_app().await;
    app.create_seed().await;
    let response = app
        .post_json(
            &format!("/v1/articles/{SEED}/sections"),
            &json!({"position": 2, "heading": "Duplicate", "body": "Another second section."}),
        )
        .await;
    let problem = assert_problem(response, StatusCode::CONFLICT, "conflict", &["position"]).await;
    assert!(
        problem["detail"].as_str().unwrap().contains('2'),
        "{problem}"
    );
    assert_eq!(app.count_rows("sections").await, 4);
    assert_eq!(article_version(&app, SEED).await, 1);
}

#[tokio::test]
async fn a_new_section_with_offsets_outside_the_body_answers_422() {
    let app = spawn_app().await;
    app.create_seed().await;
    let path = format!("/v1/articles/{SEED}/sections");
    let cases: [(Value, &[&str]); 4] = [
        // The body is 2710 characters long.
        (json!({"body": "x", "start": 2700, "end": 2711}), &["end"]),
        (
            json!({"body": "x", "start": 5000, "end": 5001}),
            &["start", "end"],
        ),
        (json!({"body": "x", "start": 100}), &["end"]),
        (json!({"body": "x", "start": 100, "end": 50}), &["end"]),
    ];
    for (body, fields) in cases {
        let response = app.post_json(&path, &body).await;
        assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            fields,
        )
        .await;
    }
    assert_eq!(app.count_rows("sections").await, 4);
    assert_eq!(article_version(&app, SEED).await, 1);
}

#[tokio::test]
async fn a_new_section_that_breaks_its_own_rules_answers_422_naming_each_field() {
    let app = spawn_app().await;
    app.create_seed().await;
    let path = format!("/v1/articles/{SEED}/sections");
    let cases: [(Value, &str); 5] = [
        (json!({"heading": "No body"}), "body"),
        (json!({"body": "   "}), "body"),
        (json!({"heading": "", "body": "x"}), "heading"),
        (json!({"position": -1, "body": "x"}), "position"),
        (json!({"position": 10001, "body": "x"}), "position"),
    ];
    for (body, field) in cases {
        let response = app.post_json(&path, &body).await;
        assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &[field],
        )
        .await;
    }
    let malformed = app
        .write(Method::POST, &path)
        .header("content-type", "application/json")
        .body("{\"body\": ")
        .send()
        .await
        .unwrap();
    assert_problem(malformed, StatusCode::BAD_REQUEST, "bad-request", &["body"]).await;
    let untyped = app
        .write(Method::POST, &path)
        .body("{\"body\": \"x\"}")
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
    assert_eq!(app.count_rows("sections").await, 4);
}

#[tokio::test]
async fn a_new_section_for_an_unknown_article_answers_404() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/v1/articles/no-such-article/sections",
            &json!({"body": "Orphan."}),
        )
        .await;
    assert_problem(response, StatusCode::NOT_FOUND, "not-found", &[]).await;
    assert_eq!(app.count_rows("sections").await, 0);
}

#[tokio::test]
async fn adding_a_section_needs_a_write_key() {
    let app = spawn_app().await;
    app.create_seed().await;
    assert_writes_need_a_write_key(
        &app,
        Method::POST,
        &format!("/v1/articles/{SEED}/sections"),
        Some(&json!({"body": "Unauthorised."})),
    )
    .await;
    assert_eq!(app.count_rows("sections").await, 4);
}

// --- get ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_section_is_read_by_id_with_an_etag_that_if_none_match_honours() {
    let app = spawn_app().await;
    app.create_seed().await;
    let listed = seed_sections(&app).await;
    let path = format!("/v1/sections/{}", listed[1]["id"].as_str().unwrap());
    let response = app.get(&path).await;
    assert_eq!(response.status(), StatusCode::OK);
    let tag = etag(&response);
    assert_eq!(response.json::<Value>().await.unwrap(), listed[1]);
    let not_modified = app
        .request(Method::GET, &path)
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn an_unknown_section_answers_404_to_every_method() {
    let app = spawn_app().await;
    let path = "/v1/sections/0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    let get = app.get(path).await;
    assert_problem(get, StatusCode::NOT_FOUND, "not-found", &[]).await;
    let patch = app.patch_json(path, &json!({"heading": "X"})).await;
    assert_problem(patch, StatusCode::NOT_FOUND, "not-found", &[]).await;
    let delete = app.delete(path).await;
    assert_problem(delete, StatusCode::NOT_FOUND, "not-found", &[]).await;
}

#[tokio::test]
async fn a_section_id_that_is_not_a_uuid_answers_400_naming_id() {
    let app = spawn_app().await;
    let path = "/v1/sections/not-a-uuid";
    let get = app.get(path).await;
    assert_problem(get, StatusCode::BAD_REQUEST, "bad-request", &["id"]).await;
    let patch = app.patch_json(path, &json!({"heading": "X"})).await;
    assert_problem(patch, StatusCode::BAD_REQUEST, "bad-request", &["id"]).await;
    let delete = app.delete(path).await;
    assert_problem(delete, StatusCode::BAD_REQUEST, "bad-request", &["id"]).await;
}

// --- patch -------------------------------------------------------------------------------------

#[tokio::test]
async fn patching_a_section_heading_to_null_clears_it_and_keeps_the_rest() {
    let app = spawn_app().await;
    app.create_seed().await;
    let before = seed_sections(&app).await[2].clone();
    let path = format!("/v1/sections/{}", before["id"].as_str().unwrap());
    let response = app.patch_json(&path, &json!({"heading": null})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response_etag = etag(&response);
    let patched: Value = response.json().await.unwrap();
    assert_eq!(patched["heading"], Value::Null);
    for unchanged in ["id", "article_id", "position", "body", "start", "end"] {
        assert_eq!(patched[unchanged], before[unchanged], "{unchanged}");
    }
    let stored = app.get(&path).await;
    assert_eq!(etag(&stored), response_etag);
    assert_eq!(stored.json::<Value>().await.unwrap(), patched);
    assert_eq!(article_version(&app, SEED).await, 2);
}

#[tokio::test]
async fn patching_a_section_changes_its_heading_body_position_and_offsets() {
    let app = spawn_app().await;
    app.create_seed().await;
    let section = seed_sections(&app).await[3].clone();
    let path = format!("/v1/sections/{}", section["id"].as_str().unwrap());
    let patched: Value = app
        .patch_json(
            &path,
            &json!({"heading": "Trump's Warnings", "body": "Shorter.", "position": 9, "start": 1800, "end": 1900}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(patched["heading"], "Trump's Warnings");
    assert_eq!(patched["body"], "Shorter.");
    assert_eq!(patched["position"], 9);
    assert_eq!(
        (patched["start"].clone(), patched["end"].clone()),
        (json!(1800), json!(1900))
    );
    assert_eq!(positions(&seed_sections(&app).await), [0, 1, 2, 9]);

    let cleared: Value = app
        .patch_json(&path, &json!({"start": null, "end": null}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cleared["start"], Value::Null);
    assert_eq!(cleared["end"], Value::Null);
}

#[tokio::test]
async fn patching_a_section_with_the_current_if_match_answers_200() {
    let app = spawn_app().await;
    app.create_seed().await;
    let id = seed_sections(&app).await[1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/sections/{id}");
    let tag = etag(&app.get(&path).await);
    let response = app
        .write(Method::PATCH, &path)
        .header("if-match", &tag)
        .json(&json!({"heading": "The Memo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap()["heading"],
        "The Memo"
    );
}

#[tokio::test]
async fn patching_a_section_with_a_stale_if_match_answers_412_and_changes_nothing() {
    let app = spawn_app().await;
    app.create_seed().await;
    let id = seed_sections(&app).await[1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/sections/{id}");
    let stale = etag(&app.get(&path).await);
    let first = app.patch_json(&path, &json!({"heading": "The Memo"})).await;
    assert_eq!(first.status(), StatusCode::OK);
    let second = app
        .write(Method::PATCH, &path)
        .header("if-match", &stale)
        .json(&json!({"heading": "The Cable"}))
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
    assert_eq!(app.get_json(&path).await["heading"], "The Memo");
    assert_eq!(article_version(&app, SEED).await, 2);
}

#[tokio::test]
async fn patching_a_section_onto_a_taken_position_answers_409_naming_position() {
    let app = spawn_app().await;
    app.create_seed().await;
    let id = seed_sections(&app).await[3]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/sections/{id}");
    let response = app.patch_json(&path, &json!({"position": 1})).await;
    assert_problem(response, StatusCode::CONFLICT, "conflict", &["position"]).await;
    assert_eq!(positions(&seed_sections(&app).await), [0, 1, 2, 3]);
    assert_eq!(article_version(&app, SEED).await, 1);
}

#[tokio::test]
async fn patching_section_offsets_outside_the_body_or_half_cleared_answers_422() {
    let app = spawn_app().await;
    app.create_seed().await;
    let id = seed_sections(&app).await[3]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/sections/{id}");
    let cases: [(Value, &str); 4] = [
        (json!({"end": 2711}), "end"),
        (json!({"start": 2000, "end": 1900}), "end"),
        // Clearing one offset leaves the other without its pair.
        (json!({"start": null}), "start"),
        (json!({"end": null}), "end"),
    ];
    for (body, field) in cases {
        let response = app.patch_json(&path, &body).await;
        assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &[field],
        )
        .await;
    }
    let section = app.get_json(&path).await;
    assert_eq!(
        (section["start"].clone(), section["end"].clone()),
        (json!(1717), json!(2710))
    );
    assert_eq!(article_version(&app, SEED).await, 1);
}

#[tokio::test]
async fn patching_a_section_position_or_body_to_null_answers_422_instead_of_ignoring_it() {
    let app = spawn_app().await;
    app.create_seed().await;
    let id = seed_sections(&app).await[1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/sections/{id}");
    for field in ["position", "body"] {
        let response = app.patch_json(&path, &json!({ field: null })).await;
        assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &[field],
        )
        .await;
    }
    assert_eq!(article_version(&app, SEED).await, 1);
}

#[tokio::test]
async fn an_invalid_section_patch_answers_422_naming_the_field() {
    let app = spawn_app().await;
    app.create_seed().await;
    let id = seed_sections(&app).await[1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/sections/{id}");
    let cases: [(Value, &str); 3] = [
        (json!({"heading": "  "}), "heading"),
        (json!({"body": ""}), "body"),
        (json!({"position": 10001}), "position"),
    ];
    for (body, field) in cases {
        let response = app.patch_json(&path, &body).await;
        assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &[field],
        )
        .await;
    }
    assert_eq!(article_version(&app, SEED).await, 1);
}

#[tokio::test]
async fn a_section_with_an_unknown_field_is_refused_on_create_and_patch() {
    let app = spawn_app().await;
    app.create_seed().await;
    let id = seed_sections(&app).await[1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let create = app
        .post_json(
            &format!("/v1/articles/{SEED}/sections"),
            &json!({"body": "x", "colour": "red"}),
        )
        .await;
    let problem = assert_problem(
        create,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &[],
    )
    .await;
    assert!(
        problem["detail"].as_str().unwrap().contains("colour"),
        "{problem}"
    );
    // A section cannot be moved to another article.
    let patch = app
        .patch_json(
            &format!("/v1/sections/{id}"),
            &json!({"article_id": "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"}),
        )
        .await;
    let problem = assert_problem(
        patch,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &[],
    )
    .await;
    assert!(
        problem["detail"].as_str().unwrap().contains("article_id"),
        "{problem}"
    );
    assert_eq!(app.count_rows("sections").await, 4);
    assert_eq!(article_version(&app, SEED).await, 1);
}

#[tokio::test]
async fn a_section_with_an_unknown_field_answers_422_naming_it() {
    let app = spawn_app().await;
    app.create_seed().await;
    let id = seed_sections(&app).await[1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let create = app
        .post_json(
            &format!("/v1/articles/{SEED}/sections"),
            &json!({"body": "x", "colour": "red"}),
        )
        .await;
    assert_problem(
        create,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["colour"],
    )
    .await;
    let patch = app
        .patch_json(&format!("/v1/sections/{id}"), &json!({"colour": "red"}))
        .await;
    assert_problem(
        patch,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["colour"],
    )
    .await;
}

#[tokio::test]
async fn patching_and_deleting_a_section_need_a_write_key() {
    let app = spawn_app().await;
    app.create_seed().await;
    let id = seed_sections(&app).await[1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/sections/{id}");
    assert_writes_need_a_write_key(&app, Method::PATCH, &path, Some(&json!({"heading": null})))
        .await;
    assert_writes_need_a_write_key(&app, Method::DELETE, &path, None).await;
    assert_eq!(
        app.get_json(&path).await["heading"],
        "Confidential Diplomatic Directive"
    );
    assert_eq!(app.count_rows("sections").await, 4);
}

// --- delete ------------------------------------------------------------------------------------

#[tokio::test]
async fn deleting_a_section_answers_204_then_404_and_bumps_the_article_version() {
    let app = spawn_app().await;
    app.create_seed().await;
    let id = seed_sections(&app).await[2]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/sections/{id}");
    let response = app.delete(&path).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.bytes().await.unwrap().is_empty());
    let gone = app.get(&path).await;
    assert_problem(gone, StatusCode::NOT_FOUND, "not-found", &[]).await;
    assert_eq!(positions(&seed_sections(&app).await), [0, 1, 3]);
    assert_eq!(article_version(&app, SEED).await, 2);
}

#[tokio::test]
async fn deleting_a_section_keeps_its_quotes_with_no_section() {
    let app = spawn_app().await;
    app.create_seed().await;
    let sections = seed_sections(&app).await;
    let last = sections[3]["id"].clone();
    let response = app
        .delete(&format!("/v1/sections/{}", last.as_str().unwrap()))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.count_rows("quotes").await, 9);
    let article = app
        .get_json(&format!("/v1/articles/{SEED}?include=quotes"))
        .await;
    let section_ids: Vec<_> = article["quotes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["section_id"].clone())
        .collect();
    // Quotes 5 to 8 were in the last section; 0 in the lede and 1 to 4 in the third.
    let lede = sections[0]["id"].clone();
    let third = sections[2]["id"].clone();
    assert_eq!(
        section_ids,
        [
            lede,
            third.clone(),
            third.clone(),
            third.clone(),
            third,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null
        ]
    );
}

#[tokio::test]
async fn deleting_a_section_with_the_current_if_match_answers_204() {
    let app = spawn_app().await;
    app.create_seed().await;
    let id = seed_sections(&app).await[1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/sections/{id}");
    let tag = etag(&app.get(&path).await);
    let response = app
        .write(Method::DELETE, &path)
        .header("if-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.count_rows("sections").await, 3);
}

#[tokio::test]
async fn deleting_a_section_with_a_stale_if_match_answers_412_and_keeps_it() {
    let app = spawn_app().await;
    app.create_seed().await;
    let id = seed_sections(&app).await[1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/sections/{id}");
    let stale = etag(&app.get(&path).await);
    let patched = app.patch_json(&path, &json!({"heading": "The Memo"})).await;
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
    assert_eq!(app.get_json(&path).await["heading"], "The Memo");
    assert_eq!(app.count_rows("sections").await, 4);
}

#[tokio::test]
async fn deleting_an_article_takes_its_sections_with_it() {
    let app = spawn_app().await;
    app.create_seed().await;
    let id = seed_sections(&app).await[1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = app.delete(&format!("/v1/articles/{SEED}")).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let gone = app.get(&format!("/v1/sections/{id}")).await;
    assert_problem(gone, StatusCode::NOT_FOUND, "not-found", &[]).await;
    let list = app.get(&format!("/v1/articles/{SEED}/sections")).await;
    assert_problem(list, StatusCode::NOT_FOUND, "not-found", &[]).await;
}
