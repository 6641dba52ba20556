//! The statement recorder of the load benchmark (`bench/run.py` builds and runs it; see
//! `bench/README.md`): `bench-capture OUT_DIR`, with `DATABASE_URL` naming a database that holds
//! the synthetic corpus.
//!
//! It serves the service in-process over a connection that records every statement it runs
//! (sea-orm's metric callback, the same recorder as the query-count tests), keeping no answers
//! (as `STATS_CACHE_MB=0`), picks request paths for each read scenario from the corpus, sends each
//! once, and writes:
//! - `<scenario>.paths`: the request paths, one a line, that wrk cycles through;
//! - `<scenario>-<n>.sql`: for Postgres, the statements behind path n as a pgbench script, their
//!   bound values turned into pgbench variables (`:s3p1`), defined in `scenarios.json`, so that
//!   `pgbench -M prepared` sends them as parameters exactly as the service does;
//! - `write.body`, `batch.body`: the write scenarios' path and body templates;
//! - `scenarios.json`: what `bench/run.py` runs.
//!
//! The statements are captured, never written by hand: when the service's queries change, the
//! ceiling changes with them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{bail, ensure, Context};
use newsmeta::api::http::AppState;
use newsmeta::api::stats_cache::StatsCache;
use newsmeta::config::ServeSettings;
use newsmeta::rate_limit::RateLimits;
use newsmeta::store::keys::{self, Scope};
use newsmeta::store::{self, PoolSettings};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};
use serde_json::{json, Value as Json};

/// How many different requests each read scenario cycles through.
const ARTICLES: usize = 50;
const VARIANTS: usize = 20;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .context("usage: bench-capture OUT_DIR")?,
    );
    std::fs::create_dir_all(&out)?;
    let url = std::env::var("DATABASE_URL").context("set DATABASE_URL")?;
    let pool = PoolSettings {
        max_connections: 4,
        ..PoolSettings::default()
    };
    let plain = store::connect(&url, &pool).await?;
    let log: Arc<Mutex<Vec<Statement>>> = Arc::default();
    let mut recording = store::connect(&url, &pool).await?;
    let record = Arc::clone(&log);
    recording.set_metric_callback(move |info| {
        record.lock().unwrap().push(info.statement.clone());
    });

    let mut state = AppState::new(recording.clone(), &ServeSettings::from_env());
    state.rate_limits = RateLimits::new(0, 0);
    state.request_timeout = None;
    // Every answer computed, none served from memory: each script is what computing its answer
    // costs the database, also for a request that repeats an earlier one.
    state.stats_cache = StatsCache::new(0);
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    // The recorder is on this connection: the workers share it.
    tokio::spawn(newsmeta::app::serve(
        listener,
        state,
        newsmeta::app::Pools::Shared,
    )?);
    let client = reqwest::Client::new();
    let postgres = plain.get_database_backend() == DbBackend::Postgres;

    let sample = Sample::draw(&plain).await?;
    let reads: Vec<(&str, &str, Vec<String>)> = vec![
        (
            "article",
            "article by id, with sections, quotes and entities",
            sample
                .articles
                .iter()
                .map(|id| format!("/v1/articles/{id}?include=sections,quotes,entities"))
                .collect(),
        ),
        (
            "list-entity",
            "article list filtered by an entity",
            sample
                .entities
                .iter()
                .map(|slug| format!("/v1/articles?entity={slug}"))
                .collect(),
        ),
        (
            "search",
            "full-text search of articles",
            sample
                .words
                .iter()
                .map(|word| format!("/v1/articles?q={word}"))
                .collect(),
        ),
        (
            "timeline",
            "stats/timeline of an entity's mentions, by week",
            sample
                .entities
                .iter()
                .map(|slug| format!("/v1/stats/timeline?interval=week&metric=mentions&entity={slug}&from=2025-11-01&to=2026-11-01"))
                .collect(),
        ),
        (
            "entities",
            "entity list, page by page",
            entity_pages(&client, &base).await?,
        ),
    ];

    let mut scenarios = Vec::new();
    for (id, name, paths) in reads {
        let mut scripts = Vec::new();
        let mut defines = BTreeMap::new();
        let mut statements = Vec::new();
        for (n, path) in paths.iter().enumerate() {
            log.lock().unwrap().clear();
            let response = client.get(format!("{base}{path}")).send().await?;
            ensure!(
                response.status().is_success(),
                "GET {path}: {}",
                response.status()
            );
            response.bytes().await?;
            let recorded = std::mem::take(&mut *log.lock().unwrap());
            statements.push(recorded.len());
            if postgres {
                let file = format!("{id}-{n}.sql");
                let prefix = format!("{}{n}", id.replace('-', "_"));
                let script = pgbench_script(&recorded, &prefix, &mut defines)?;
                std::fs::write(out.join(&file), script)?;
                scripts.push(file);
            }
        }
        std::fs::write(out.join(format!("{id}.paths")), paths.join("\n") + "\n")?;
        let (fewest, most) = (
            statements.iter().min().copied().unwrap_or(0),
            statements.iter().max().copied().unwrap_or(0),
        );
        scenarios.push(json!({
            "id": id,
            "name": name,
            "kind": "get",
            "paths": format!("{id}.paths"),
            "scripts": scripts,
            "defines": defines,
            "statements": if fewest == most { fewest.to_string() } else { format!("{fewest}–{most}") },
        }));
    }

    if postgres {
        let article = scenarios
            .iter_mut()
            .find(|scenario| scenario["id"] == "article")
            .context("no article scenario")?;
        article["plain"] = plain_reads(&recording, &log, &sample.articles, &out).await?;
    }

    let key = keys::create(&plain, "load benchmark", Scope::Write)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?
        .secret;
    let article = write_template()?;
    std::fs::write(
        out.join("write.body"),
        format!("/v1/articles\n{}", serde_json::to_string(&article)?),
    )?;
    scenarios.push(json!({
        "id": "write", "name": "create one nested article a request",
        "kind": "post", "paths": "write.body", "key": key, "items": 1,
    }));
    if batch_route_exists(&client, &base).await {
        const BATCH: usize = 50;
        let items: Vec<Json> = (0..BATCH)
            .map(|i| {
                let mut item = article.clone();
                item["slug"] = json!(format!("bench-@N@-{i}"));
                item
            })
            .collect();
        std::fs::write(
            out.join("batch.body"),
            format!("/v1/articles:batch\n{}", serde_json::to_string(&items)?),
        )?;
        scenarios.push(json!({
            "id": "batch", "name": format!("create nested articles in batches of {BATCH}"),
            "kind": "post", "paths": "batch.body", "key": key, "items": BATCH,
        }));
    }
    std::fs::write(
        out.join("scenarios.json"),
        serde_json::to_string_pretty(&scenarios)?,
    )?;
    eprintln!(
        "recorded {} scenarios into {}",
        scenarios.len(),
        out.display()
    );
    Ok(())
}

/// The yardstick of issue 6 for the article with includes, which the service reads in one
/// statement: the four plain reads behind it (the article, its sections, its quotes, its
/// entities through the mentions table), recorded as the service's own store functions for them
/// run them (the routes of each part use them), for the same articles. Answers what
/// `scenarios.json` holds of them for `bench/run.py`.
async fn plain_reads(
    conn: &DatabaseConnection,
    log: &Mutex<Vec<Statement>>,
    articles: &[String],
    out: &Path,
) -> anyhow::Result<Json> {
    let mut scripts = Vec::new();
    let mut defines = BTreeMap::new();
    for (n, key) in articles.iter().enumerate() {
        log.lock().unwrap().clear();
        let article = store::articles::get(conn, key)
            .await
            .map_err(|e| anyhow::anyhow!("article {key}: {e:?}"))?;
        let id = article.article.id;
        let parts = async {
            store::sections::of_article(conn, id).await?;
            store::quotes::of_article(conn, id).await?;
            store::mentions::of_article(conn, id).await
        };
        parts
            .await
            .map_err(|e| anyhow::anyhow!("parts of article {key}: {e:?}"))?;
        let recorded = std::mem::take(&mut *log.lock().unwrap());
        ensure!(recorded.len() == 4, "{} plain reads, not 4", recorded.len());
        let file = format!("article-reads-{n}.sql");
        let script = pgbench_script(&recorded, &format!("article_reads{n}"), &mut defines)?;
        std::fs::write(out.join(&file), script)?;
        scripts.push(file);
    }
    Ok(json!({"scripts": scripts, "defines": defines, "statements": 4}))
}

/// Request parameters drawn from the corpus, spread over it rather than the newest rows only.
struct Sample {
    articles: Vec<String>,
    /// The most mentioned entities: the filters dashboards use most.
    entities: Vec<String>,
    /// Words of headlines, for searches that find something.
    words: Vec<String>,
}

impl Sample {
    async fn draw(db: &DatabaseConnection) -> anyhow::Result<Self> {
        let total = text_column(db, "SELECT CAST(COUNT(*) AS TEXT) FROM articles")
            .await?
            .first()
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0);
        ensure!(
            total >= ARTICLES,
            "the corpus has {total} articles; fill it first"
        );
        // SQLite stores a uuid as 16 bytes; its 32 hex digits name the article as well.
        let id = match db.get_database_backend() {
            DbBackend::Postgres => "CAST(id AS TEXT)",
            _ => "lower(hex(id))",
        };
        let mut articles = Vec::new();
        let mut words = Vec::new();
        for k in 0..ARTICLES {
            let offset = k * total / ARTICLES;
            let row = text_column(
                db,
                &format!(
                    "SELECT {id} || ' ' || headline FROM articles \
                     ORDER BY id LIMIT 1 OFFSET {offset}"
                ),
            )
            .await?;
            let (id, headline) = row
                .first()
                .and_then(|r| r.split_once(' '))
                .context("no article")?;
            articles.push(id.to_owned());
            if words.len() < VARIANTS {
                let word = headline
                    .split(|c: char| !c.is_alphabetic())
                    .max_by_key(|w| w.chars().count())
                    .unwrap_or_default()
                    .to_lowercase();
                if word.chars().count() > 3 {
                    words.push(word);
                }
            }
        }
        let entities = text_column(
            db,
            &format!(
                "SELECT e.slug FROM article_entities m JOIN entities e ON e.id = m.entity_id \
                 GROUP BY e.slug ORDER BY COUNT(*) DESC, e.slug LIMIT {VARIANTS}"
            ),
        )
        .await?;
        Ok(Sample {
            articles,
            entities,
            words,
        })
    }
}

async fn text_column(db: &DatabaseConnection, sql: &str) -> anyhow::Result<Vec<String>> {
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    rows.iter()
        .map(|row| Ok(row.try_get_by_index::<String>(0)?))
        .collect()
}

/// The paths of the first pages of the entity list, following `next_cursor`.
async fn entity_pages(client: &reqwest::Client, base: &str) -> anyhow::Result<Vec<String>> {
    let mut paths = vec!["/v1/entities?limit=50".to_owned()];
    while paths.len() < VARIANTS {
        let page: Json = client
            .get(format!("{base}{}", paths[paths.len() - 1]))
            .send()
            .await?
            .json()
            .await?;
        let Some(cursor) = page["next_cursor"].as_str() else {
            break;
        };
        paths.push(format!("/v1/entities?limit=50&cursor={cursor}"));
    }
    Ok(paths)
}

async fn batch_route_exists(client: &reqwest::Client, base: &str) -> bool {
    let document: Json = match client.get(format!("{base}/openapi.json")).send().await {
        Ok(response) => response.json().await.unwrap_or_default(),
        Err(_) => return false,
    };
    document["paths"]["/v1/articles:batch"].is_object()
}

/// The write scenarios' article: the seed article (4 sections, 9 quotes, 13 entities), its slug a
/// template that bench/scenarios/post.lua fills per request.
fn write_template() -> anyhow::Result<Json> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/seed-article.json");
    let mut article: Json = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    article["slug"] = json!("bench-@N@");
    article["source_url"] = Json::Null;
    Ok(article)
}

/// `statements` as a pgbench script: each bound value becomes a variable named after `prefix`,
/// the statement and the parameter (`:article3s2p1`), defined in `defines`; a NULL is written
/// inline.
fn pgbench_script(
    statements: &[Statement],
    prefix: &str,
    defines: &mut BTreeMap<String, String>,
) -> anyhow::Result<String> {
    let mut script = String::new();
    for (s, statement) in statements.iter().enumerate() {
        let values = statement
            .values
            .as_ref()
            .map(|v| v.0.clone())
            .unwrap_or_default();
        let mut sql = statement.sql.clone();
        // Highest first, so that `$1` does not eat the start of `$10`.
        for (p, value) in values.iter().enumerate().rev() {
            let placeholder = format!("${}", p + 1);
            // pgbench sends its variables untyped, where the service binds each with its type:
            // the cast restores the type (an untyped `ARRAY[…]` of times would read as text[]).
            let (text, pg_type) = text(value)?;
            let replacement = match text {
                None => format!("CAST(NULL AS {pg_type})"),
                Some(text) => {
                    let name = format!("{prefix}s{s}p{}", p + 1);
                    defines.insert(name.clone(), text);
                    format!("CAST(:{name} AS {pg_type})")
                }
            };
            sql = sql.replace(&placeholder, &replacement);
        }
        script.push_str(sql.trim());
        script.push_str(";\n");
    }
    Ok(script)
}

/// A bound value as the text Postgres reads it from (`None` for NULL), and the type the service
/// binds it as.
fn text(value: &Value) -> anyhow::Result<(Option<String>, &'static str)> {
    fn show<T: ToString>(v: &Option<T>) -> Option<String> {
        v.as_ref().map(ToString::to_string)
    }
    Ok(match value {
        Value::Bool(v) => (show(v), "boolean"),
        Value::TinyInt(v) => (show(v), "smallint"),
        Value::SmallInt(v) => (show(v), "smallint"),
        Value::Int(v) => (show(v), "integer"),
        Value::BigInt(v) => (show(v), "bigint"),
        Value::TinyUnsigned(v) => (show(v), "smallint"),
        Value::SmallUnsigned(v) => (show(v), "integer"),
        Value::Unsigned(v) => (show(v), "bigint"),
        Value::BigUnsigned(v) => (show(v), "bigint"),
        Value::Float(v) => (show(v), "real"),
        Value::Double(v) => (show(v), "double precision"),
        Value::String(v) => (v.clone(), "text"),
        Value::Uuid(v) => (show(v), "uuid"),
        Value::Json(v) => (v.as_ref().map(|j| j.to_string()), "jsonb"),
        Value::ChronoDate(v) => (show(v), "date"),
        Value::ChronoDateTime(v) => (
            v.map(|t| t.format("%Y-%m-%d %H:%M:%S%.f").to_string()),
            "timestamp",
        ),
        Value::ChronoDateTimeUtc(v) => (v.map(|t| t.to_rfc3339()), "timestamptz"),
        Value::ChronoDateTimeWithTimeZone(v) => (v.map(|t| t.to_rfc3339()), "timestamptz"),
        other => bail!("a bound value the recorder cannot write for pgbench: {other:?}"),
    })
}
