//! `spawn_app()`: the real service on a random port over a database of its own.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use migration::{Migrator, MigratorTrait};
use newsmeta::api::http::AppState;
use newsmeta::app::Pools;
use std::time::Duration;

use newsmeta::config::{
    AllowedOrigins, ClientIpSource, DEFAULT_CACHE_MAX_AGE, DEFAULT_EXTRACT_MAX_BYTES,
    DEFAULT_RATE_LIMIT_IP_PER_MINUTE, DEFAULT_RATE_LIMIT_KEY_PER_MINUTE,
    DEFAULT_REQUEST_TIMEOUT_SECS,
};
use newsmeta::rate_limit::RateLimits;
use newsmeta::store::keys::{self, Scope};
use newsmeta::store::{self, PoolSettings};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::Value;

/// A running service and what a test needs to talk to it.
pub struct TestApp {
    pub address: String,
    pub db: DatabaseConnection,
    pub client: reqwest::Client,
    /// A key with the `write` scope.
    pub write_key: String,
    /// A key with the `read` scope only.
    pub read_key: String,
    /// Shared by the apps of [`spawn_two_apps_on`]; the database goes when the last one does.
    _guard: Arc<DatabaseGuard>,
}

/// Removes the test's database when the test ends.
enum DatabaseGuard {
    Sqlite(PathBuf),
    Postgres {
        admin_url: String,
        name: String,
    },
    /// Several databases (a primary and its read replica), each removed by its own guard.
    Several {
        _guards: Vec<DatabaseGuard>,
    },
}

impl Drop for DatabaseGuard {
    fn drop(&mut self) {
        match self {
            DatabaseGuard::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            // Each guard in the list removes its own database when the list is dropped.
            DatabaseGuard::Several { .. } => {}
            DatabaseGuard::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop on a thread of its own: this may run inside the test's runtime.
                let _ = std::thread::spawn(move || {
                    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    runtime.block_on(async move {
                        if let Ok(db) = sea_orm::Database::connect(&admin_url).await {
                            let _ = db
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                                ))
                                .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

async fn fresh_database() -> (String, DatabaseGuard) {
    let id = uuid::Uuid::now_v7().simple().to_string();
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if admin_url.starts_with("postgres") => {
            let admin = sea_orm::Database::connect(&admin_url)
                .await
                .expect("TEST_DATABASE_URL must point at a reachable Postgres server");
            let name = format!("newsmeta_test_{id}");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("cannot create the test database");
            admin.close().await.ok();
            let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is not a URL");
            url.set_path(&name);
            (url.to_string(), DatabaseGuard::Postgres { admin_url, name })
        }
        _ => {
            let dir = std::env::temp_dir().join(format!("newsmeta-test-{id}"));
            std::fs::create_dir_all(&dir).expect("cannot create a temporary directory");
            let url = format!("sqlite://{}?mode=rwc", dir.join("test.db").display());
            (url, DatabaseGuard::Sqlite(dir))
        }
    }
}

/// Starts the service on a fresh, migrated, empty database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(false).await
}

/// Starts the service; with `reads_require_key`, reads need a key too.
pub async fn spawn_app_with(reads_require_key: bool) -> TestApp {
    spawn_app_configured(|state| state.reads_require_key = reads_require_key).await
}

/// Starts the service with settings of the test's choosing (CORS, caching, ...).
pub async fn spawn_app_configured(configure: impl FnOnce(&mut AppState)) -> TestApp {
    let (url, guard) = fresh_database().await;
    start_app(&url, guard, configure).await
}

/// A fresh, empty database of a test's own (not migrated), removed when the value is dropped:
/// for running the `newsmeta` binary against it, and then perhaps the service with [`spawn_app_on`].
pub struct TestDatabase {
    pub url: String,
    guard: DatabaseGuard,
}

pub async fn fresh_test_database() -> TestDatabase {
    let (url, guard) = fresh_database().await;
    TestDatabase { url, guard }
}

/// Starts the service (reads open) on `database`, migrating it first; the app then owns it.
pub async fn spawn_app_on(database: TestDatabase) -> TestApp {
    start_app(&database.url, database.guard, |_| {}).await
}

/// Starts two instances of the service (reads open, each with a pool and keys of its own) on one
/// database, migrating it first: requests spread over both behave as they would against two
/// replicas behind a load balancer.
pub async fn spawn_two_apps_on(database: TestDatabase) -> (TestApp, TestApp) {
    let guard = Arc::new(database.guard);
    let first = serve_on(
        connect(&database.url).await,
        Arc::clone(&guard),
        Pools::PerWorker,
        |_| {},
    )
    .await;
    let second = serve_on(
        connect(&database.url).await,
        guard,
        Pools::PerWorker,
        |_| {},
    )
    .await;
    (first, second)
}

/// Starts the service writing to `primary` and reading from `replica` (as `DATABASE_READ_URL`
/// does), migrating both; the app then owns both databases. `TestApp::db` is the primary; the
/// connection returned beside it reaches the replica, for a test to put rows there directly and
/// so tell which database an answer came from. (Two separate databases, not a real replica.)
pub async fn spawn_app_with_replica(
    primary: TestDatabase,
    replica: TestDatabase,
) -> (TestApp, DatabaseConnection) {
    let replica_db = connect(&replica.url).await;
    Migrator::up(&replica_db, None)
        .await
        .expect("migrations failed");
    let guard = DatabaseGuard::Several {
        _guards: vec![primary.guard, replica.guard],
    };
    let reads = replica_db.clone();
    let app = serve_on(
        connect(&primary.url).await,
        Arc::new(guard),
        Pools::PerWorker,
        |state| state.replica = Some(reads),
    )
    .await;
    (app, replica_db)
}

/// The statements a service ran (SQL and bound values), recorded through sea-orm's metric
/// callback on the service's own connection.
#[derive(Clone, Default)]
pub struct StatementLog(Arc<Mutex<Vec<Statement>>>);

impl StatementLog {
    /// The statements recorded so far, emptying the record.
    pub fn take(&self) -> Vec<Statement> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// Starts the service on `database` over a connection that records every statement it runs.
pub async fn spawn_recording_app(database: TestDatabase) -> (TestApp, StatementLog) {
    spawn_recording_app_configured(database, |_| {}).await
}

/// [`spawn_recording_app`] with settings of the test's choosing.
pub async fn spawn_recording_app_configured(
    database: TestDatabase,
    configure: impl FnOnce(&mut AppState),
) -> (TestApp, StatementLog) {
    let log = StatementLog::default();
    let mut recording = connect(&database.url).await;
    let record = log.clone();
    recording.set_metric_callback(move |info| {
        record.0.lock().unwrap().push(info.statement.clone());
    });
    // The recorder is on this connection: the workers share it rather than open their own.
    let app = serve_on(
        recording,
        Arc::new(database.guard),
        Pools::Shared,
        configure,
    )
    .await;
    (app, log)
}

/// A pool on a test database, small enough for many tests at once.
pub async fn connect(url: &str) -> DatabaseConnection {
    let pool = PoolSettings {
        max_connections: 5,
        ..PoolSettings::default()
    };
    store::connect(url, &pool)
        .await
        .expect("cannot connect to the test database")
}

async fn start_app(
    url: &str,
    guard: DatabaseGuard,
    configure: impl FnOnce(&mut AppState),
) -> TestApp {
    serve_on(
        connect(url).await,
        Arc::new(guard),
        Pools::PerWorker,
        configure,
    )
    .await
}

async fn serve_on(
    db: DatabaseConnection,
    guard: Arc<DatabaseGuard>,
    pools: Pools,
    configure: impl FnOnce(&mut AppState),
) -> TestApp {
    Migrator::up(&db, None).await.expect("migrations failed");
    let write_key = keys::create(&db, "test writer", Scope::Write)
        .await
        .expect("key")
        .secret;
    let read_key = keys::create(&db, "test reader", Scope::Read)
        .await
        .expect("key")
        .secret;

    let listener = TcpListener::bind("127.0.0.1:0").expect("cannot bind a port");
    let port = listener.local_addr().expect("no local address").port();
    let mut state = AppState {
        db: db.clone(),
        replica: None,
        reads_require_key: false,
        body_limit: 1024 * 1024,
        batch_max_items: newsmeta::config::DEFAULT_BATCH_MAX_ITEMS,
        batch_body_limit: newsmeta::config::DEFAULT_BATCH_BODY_LIMIT,
        batch_turns: newsmeta::api::http::batch_turns(newsmeta::config::DEFAULT_BATCH_CONCURRENCY),
        extract_max_bytes: DEFAULT_EXTRACT_MAX_BYTES,
        cors: AllowedOrigins::None,
        cache_max_age: DEFAULT_CACHE_MAX_AGE,
        metrics: newsmeta::metrics::Metrics::default(),
        metrics_require_key: false,
        request_timeout: Some(Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECS)),
        rate_limits: RateLimits::new(
            DEFAULT_RATE_LIMIT_IP_PER_MINUTE,
            DEFAULT_RATE_LIMIT_KEY_PER_MINUTE,
        ),
        client_ip: ClientIpSource::Peer,
        search_rank_candidates: newsmeta::config::DEFAULT_SEARCH_RANK_CANDIDATES,
        stats_cache: newsmeta::api::stats_cache::StatsCache::new(
            newsmeta::config::DEFAULT_STATS_CACHE_MB,
        ),
        worker_pools: Default::default(),
    };
    configure(&mut state);
    let server = newsmeta::app::serve(listener, state, pools).expect("cannot start the server");
    tokio::spawn(server);

    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        db,
        client: reqwest::Client::new(),
        write_key,
        read_key,
        _guard: guard,
    }
}

/// The seed article's request body, as committed in `seeds/`.
pub fn seed_body() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/seeds/seed-article.json"
    ))
    .expect("seeds/seed-article.json is missing");
    serde_json::from_str(&text).expect("the seed is not JSON")
}

/// The tables that hold the newsroom's content: all that a write may change, keys aside.
pub const CONTENT_TABLES: [&str; 7] = [
    "articles",
    "sections",
    "quotes",
    "entities",
    "entity_aliases",
    "article_entities",
    "article_keywords",
];

/// A small valid article body; `slug` keeps several in one test apart.
pub fn small_article(slug: &str) -> Value {
    serde_json::json!({
        "slug": slug,
        "headline": "Minister quits over housing plan",
        "body": "The housing minister resigned on Monday.\nDisputed Targets\n\"I cannot defend this plan,\" she said.",
        "category": "politics",
        "keywords": ["housing"],
        "published_at": "2026-11-23T08:00:00Z",
        "sections": [
            {"body": "The housing minister resigned on Monday.", "start": 0, "end": 40},
            {"heading": "Disputed Targets", "body": "\"I cannot defend this plan,\" she said.", "start": 41, "end": 96}
        ],
        "quotes": [
            {"text": "I cannot defend this plan,", "section_position": 1,
             "speaker": {"name": "Jane Doe", "kind": "person"}, "cue": "said", "start": 59, "end": 85}
        ],
        "entities": [{"entity": {"name": "Jane Doe", "kind": "person"}, "mention_count": 1}]
    })
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// A request carrying the write key.
    pub fn write(&self, method: Method, path: &str) -> RequestBuilder {
        self.request(method, path).bearer_auth(&self.write_key)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path)
            .send()
            .await
            .expect("request failed")
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.expect("not JSON")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.write(Method::POST, path)
            .json(body)
            .send()
            .await
            .expect("request failed")
    }

    pub async fn patch_json(&self, path: &str, body: &Value) -> Response {
        self.write(Method::PATCH, path)
            .json(body)
            .send()
            .await
            .expect("request failed")
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.write(Method::DELETE, path)
            .send()
            .await
            .expect("request failed")
    }

    /// Creates the seed article and answers its JSON (with sections, quotes and entities).
    pub async fn create_seed(&self) -> Value {
        let response = self.post_json("/v1/articles", &seed_body()).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.expect("not JSON")
    }

    /// Creates `small_article(slug)` and answers its JSON.
    pub async fn create_small(&self, slug: &str) -> Value {
        let response = self.post_json("/v1/articles", &small_article(slug)).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.expect("not JSON")
    }

    /// How many rows each of [`CONTENT_TABLES`] has, in that order.
    pub async fn content_counts(&self) -> Vec<(&'static str, i64)> {
        let mut counts = Vec::new();
        for table in CONTENT_TABLES {
            counts.push((table, self.count_rows(table).await));
        }
        counts
    }

    /// Asserts that no content table holds a row.
    pub async fn assert_no_content(&self) {
        for (table, count) in self.content_counts().await {
            assert_eq!(count, 0, "{table} is not empty");
        }
    }

    /// How many rows a table has, straight from the database.
    pub async fn count_rows(&self, table: &str) -> i64 {
        let backend = self.db.get_database_backend();
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                backend,
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count failed")
            .expect("no row");
        row.try_get::<i64>("", "n").expect("count is not a number")
    }
}

/// Asserts a problem+json answer: its status, its `type`, and (when given) the fields in `errors`.
pub async fn assert_problem(
    response: Response,
    status: StatusCode,
    problem_type: &str,
    fields: &[&str],
) -> Value {
    assert_eq!(response.status(), status);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = response.json().await.expect("problem is not JSON");
    // Every problem names its request, as the X-Request-Id header does, whichever layer made it.
    assert_eq!(
        body["request_id"].as_str(),
        request_id.as_deref(),
        "request_id of {body}"
    );
    assert!(request_id.is_some(), "no X-Request-Id on {body}");
    assert_eq!(body["type"], format!("/problems/{problem_type}"), "{body}");
    assert_eq!(body["status"], status.as_u16(), "{body}");
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(
        body["instance"]
            .as_str()
            .is_some_and(|t| t.starts_with('/')),
        "{body}"
    );
    let got: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors is not an array")
        .iter()
        .map(|e| e["field"].as_str().expect("field is not a string"))
        .collect();
    for field in fields {
        assert!(
            got.contains(field),
            "expected an error on `{field}`, got {got:?} in {body}"
        );
    }
    body
}

/// The target of a response's `Link: <...>; rel="next"` header, when it has one.
pub fn next_link(response: &Response) -> Option<String> {
    let link = response.headers().get("link")?.to_str().ok()?;
    assert!(link.ends_with("; rel=\"next\""), "unexpected Link: {link}");
    let target = link.strip_prefix('<')?.split_once('>')?.0;
    Some(target.to_owned())
}

/// The `ETag` of a response, which every GET must have.
pub fn etag(response: &Response) -> String {
    let etag = response
        .headers()
        .get("etag")
        .expect("no ETag")
        .to_str()
        .expect("ETag is not text")
        .to_owned();
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() > 2,
        "not a strong ETag: {etag}"
    );
    etag
}

/// Asserts that a write is refused without a key (401 with a Bearer challenge), with a garbage key
/// (401) and with a read key (403).
pub async fn assert_writes_need_a_write_key(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<&Value>,
) {
    let send = |key: Option<&str>| {
        let mut request = app.request(method.clone(), path);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send()
    };
    let anonymous = send(None).await.expect("request failed");
    assert_eq!(
        anonymous
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap()),
        Some("Bearer"),
        "{method} {path} without a key"
    );
    assert_problem(anonymous, StatusCode::UNAUTHORIZED, "unauthorized", &[]).await;
    let garbage = send(Some("nm_this-is-not-a-key"))
        .await
        .expect("request failed");
    assert_problem(garbage, StatusCode::UNAUTHORIZED, "unauthorized", &[]).await;
    let read_only = send(Some(&app.read_key)).await.expect("request failed");
    assert_problem(read_only, StatusCode::FORBIDDEN, "forbidden", &[]).await;
}

/// Asserts that the article `key` read with all its includes (one statement) carries the same
/// sections, quotes and entities as its own routes answer, member for member, and answers the
/// article itself as a plain GET does.
pub async fn assert_includes_match_their_routes(app: &TestApp, key: &str) -> Value {
    let article = app
        .get_json(&format!(
            "/v1/articles/{key}?include=sections,quotes,entities"
        ))
        .await;
    let mut plain = app.get_json(&format!("/v1/articles/{key}")).await;
    for part in ["sections", "quotes", "entities"] {
        // Quotes come in pages; one page of 100 holds every article's here.
        let query = if part == "quotes" { "?limit=100" } else { "" };
        let route = app
            .get_json(&format!("/v1/articles/{key}/{part}{query}"))
            .await;
        let mut listed = route["data"].as_array().expect("a page").clone();
        if part == "quotes" {
            // The route lists newest first; an article holds its quotes in reading order.
            listed.sort_by_key(|quote| quote["position"].as_i64());
        }
        assert_eq!(
            article[part],
            Value::Array(listed),
            "{part} of {key}, included and from their route"
        );
        plain[part] = article[part].clone();
    }
    assert_eq!(article, plain, "{key}: the article beside its includes");
    article
}
