//! Read replica routing (`DATABASE_READ_URL`): read-only requests read the replica; writes, the
//! answers that read back a write, `If-Match` checks and API keys stay on the primary.
//!
//! The "replica" here is a second, separate database, so that each answer shows where it was read:
//! rows put straight into one database are not in the other.

// Helpers outside `#[tokio::test]` functions fail a test loudly too; clippy only exempts the tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use newsmeta::api::types::ArticleCreate;
use newsmeta::ingest::Origins;
use newsmeta::store::keys::{self, Scope};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use serde_json::{json, Value};

use crate::helpers::{
    assert_problem, connect, etag, fresh_test_database, small_article, spawn_app_with_replica,
    TestApp,
};
use crate::telemetry::{parse_scrape, scrape, value};

/// An app whose primary and replica are two databases, and a connection to the replica.
async fn spawn_split_app() -> (TestApp, DatabaseConnection) {
    spawn_app_with_replica(fresh_test_database().await, fresh_test_database().await).await
}

/// Stores an article straight into `db`, bypassing the service.
async fn put_article(db: &DatabaseConnection, slug: &str) {
    let input: ArticleCreate = serde_json::from_value(small_article(slug)).unwrap();
    newsmeta::store::articles::create_with(db, &input, &Origins::default())
        .await
        .unwrap();
}

/// Takes the database of `db` away, as a replica that went down: on Postgres it stops taking
/// connections and its sessions end (the service's workers have pools of their own on it); on
/// SQLite the service shares `db`'s pool, which closes.
async fn lose(db: DatabaseConnection) {
    if db.get_database_backend() == DbBackend::Postgres {
        let options = db.get_postgres_connection_pool().connect_options();
        let name = options.get_database().unwrap().to_owned();
        // A database cannot turn away connections while the statement comes through one of them.
        let admin = connect(&std::env::var("TEST_DATABASE_URL").unwrap()).await;
        for sql in [
            format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false"),
            format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            ),
        ] {
            admin.execute_unprepared(&sql).await.unwrap();
        }
        admin.close().await.unwrap();
    }
    db.close().await.unwrap();
}

fn slugs(page: &Value) -> Vec<&str> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn reads_come_from_the_replica_while_a_create_answers_from_the_primary() {
    let (app, replica) = spawn_split_app().await;

    let response = app
        .post_json("/v1/articles", &small_article("written-to-primary"))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    // The answer reads back what was just written, with its nested parts: from the primary.
    assert_eq!(created["slug"], "written-to-primary");
    assert_eq!(created["sections"].as_array().unwrap().len(), 2);
    assert_eq!(created["quotes"].as_array().unwrap().len(), 1);
    assert_eq!(created["quotes"][0]["speaker"]["name"], "Jane Doe");
    assert_eq!(created["entities"].as_array().unwrap().len(), 1);

    put_article(&replica, "only-on-replica").await;
    assert_eq!(
        app.count_rows("articles").await,
        1,
        "the primary has its own"
    );

    // Every read-only route reads the replica: it knows only its own article.
    let list = app.get_json("/v1/articles").await;
    assert_eq!(slugs(&list), ["only-on-replica"]);
    let article = app
        .get_json("/v1/articles/only-on-replica?include=sections,quotes,entities")
        .await;
    assert_eq!(article["sections"].as_array().unwrap().len(), 2);
    assert_eq!(article["quotes"].as_array().unwrap().len(), 1);
    assert_eq!(article["entities"].as_array().unwrap().len(), 1);
    for path in [
        "/v1/articles/written-to-primary",
        "/v1/articles/written-to-primary/sections",
        "/v1/articles/written-to-primary/quotes",
        "/v1/articles/written-to-primary/entities",
    ] {
        assert_problem(app.get(path).await, StatusCode::NOT_FOUND, "not-found", &[]).await;
    }
    let quotes = app.get_json("/v1/quotes").await;
    let quote_articles: Vec<&Value> = quotes["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| &q["article_id"])
        .collect();
    assert_eq!(quote_articles, [&article["id"]]);
    let overview = app.get_json("/v1/stats/overview").await;
    assert_eq!(overview["articles"], 1, "{overview}");
    // The change feed too: the replica's own create, not the primary's.
    let changes = app.get_json("/v1/changes").await;
    let changed: Vec<&Value> = changes["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["resource"] == "article")
        .map(|c| &c["id"])
        .collect();
    assert_eq!(changed, [&article["id"]], "{changes}");
}

#[tokio::test]
async fn writes_check_if_match_and_keys_on_the_primary_whatever_the_replica_holds() {
    let (app, replica) = spawn_split_app().await;
    let response = app
        .post_json("/v1/articles", &small_article("written-to-primary"))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);

    // The article is not on the replica, yet changes find it, and `If-Match` is checked against
    // its version on the primary: the reads before a write, and its answer, are the primary's.
    let patch = |tag: Option<String>, headline: &str| {
        let mut request = app
            .write(Method::PATCH, "/v1/articles/written-to-primary")
            .header("content-type", "application/merge-patch+json")
            .body(json!({ "headline": headline }).to_string());
        if let Some(tag) = tag {
            request = request.header("if-match", tag);
        }
        request.send()
    };
    let response = patch(None, "Minister stays after all").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let first = etag(&response);
    let patched: Value = response.json().await.unwrap();
    assert_eq!(patched["headline"], "Minister stays after all");
    assert_eq!(patched["version"], 2, "{patched}");

    let response = patch(Some(first.clone()), "Minister stays, for now")
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let patched: Value = response.json().await.unwrap();
    assert_eq!(patched["headline"], "Minister stays, for now");
    let response = patch(Some(first), "A stale change").await.unwrap();
    assert_problem(
        response,
        StatusCode::PRECONDITION_FAILED,
        "precondition-failed",
        &[],
    )
    .await;

    // A key the replica knows but the primary does not is no key: keys are looked up on the
    // primary, so one revoked there stops working at once, whatever the replica's lag.
    let replica_only = keys::create(&replica, "replica only", Scope::Admin)
        .await
        .unwrap();
    let response = app
        .request(Method::DELETE, "/v1/articles/written-to-primary")
        .bearer_auth(&replica_only.secret)
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::UNAUTHORIZED, "unauthorized", &[]).await;
    assert_eq!(app.count_rows("articles").await, 1);
}

#[tokio::test]
async fn readiness_and_metrics_cover_the_replica_and_a_lost_replica_is_not_ready() {
    let (app, replica) = spawn_split_app().await;

    let response = app.get("/health/ready").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": "ok"})
    );

    let (samples, _) = parse_scrape(&scrape(&app).await);
    for pool in ["primary", "replica"] {
        let max = value(
            &samples,
            "newsmeta_db_pool_max_connections",
            &[("pool", pool)],
        );
        assert_eq!(max, 5.0, "the {pool} test pool's size");
        let open: f64 = ["in_use", "idle"]
            .iter()
            .map(|state| {
                value(
                    &samples,
                    "newsmeta_db_pool_connections",
                    &[("pool", pool), ("state", state)],
                )
            })
            .sum();
        assert!((1.0..=max).contains(&open), "{pool}: {open}");
    }

    lose(replica).await;
    let response = app.get("/health/ready").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": "unavailable"})
    );
    // The liveness probe does not depend on it.
    assert_eq!(app.get("/health/live").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_change_cursor_the_replica_has_not_reached_is_an_empty_page_not_an_error() {
    let (app, replica) = spawn_split_app().await;
    for slug in ["first", "second"] {
        app.create_small(slug).await;
    }
    put_article(&replica, "only-on-replica").await;
    let primary_head: i64 = app.count_rows("changes").await;
    let replica_head = app.get_json("/v1/changes?since=latest").await["next_cursor"]
        .as_str()
        .unwrap()
        .parse::<i64>()
        .unwrap();
    assert!(replica_head < primary_head, "{replica_head} {primary_head}");

    // A cursor another instance got from a replica further on: nothing new here yet, and the
    // poller keeps its place.
    let ahead = primary_head.to_string();
    let page = app.get_json(&format!("/v1/changes?since={ahead}")).await;
    assert_eq!(
        page,
        json!({"data": [], "next_cursor": ahead, "has_more": false})
    );
    // Ahead of the primary too, it is no cursor of this feed.
    let response = app
        .get(&format!("/v1/changes?since={}", primary_head + 1))
        .await;
    assert_problem(response, StatusCode::BAD_REQUEST, "bad-request", &["since"]).await;
}
