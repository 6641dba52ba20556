//! Who may do what, checked against the contract rather than a hand-kept list: every operation the
//! OpenAPI document declares is sent without a key, with a garbage key, with a read key and with a
//! revoked key, on real resources (so a missing check would change something, not answer 404),
//! and nothing it refuses may touch the database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, spawn_app_with, TestApp};

/// How an operation's `security` reads.
#[derive(Debug, PartialEq)]
enum Access {
    /// No security requirement: anyone, always (the health probes).
    Open,
    /// `[{}, {api_key: []}]`: open unless the service is run with `READS_REQUIRE_KEY`.
    Read,
    /// `[{api_key: []}]`: a key with the `write` scope.
    Write,
}

struct Operation {
    method: Method,
    /// The path template, `{article}` and so on filled in.
    path: String,
    template: String,
    access: Access,
}

fn access(operation: &Value) -> Access {
    match operation.get("security").and_then(Value::as_array) {
        None => Access::Open,
        Some(alternatives) if alternatives.iter().any(|a| a == &json!({})) => Access::Read,
        Some(alternatives) => {
            assert!(
                alternatives.iter().all(|a| a.get("api_key").is_some()),
                "unknown security requirement {alternatives:?}"
            );
            Access::Write
        }
    }
}

/// Real identifiers to fill path templates with, from the seed article.
struct Resources {
    article: String,
    entity: String,
    section: String,
    quote: String,
}

impl Resources {
    fn fill(&self, template: &str) -> String {
        let id = if template.starts_with("/v1/quotes/") {
            &self.quote
        } else {
            &self.section
        };
        template
            .replace("{article}", &self.article)
            .replace("{entity}", &self.entity)
            .replace("{id}", id)
    }
}

/// Every operation of the document the service serves, with its path filled in.
async fn operations(app: &TestApp, resources: &Resources) -> Vec<Operation> {
    let document = app.get_json("/openapi.json").await;
    let mut operations = Vec::new();
    for (template, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Ok(method) = method.to_ascii_uppercase().parse::<Method>() else {
                continue;
            };
            let path = resources.fill(template);
            assert!(
                !path.contains('{'),
                "{template}: a path parameter this test cannot fill; teach Resources::fill about it"
            );
            operations.push(Operation {
                method,
                path,
                template: template.clone(),
                access: access(operation),
            });
        }
    }
    operations
}

async fn seeded(app: &TestApp) -> Resources {
    let created = app.create_seed().await;
    let slug = created["slug"].as_str().unwrap();
    let article: Value = app
        .request(
            Method::GET,
            &format!("/v1/articles/{slug}?include=sections,quotes,entities"),
        )
        .bearer_auth(&app.read_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Resources {
        article: article["id"].as_str().unwrap().to_owned(),
        entity: article["entities"][0]["entity"]["slug"]
            .as_str()
            .unwrap()
            .to_owned(),
        section: article["sections"][0]["id"].as_str().unwrap().to_owned(),
        quote: article["quotes"][0]["id"].as_str().unwrap().to_owned(),
    }
}

/// Row counts of every table a write could touch, and of the change feed.
async fn footprint(app: &TestApp) -> Vec<(&'static str, i64)> {
    let mut counts = app.content_counts().await;
    counts.push(("changes", app.count_rows("changes").await));
    counts
}

async fn send(app: &TestApp, operation: &Operation, key: Option<&str>) -> reqwest::Response {
    let mut request = app.request(operation.method.clone(), &operation.path);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    // A body that would pass where one is needed, so that only the key can stop the request.
    if operation.method != Method::GET && operation.method != Method::DELETE {
        request = request.json(&json!({}));
    }
    request.send().await.expect("request failed")
}

#[tokio::test]
async fn every_write_operation_refuses_a_missing_garbage_read_or_revoked_key_and_changes_nothing() {
    let app = spawn_app().await;
    let resources = seeded(&app).await;
    let revoked = newsmeta::store::keys::create(
        &app.db,
        "revoked before use",
        newsmeta::store::keys::Scope::Admin,
    )
    .await
    .unwrap();
    newsmeta::store::keys::revoke(&app.db, &revoked.record.prefix)
        .await
        .unwrap();
    let before = footprint(&app).await;

    let writes: Vec<Operation> = operations(&app, &resources)
        .await
        .into_iter()
        .filter(|o| o.access == Access::Write)
        .collect();
    // Every method that changes something needs a write key, and the walk covers them all.
    let all = operations(&app, &resources).await;
    for operation in &all {
        let changes = !matches!(operation.method, Method::GET | Method::HEAD);
        let pure = operation.template == "/v1/extract";
        assert!(
            !changes || pure || operation.access == Access::Write,
            "{} {} changes data but does not declare the api_key requirement",
            operation.method,
            operation.template
        );
    }
    assert!(
        writes.len() >= 15,
        "only {} write operations found",
        writes.len()
    );

    for operation in &writes {
        let what = format!("{} {}", operation.method, operation.template);
        let anonymous = send(&app, operation, None).await;
        assert_eq!(
            anonymous
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok()),
            Some("Bearer"),
            "{what} without a key"
        );
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "{what}");
        assert_problem(anonymous, StatusCode::UNAUTHORIZED, "unauthorized", &[]).await;

        for key in ["nm_this-is-not-a-key", "garbage", revoked.secret.as_str()] {
            let refused = send(&app, operation, Some(key)).await;
            assert_eq!(
                refused.status(),
                StatusCode::UNAUTHORIZED,
                "{what} with {key}"
            );
        }

        let read_only = send(&app, operation, Some(&app.read_key)).await;
        assert_eq!(
            read_only.status(),
            StatusCode::FORBIDDEN,
            "{what} with a read key"
        );
        assert_problem(read_only, StatusCode::FORBIDDEN, "forbidden", &[]).await;
    }
    assert_eq!(
        footprint(&app).await,
        before,
        "a refused request changed the database"
    );
}

#[tokio::test]
async fn with_reads_requiring_a_key_every_api_operation_refuses_a_request_without_one() {
    let app = spawn_app_with(true).await;
    let resources = seeded(&app).await;
    let mut checked = 0;
    for operation in operations(&app, &resources).await {
        let what = format!("{} {}", operation.method, operation.template);
        let anonymous = send(&app, &operation, None).await;
        if !operation.template.starts_with("/v1/") {
            // The probes, and `/metrics` (which has a setting of its own, METRICS_REQUIRE_KEY).
            assert!(anonymous.status().is_success(), "{what}: open probe");
            continue;
        }
        assert_ne!(
            operation.access,
            Access::Open,
            "{what} declares no key although reads need one"
        );
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "{what}");
        let revoked_or_garbage = send(&app, &operation, Some("nm_AAAAAAAAAAAAAAAA")).await;
        assert_eq!(
            revoked_or_garbage.status(),
            StatusCode::UNAUTHORIZED,
            "{what} with a garbage key"
        );
        if operation.access == Access::Read {
            let keyed = send(&app, &operation, Some(&app.read_key)).await;
            assert!(
                ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&keyed.status()),
                "{what} refused a read key: {}",
                keyed.status()
            );
        }
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} operations checked");
}
