//! The real `newsmeta serve` as a process: its JSON log lines, and its graceful shutdown on
//! SIGTERM and SIGINT.

// Helpers outside `#[tokio::test]` functions fail a test loudly too; clippy only exempts the tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

use crate::helpers::{connect, fresh_test_database, small_article, TestDatabase};

const SEEDS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
/// How long anything here may take before the test calls it a hang; all of it takes milliseconds.
const HANG: Duration = Duration::from_secs(20);

/// A running `newsmeta serve`, killed if the test ends before it exits.
struct Service {
    child: Child,
    address: SocketAddr,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Drop for Service {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Makes a write key with `newsmeta keys create` (which migrates the database first).
fn create_key(database: &TestDatabase) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_newsmeta"))
        .args([
            "keys",
            "create",
            "--name",
            "process test",
            "--scope",
            "write",
        ])
        .env("DATABASE_URL", &database.url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("cannot run newsmeta");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .last()
        .expect("no key printed")
        .to_owned()
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `newsmeta serve` on `database` with JSON logs and `env`, and waits until it is ready.
async fn start(database: &TestDatabase, env: &[(&str, &str)]) -> Service {
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_newsmeta"));
    command
        .arg("serve")
        .env("DATABASE_URL", &database.url)
        .env("SEEDS_DIR", SEEDS_DIR)
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        .env("NO_SEED", "true")
        .env("LOG_FORMAT", "json")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("cannot start newsmeta serve");
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let lines = Arc::clone(&stderr);
    let pipe = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            lines.lock().unwrap().push(line);
        }
    });
    let service = Service {
        child,
        address: SocketAddr::from(([127, 0, 0, 1], port)),
        stderr,
    };
    let ready = format!("http://{}/health/ready", service.address);
    let started = Instant::now();
    loop {
        if let Ok(response) = reqwest::get(&ready).await {
            if response.status() == StatusCode::OK {
                return service;
            }
        }
        assert!(
            started.elapsed() < HANG,
            "the service did not get ready: {:?}",
            service.stderr.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Service {
    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("cannot run kill");
        assert!(status.success());
    }

    /// Waits for the process to exit (a hang fails the test) and answers how it did.
    async fn exit_status(&mut self) -> ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                started.elapsed() < HANG,
                "the service did not exit: {:?}",
                self.stderr.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Every stderr line so far; after the exit, wait for the reader to have them all.
    async fn stderr_lines(&self) -> Vec<String> {
        tokio::time::sleep(Duration::from_millis(200)).await;
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until `/metrics` shows `n` requests in flight (the scrape among them).
    async fn wait_for_in_flight(&self, n: u32) {
        let wanted = format!("newsmeta_http_requests_in_flight {n}\n");
        let started = Instant::now();
        loop {
            let text = reqwest::get(self.url("/metrics"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if text.contains(&wanted) {
                return;
            }
            assert!(started.elapsed() < HANG, "never {n} in flight:\n{text}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until connecting fails: the service no longer accepts.
    async fn wait_until_refused(&self) {
        let started = Instant::now();
        while TcpStream::connect_timeout(&self.address, Duration::from_secs(1)).is_ok() {
            assert!(
                started.elapsed() < HANG,
                "the service still accepts connections"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The stderr lines as JSON objects; every line must be one.
fn json_lines(lines: &[String]) -> Vec<Value> {
    lines
        .iter()
        .map(|line| {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("a log line is not JSON ({e}): {line}"));
            assert!(value.is_object(), "{line}");
            value
        })
        .collect()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers()[name].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_log_has_one_json_line_per_request_and_never_a_key_or_a_body() {
    let database = fresh_test_database().await;
    let key = create_key(&database);
    let mut service = start(&database, &[]).await;
    let client = reqwest::Client::new();
    let marker = "Zanzibar-marker-5f2e";

    let mut article = small_article("minister-quits");
    article["headline"] = json!(format!("{marker} headline"));
    article["keywords"] = json!([marker]);
    let created = client
        .post(service.url("/v1/articles"))
        .bearer_auth(&key)
        .header("x-request-id", "newsroom-job-17")
        .json(&article)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(header(&created, "x-request-id"), "newsroom-job-17");
    // Failing writes: the slug taken (409), a rule broken (422), a key that is no key (401).
    let conflict = client
        .post(service.url("/v1/articles"))
        .bearer_auth(&key)
        .json(&article)
        .send()
        .await
        .unwrap();
    assert_eq!(conflict.status(), StatusCode::CONFLICT);
    let invalid = client
        .post(service.url("/v1/articles"))
        .bearer_auth(&key)
        .json(&json!({"headline": " ", "body": marker}))
        .send()
        .await
        .unwrap();
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fake_key = format!("nm_{marker}");
    let unauthorized = client
        .post(service.url("/v1/articles"))
        .bearer_auth(&fake_key)
        .json(&article)
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
    let read = client
        .get(service.url("/v1/articles/minister-quits?include=quotes"))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    // Probes and scrapes that go well are not logged at the default level.
    for path in ["/health/live", "/health/ready", "/metrics"] {
        let routine = client.get(service.url(path)).send().await.unwrap();
        assert_eq!(routine.status(), StatusCode::OK, "{path}");
    }

    let answers = [
        (created, "POST", "/v1/articles", "/v1/articles", 201),
        (conflict, "POST", "/v1/articles", "/v1/articles", 409),
        (invalid, "POST", "/v1/articles", "/v1/articles", 422),
        (unauthorized, "POST", "/v1/articles", "/v1/articles", 401),
        (
            read,
            "GET",
            "/v1/articles/{article}",
            "/v1/articles/minister-quits",
            200,
        ),
    ];
    service.signal("TERM");
    assert!(service.exit_status().await.success());
    let lines = service.stderr_lines().await;
    let all = lines.join("\n");
    assert!(!all.contains(&key), "the key is in the log");
    assert!(!all.contains(marker), "the request's content is in the log");

    let logged = json_lines(&lines);
    let requests: Vec<&Value> = logged
        .iter()
        .filter(|line| line["fields"]["message"] == "request answered")
        .collect();
    assert_eq!(requests.len(), answers.len(), "{all}");
    for (response, method, route, path, status) in answers {
        let id = header(&response, "x-request-id");
        let line = requests
            .iter()
            .find(|line| line["fields"]["request_id"] == id.as_str())
            .unwrap_or_else(|| panic!("no log line for request {id}: {all}"));
        let fields = &line["fields"];
        assert_eq!(fields["method"], method, "{line}");
        assert_eq!(fields["route"], route, "{line}");
        assert_eq!(fields["path"], path, "{line}");
        assert_eq!(fields["status"], status, "{line}");
        assert!(
            fields["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0),
            "{line}"
        );
        assert_eq!(line["level"], "INFO", "{line}");
        assert_eq!(line["span"]["request_id"], id.as_str(), "{line}");
    }
    assert!(
        all.contains("shutdown started") && all.contains("database pool closed"),
        "{all}"
    );
}

/// Opens a connection and sends a keyed POST of `body` whose head and first half go now;
/// the rest is up to the test.
fn start_slow_post(service: &Service, key: &str, body: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(service.address).unwrap();
    stream.set_read_timeout(Some(HANG)).unwrap();
    let head = format!(
        "POST /v1/articles HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        service.address,
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body[..body.len() / 2]).unwrap();
    stream.flush().unwrap();
    stream
}

#[tokio::test]
async fn sigterm_finishes_the_request_in_flight_refuses_new_ones_and_exits_0() {
    let database = fresh_test_database().await;
    let key = create_key(&database);
    let mut service = start(&database, &[("SHUTDOWN_TIMEOUT", "30")]).await;
    let body = serde_json::to_vec(&small_article("finished-during-shutdown")).unwrap();
    let mut stream = start_slow_post(&service, &key, &body);
    // The POST and this scrape.
    service.wait_for_in_flight(2).await;

    service.signal("TERM");
    service.wait_until_refused().await;
    assert!(
        service.child.try_wait().unwrap().is_none(),
        "the service exited with a request in flight"
    );

    stream.write_all(&body[body.len() / 2..]).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 201 Created\r\n"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("\r\nx-request-id: "),
        "{answer}"
    );

    let status = service.exit_status().await;
    assert_eq!(status.code(), Some(0), "{status}");
    let all = service.stderr_lines().await.join("\n");
    assert!(all.contains("shutdown started"), "{all}");
    assert!(all.contains("database pool closed"), "{all}");
    // The answer was the truth: the article is stored.
    let db = connect(&database.url).await;
    let stored = ConnectionTrait::query_one_raw(
        &db,
        sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM articles WHERE slug = 'finished-during-shutdown'",
        ),
    )
    .await
    .unwrap()
    .unwrap()
    .try_get::<i64>("", "n")
    .unwrap();
    assert_eq!(stored, 1);
    db.close().await.unwrap();
}

#[tokio::test]
async fn sigint_cuts_a_request_that_never_finishes_at_the_deadline_and_exits_0() {
    let database = fresh_test_database().await;
    let key = create_key(&database);
    let mut service = start(&database, &[("SHUTDOWN_TIMEOUT", "1")]).await;
    let body = serde_json::to_vec(&small_article("never-finished")).unwrap();
    let mut stream = start_slow_post(&service, &key, &body);
    service.wait_for_in_flight(2).await;

    service.signal("INT");
    let status = service.exit_status().await;
    assert_eq!(status.code(), Some(0), "{status}");
    // The connection was cut without an answer.
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    assert!(
        !String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 2"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    let all = service.stderr_lines().await.join("\n");
    assert!(
        all.contains("SIGINT") && all.contains("shutdown started"),
        "{all}"
    );
    assert!(all.contains("database pool closed"), "{all}");
}

#[tokio::test]
async fn the_instance_holds_no_more_database_connections_than_database_max_connections() {
    let database = fresh_test_database().await;
    create_key(&database);
    let service = start(&database, &[("DATABASE_MAX_CONNECTIONS", "3")]).await;

    // Requests at once, more than the connections: each worker opens all its pool allows.
    let client = reqwest::Client::new();
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..24 {
        requests.spawn(client.get(service.url("/v1/entities?limit=100")).send());
    }
    while let Some(response) = requests.join_next().await {
        assert_eq!(response.unwrap().unwrap().status(), StatusCode::OK);
    }

    // The workers' pools (one each on Postgres) add up to the setting...
    let metrics = client
        .get(service.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("newsmeta_db_pool_max_connections{pool=\"primary\"} 3\n"),
        "{metrics}"
    );
    // ...and on Postgres the server sees no more sessions than that: none is left over from
    // the start-up work (migrations, keys) either.
    let db = connect(&database.url).await;
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        let sessions = db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT COUNT(*) AS n FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        assert!((1..=3).contains(&sessions), "{sessions} sessions");
    }
}
