//! `POST /v1/articles:batch`: many nested articles in one request and one transaction.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{
    assert_problem, assert_writes_need_a_write_key, small_article, spawn_app, spawn_app_configured,
    TestApp,
};

const BATCH: &str = "/v1/articles:batch";

async fn post_batch(app: &TestApp, body: &Value) -> reqwest::Response {
    app.post_json(BATCH, body).await
}

async fn post_ndjson(app: &TestApp, body: String) -> reqwest::Response {
    app.write(Method::POST, BATCH)
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .expect("request failed")
}

fn ndjson(articles: &[Value]) -> String {
    articles.iter().map(|a| format!("{a}\n")).collect()
}

/// An article as a GET with every include answers it, without what differs between two stores of
/// the same input: ids, the article's slug and its times.
fn shape(mut article: Value) -> Value {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                for key in ["id", "article_id", "section_id", "created_at", "updated_at"] {
                    map.remove(key);
                }
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    article.as_object_mut().unwrap().remove("slug");
    strip(&mut article);
    article
}

async fn full(app: &TestApp, href: &str) -> Value {
    app.get_json(&format!("{href}?include=sections,quotes,entities"))
        .await
}

/// Checks a 201 batch answer lists `slugs` in order, each with its id and href; answers the hrefs.
async fn assert_created(response: reqwest::Response, slugs: &[&str]) -> Vec<String> {
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["created"], slugs.len(), "{body}");
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), slugs.len(), "{body}");
    items
        .iter()
        .zip(slugs)
        .map(|(item, slug)| {
            assert_eq!(item["slug"], *slug, "{body}");
            let id = item["id"].as_str().unwrap();
            let href = item["href"].as_str().unwrap();
            assert_eq!(href, format!("/v1/articles/{id}"));
            assert_eq!(item.as_object().unwrap().len(), 3, "{item}");
            href.to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_json_array_batch_stores_each_article_with_its_parts_as_a_single_create_would() {
    let app = spawn_app().await;
    let single = app.create_small("single").await;

    let mut other = small_article("other-story");
    other["headline"] = json!("Council approves budget");
    other["entities"] = json!([
        {"entity": {"name": "Jane Doe", "kind": "person"}, "mention_count": 2},
        {"entity": {"name": "City Council", "kind": "organization"}, "mention_count": 1}
    ]);
    let batch = json!([small_article("first"), other, small_article("third")]);
    let hrefs = assert_created(
        post_batch(&app, &batch).await,
        &["first", "other-story", "third"],
    )
    .await;

    let single = shape(
        full(
            &app,
            &format!("/v1/articles/{}", single["id"].as_str().unwrap()),
        )
        .await,
    );
    assert_eq!(shape(full(&app, &hrefs[0]).await), single);
    assert_eq!(shape(full(&app, &hrefs[2]).await), single);
    let other = full(&app, &hrefs[1]).await;
    assert_eq!(other["headline"], "Council approves budget");
    let mentioned: Vec<(&str, i64)> = other["entities"]
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
    assert_eq!(mentioned, vec![("jane-doe", 2), ("city-council", 1)]);

    // Jane Doe is one entity however many articles name her.
    assert_eq!(app.count_rows("articles").await, 4);
    assert_eq!(app.count_rows("entities").await, 2);
    assert_eq!(app.count_rows("sections").await, 8);
    assert_eq!(app.count_rows("quotes").await, 4);
    assert_eq!(app.count_rows("article_entities").await, 5);
}

#[tokio::test]
async fn an_ndjson_batch_stores_one_article_per_line_in_order_and_skips_blank_lines() {
    let app = spawn_app().await;
    let body = format!(
        "{}\n\n{}\r\n{}",
        small_article("one"),
        small_article("two"),
        small_article("three")
    );
    let hrefs = assert_created(post_ndjson(&app, body).await, &["one", "two", "three"]).await;
    for href in &hrefs {
        let article = full(&app, href).await;
        assert_eq!(article["sections"].as_array().unwrap().len(), 2);
        assert_eq!(article["quotes"][0]["speaker"]["slug"], "jane-doe");
        assert_eq!(article["entities"][0]["entity"]["slug"], "jane-doe");
    }
    let list = app.get_json("/v1/articles?sort=created_at").await;
    let slugs: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, vec!["one", "two", "three"]);
}

#[tokio::test]
async fn the_change_feed_lists_every_article_of_a_batch() {
    let app = spawn_app().await;
    let batch: Vec<Value> = (0..5)
        .map(|i| small_article(&format!("story-{i}")))
        .collect();
    let response = post_batch(&app, &Value::Array(batch)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let page = app.get_json("/v1/changes?since=0&limit=100").await;
    let created: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["resource"] == "article" && c["action"] == "created")
        .map(|c| c["slug"].as_str().unwrap())
        .collect();
    assert_eq!(
        created,
        vec!["story-0", "story-1", "story-2", "story-3", "story-4"]
    );
}

#[tokio::test]
async fn a_batch_with_one_invalid_article_stores_nothing_and_names_the_article() {
    let app = spawn_app().await;
    let mut bad = small_article("bad");
    bad["sections"][0]["end"] = json!(5000);
    let batch = json!([small_article("good"), bad, {"body": "no headline"}]);
    let problem = assert_problem(
        post_batch(&app, &batch).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["items[1].sections[0].end", "items[2].headline"],
    )
    .await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2, "{problem}");
    assert_eq!(app.count_rows("articles").await, 0);
}

#[tokio::test]
async fn an_article_naming_a_missing_entity_rolls_back_the_whole_batch() {
    let app = spawn_app().await;
    let mut bad = small_article("bad");
    bad["entities"] = json!([{"entity": {"slug": "nobody-at-all"}, "mention_count": 1}]);
    // The first two are written (and Jane Doe made) before the third is found wanting.
    let batch = json!([small_article("good"), small_article("fine"), bad]);
    let problem = assert_problem(
        post_batch(&app, &batch).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &[],
    )
    .await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields.len(), 1, "{problem}");
    assert!(
        fields[0].starts_with("items[2].entities[0].entity"),
        "{problem}"
    );
    for table in [
        "articles",
        "entities",
        "sections",
        "quotes",
        "article_entities",
    ] {
        assert_eq!(app.count_rows(table).await, 0, "{table}");
    }
}

#[tokio::test]
async fn a_slug_stored_already_or_given_twice_in_the_batch_is_a_409_naming_each_article() {
    let app = spawn_app().await;
    app.create_small("taken").await;
    let mut same_source = small_article("from-the-wire");
    same_source["source_url"] = json!("https://example.com/wire/1");
    let mut again = small_article("from-the-wire-again");
    again["source_url"] = json!("https://example.com/wire/1");
    let batch = json!([
        small_article("fresh"),
        small_article("taken"),
        small_article("twice"),
        small_article("twice"),
        same_source,
        again
    ]);
    let problem = assert_problem(
        post_batch(&app, &batch).await,
        StatusCode::CONFLICT,
        "conflict",
        &[],
    )
    .await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["items[1].slug", "items[3].slug", "items[5].source_url"],
        "{problem}"
    );
    assert!(
        problem["errors"][1]["message"]
            .as_str()
            .unwrap()
            .contains("items[2]"),
        "{problem}"
    );
    assert_eq!(app.count_rows("articles").await, 1);

    // A headline's slug counts as well as a slug given.
    let mut headline_only = small_article("x");
    headline_only.as_object_mut().unwrap().remove("slug");
    headline_only["headline"] = json!("Taken");
    assert_problem(
        post_batch(&app, &json!([headline_only])).await,
        StatusCode::CONFLICT,
        "conflict",
        &["items[0].slug"],
    )
    .await;
}

#[tokio::test]
async fn a_batch_of_more_articles_than_batch_max_items_is_a_413() {
    let app = spawn_app_configured(|state| state.batch_max_items = 2).await;
    let three: Vec<Value> = (0..3).map(|i| small_article(&format!("s-{i}"))).collect();
    assert_problem(
        post_batch(&app, &Value::Array(three.clone())).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        &[],
    )
    .await;
    assert_problem(
        post_ndjson(&app, ndjson(&three)).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        &[],
    )
    .await;
    assert_eq!(app.count_rows("articles").await, 0);
    assert_created(
        post_batch(&app, &Value::Array(three[..2].to_vec())).await,
        &["s-0", "s-1"],
    )
    .await;
}

#[tokio::test]
async fn a_batch_body_over_batch_body_limit_is_a_413_though_body_limit_is_smaller() {
    let app = spawn_app_configured(|state| {
        state.body_limit = 1000;
        state.batch_body_limit = 4000;
    })
    .await;
    let two: Vec<Value> = (0..2).map(|i| small_article(&format!("s-{i}"))).collect();
    assert!(Value::Array(two.clone()).to_string().len() > 1000);
    assert_created(post_batch(&app, &Value::Array(two)).await, &["s-0", "s-1"]).await;
    let many: Vec<Value> = (0..10).map(|i| small_article(&format!("m-{i}"))).collect();
    assert_problem(
        post_batch(&app, &Value::Array(many)).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        &[],
    )
    .await;
    assert_eq!(app.count_rows("articles").await, 2);
}

#[tokio::test]
async fn a_batch_needs_a_write_key_before_its_body_is_read() {
    let app = spawn_app().await;
    // A body that would be a 422, so only the key check can answer 401/403.
    assert_writes_need_a_write_key(&app, Method::POST, BATCH, Some(&json!([]))).await;
    let wrong_type = app
        .request(Method::POST, BATCH)
        .header("content-type", "text/plain")
        .body("not a batch")
        .send()
        .await
        .unwrap();
    assert_problem(wrong_type, StatusCode::UNAUTHORIZED, "unauthorized", &[]).await;
    assert_eq!(app.count_rows("articles").await, 0);
}

#[tokio::test]
async fn an_empty_batch_is_a_422() {
    let app = spawn_app().await;
    assert_problem(
        post_batch(&app, &json!([])).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["items"],
    )
    .await;
    assert_problem(
        post_ndjson(&app, "\n \n".to_owned()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["items"],
    )
    .await;
}

#[tokio::test]
async fn a_batch_in_another_content_type_is_a_415() {
    let app = spawn_app().await;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut request = app
            .write(Method::POST, BATCH)
            .body(ndjson(&[small_article("a")]));
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        assert_problem(
            request.send().await.unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            &[],
        )
        .await;
    }
    assert_eq!(app.count_rows("articles").await, 0);
}

#[tokio::test]
async fn a_malformed_article_is_named_by_its_index_in_either_form() {
    let app = spawn_app().await;
    let mut missing_body = small_article("b");
    missing_body.as_object_mut().unwrap().remove("body");
    assert_problem(
        post_batch(&app, &json!([small_article("a"), missing_body])).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["items[1].body"],
    )
    .await;
    assert_problem(
        post_batch(&app, &json!({"articles": []})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["body"],
    )
    .await;

    let mut unknown = small_article("c");
    unknown["colour"] = json!("red");
    assert_problem(
        post_ndjson(
            &app,
            ndjson(&[small_article("a"), small_article("b"), unknown]),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["items[2].colour"],
    )
    .await;
    let body = format!("{}\n[1, 2]\n{{\"headline\": \n", small_article("a"));
    let problem = assert_problem(
        post_ndjson(&app, body).await,
        StatusCode::BAD_REQUEST,
        "bad-request",
        &["items[1]", "items[2]"],
    )
    .await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2, "{problem}");

    let mut extract = small_article("d");
    extract["extract"] = json!(true);
    assert_problem(
        post_batch(&app, &json!([extract])).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["items[0].extract"],
    )
    .await;
    assert_eq!(app.count_rows("articles").await, 0);
}

#[tokio::test]
async fn the_batch_path_answers_405_with_allow_to_other_methods_and_options() {
    let app = spawn_app().await;
    let get = app.get(BATCH).await;
    assert_eq!(
        get.headers().get("allow").unwrap().to_str().unwrap(),
        "POST, OPTIONS"
    );
    assert_problem(
        get,
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        &[],
    )
    .await;
    let options = app.request(Method::OPTIONS, BATCH).send().await.unwrap();
    assert!(options.status().is_success());
    assert_eq!(
        options.headers().get("allow").unwrap().to_str().unwrap(),
        "POST, OPTIONS"
    );
}

#[tokio::test]
async fn a_batch_waits_for_a_turn_and_past_the_request_timeout_answers_503_storing_nothing() {
    let turns = newsmeta::api::http::batch_turns(1);
    let held = turns.clone();
    let app = spawn_app_configured(move |s| {
        s.batch_turns = held;
        s.request_timeout = Some(std::time::Duration::from_secs(2));
    })
    .await;
    let before = app.content_counts().await;
    // Another batch holds the only turn: this one waits, and the timeout ends the wait.
    let busy = turns.clone().acquire_owned().await.unwrap();
    let response = post_batch(&app, &json!([small_article("waited-too-long")])).await;
    let problem = assert_problem(response, StatusCode::SERVICE_UNAVAILABLE, "timeout", &[]).await;
    assert_eq!(problem["instance"], BATCH);
    assert_eq!(app.content_counts().await, before);

    // A batch that waited for a turn goes ahead once the turn is free.
    let waiting = tokio::spawn(
        app.write(Method::POST, BATCH)
            .json(&json!([small_article("waited-its-turn")]))
            .send(),
    );
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(
        !waiting.is_finished(),
        "the batch went ahead without a turn"
    );
    drop(busy);
    assert_created(waiting.await.unwrap().unwrap(), &["waited-its-turn"]).await;
    assert_eq!(turns.available_permits(), 1, "the batch kept its turn");
}
