//! Abuse limits: rate limits per client IP and per API key (429, `Retry-After`, `RateLimit-*`),
//! and the request timeout (503, the abandoned write rolled back).
//!
//! Quotas are tiny (a few requests a minute), so a test spends one at once and never waits for a
//! window to pass.

use std::time::Duration;

use newsmeta::config::{AllowedOrigins, ClientIpSource};
use newsmeta::rate_limit::RateLimits;
use newsmeta::store::keys::{self, Scope};
use reqwest::{Method, Response, StatusCode};
use sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};

use crate::helpers::{assert_problem, small_article, spawn_app_configured, TestApp};

/// The three `RateLimit-*` headers of an answer, when it has them.
fn rate_limit(response: &Response) -> Option<(u64, u64, u64)> {
    let header =
        |name: &str| -> Option<u64> { response.headers().get(name)?.to_str().ok()?.parse().ok() };
    let found = (
        header("ratelimit-limit"),
        header("ratelimit-remaining"),
        header("ratelimit-reset"),
    );
    match found {
        (Some(limit), Some(remaining), Some(reset)) => Some((limit, remaining, reset)),
        (None, None, None) => None,
        partial => panic!("only some RateLimit headers: {partial:?}"),
    }
}

fn has_no_rate_limit_headers(response: &Response) -> bool {
    response
        .headers()
        .keys()
        .all(|name| !name.as_str().starts_with("ratelimit"))
}

async fn get_with_key(app: &TestApp, path: &str, key: Option<&str>) -> Response {
    let mut request = app.request(Method::GET, path);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.expect("request failed")
}

/// Asserts a 429 with its problem, `Retry-After` and headers; answers the `Retry-After` seconds.
async fn assert_too_many_requests(response: Response, limit: u64) -> u64 {
    let (sent_limit, remaining, reset) = rate_limit(&response).expect("a 429 without RateLimit");
    assert_eq!((sent_limit, remaining), (limit, 0));
    assert!((1..=60).contains(&reset), "reset {reset}");
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After is not a number of seconds");
    assert!(
        (1..=60).contains(&retry_after) && retry_after <= reset,
        "Retry-After {retry_after}, reset {reset}"
    );
    let problem = assert_problem(
        response,
        StatusCode::TOO_MANY_REQUESTS,
        "too-many-requests",
        &[],
    )
    .await;
    assert_eq!(problem["title"], "Too many requests");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("{limit} requests a minute")),
        "{problem}"
    );
    retry_after
}

#[tokio::test]
async fn the_ip_quota_counts_down_then_answers_429_with_retry_after() {
    let app = spawn_app_configured(|s| s.rate_limits = RateLimits::new(3, 100)).await;
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let response = app.get("/v1/articles").await;
        assert_eq!(response.status(), StatusCode::OK);
        let (limit, left, reset) = rate_limit(&response).expect("no RateLimit headers");
        assert_eq!(limit, 3);
        assert!((1..=60).contains(&reset), "reset {reset}");
        remaining.push(left);
    }
    assert_eq!(remaining, [2, 1, 0]);

    let refused = app.get("/v1/articles").await;
    let retry_after = assert_too_many_requests(refused, 3).await;
    // At 3 a minute one request comes back every 20 s.
    assert!(
        (19..=20).contains(&retry_after),
        "Retry-After {retry_after}"
    );
    // Every route is counted, errors too; probes aside.
    assert_too_many_requests(app.get("/v1/no-such-route").await, 3).await;
    assert_too_many_requests(app.get("/openapi.json").await, 3).await;
}

#[tokio::test]
async fn a_key_has_a_quota_of_its_own_apart_from_its_address() {
    let app = spawn_app_configured(|s| s.rate_limits = RateLimits::new(2, 3)).await;
    // Anonymous traffic from the address uses up the IP quota...
    for _ in 0..2 {
        assert_eq!(app.get("/v1/articles").await.status(), StatusCode::OK);
    }
    assert_too_many_requests(app.get("/v1/articles").await, 2).await;
    // ...which does not stop a key holder at the same address.
    for expected in [2, 1, 0] {
        let response = get_with_key(&app, "/v1/articles", Some(&app.read_key)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            rate_limit(&response),
            Some((3, expected, rate_limit(&response).unwrap().2))
        );
    }
    assert_too_many_requests(
        get_with_key(&app, "/v1/articles", Some(&app.read_key)).await,
        3,
    )
    .await;
    // Another key has its own quota, writes included.
    let created = app.post_json("/v1/articles", &small_article("quota")).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(rate_limit(&created).map(|(l, r, _)| (l, r)), Some((3, 2)));
}

#[tokio::test]
async fn a_key_that_used_up_its_quota_does_not_stop_anonymous_readers() {
    let app = spawn_app_configured(|s| s.rate_limits = RateLimits::new(5, 1)).await;
    let keyed = get_with_key(&app, "/v1/articles", Some(&app.read_key)).await;
    assert_eq!(keyed.status(), StatusCode::OK);
    assert_too_many_requests(
        get_with_key(&app, "/v1/articles", Some(&app.read_key)).await,
        1,
    )
    .await;
    let anonymous = app.get("/v1/articles").await;
    assert_eq!(anonymous.status(), StatusCode::OK);
    assert_eq!(rate_limit(&anonymous).map(|(l, r, _)| (l, r)), Some((5, 4)));
}

#[tokio::test]
async fn invented_and_revoked_keys_count_against_the_address() {
    let app = spawn_app_configured(|s| s.rate_limits = RateLimits::new(3, 100)).await;
    let revoked = keys::create(&app.db, "leaked", Scope::Write).await.unwrap();
    keys::revoke(&app.db, &revoked.record.id.to_string())
        .await
        .unwrap();
    let invented = || format!("nm_{}", uuid::Uuid::now_v7().simple());
    // Reads are open, so these are served, but each is counted against the address.
    for key in [invented(), invented()] {
        let response = get_with_key(&app, "/v1/articles", Some(&key)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(rate_limit(&response).unwrap().0, 3);
    }
    let write = app
        .request(Method::POST, "/v1/articles")
        .bearer_auth(&revoked.secret)
        .json(&small_article("revoked"))
        .send()
        .await
        .unwrap();
    assert_eq!(rate_limit(&write).map(|(l, r, _)| (l, r)), Some((3, 0)));
    assert_problem(write, StatusCode::UNAUTHORIZED, "unauthorized", &[]).await;
    assert_too_many_requests(
        get_with_key(&app, "/v1/articles", Some(&invented())).await,
        3,
    )
    .await;
    // The valid key is still served.
    let valid = get_with_key(&app, "/v1/articles", Some(&app.write_key)).await;
    assert_eq!(valid.status(), StatusCode::OK);
    assert_eq!(rate_limit(&valid).unwrap().0, 100);
}

#[tokio::test]
async fn limits_of_zero_mean_no_limit_and_no_headers() {
    let app = spawn_app_configured(|s| s.rate_limits = RateLimits::new(0, 0)).await;
    for _ in 0..20 {
        let response = app.get("/v1/articles").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(has_no_rate_limit_headers(&response));
    }
    let keyed = get_with_key(&app, "/v1/articles", Some(&app.read_key)).await;
    assert!(has_no_rate_limit_headers(&keyed));

    // Only keys limited: anonymous requests go unlimited and unmarked.
    let app = spawn_app_configured(|s| s.rate_limits = RateLimits::new(0, 2)).await;
    for _ in 0..5 {
        let response = app.get("/v1/articles").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(has_no_rate_limit_headers(&response));
    }
    let keyed = get_with_key(&app, "/v1/articles", Some(&app.read_key)).await;
    assert_eq!(rate_limit(&keyed).map(|(l, r, _)| (l, r)), Some((2, 1)));
}

#[tokio::test]
async fn browsers_may_read_the_rate_limit_headers_of_answers_and_refusals() {
    let app = spawn_app_configured(|s| {
        s.rate_limits = RateLimits::new(1, 0);
        s.cors = AllowedOrigins::Any;
    })
    .await;
    let exposed = |response: &Response| -> Vec<String> {
        response.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .split(',')
            .map(|h| h.trim().to_ascii_lowercase())
            .collect()
    };
    let from_page = || {
        app.request(Method::GET, "/v1/articles")
            .header("Origin", "https://dash.example.com")
            .send()
    };
    let served = from_page().await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    let refused = from_page().await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    for response in [&served, &refused] {
        assert_eq!(response.headers()["access-control-allow-origin"], "*");
        let exposed = exposed(response);
        for header in [
            "ratelimit-limit",
            "ratelimit-remaining",
            "ratelimit-reset",
            "retry-after",
            "etag",
            "link",
            "location",
        ] {
            assert!(
                exposed.iter().any(|h| h == header),
                "{header} in {exposed:?}"
            );
        }
    }
    // A preflight is not counted, and is not refused for the used-up quota.
    let preflight = app
        .request(Method::OPTIONS, "/v1/articles")
        .header("Origin", "https://dash.example.com")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn health_probes_are_never_limited() {
    let app = spawn_app_configured(|s| s.rate_limits = RateLimits::new(1, 1)).await;
    for _ in 0..5 {
        for path in ["/health/live", "/health/ready"] {
            let response = app.get(path).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert!(has_no_rate_limit_headers(&response), "{path}");
        }
    }
    // And they did not use up the address's quota.
    assert_eq!(app.get("/v1/articles").await.status(), StatusCode::OK);
}

async fn get_from(app: &TestApp, forwarded_for: &str) -> StatusCode {
    app.request(Method::GET, "/v1/articles")
        .header("X-Forwarded-For", forwarded_for)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_quota() {
    let app = spawn_app_configured(|s| {
        s.rate_limits = RateLimits::new(1, 0);
        s.client_ip = ClientIpSource::XForwardedFor(1);
    })
    .await;
    assert_eq!(get_from(&app, "203.0.113.1").await, StatusCode::OK);
    assert_eq!(
        get_from(&app, "203.0.113.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(get_from(&app, "203.0.113.2").await, StatusCode::OK);
    // What the client wrote itself, left of what the proxy saw, does not give it a new quota.
    assert_eq!(
        get_from(&app, "198.51.100.9, 203.0.113.2").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn without_a_trusted_proxy_forwarded_for_is_ignored() {
    let app = spawn_app_configured(|s| s.rate_limits = RateLimits::new(1, 0)).await;
    assert_eq!(get_from(&app, "203.0.113.1").await, StatusCode::OK);
    assert_eq!(
        get_from(&app, "203.0.113.2").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// Waits (at most 10 s) until no other session of this Postgres database is busy or holds a
/// transaction open: the abandoned request's connection has finished (rolled back) by then.
async fn until_postgres_sessions_settle(app: &TestApp) {
    for _ in 0..200 {
        let row = app
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                DbBackend::Postgres,
                "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() \
                 AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction', \
                 'idle in transaction (aborted)')",
            ))
            .await
            .unwrap()
            .unwrap();
        if row.try_get::<i64>("", "n").unwrap() == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("a session of the test database is still busy or in a transaction after 10 s");
}

#[tokio::test]
async fn a_write_that_outlasts_the_request_timeout_answers_503_and_is_rolled_back() {
    let app = spawn_app_configured(|s| s.request_timeout = Some(Duration::from_millis(500))).await;
    // Use the key once, so that recording its use does not wait on the lock below.
    assert_eq!(
        get_with_key(&app, "/v1/articles", Some(&app.write_key))
            .await
            .status(),
        StatusCode::OK
    );
    let backend = app.db.get_database_backend();
    // Another connection blocks the write. On Postgres it blocks only the quotes, which the
    // create writes last: the article, its sections and entities are in the transaction by then.
    // SQLite has one writer: the create waits at its first write.
    let blocker = match backend {
        DbBackend::Postgres => {
            let txn = app.db.begin().await.unwrap();
            txn.execute_unprepared("LOCK TABLE quotes IN SHARE MODE")
                .await
                .unwrap();
            txn
        }
        _ => newsmeta::store::begin_write(&app.db).await.unwrap(),
    };

    let started = std::time::Instant::now();
    let response = app
        .post_json("/v1/articles", &small_article("too-slow"))
        .await;
    // A hang detector, not a measure: the busy timeout alone would hold it 10 s.
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(response.headers()["retry-after"], "5");
    // The answer still passes the layers outside the timeout.
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let problem = assert_problem(response, StatusCode::SERVICE_UNAVAILABLE, "timeout", &[]).await;
    assert_eq!(problem["title"], "The request took too long");
    assert_eq!(problem["instance"], "/v1/articles");

    blocker.rollback().await.unwrap();
    if backend == DbBackend::Postgres {
        until_postgres_sessions_settle(&app).await;
    }
    for table in [
        "articles",
        "sections",
        "quotes",
        "entities",
        "article_entities",
    ] {
        assert_eq!(app.count_rows(table).await, 0, "{table}");
    }
    let missing = app.get("/v1/articles/too-slow").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    // The service answers normally again, the same write included.
    let created = app
        .post_json("/v1/articles", &small_article("too-slow"))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(app.count_rows("articles").await, 1);
}
