//! The OpenAPI document is the contract: generated from the code, committed, and served.

use reqwest::StatusCode;

use crate::helpers::spawn_app;

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");

fn generated() -> String {
    let mut text = serde_json::to_string_pretty(&newsmeta::app::openapi()).unwrap();
    text.push('\n');
    text
}

#[test]
fn the_committed_openapi_document_matches_the_code() {
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(COMMITTED, generated()).unwrap();
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == generated(),
        "openapi/openapi.json differs from what the code generates; run \
         `UPDATE_OPENAPI=1 cargo test openapi` (or `cargo run -- openapi > openapi/openapi.json`) and commit it"
    );
}

#[test]
fn every_operation_documents_its_responses_with_descriptions() {
    let doc = serde_json::to_value(newsmeta::app::openapi()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 16, "only {} paths", paths.len());
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            assert!(
                !responses.is_empty(),
                "{method} {path} documents no response"
            );
            for (status, response) in responses {
                let described = response.get("description").is_some_and(|d| d.is_string())
                    || response.get("$ref").is_some();
                assert!(described, "{method} {path} {status} has no description");
            }
            // A POST that only reads (`/v1/extract`) declares the key optional: open, or any key.
            let key_optional = operation["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r == &serde_json::json!({})));
            if key_optional {
                assert!(responses.contains_key("401"), "{method} {path}");
            } else if method != "get" && path.starts_with("/v1/") {
                assert_eq!(
                    operation["security"][0]["api_key"],
                    serde_json::json!([]),
                    "{method} {path} declares no key"
                );
                assert!(
                    responses.contains_key("401") && responses.contains_key("403"),
                    "{method} {path}"
                );
            }
        }
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["api_key"]["scheme"],
        "bearer"
    );
}

#[tokio::test]
async fn the_service_serves_its_openapi_document_and_swagger_ui() {
    let app = spawn_app().await;
    let served: serde_json::Value = app.get_json("/openapi.json").await;
    assert_eq!(
        served,
        serde_json::to_value(newsmeta::app::openapi()).unwrap()
    );

    let ui = app.get("/swagger-ui/").await;
    assert_eq!(ui.status(), StatusCode::OK);
    assert!(ui.text().await.unwrap().contains("swagger-ui"));

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let bare = client.get(app.url("/swagger-ui")).send().await.unwrap();
    assert!(bare.status().is_redirection());
    assert_eq!(bare.headers()["location"], "/swagger-ui/");
}
