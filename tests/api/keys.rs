//! API keys and the auth settings, the `newsmeta` command line (keys, migrate, seed, openapi),
//! and the health probes.

// Helpers outside `#[tokio::test]` functions fail a test loudly too; clippy only exempts the tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Output;

use newsmeta::store::keys::{self, Scope};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{
    assert_problem, fresh_test_database, spawn_app, spawn_app_on, spawn_app_with, TestApp,
};

const SEEDS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");

/// Runs the real `newsmeta` binary with `args` against the database at `database_url`.
async fn newsmeta(database_url: &str, args: &[&str]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_newsmeta"));
    command
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("SEEDS_DIR", SEEDS_DIR)
        .env("RUST_LOG", "warn");
    // Off the test's runtime: the service a test started may be serving on it.
    tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the command's thread panicked")
        .expect("cannot run newsmeta")
}

/// The standard output of a run that must succeed.
fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "newsmeta failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("stdout is not UTF-8")
}

/// Makes a key with `keys create` and answers it (the last line of the output).
async fn create_key_with_the_cli(database_url: &str, name: &str, scope: &str) -> String {
    let output = newsmeta(
        database_url,
        &["keys", "create", "--name", name, "--scope", scope],
    )
    .await;
    let stdout = succeeded(&output);
    stdout
        .lines()
        .last()
        .expect("keys create printed nothing")
        .to_owned()
}

async fn create_entity_with(app: &TestApp, key: &str, name: &str) -> reqwest::Response {
    app.request(Method::POST, "/v1/entities")
        .bearer_auth(key)
        .json(&json!({"name": name, "kind": "person"}))
        .send()
        .await
        .unwrap()
}

// --- keys over HTTP ----------------------------------------------------------------------------

#[tokio::test]
async fn a_revoked_key_is_refused_at_once() {
    let app = spawn_app().await;
    let key = keys::create(&app.db, "to revoke", Scope::Write)
        .await
        .unwrap();
    assert_eq!(
        create_entity_with(&app, &key.secret, "Before Revoking")
            .await
            .status(),
        StatusCode::CREATED
    );
    keys::revoke(&app.db, &key.record.prefix).await.unwrap();

    let response = create_entity_with(&app, &key.secret, "After Revoking").await;
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_problem(response, StatusCode::UNAUTHORIZED, "unauthorized", &[]).await;
    assert_problem(
        app.get("/v1/entities/after-revoking").await,
        StatusCode::NOT_FOUND,
        "not-found",
        &[],
    )
    .await;
    // Other keys keep working.
    assert_eq!(
        create_entity_with(&app, &app.write_key, "Another Writer")
            .await
            .status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn a_key_is_revoked_by_its_id_as_well_as_by_its_prefix() {
    let app = spawn_app().await;
    let key = keys::create(&app.db, "by id", Scope::Admin).await.unwrap();
    let revoked = keys::revoke(&app.db, &key.record.id.to_string())
        .await
        .unwrap();
    assert!(revoked.revoked_at.is_some());
    let response = create_entity_with(&app, &key.secret, "Nobody").await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "unauthorized", &[]).await;
}

#[tokio::test]
async fn a_garbage_or_unknown_bearer_key_is_a_401_asking_for_a_bearer_key() {
    let app = spawn_app().await;
    // The write key with its last character changed: the right prefix, the wrong secret.
    let mut tampered = app.write_key.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    for key in [
        "garbage".to_owned(),
        "nm_".to_owned(),
        "nm_0000000000000000000000000000000000000000000".to_owned(),
        "nm_ünïcödé-key-that-is-long-enough".to_owned(),
        tampered,
    ] {
        let response = app
            .request(Method::POST, "/v1/entities")
            .header("authorization", format!("Bearer {key}"))
            .json(&json!({"name": "Nobody", "kind": "person"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["www-authenticate"], "Bearer", "{key}");
        assert_problem(response, StatusCode::UNAUTHORIZED, "unauthorized", &[]).await;
    }
    let basic = app
        .request(Method::POST, "/v1/entities")
        .basic_auth("user", Some("password"))
        .json(&json!({"name": "Nobody", "kind": "person"}))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.headers()["www-authenticate"], "Bearer");
    assert_problem(basic, StatusCode::UNAUTHORIZED, "unauthorized", &[]).await;
    assert_eq!(app.count_rows("entities").await, 0);
}

#[tokio::test]
async fn an_admin_key_may_write_and_a_read_key_may_not() {
    let app = spawn_app().await;
    let admin = keys::create(&app.db, "admin", Scope::Admin).await.unwrap();
    assert_eq!(
        create_entity_with(&app, &admin.secret, "Admin Made")
            .await
            .status(),
        StatusCode::CREATED
    );
    let response = create_entity_with(&app, &app.read_key, "Reader Made").await;
    let problem = assert_problem(response, StatusCode::FORBIDDEN, "forbidden", &[]).await;
    assert!(problem["detail"].as_str().unwrap().contains("`read`"));
}

#[tokio::test]
async fn a_key_records_when_it_was_last_used() {
    let app = spawn_app().await;
    let key = keys::create(&app.db, "usage", Scope::Write).await.unwrap();
    assert!(key.record.last_used_at.is_none());
    create_entity_with(&app, &key.secret, "Someone").await;
    let stored = keys::list(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.id == key.record.id)
        .unwrap();
    assert!(stored.last_used_at.is_some());
    // Only the hash is stored.
    assert_ne!(stored.hash, key.secret);
    assert!(!stored.hash.contains(&key.secret[3..]));
}

#[tokio::test]
async fn with_reads_requiring_a_key_a_read_without_one_is_a_401() {
    let app = spawn_app_with(true).await;
    for path in [
        "/v1/articles",
        "/v1/quotes",
        "/v1/entities",
        "/v1/entities/donald-trump",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.headers()["www-authenticate"], "Bearer", "{path}");
        assert_problem(response, StatusCode::UNAUTHORIZED, "unauthorized", &[]).await;
    }
    let garbage = app
        .request(Method::GET, "/v1/articles")
        .bearer_auth("garbage")
        .send()
        .await
        .unwrap();
    assert_problem(garbage, StatusCode::UNAUTHORIZED, "unauthorized", &[]).await;
}

#[tokio::test]
async fn with_reads_requiring_a_key_any_valid_key_may_read() {
    let app = spawn_app_with(true).await;
    app.create_seed().await;
    for key in [&app.read_key, &app.write_key] {
        let response = app
            .request(Method::GET, "/v1/entities/donald-trump/quotes?count=true")
            .bearer_auth(key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let page: Value = response.json().await.unwrap();
        assert_eq!(page["total"], 2);
    }
    // The probes and the contract stay open.
    assert_eq!(app.get("/health/live").await.status(), StatusCode::OK);
    assert_eq!(app.get("/health/ready").await.status(), StatusCode::OK);
    assert_eq!(app.get("/openapi.json").await.status(), StatusCode::OK);
}

// --- the command line --------------------------------------------------------------------------

#[tokio::test]
async fn a_key_made_with_the_cli_is_printed_last_and_can_write() {
    let database = fresh_test_database().await;
    let output = newsmeta(
        &database.url,
        &["keys", "create", "--name", "ci", "--scope", "write"],
    )
    .await;
    let stdout = succeeded(&output);
    let key = stdout.lines().last().unwrap().to_owned();
    assert!(key.starts_with("nm_") && key.len() == 46, "{stdout}");
    assert!(stdout.contains("created write key `ci`"), "{stdout}");

    let app = spawn_app_on(database).await;
    let response = create_entity_with(&app, &key, "Made By CI").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        app.get_json("/v1/entities/made-by-ci").await["name"],
        "Made By CI"
    );
}

#[tokio::test]
async fn a_read_key_made_with_the_cli_cannot_write() {
    let database = fresh_test_database().await;
    let key = create_key_with_the_cli(&database.url, "dashboard", "read").await;
    let app = spawn_app_on(database).await;
    let response = create_entity_with(&app, &key, "Nobody").await;
    assert_problem(response, StatusCode::FORBIDDEN, "forbidden", &[]).await;
}

#[tokio::test]
async fn listing_keys_with_the_cli_shows_prefixes_and_scopes_but_never_a_key() {
    let database = fresh_test_database().await;
    let ci = create_key_with_the_cli(&database.url, "ci", "write").await;
    let dashboard = create_key_with_the_cli(&database.url, "dashboard", "read").await;
    let stdout = succeeded(&newsmeta(&database.url, &["keys", "list"]).await);

    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines[0].contains("prefix") && lines[0].contains("scope"),
        "{stdout}"
    );
    for (line, key, scope, name) in [
        (lines[1], &ci, "write", "ci"),
        (lines[2], &dashboard, "read", "dashboard"),
    ] {
        let columns: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(columns[1], &key[..11], "{line}");
        assert_eq!(columns[2], scope, "{line}");
        assert_eq!(columns.last(), Some(&name), "{line}");
        assert!(
            !stdout.contains(key.as_str()),
            "the key itself is listed: {stdout}"
        );
        assert!(
            !stdout.contains(&key[11..]),
            "part of the secret is listed: {stdout}"
        );
    }
}

#[tokio::test]
async fn a_key_revoked_with_the_cli_is_refused_at_once() {
    let database = fresh_test_database().await;
    let url = database.url.clone();
    let key = create_key_with_the_cli(&url, "ci", "write").await;
    let app = spawn_app_on(database).await;
    assert_eq!(
        create_entity_with(&app, &key, "Before Revoking")
            .await
            .status(),
        StatusCode::CREATED
    );

    let stdout = succeeded(&newsmeta(&url, &["keys", "revoke", &key[..11]]).await);
    assert!(
        stdout.contains(&format!("revoked key {}", &key[..11])),
        "{stdout}"
    );
    let response = create_entity_with(&app, &key, "After Revoking").await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "unauthorized", &[]).await;

    let listed = succeeded(&newsmeta(&url, &["keys", "list"]).await);
    let line = listed
        .lines()
        .find(|l| l.contains(&key[..11]))
        .expect("the revoked key is not listed");
    let columns: Vec<&str> = line.split_whitespace().collect();
    // id, prefix, scope, created (date and time), revoked (date and time, or `-`), name
    assert_eq!(columns.len(), 8, "not shown as revoked: {line}");
    assert_eq!(columns[5].len(), "2026-11-27".len(), "{line}");
}

#[tokio::test]
async fn revoking_an_unknown_key_with_the_cli_fails() {
    let database = fresh_test_database().await;
    let output = newsmeta(&database.url, &["keys", "revoke", "nm_nothere"]).await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("nm_nothere"), "{stderr}");
}

#[tokio::test]
async fn making_a_key_with_an_unknown_scope_fails() {
    let database = fresh_test_database().await;
    let output = newsmeta(
        &database.url,
        &["keys", "create", "--name", "ci", "--scope", "root"],
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
}

#[tokio::test]
async fn migrating_twice_succeeds_both_times() {
    let database = fresh_test_database().await;
    let url = database.url.clone();
    for _ in 0..2 {
        let stdout = succeeded(&newsmeta(&url, &["migrate"]).await);
        assert_eq!(stdout.trim(), "database is up to date");
    }
    // The schema is there: the service runs on it and it is empty.
    let app = spawn_app_on(database).await;
    assert_eq!(app.count_rows("articles").await, 0);
    assert_eq!(app.count_rows("entities").await, 0);
}

#[tokio::test]
async fn seeding_twice_stores_the_seed_once() {
    let database = fresh_test_database().await;
    let url = database.url.clone();
    let first = succeeded(&newsmeta(&url, &["seed"]).await);
    assert_eq!(first.trim(), "seeded 1 article(s), 0 already present");

    let app = spawn_app_on(database).await;
    let counts = app.content_counts().await;
    let numbers: Vec<i64> = counts.iter().map(|(_, n)| *n).collect();
    assert_eq!(numbers[..4], [1, 4, 9, 13]);
    assert_eq!(numbers[5..], [13, 4]);
    let article = app
        .get_json("/v1/articles/us-officials-condemn-uk-immigration-approach")
        .await;

    let second = succeeded(&newsmeta(&url, &["seed"]).await);
    assert_eq!(second.trim(), "seeded 0 article(s), 1 already present");
    assert_eq!(app.content_counts().await, counts);
    assert_eq!(
        app.get_json("/v1/articles/us-officials-condemn-uk-immigration-approach")
            .await,
        article
    );
}

#[tokio::test]
async fn the_cli_prints_the_openapi_document_the_service_serves() {
    let database = fresh_test_database().await;
    let stdout = succeeded(&newsmeta(&database.url, &["openapi"]).await);
    let printed: Value = serde_json::from_str(&stdout).expect("openapi printed no JSON");
    assert_eq!(
        printed,
        serde_json::to_value(newsmeta::app::openapi()).unwrap()
    );
}

// --- health --------------------------------------------------------------------------------------

#[tokio::test]
async fn the_liveness_probe_answers_ok() {
    let app = spawn_app().await;
    let response = app.get("/health/live").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": "ok"})
    );
}

#[tokio::test]
async fn the_readiness_probe_answers_ok_when_the_database_answers() {
    let app = spawn_app().await;
    let response = app.get("/health/ready").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": "ok"})
    );
}

#[tokio::test]
async fn an_unknown_route_is_a_404_problem() {
    let app = spawn_app().await;
    for path in ["/v1/nothing-here", "/v2/articles", "/health"] {
        let problem =
            assert_problem(app.get(path).await, StatusCode::NOT_FOUND, "not-found", &[]).await;
        assert_eq!(problem["instance"], path);
    }
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = spawn_app().await;
    for (n, scheme) in ["Bearer", "bearer", "BEARER"].into_iter().enumerate() {
        let response = app
            .request(Method::POST, "/v1/entities")
            .header("authorization", format!("{scheme} {}", app.write_key))
            .json(&json!({"name": format!("Written {n}"), "kind": "other"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "{scheme}");
    }
}
