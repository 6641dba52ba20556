//! What contract fuzzing (tests/contract/schemathesis.sh) found, kept as plain tests: input the
//! document does not allow is refused with the documented problem — never a 500 — and the
//! document's links lead from each create to what can be done with the result.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{assert_problem, etag, spawn_app};

#[tokio::test]
async fn a_nul_character_in_a_body_is_a_422_naming_each_member_that_holds_one() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/v1/entities",
            &json!({"name": "Jane\u{0}Doe", "kind": "person", "aliases": ["ok", "J\u{0}D"]}),
        )
        .await;
    let body = assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["name", "aliases[1]"],
    )
    .await;
    assert_eq!(body["errors"].as_array().unwrap().len(), 2, "{body}");

    let mut article = crate::helpers::small_article("nul-in-the-body");
    article["sections"][1]["heading"] = json!("Disputed\u{0}Targets");
    let response = app.post_json("/v1/articles", &article).await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["sections[1].heading"],
    )
    .await;
    assert_eq!(app.count_rows("entities").await, 0);
    assert_eq!(app.count_rows("articles").await, 0);
}

#[tokio::test]
async fn a_nul_character_in_a_query_parameter_is_a_400() {
    let app = spawn_app().await;
    for path in [
        "/v1/articles?q=minister%00",
        "/v1/articles?category=poli%00tics",
        "/v1/quotes?speaker=jane%00doe",
        "/v1/entities?q=%00",
    ] {
        let response = app.get(path).await;
        let field = path.split(['?', '=']).nth(1).unwrap();
        assert_problem(response, StatusCode::BAD_REQUEST, "bad-request", &[field]).await;
    }
}

#[tokio::test]
async fn a_nul_character_in_a_path_names_nothing_and_is_a_404() {
    let app = spawn_app().await;
    app.create_small("jane").await;
    for path in [
        "/v1/articles/ja%00ne",
        "/v1/articles/ja%00ne/sections",
        "/v1/entities/jane%00doe",
        "/v1/entities/jane%00doe/quotes",
    ] {
        assert_problem(app.get(path).await, StatusCode::NOT_FOUND, "not-found", &[]).await;
    }
    let response = app
        .write(Method::DELETE, "/v1/entities/jane%00doe")
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::NOT_FOUND, "not-found", &[]).await;
    assert_eq!(app.count_rows("entities").await, 1);
}

#[tokio::test]
async fn a_boolean_parameter_takes_exactly_true_or_false() {
    let app = spawn_app().await;
    app.create_small("jane").await;
    for path in [
        "/v1/articles?count=",
        "/v1/articles?count=1",
        "/v1/quotes?q=plan&highlight=",
        "/v1/entities?count=yes",
    ] {
        let field = if path.contains("highlight") {
            "highlight"
        } else {
            "count"
        };
        assert_problem(
            app.get(path).await,
            StatusCode::BAD_REQUEST,
            "bad-request",
            &[field],
        )
        .await;
    }
    let page = app.get_json("/v1/articles?count=true").await;
    assert_eq!(page["total"], 1, "{page}");
    let page = app.get_json("/v1/quotes?q=plan&highlight=false").await;
    assert!(page["data"][0].get("highlights").is_none(), "{page}");
}

/// Follows the document's links the way a client (or the fuzzer) does: each value comes from
/// where the link says, and every call it leads to succeeds.
/// Follows the document's links the way a client (or the fuzzer) does: each value comes from
/// where the link says, and every call it leads to succeeds — the ETag of a created entity is
/// the one its If-Match wants.
#[tokio::test]
async fn the_links_from_creating_an_entity_lead_to_getting_patching_and_deleting_it() {
    let app = spawn_app().await;
    let doc = serde_json::to_value(newsmeta::app::openapi()).unwrap();
    let links = &doc["paths"]["/v1/entities"]["post"]["responses"]["201"]["links"];
    assert_eq!(links["GetEntity"]["operationId"], "get_entity");
    assert_eq!(
        links["GetEntity"]["parameters"]["entity"],
        "$response.body#/id"
    );
    for name in ["PatchEntity", "DeleteEntity"] {
        assert_eq!(
            links[name]["parameters"]["header.If-Match"],
            "$response.header.ETag"
        );
    }
    // An article's create answers it with its parts, whose ETag If-Match would refuse.
    let links = &doc["paths"]["/v1/articles"]["post"]["responses"]["201"]["links"];
    assert_eq!(
        links["PatchArticle"]["parameters"]["article"],
        "$response.body#/id"
    );
    assert!(links["PatchArticle"]["parameters"]
        .get("header.If-Match")
        .is_none());

    let response = app
        .post_json(
            "/v1/entities",
            &json!({"name": "Jane Doe", "kind": "person"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let if_match = etag(&response);
    let created: serde_json::Value = response.json().await.unwrap();
    let id = created["id"].as_str().unwrap();

    app.get_json(&format!("/v1/entities/{id}")).await;
    let patched = app
        .write(Method::PATCH, &format!("/v1/entities/{id}"))
        .header("If-Match", &if_match)
        .header("Content-Type", "application/merge-patch+json")
        .body(r#"{"description": "Housing minister"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    let if_match = etag(&patched);
    let deleted = app
        .write(Method::DELETE, &format!("/v1/entities/{id}"))
        .header("If-Match", &if_match)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
}

#[test]
fn every_link_names_an_operation_and_its_parameters() {
    let doc = serde_json::to_value(newsmeta::app::openapi()).unwrap();
    let mut operations = std::collections::HashMap::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            if let Some(id) = operation["operationId"].as_str() {
                operations.insert(id.to_owned(), operation.clone());
            }
        }
    }
    let mut count = 0;
    for item in doc["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            let Some(responses) = operation["responses"].as_object() else {
                continue;
            };
            for response in responses.values() {
                let Some(links) = response["links"].as_object() else {
                    continue;
                };
                for (name, link) in links {
                    count += 1;
                    let target = &operations[link["operationId"].as_str().unwrap()];
                    for parameter in link["parameters"].as_object().unwrap().keys() {
                        let (place, parameter) = parameter
                            .split_once('.')
                            .unwrap_or(("path", parameter.as_str()));
                        let declared = target["parameters"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|p| p["name"] == parameter && p["in"] == place);
                        assert!(declared, "link {name}: no {place} parameter `{parameter}`");
                    }
                }
            }
        }
    }
    // Article, section, quote, entity and mention creates each lead somewhere.
    assert!(count >= 20, "only {count} links");
}
