//! Request ids and `GET /metrics`, against the service in this process.

// Helpers outside `#[tokio::test]` functions fail a test loudly too; clippy only exempts the tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};

use newsmeta::config::AllowedOrigins;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, small_article, spawn_app, spawn_app_configured, TestApp};

const SEED_TEXT: &str = "Minister quits over housing plan\n\
    The housing minister resigned on Monday.\n\
    \"I cannot defend this plan,\" said Jane Doe, the housing minister.\n\
    Peter Smith of the Treasury said he was surprised.";

fn request_id(response: &Response) -> String {
    response
        .headers()
        .get("x-request-id")
        .expect("no X-Request-Id")
        .to_str()
        .expect("X-Request-Id is not text")
        .to_owned()
}

/// Asserts that `id` is a UUIDv7, as the service makes them.
fn assert_generated(id: &str) {
    let uuid = uuid::Uuid::parse_str(id).unwrap_or_else(|_| panic!("`{id}` is not a UUID"));
    assert_eq!(uuid.get_version_num(), 7, "{id}");
}

async fn get_with_id(app: &TestApp, path: &str, id: &str) -> Response {
    app.request(Method::GET, path)
        .header("x-request-id", id)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_sane_request_id_is_echoed_and_anything_else_is_replaced_by_a_new_one() {
    let app = spawn_app().await;

    let response = get_with_id(&app, "/v1/articles", "dash-7f3a.poll:42").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(request_id(&response), "dash-7f3a.poll:42");
    let longest = "a".repeat(128);
    assert_eq!(
        request_id(&get_with_id(&app, "/v1/articles", &longest).await),
        longest
    );

    for insane in [
        "a".repeat(129),
        "two words".to_owned(),
        "tab\there".to_owned(),
    ] {
        let id = request_id(&get_with_id(&app, "/v1/articles", &insane).await);
        assert_ne!(id, insane);
        assert_generated(&id);
    }
    let first = request_id(&app.get("/v1/articles").await);
    let second = request_id(&app.get("/v1/articles").await);
    assert_generated(&first);
    assert_generated(&second);
    assert_ne!(first, second);
}

#[tokio::test]
async fn problems_carry_the_request_id_in_the_header_and_the_body() {
    let app = spawn_app().await;
    // A handler's problem, the default service's 404 and 405, and a 406 answered by middleware.
    let cases = [
        (
            app.get("/v1/articles/no-such-article").await,
            StatusCode::NOT_FOUND,
            "not-found",
        ),
        (
            app.get("/v1/nothing-here").await,
            StatusCode::NOT_FOUND,
            "not-found",
        ),
        (
            app.request(Method::PUT, "/v1/articles")
                .send()
                .await
                .unwrap(),
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
        ),
        (
            app.request(Method::GET, "/v1/articles")
                .header("accept-encoding", "identity;q=0")
                .send()
                .await
                .unwrap(),
            StatusCode::NOT_ACCEPTABLE,
            "not-acceptable",
        ),
        (
            app.post_json("/v1/articles", &json!({"headline": " ", "body": "x"}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
        ),
    ];
    for (response, status, problem_type) in cases {
        let id = request_id(&response);
        assert_generated(&id);
        let body = assert_problem(response, status, problem_type, &[]).await;
        assert_eq!(body["request_id"], id.as_str(), "{body}");
    }

    let response = get_with_id(&app, "/v1/articles/no-such-article", "support-ticket-1").await;
    let body = assert_problem(response, StatusCode::NOT_FOUND, "not-found", &[]).await;
    assert_eq!(body["request_id"], "support-ticket-1");
}

#[tokio::test]
async fn cors_answers_carry_and_expose_the_request_id() {
    let dashboard = "https://dash.example.com";
    let app = spawn_app_configured(|state| {
        state.cors = AllowedOrigins::parse(dashboard).unwrap();
    })
    .await;

    let preflight = app
        .request(Method::OPTIONS, "/v1/articles")
        .header("origin", dashboard)
        .header("access-control-request-method", "POST")
        .header("x-request-id", "preflight-1")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert_eq!(request_id(&preflight), "preflight-1");

    let refused = app
        .request(Method::OPTIONS, "/v1/articles")
        .header("origin", "https://elsewhere.example.com")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    let id = request_id(&refused);
    let body = assert_problem(refused, StatusCode::FORBIDDEN, "cors-refused", &[]).await;
    assert_eq!(body["request_id"], id.as_str());

    let read = app
        .request(Method::GET, "/v1/articles")
        .header("origin", dashboard)
        .send()
        .await
        .unwrap();
    assert_generated(&request_id(&read));
    let exposed: Vec<String> = read
        .headers()
        .get("access-control-expose-headers")
        .expect("no Access-Control-Expose-Headers")
        .to_str()
        .unwrap()
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    assert!(exposed.contains(&"x-request-id".to_owned()), "{exposed:?}");
}

/// One sample of a scrape: its labels and value.
#[derive(Debug)]
pub(crate) struct Sample {
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Parses the Prometheus text format: samples by metric name, and each name's `# TYPE`.
pub(crate) fn parse_scrape(text: &str) -> (HashMap<String, Vec<Sample>>, HashMap<String, String>) {
    let mut samples: HashMap<String, Vec<Sample>> = HashMap::new();
    let mut types = HashMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("a TYPE line without a type");
            types.insert(name.to_owned(), kind.to_owned());
            continue;
        }
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("a sample without a value");
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("not a number: {line}")),
        };
        let (name, labels) = match series.split_once('{') {
            None => (series, BTreeMap::new()),
            Some((name, labels)) => {
                let labels = labels.strip_suffix('}').expect("unclosed labels");
                let mut parsed = BTreeMap::new();
                // Label values here hold no commas or escaped quotes.
                for pair in labels.split("\",").filter(|p| !p.is_empty()) {
                    let (key, value) = pair.split_once("=\"").expect("a label without a value");
                    parsed.insert(key.to_owned(), value.trim_end_matches('"').to_owned());
                }
                (name, parsed)
            }
        };
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "bad metric name in {line}"
        );
        samples
            .entry(name.to_owned())
            .or_default()
            .push(Sample { labels, value });
    }
    (samples, types)
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The value of the sample of `name` with exactly these labels.
pub(crate) fn value(
    samples: &HashMap<String, Vec<Sample>>,
    name: &str,
    pairs: &[(&str, &str)],
) -> f64 {
    let wanted = labels(pairs);
    samples
        .get(name)
        .and_then(|all| all.iter().find(|s| s.labels == wanted))
        .unwrap_or_else(|| panic!("no sample {name}{wanted:?}"))
        .value
}

pub(crate) async fn scrape(app: &TestApp) -> String {
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    response.text().await.unwrap()
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern_with_cumulative_latency_histograms() {
    let app = spawn_app().await;
    for _ in 0..3 {
        assert_eq!(app.get("/v1/articles").await.status(), StatusCode::OK);
    }
    let created = app.create_small("minister-quits").await;
    for path in ["/v1/articles/minister-quits", "/v1/articles/no-such-one"] {
        app.get(path).await;
    }
    assert_eq!(
        app.get("/v1/nothing/here").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.request(Method::PUT, "/v1/articles")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::METHOD_NOT_ALLOWED
    );
    let extracted = app
        .request(Method::POST, "/v1/extract")
        .header("content-type", "text/plain")
        .body(SEED_TEXT)
        .send()
        .await
        .unwrap();
    assert_eq!(extracted.status(), StatusCode::OK);
    let proposal: Value = extracted.json().await.unwrap();
    let mut body = json!({"slug": "extracted", "body": SEED_TEXT, "extract": true});
    body["published_at"] = created["published_at"].clone();
    let response = app.post_json("/v1/articles", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let stored: Value = response.json().await.unwrap();

    let text = scrape(&app).await;
    let (samples, types) = parse_scrape(&text);
    let requests = "newsmeta_http_requests_total";
    assert_eq!(types[requests], "counter");
    let count = |route: &str, method: &str, status: &str| {
        value(
            &samples,
            requests,
            &[("route", route), ("method", method), ("status", status)],
        )
    };
    assert_eq!(count("/v1/articles", "GET", "200"), 3.0);
    assert_eq!(count("/v1/articles", "POST", "201"), 2.0);
    assert_eq!(count("/v1/articles", "PUT", "405"), 1.0);
    assert_eq!(count("/v1/articles/{article}", "GET", "200"), 1.0);
    assert_eq!(count("/v1/articles/{article}", "GET", "404"), 1.0);
    assert_eq!(count("/v1/extract", "POST", "200"), 1.0);
    assert_eq!(count("unmatched", "GET", "404"), 1.0);
    // Raw paths never become labels.
    assert!(!text.contains("minister-quits") && !text.contains("/v1/nothing/here"));

    let histogram = "newsmeta_http_request_duration_seconds";
    assert_eq!(types[histogram], "histogram");
    let mut routes: Vec<&str> = samples[requests]
        .iter()
        .map(|s| s.labels["route"].as_str())
        .collect();
    routes.dedup();
    for route in routes {
        let mut buckets: Vec<(f64, f64)> = samples[&format!("{histogram}_bucket")]
            .iter()
            .filter(|s| s.labels["route"] == route)
            .map(|s| {
                let le = match s.labels["le"].as_str() {
                    "+Inf" => f64::INFINITY,
                    le => le.parse().unwrap(),
                };
                (le, s.value)
            })
            .collect();
        buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert_eq!(buckets.last().unwrap().0, f64::INFINITY, "{route}");
        assert!(
            buckets.windows(2).all(|w| w[0].1 <= w[1].1),
            "buckets of {route} are not cumulative: {buckets:?}"
        );
        let answered: f64 = samples[requests]
            .iter()
            .filter(|s| s.labels["route"] == route)
            .map(|s| s.value)
            .sum();
        let counted = value(&samples, &format!("{histogram}_count"), &[("route", route)]);
        assert_eq!(counted, answered, "{route}");
        assert_eq!(buckets.last().unwrap().1, counted, "{route}");
        assert!(value(&samples, &format!("{histogram}_sum"), &[("route", route)]) > 0.0);
    }

    assert_eq!(types["newsmeta_db_pool_connections"], "gauge");
    let in_use = value(
        &samples,
        "newsmeta_db_pool_connections",
        &[("pool", "primary"), ("state", "in_use")],
    );
    let idle = value(
        &samples,
        "newsmeta_db_pool_connections",
        &[("pool", "primary"), ("state", "idle")],
    );
    let max = value(
        &samples,
        "newsmeta_db_pool_max_connections",
        &[("pool", "primary")],
    );
    assert!(in_use >= 0.0 && idle >= 0.0 && in_use + idle >= 1.0 && in_use + idle <= max);
    assert_eq!(max, 5.0, "the test pool's size");
    // Without DATABASE_READ_URL there is one pool, the primary.
    assert!(
        samples["newsmeta_db_pool_connections"]
            .iter()
            .all(|s| s.labels["pool"] == "primary"),
        "a replica pool without a replica"
    );
    // This scrape is the one request in flight.
    assert_eq!(
        value(&samples, "newsmeta_http_requests_in_flight", &[]),
        1.0
    );

    let extraction = |name: &str, source: &str| value(&samples, name, &[("source", source)]);
    let proposed_quotes = proposal["quotes"].as_array().unwrap().len() as f64;
    let proposed_entities = proposal["entities"].as_array().unwrap().len() as f64;
    assert!(
        proposed_quotes >= 1.0 && proposed_entities >= 1.0,
        "{proposal}"
    );
    assert_eq!(extraction("newsmeta_extractions_total", "extract"), 1.0);
    assert_eq!(
        extraction("newsmeta_extracted_quotes_total", "extract"),
        proposed_quotes
    );
    assert_eq!(
        extraction("newsmeta_extracted_entities_total", "extract"),
        proposed_entities
    );
    assert_eq!(extraction("newsmeta_extractions_total", "article"), 1.0);
    assert_eq!(
        extraction("newsmeta_extracted_quotes_total", "article"),
        stored["quotes"].as_array().unwrap().len() as f64
    );
    assert_eq!(
        extraction("newsmeta_extracted_entities_total", "article"),
        stored["entities"].as_array().unwrap().len() as f64
    );

    // The scrape itself is counted, in the next one.
    let (samples, _) = parse_scrape(&scrape(&app).await);
    assert_eq!(
        value(
            &samples,
            requests,
            &[("route", "/metrics"), ("method", "GET"), ("status", "200")]
        ),
        1.0
    );
}

#[tokio::test]
async fn metrics_need_a_key_only_when_configured() {
    let open = spawn_app().await;
    assert_eq!(open.get("/metrics").await.status(), StatusCode::OK);

    let app = spawn_app_configured(|state| state.metrics_require_key = true).await;
    assert_problem(
        app.get("/metrics").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        &[],
    )
    .await;
    let response = app
        .request(Method::GET, "/metrics")
        .bearer_auth(&app.read_key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("newsmeta_http_requests_total"));
}

#[tokio::test]
async fn database_errors_are_logged_without_the_values_of_the_request() {
    let app = spawn_app().await;
    let marker = "marker-7c1d-secret-slug";
    app.create_small(marker).await;
    // A real constraint violation from the database: Postgres names the row's values in its detail.
    let mut duplicate = small_article(marker);
    duplicate["headline"] = json!("Another headline");
    let backend = app.db.get_database_backend();
    let error = sea_orm::ConnectionTrait::execute_raw(
        &app.db,
        sea_orm::Statement::from_string(
            backend,
            format!(
                "INSERT INTO articles (id, slug) SELECT id, slug FROM articles WHERE slug = '{marker}'"
            ),
        ),
    )
    .await
    .expect_err("a duplicate must fail");
    let logged = newsmeta::error::loggable(&error);
    assert!(!logged.contains(marker), "{logged}");
    assert!(!logged.is_empty());
    if backend == sea_orm::DbBackend::Postgres {
        assert!(
            format!("{error:?}").contains(marker),
            "the raw error should name the value: {error:?}"
        );
        // A message that quotes the value itself.
        let error = sea_orm::ConnectionTrait::execute_raw(
            &app.db,
            sea_orm::Statement::from_string(backend, format!("SELECT CAST('{marker}' AS uuid)")),
        )
        .await
        .expect_err("not a uuid");
        assert!(error.to_string().contains(marker), "{error}");
        let logged = newsmeta::error::loggable(&error);
        assert!(!logged.contains(marker), "{logged}");
        assert!(logged.contains("22P02"), "the SQLSTATE: {logged}");
    }
}
