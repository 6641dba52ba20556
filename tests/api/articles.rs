//! `/v1/articles`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{assert_problem, seed_body, spawn_app};

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
    for table in [
        "articles",
        "sections",
        "quotes",
        "entities",
        "article_entities",
        "article_keywords",
        "entity_aliases",
    ] {
        assert_eq!(app.count_rows(table).await, 0, "{table} is not empty");
    }
}
