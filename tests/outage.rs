//! The database-outage test: the real `newsmeta serve` binary over a throwaway Postgres cluster
//! of its own (initdb + pg_ctl on a private port and data directory; the shared server is never
//! touched), under steady read and write load, while the cluster is stopped for 10 s and started
//! again.
//!
//! It checks what an operator relies on when the database goes away:
//! - while the database is down, `/health/ready` is 503 and every request that needs the database
//!   fails fast with 503 problem+json: no hang (a client timeout well above the pool's acquire
//!   timeout catches one), no 500, no other status;
//! - afterwards the same process serves again: ready within a bounded wait, writes succeed;
//! - every write that was answered 2xx is in the database, and no article is stored without all of
//!   the sections and quotes it was sent with.
//!
//! Runs when `TEST_DATABASE_URL` is set (the Postgres run of CI, which has the Postgres binaries
//! in /usr/lib/postgresql/15/bin); otherwise it prints "skipped: needs Postgres" and passes.
//! Tests run as root and `initdb` refuses root, so the cluster runs as the `postgres` OS user.

// Test code fails loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{json, Value};

/// Where Debian puts the Postgres 15 server binaries; `PG_BIN` overrides.
const DEFAULT_PG_BIN: &str = "/usr/lib/postgresql/15/bin";
/// How long the database stays down.
const OUTAGE: Duration = Duration::from_secs(10);
/// The service's pool-acquire timeout (`DATABASE_ACQUIRE_TIMEOUT`, seconds).
const ACQUIRE_TIMEOUT_SECS: u64 = 1;
/// The client's timeout: a request that takes this long hangs (the service should give up on the
/// database after about one acquire timeout).
const HANG: Duration = Duration::from_secs(6);
/// The bound on the service becoming ready (again).
const READY_WITHIN: Duration = Duration::from_secs(30);

/// Where the test is in the outage, for each request's start and end.
const BEFORE: u8 = 0;
/// `pg_ctl stop` has been issued and has not returned.
const STOPPING: u8 = 1;
/// The cluster is down (`pg_ctl stop` returned, `pg_ctl start` not yet issued).
const DOWN: u8 = 2;
/// `pg_ctl start` has been issued; the service has not been seen ready yet.
const STARTING: u8 = 3;
/// The service answered ready again.
const AFTER: u8 = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_service_answers_503_during_a_database_outage_and_recovers_without_losing_writes() {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        println!("skipped: needs Postgres (set TEST_DATABASE_URL)");
        return;
    }
    let cluster = Arc::new(Cluster::create());
    let database_url = cluster.url();
    let write_key = create_write_key(&database_url);
    let mut service = Service::start(&database_url, &cluster.root);
    let client = reqwest::Client::builder().timeout(HANG).build().unwrap();
    let base = service.base.clone();

    wait_until_ready(&client, &base, READY_WITHIN).await;

    let load = Load {
        client: client.clone(),
        base: base.clone(),
        write_key,
        phase: Arc::new(AtomicU8::new(BEFORE)),
        running: Arc::new(AtomicBool::new(true)),
        outcomes: Arc::new(Mutex::new(Vec::new())),
        sent: Arc::new(Mutex::new(BTreeMap::new())),
        created: Arc::new(Mutex::new(BTreeSet::new())),
    };
    let mut tasks = Vec::new();
    for writer in 0..4 {
        tasks.push(tokio::spawn(load.clone().write(writer)));
    }
    for reader in 0..3 {
        tasks.push(tokio::spawn(load.clone().read(reader)));
    }
    tasks.push(tokio::spawn(load.clone().probe_readiness()));

    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        !load.created.lock().unwrap().is_empty(),
        "no write succeeded before the outage"
    );

    load.phase.store(STOPPING, Ordering::SeqCst);
    let stopping = Arc::clone(&cluster);
    assert!(
        blocking(move || stopping.stop_fast()).await,
        "pg_ctl stop failed"
    );
    load.phase.store(DOWN, Ordering::SeqCst);
    let down_at = Instant::now();
    tokio::time::sleep(OUTAGE).await;

    load.phase.store(STARTING, Ordering::SeqCst);
    let starting = Arc::clone(&cluster);
    assert!(
        blocking(move || starting.start()).await,
        "pg_ctl start failed after the outage"
    );
    let outage = down_at.elapsed();
    wait_until_ready(&client, &base, READY_WITHIN).await;
    load.phase.store(AFTER, Ordering::SeqCst);

    tokio::time::sleep(Duration::from_secs(3)).await;
    load.running.store(false, Ordering::SeqCst);
    for task in tasks {
        task.await.unwrap();
    }
    assert!(
        service.still_running(),
        "the service exited during the outage"
    );

    let outcomes = load.outcomes.lock().unwrap().clone();
    check_outcomes(&outcomes, outage);

    // Writes work again, in this same process.
    let (slug, body) = article_body(99, 0);
    let response = client
        .post(format!("{base}/v1/articles"))
        .bearer_auth(&load.write_key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "a write after the outage"
    );
    load.sent.lock().unwrap().insert(slug.clone(), body);
    load.created.lock().unwrap().insert(slug);

    let sent = load.sent.lock().unwrap().clone();
    let created = load.created.lock().unwrap().clone();
    check_database(&database_url, &sent, &created).await;
    drop(service);
    drop(cluster);
}

/// Runs blocking work (a `pg_ctl` call) off the async workers, so the load keeps going.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work).await.unwrap()
}

/// What one request got.
#[derive(Debug, Clone)]
struct Outcome {
    /// `GET /v1/articles`, `POST /v1/articles`, `GET /health/ready`, ...
    what: String,
    started: u8,
    ended: u8,
    elapsed: Duration,
    /// The status, or the transport error (a timeout is a hang).
    result: Result<(StatusCode, Option<String>, Value), String>,
}

impl Outcome {
    fn is_readiness(&self) -> bool {
        self.what.ends_with("/health/ready")
    }
}

/// The load: writers, readers and a readiness probe, sharing what was sent and what was created.
#[derive(Clone)]
struct Load {
    client: reqwest::Client,
    base: String,
    write_key: String,
    phase: Arc<AtomicU8>,
    running: Arc<AtomicBool>,
    outcomes: Arc<Mutex<Vec<Outcome>>>,
    /// Every article body sent, by slug (whatever the answer).
    sent: Arc<Mutex<BTreeMap<String, Value>>>,
    /// The slugs whose create was answered 201.
    created: Arc<Mutex<BTreeSet<String>>>,
}

impl Load {
    async fn send(&self, what: String, request: reqwest::RequestBuilder) -> Outcome {
        let started = self.phase.load(Ordering::SeqCst);
        let clock = Instant::now();
        let result = match request.send().await {
            Ok(response) => {
                let status = response.status();
                let content_type = response
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let body = response
                    .bytes()
                    .await
                    .map_err(|e| format!("reading the body: {e}"))
                    .map(|bytes| serde_json::from_slice(&bytes).unwrap_or(Value::Null));
                body.map(|body| (status, content_type, body))
            }
            Err(error) => Err(format!("{error:?}")),
        };
        let outcome = Outcome {
            what,
            started,
            ended: self.phase.load(Ordering::SeqCst),
            elapsed: clock.elapsed(),
            result,
        };
        self.outcomes.lock().unwrap().push(outcome.clone());
        outcome
    }

    /// Creates articles with nested sections and quotes, each with a slug of its own.
    async fn write(self, writer: usize) {
        let mut n = 0;
        while self.running.load(Ordering::SeqCst) {
            let (slug, body) = article_body(writer, n);
            n += 1;
            self.sent.lock().unwrap().insert(slug.clone(), body.clone());
            let request = self
                .client
                .post(format!("{}/v1/articles", self.base))
                .bearer_auth(&self.write_key)
                .json(&body);
            let outcome = self.send("POST /v1/articles".to_owned(), request).await;
            if matches!(outcome.result, Ok((status, _, _)) if status.is_success()) {
                self.created.lock().unwrap().insert(slug);
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Reads lists and single articles (with their sections and quotes) that were created.
    async fn read(self, reader: usize) {
        let mut n: usize = 0;
        while self.running.load(Ordering::SeqCst) {
            let path = match (n + reader) % 3 {
                0 => "/v1/articles?limit=5".to_owned(),
                1 => "/v1/quotes?limit=5".to_owned(),
                _ => {
                    let created = self.created.lock().unwrap();
                    match created.iter().nth(n % created.len().max(1)) {
                        Some(slug) => format!("/v1/articles/{slug}?include=sections,quotes"),
                        None => "/v1/articles?limit=1".to_owned(),
                    }
                }
            };
            n += 1;
            let request = self.client.get(format!("{}{path}", self.base));
            let label = format!("GET {}", path.split('?').next().unwrap_or_default());
            self.send(label, request).await;
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    }

    /// Asks `/health/ready` four times a second.
    async fn probe_readiness(self) {
        while self.running.load(Ordering::SeqCst) {
            let request = self.client.get(format!("{}/health/ready", self.base));
            self.send("GET /health/ready".to_owned(), request).await;
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// An article with two sections and two quotes (one spoken by an inline entity, so that the
/// create also writes an entity and a mention), all told apart by `writer` and `n`.
fn article_body(writer: usize, n: usize) -> (String, Value) {
    let tag = format!("w{writer}n{n}");
    let slug = format!("outage-{tag}");
    let first = format!("The council met on Monday about plan {tag}.");
    let second = format!("\"We will build it,\" said the mayor of {tag}.");
    let body = json!({
        "slug": slug,
        "headline": format!("Council approves plan {tag}"),
        "body": format!("{first}\n{second}"),
        "category": "politics",
        "sections": [
            {"heading": format!("Meeting {tag}"), "body": first},
            {"heading": format!("Reaction {tag}"), "body": second},
        ],
        "quotes": [
            {"text": format!("We will build it {tag}"), "section_position": 1,
             "speaker": {"name": format!("Mayor {writer}"), "kind": "person"}},
            {"text": format!("It is a good day {tag}"), "section_position": 0},
        ],
    });
    (slug, body)
}

/// Every answer is one the outage allows, none hung, and the outage itself answered 503.
fn check_outcomes(outcomes: &[Outcome], outage: Duration) {
    let mut failures = Vec::new();
    let mut down_requests = 0;
    let mut down_readiness = 0;
    let mut after_writes = 0;
    let mut after_reads = 0;
    for outcome in outcomes {
        let (status, content_type, body) = match &outcome.result {
            Ok(answer) => answer,
            Err(error) => {
                failures.push(format!(
                    "{} failed after {:?} (phase {}→{}): {error}",
                    outcome.what, outcome.elapsed, outcome.started, outcome.ended
                ));
                continue;
            }
        };
        let status = *status;
        let problem_json = content_type.as_deref() == Some("application/problem+json");
        let during = outcome.started == DOWN && outcome.ended == DOWN;
        let near = (STOPPING..=STARTING).contains(&outcome.started)
            || (STOPPING..=STARTING).contains(&outcome.ended);
        let expected_success = if outcome.what.starts_with("POST") {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        let describe = || {
            format!(
                "{} answered {status} (phase {}→{}, {:?}): {body}",
                outcome.what, outcome.started, outcome.ended, outcome.elapsed
            )
        };
        if status == StatusCode::SERVICE_UNAVAILABLE {
            if !near {
                failures.push(format!("503 outside the outage: {}", describe()));
            }
            if outcome.is_readiness() {
                if body["status"] != "unavailable" {
                    failures.push(format!("readiness 503 without its body: {}", describe()));
                }
            } else if !problem_json || body["type"] != "/problems/unavailable" {
                failures.push(format!("503 that is not problem+json: {}", describe()));
            }
        } else if status == expected_success {
            if during {
                failures.push(format!(
                    "success while the database was down: {}",
                    describe()
                ));
            }
        } else {
            failures.push(format!("unexpected status: {}", describe()));
        }
        if during {
            if outcome.is_readiness() {
                down_readiness += 1;
            } else {
                down_requests += 1;
            }
        }
        if outcome.started == AFTER && status == expected_success {
            if outcome.what.starts_with("POST") {
                after_writes += 1;
            } else if !outcome.is_readiness() {
                after_reads += 1;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} requests went wrong during a {outage:?} outage:\n{}",
        failures.len(),
        outcomes.len(),
        failures.join("\n")
    );
    // The load really met the outage, and the service really came back.
    assert!(
        down_requests >= 20,
        "only {down_requests} requests ran while the database was down"
    );
    assert!(
        down_readiness >= 5,
        "only {down_readiness} readiness probes ran while the database was down"
    );
    assert!(after_writes > 0, "no write succeeded after the outage");
    assert!(after_reads > 0, "no read succeeded after the outage");
}

/// Every 2xx write is stored, and every stored article has exactly the sections and quotes it
/// was sent with (no half-written article, whatever its answer was).
async fn check_database(url: &str, sent: &BTreeMap<String, Value>, created: &BTreeSet<String>) {
    let db = Database::connect(url).await.unwrap();
    let rows = |sql: &str| {
        let db = &db;
        let statement = Statement::from_string(db.get_database_backend(), sql.to_owned());
        async move { db.query_all_raw(statement).await.unwrap() }
    };
    let mut stored: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for row in rows("SELECT slug FROM articles").await {
        let slug: String = row.try_get("", "slug").unwrap();
        stored.entry(slug).or_default();
    }
    for row in rows(
        "SELECT a.slug, s.heading, s.body FROM sections s JOIN articles a ON a.id = s.article_id",
    )
    .await
    {
        let slug: String = row.try_get("", "slug").unwrap();
        let heading: Option<String> = row.try_get("", "heading").unwrap();
        let body: String = row.try_get("", "body").unwrap();
        stored
            .entry(slug)
            .or_default()
            .0
            .insert(format!("{}|{body}", heading.unwrap_or_default()));
    }
    for row in
        rows("SELECT a.slug, q.text FROM quotes q JOIN articles a ON a.id = q.article_id").await
    {
        let slug: String = row.try_get("", "slug").unwrap();
        let text: String = row.try_get("", "text").unwrap();
        stored.entry(slug).or_default().1.insert(text);
    }
    db.close().await.ok();

    let missing: Vec<&String> = created
        .iter()
        .filter(|slug| !stored.contains_key(*slug))
        .collect();
    assert!(
        missing.is_empty(),
        "{} article(s) answered 201 are not in the database: {missing:?}",
        missing.len()
    );
    for (slug, (sections, quotes)) in &stored {
        let body = sent
            .get(slug)
            .unwrap_or_else(|| panic!("article `{slug}` is stored but was never sent"));
        let sent_sections: BTreeSet<String> = body["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                format!(
                    "{}|{}",
                    s["heading"].as_str().unwrap_or_default(),
                    s["body"].as_str().unwrap()
                )
            })
            .collect();
        let sent_quotes: BTreeSet<String> = body["quotes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["text"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(sections, &sent_sections, "the sections of `{slug}`");
        assert_eq!(quotes, &sent_quotes, "the quotes of `{slug}`");
    }
    assert!(
        stored.len() >= created.len(),
        "fewer articles stored than created"
    );
}

/// Polls `/health/ready` until it answers 200; panics after `within`.
async fn wait_until_ready(client: &reqwest::Client, base: &str, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        if let Ok(response) = client.get(format!("{base}/health/ready")).send().await {
            if response.status() == StatusCode::OK {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the service was not ready within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A Postgres cluster of the test's own, stopped and deleted when dropped (also when the test
/// fails; its logs are printed then).
struct Cluster {
    root: PathBuf,
    port: u16,
}

impl Cluster {
    fn create() -> Cluster {
        let root =
            std::env::temp_dir().join(format!("newsmeta-outage-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(root.join("socket")).unwrap();
        // From here on the guard removes the directory, whatever happens.
        let cluster = Cluster {
            root,
            port: free_port(),
        };
        if running_as_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&cluster.root)
                .status()
                .unwrap();
            assert!(
                status.success(),
                "cannot give the cluster directory to postgres"
            );
        }
        let output = cluster.as_postgres(
            pg_bin("initdb"),
            [
                OsStr::new("-D"),
                cluster.data().as_os_str(),
                OsStr::new("-U"),
                OsStr::new("postgres"),
                OsStr::new("-A"),
                OsStr::new("trust"),
                OsStr::new("-E"),
                OsStr::new("UTF8"),
                OsStr::new("--locale=C"),
                OsStr::new("--no-sync"),
            ],
        );
        assert!(
            output.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(cluster.start(), "pg_ctl start failed");
        cluster
    }

    fn data(&self) -> PathBuf {
        self.root.join("data")
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server and waits until it accepts connections.
    /// Stops the server in fast mode: clients are disconnected (57P01) and it checkpoints.
    fn stop_fast(&self) -> bool {
        let output = self.pg_ctl(["stop", "-m", "fast", "-w", "-t", "60"]);
        if !output.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&output.stderr));
        }
        output.status.success()
    }

    fn start(&self) -> bool {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {}",
            self.port,
            self.root.join("socket").display()
        );
        let log = self.root.join("postgres.log");
        let output = self.pg_ctl([
            OsStr::new("start"),
            OsStr::new("-w"),
            OsStr::new("-t"),
            OsStr::new("60"),
            OsStr::new("-l"),
            log.as_os_str(),
            OsStr::new("-o"),
            OsStr::new(&options),
        ]);
        if !output.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&output.stderr));
        }
        output.status.success()
    }

    fn pg_ctl<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut all = vec![OsStr::new("-D").to_owned(), self.data().into_os_string()];
        all.extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self.as_postgres(pg_bin("pg_ctl"), all)
    }

    /// Runs a Postgres program as the `postgres` OS user when the test runs as root.
    fn as_postgres<I, S>(&self, program: PathBuf, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = if running_as_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        command
            .args(args)
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if std::thread::panicking() {
            print_tail(&self.root.join("postgres.log"), |_| true);
            print_tail(&self.root.join("service.log"), |line| {
                !line.contains(" WARN ")
            });
        }
        if self.data().join("postmaster.pid").exists() {
            let _ = self.pg_ctl(["stop", "-m", "immediate", "-w", "-t", "30"]);
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Prints the last lines of a log that `keep` keeps (the service's warnings are one per 503).
fn print_tail(path: &Path, keep: impl Fn(&str) -> bool) {
    if let Ok(text) = std::fs::read_to_string(path) {
        let lines: Vec<&str> = text.lines().filter(|line| keep(line)).collect();
        let tail = &lines[lines.len().saturating_sub(60)..];
        eprintln!("--- last lines of {}:\n{}", path.display(), tail.join("\n"));
    }
}

fn pg_bin(program: &str) -> PathBuf {
    let dir = std::env::var("PG_BIN").unwrap_or_else(|_| DEFAULT_PG_BIN.to_owned());
    Path::new(&dir).join(program)
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Makes a write key with `newsmeta keys create` (which migrates the database first).
fn create_write_key(database_url: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_newsmeta"))
        .args([
            "keys",
            "create",
            "--name",
            "outage test",
            "--scope",
            "write",
        ])
        .env("DATABASE_URL", database_url)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "newsmeta keys create failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    stdout.lines().last().unwrap().trim().to_owned()
}

/// The `newsmeta serve` process, killed when dropped.
struct Service {
    child: Child,
    base: String,
}

impl Service {
    fn start(database_url: &str, log_dir: &Path) -> Service {
        let port = free_port();
        let log = std::fs::File::create(log_dir.join("service.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_newsmeta"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("NO_SEED", "true")
            .env("DATABASE_ACQUIRE_TIMEOUT", ACQUIRE_TIMEOUT_SECS.to_string())
            .env("DATABASE_MAX_CONNECTIONS", "8")
            .env_remove("RUST_LOG")
            .env("NO_COLOR", "1")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        Service {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    fn still_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
