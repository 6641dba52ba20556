//! HTTP caching, CORS and compression: what browsers and caches in front of the service see.

// Helpers outside `#[tokio::test]` functions fail a test loudly too; clippy only exempts the tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;

use newsmeta::config::AllowedOrigins;
use reqwest::{Method, Response, StatusCode};
use serde_json::Value;

use crate::helpers::{
    assert_problem, etag, spawn_app, spawn_app_configured, spawn_app_with, TestApp,
};

const SEED: &str = "us-officials-condemn-uk-immigration-approach";
const DASHBOARD: &str = "https://dash.example.com";

fn header<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Every value of a header, each comma-separated list split, lowercased.
fn header_values(response: &Response, name: &str) -> Vec<String> {
    response
        .headers()
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| !v.is_empty())
        .collect()
}

async fn dashboard_app() -> TestApp {
    spawn_app_configured(|state| {
        state.cors = AllowedOrigins::parse(&format!("{DASHBOARD}, http://localhost:3000")).unwrap();
    })
    .await
}

// --- Cache-Control and conditional requests ----------------------------------------------------

#[tokio::test]
async fn a_list_is_cacheable_and_revalidates_to_a_304_until_it_changes() {
    let app = spawn_app().await;
    app.create_small("first").await;

    let first = app.get("/v1/articles").await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(
        header(&first, "cache-control"),
        Some("public, max-age=5, must-revalidate")
    );
    let etag = header(&first, "etag").unwrap().to_owned();
    let page: Value = first.json().await.unwrap();
    assert_eq!(page["data"][0]["slug"], "first");

    let unchanged = app
        .request(Method::GET, "/v1/articles")
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&unchanged, "etag"), Some(etag.as_str()));
    assert_eq!(
        header(&unchanged, "cache-control"),
        Some("public, max-age=5, must-revalidate")
    );
    assert!(unchanged.bytes().await.unwrap().is_empty());

    app.create_small("second").await;
    let changed = app
        .request(Method::GET, "/v1/articles")
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(header(&changed, "etag"), Some(etag.as_str()));
    let page: Value = changed.json().await.unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn single_resources_and_nested_lists_carry_cache_control_too() {
    let app = spawn_app().await;
    let seed = app.create_seed().await;
    let quote = seed["quotes"][0]["id"].as_str().unwrap();
    for path in [
        format!("/v1/articles/{SEED}"),
        format!("/v1/articles/{SEED}/quotes"),
        format!("/v1/articles/{SEED}/entities"),
        format!("/v1/quotes/{quote}"),
        "/v1/entities/donald-trump".to_owned(),
        "/v1/entities?sort=-mentions".to_owned(),
        "/v1/quotes?speaker=donald-trump".to_owned(),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            header(&response, "cache-control"),
            Some("public, max-age=5, must-revalidate"),
            "{path}"
        );
        assert!(header(&response, "etag").is_some(), "{path}");
    }
}

#[tokio::test]
async fn the_max_age_is_configurable() {
    let app = spawn_app_configured(|state| state.cache_max_age = 60).await;
    let response = app.get("/v1/entities").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, "cache-control"),
        Some("public, max-age=60, must-revalidate")
    );
}

#[tokio::test]
async fn reads_that_need_a_key_are_cached_privately() {
    let app = spawn_app_with(true).await;
    let response = app
        .request(Method::GET, "/v1/articles")
        .bearer_auth(&app.read_key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, "cache-control"),
        Some("private, max-age=5, must-revalidate")
    );
}

#[tokio::test]
async fn writes_and_errors_carry_no_cache_control() {
    let app = spawn_app().await;
    let created = app
        .post_json("/v1/articles", &crate::helpers::small_article("fresh"))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(header(&created, "cache-control"), None);

    let missing = app.get("/v1/articles/no-such-article").await;
    assert_eq!(header(&missing, "cache-control"), None);
    assert_problem(missing, StatusCode::NOT_FOUND, "not-found", &[]).await;
}

// --- CORS ----------------------------------------------------------------------------------------

#[tokio::test]
async fn without_allowed_origins_no_cors_headers_are_sent() {
    let app = spawn_app().await;
    let response = app
        .request(Method::GET, "/v1/articles")
        .header("Origin", DASHBOARD)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "access-control-allow-origin"), None);
    assert!(!header_values(&response, "vary").contains(&"origin".to_owned()));

    let preflight = app
        .request(Method::OPTIONS, "/v1/articles")
        .header("Origin", DASHBOARD)
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&preflight, "access-control-allow-origin"), None);
    assert_eq!(header(&preflight, "access-control-allow-methods"), None);
    // A plain OPTIONS answer: the methods, and nothing a browser would take as a CORS grant.
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&preflight, "allow"),
        Some("GET, HEAD, POST, OPTIONS")
    );
}

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_is_answered_with_the_methods_and_headers() {
    let app = dashboard_app().await;
    let response = app
        .request(Method::OPTIONS, "/v1/articles/some-article")
        .header("Origin", DASHBOARD)
        .header("Access-Control-Request-Method", "PATCH")
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type,if-match",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some(DASHBOARD)
    );
    assert_eq!(
        header_values(&response, "access-control-allow-methods"),
        ["get", "post", "patch", "put", "delete"]
    );
    assert_eq!(
        header_values(&response, "access-control-allow-headers"),
        [
            "accept",
            "authorization",
            "content-type",
            "if-match",
            "if-none-match"
        ]
    );
    assert_eq!(header(&response, "access-control-max-age"), Some("7200"));
    assert!(header_values(&response, "vary").contains(&"origin".to_owned()));
    assert!(response.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_preflight_from_an_origin_not_allowed_is_refused() {
    let app = dashboard_app().await;
    for origin in [
        "https://evil.example.com",
        "http://dash.example.com",
        "null",
    ] {
        let response = app
            .request(Method::OPTIONS, "/v1/stats/overview")
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .send()
            .await
            .unwrap();
        assert_eq!(
            header(&response, "access-control-allow-origin"),
            None,
            "{origin}"
        );
        assert_eq!(header(&response, "access-control-allow-methods"), None);
        let body = assert_problem(response, StatusCode::FORBIDDEN, "cors-refused", &[]).await;
        assert!(body["detail"].as_str().unwrap().contains(origin), "{body}");
        assert_eq!(body["instance"], "/v1/stats/overview");
    }
}

#[tokio::test]
async fn a_preflight_for_a_method_or_header_not_allowed_is_refused() {
    let app = dashboard_app().await;
    let method = app
        .request(Method::OPTIONS, "/v1/articles")
        .header("Origin", DASHBOARD)
        .header("Access-Control-Request-Method", "TRACE")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&method, "access-control-allow-origin"), None);
    let body = assert_problem(method, StatusCode::FORBIDDEN, "cors-refused", &[]).await;
    assert!(
        body["detail"].as_str().unwrap().contains("`TRACE`"),
        "{body}"
    );

    let custom = app
        .request(Method::OPTIONS, "/v1/articles")
        .header("Origin", DASHBOARD)
        .header("Access-Control-Request-Method", "GET")
        .header(
            "Access-Control-Request-Headers",
            "authorization, x-tracking-id",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(header(&custom, "access-control-allow-origin"), None);
    let body = assert_problem(custom, StatusCode::FORBIDDEN, "cors-refused", &[]).await;
    assert!(
        body["detail"].as_str().unwrap().contains("`x-tracking-id`"),
        "{body}"
    );
}

#[tokio::test]
async fn requests_from_an_allowed_origin_may_read_the_answer_and_its_headers() {
    let app = dashboard_app().await;
    app.create_small("first").await;
    app.create_small("second").await;
    let response = app
        .request(Method::GET, "/v1/articles?limit=1")
        .header("Origin", "http://localhost:3000")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    let exposed = header_values(&response, "access-control-expose-headers");
    let listed: Vec<String> = newsmeta::api::middleware::CORS_EXPOSED_HEADERS
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    assert_eq!(exposed, listed);
    for header in ["etag", "link", "location", "x-request-id"] {
        assert!(
            exposed.iter().any(|h| h == header),
            "{header} in {exposed:?}"
        );
    }
    assert!(header_values(&response, "vary").contains(&"origin".to_owned()));
    assert!(header(&response, "link").is_some());
    let page: Value = response.json().await.unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 1);

    // A write from the page: the key travels in Authorization, the new URL in Location.
    let created = app
        .write(Method::POST, "/v1/articles")
        .header("Origin", DASHBOARD)
        .json(&crate::helpers::small_article("from-the-page"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(
        header(&created, "access-control-allow-origin"),
        Some(DASHBOARD)
    );
    assert!(header(&created, "location").is_some());
}

#[tokio::test]
async fn problems_sent_to_an_allowed_origin_are_readable_by_the_page() {
    let app = dashboard_app().await;
    let response = app
        .request(Method::GET, "/v1/articles?limit=0")
        .header("Origin", DASHBOARD)
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some(DASHBOARD)
    );
    assert_problem(response, StatusCode::BAD_REQUEST, "bad-request", &["limit"]).await;
}

#[tokio::test]
async fn requests_from_other_origins_are_served_without_cors_headers() {
    let app = dashboard_app().await;
    let response = app
        .request(Method::GET, "/v1/articles")
        .header("Origin", "https://evil.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "access-control-allow-origin"), None);
    assert_eq!(header(&response, "access-control-expose-headers"), None);
    assert!(header_values(&response, "vary").contains(&"origin".to_owned()));
    let page: Value = response.json().await.unwrap();
    assert_eq!(page["data"], serde_json::json!([]));
}

#[tokio::test]
async fn a_star_allows_every_origin() {
    let app = spawn_app_configured(|state| state.cors = AllowedOrigins::Any).await;
    let preflight = app
        .request(Method::OPTIONS, "/v1/articles")
        .header("Origin", "https://anyone.example.org")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert_eq!(header(&preflight, "access-control-allow-origin"), Some("*"));

    let response = app
        .request(Method::GET, "/v1/entities")
        .header("Origin", "https://anyone.example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "access-control-allow-origin"), Some("*"));
}

#[test]
fn allowed_origins_are_read_strictly() {
    assert_eq!(AllowedOrigins::parse(""), Ok(AllowedOrigins::None));
    assert_eq!(AllowedOrigins::parse(" * "), Ok(AllowedOrigins::Any));
    assert_eq!(
        AllowedOrigins::parse("https://Dash.Example.com/, http://localhost:3000"),
        Ok(AllowedOrigins::List(vec![
            "https://dash.example.com".to_owned(),
            "http://localhost:3000".to_owned()
        ]))
    );
    for bad in [
        "dash.example.com",
        "https://dash.example.com/app",
        "ftp://files.example.com",
        "*, https://dash.example.com",
    ] {
        assert!(AllowedOrigins::parse(bad).is_err(), "{bad}");
    }
}

// --- compression ---------------------------------------------------------------------------------

async fn get_encoded(app: &TestApp, path: &str, encoding: &str) -> Response {
    app.request(Method::GET, path)
        .header("Accept-Encoding", encoding)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn gzip_and_brotli_answers_decode_to_the_same_json() {
    let app = spawn_app().await;
    app.create_seed().await;
    let path = format!("/v1/articles/{SEED}?include=sections,quotes,entities");

    let plain = app.get(&path).await;
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(header(&plain, "content-encoding"), None);
    let etag = header(&plain, "etag").unwrap().to_owned();
    let plain = plain.bytes().await.unwrap();

    let gzip = get_encoded(&app, &path, "gzip").await;
    assert_eq!(gzip.status(), StatusCode::OK);
    assert_eq!(header(&gzip, "content-encoding"), Some("gzip"));
    assert!(header_values(&gzip, "vary").contains(&"accept-encoding".to_owned()));
    assert_eq!(header(&gzip, "etag"), Some(etag.as_str()));
    let compressed = gzip.bytes().await.unwrap();
    assert!(compressed.len() < plain.len() / 2, "gzip did not shrink it");
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, plain);

    let brotli = get_encoded(&app, &path, "br;q=1.0, gzip;q=0.5").await;
    assert_eq!(brotli.status(), StatusCode::OK);
    assert_eq!(header(&brotli, "content-encoding"), Some("br"));
    assert_eq!(header(&brotli, "etag"), Some(etag.as_str()));
    let compressed = brotli.bytes().await.unwrap();
    assert!(
        compressed.len() < plain.len() / 2,
        "brotli did not shrink it"
    );
    let mut decoded = Vec::new();
    brotli::Decompressor::new(&compressed[..], 4096)
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, plain);

    let json: Value = serde_json::from_slice(&decoded).unwrap();
    assert_eq!(json["slug"], SEED);
    assert_eq!(json["quotes"].as_array().unwrap().len(), 9);
}

#[tokio::test]
async fn a_compressed_problem_is_still_problem_json() {
    let app = spawn_app().await;
    let response = get_encoded(&app, "/v1/articles?limit=1000", "gzip").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        header(&response, "content-type"),
        Some("application/problem+json")
    );
    assert_eq!(header(&response, "content-encoding"), Some("gzip"));
    let bytes = response.bytes().await.unwrap();
    let mut body = Vec::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_end(&mut body)
        .unwrap();
    let problem: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(problem["type"], "/problems/bad-request");
    assert_eq!(problem["instance"], "/v1/articles");
    assert_eq!(problem["errors"][0]["field"], "limit");
}

#[tokio::test]
async fn a_304_stays_empty_when_compression_is_accepted() {
    let app = spawn_app().await;
    app.create_seed().await;
    let path = format!("/v1/articles/{SEED}");
    let etag = header(&app.get(&path).await, "etag").unwrap().to_owned();
    let response = app
        .request(Method::GET, &path)
        .header("Accept-Encoding", "br, gzip")
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&response, "content-encoding"), None);
    assert_eq!(header(&response, "etag"), Some(etag.as_str()));
    assert_eq!(
        header(&response, "cache-control"),
        Some("public, max-age=5, must-revalidate")
    );
    assert!(response.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_accept_encoding_that_rules_out_every_coding_is_a_406_problem() {
    let app = spawn_app().await;
    let response = get_encoded(&app, "/v1/articles", "identity;q=0, zstd").await;
    let body = assert_problem(
        response,
        StatusCode::NOT_ACCEPTABLE,
        "not-acceptable",
        &["Accept-Encoding"],
    )
    .await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("br, gzip, deflate, identity"),
        "{body}"
    );
    assert_eq!(body["instance"], "/v1/articles");
}

#[tokio::test]
async fn head_answers_the_head_of_the_get_without_its_body() {
    let app = spawn_app().await;
    app.create_small("minister-quits").await;
    for path in [
        "/v1/articles",
        "/v1/articles/minister-quits",
        "/v1/stats/overview",
    ] {
        let get = app.get(path).await;
        let tag = etag(&get);
        let length = get.bytes().await.unwrap().len();
        let head = app
            .request(Method::HEAD, path)
            .header("Accept-Encoding", "identity")
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), StatusCode::OK, "HEAD {path}");
        assert_eq!(etag(&head), tag, "HEAD {path}");
        let declared: usize = head.headers()["content-length"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(declared, length, "HEAD {path}");
        assert!(
            head.bytes().await.unwrap().is_empty(),
            "HEAD {path} sent a body"
        );
    }
}

/// Every path of the OpenAPI document: `OPTIONS` lists its methods, and a method it does not
/// have is a 405 problem with the same `Allow`.
#[tokio::test]
async fn a_method_a_path_does_not_have_is_a_405_listing_the_ones_it_has() {
    let app = spawn_app().await;
    let doc: Value = app.get_json("/openapi.json").await;
    for (template, item) in doc["paths"].as_object().unwrap() {
        let path = template
            .split('/')
            .map(|s| if s.starts_with('{') { "x" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let documented: Vec<String> = ["get", "put", "post", "delete", "patch"]
            .into_iter()
            .filter(|m| item.get(*m).is_some())
            .map(str::to_uppercase)
            .collect();

        let options = app.request(Method::OPTIONS, &path).send().await.unwrap();
        assert_eq!(options.status(), StatusCode::NO_CONTENT, "OPTIONS {path}");
        let allow = options.headers()["allow"].to_str().unwrap().to_owned();
        let allowed: Vec<&str> = allow.split(", ").collect();
        for method in &documented {
            assert!(allowed.contains(&method.as_str()), "{path}: {allow}");
        }
        assert_eq!(
            allowed.contains(&"HEAD"),
            documented.contains(&"GET".to_owned())
        );

        let missing = ["PUT", "POST", "DELETE", "PATCH", "GET"]
            .into_iter()
            .find(|m| !documented.iter().any(|d| d == m))
            .unwrap();
        let response = app
            .write(Method::from_bytes(missing.as_bytes()).unwrap(), &path)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers()["allow"].to_str().unwrap(),
            allow,
            "{missing} {path}"
        );
        assert_problem(
            response,
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            &[],
        )
        .await;
    }
    let unknown = app
        .request(Method::PUT, "/v1/no-such-thing")
        .send()
        .await
        .unwrap();
    assert_problem(unknown, StatusCode::NOT_FOUND, "not-found", &[]).await;
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = spawn_app().await;
    for (path, csp) in [
        ("/v1/articles", "default-src 'none'; frame-ancestors 'none'"),
        (
            "/v1/articles/no-such-article",
            "default-src 'none'; frame-ancestors 'none'",
        ),
        (
            "/openapi.json",
            "default-src 'none'; frame-ancestors 'none'",
        ),
        ("/swagger-ui/", newsmeta::api::middleware::SWAGGER_UI_CSP),
    ] {
        let response = app.get(path).await;
        assert_eq!(
            header(&response, "x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            header(&response, "referrer-policy"),
            Some("no-referrer"),
            "{path}"
        );
        assert_eq!(
            header(&response, "content-security-policy"),
            Some(csp),
            "{path}"
        );
    }
}
