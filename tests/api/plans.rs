//! Query plans: on a 100,000-article synthetic corpus in Postgres, the statements that the list,
//! search and stats routes issue read the large tables through their indexes, never by a
//! sequential scan (except where a route says why one is right).
//!
//! The test records the exact statements the service runs (SQL and bound values, through
//! sea-orm's metric callback on the service's own connection), drives every route over HTTP with
//! parameters drawn from the corpus, and asks Postgres for the plan of each statement with
//! `EXPLAIN (FORMAT JSON)`: the real plan, with no planner setting changed.
//!
//! `PLAN_CORPUS_ARTICLES` sets the corpus size (default 100,000) for quicker local runs; plans on
//! a much smaller corpus may differ, since a sequential scan is the right plan for a small table.
//! On SQLite the test is skipped: its planner ignores table sizes without `ANALYZE`, and the
//! question of the issue is the Postgres plan.

// Helpers outside `#[tokio::test]` functions fail a test loudly too; clippy only exempts the tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use migration::{Migrator, MigratorTrait};
use newsmeta::synthetic;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::Value;

use crate::helpers::{connect, fresh_test_database, spawn_recording_app, TestApp};

/// Articles in the corpus unless `PLAN_CORPUS_ARTICLES` says otherwise.
const CORPUS_ARTICLES: u64 = 100_000;

/// The tables that grow with the corpus (or, for entities and their aliases, with the newsroom's
/// history); a sequential scan of one of them is what this test looks for.
const LARGE_TABLES: [&str; 7] = [
    "articles",
    "article_keywords",
    "sections",
    "quotes",
    "article_entities",
    "entities",
    "entity_aliases",
];

/// Why the rankings may read the entity table whole: after reading the window's mentions or
/// quotes through the indexes, the planner hashes the entity table to name the entities counted
/// (thousands in a month), since one pass over its 65 pages (the 4,866 entities of the corpus)
/// costs less than an index probe per counted entity. That is the planner's choice by size: it is
/// not a filter going without its index.
const NAMING_RANKED_ENTITIES: &str =
    "naming the thousands of entities counted: one pass over the small entity table beats a probe each";

/// A route to check, and the sequential scans that are right for it.
struct Route {
    path: String,
    /// `(table, why)`: a sequential scan of `table` is the right plan for this route.
    allowed: Vec<(&'static str, &'static str)>,
}

impl Route {
    fn new(path: impl Into<String>) -> Self {
        Route {
            path: path.into(),
            allowed: Vec::new(),
        }
    }

    /// Allows a sequential scan of `table` on this route only, for the reason given.
    fn allowing(mut self, table: &'static str, why: &'static str) -> Self {
        assert!(
            LARGE_TABLES.contains(&table),
            "{table} is not a large table"
        );
        self.allowed.push((table, why));
        self
    }

    fn allows(&self, table: &str) -> bool {
        self.allowed.iter().any(|(allowed, _)| *allowed == table)
    }
}

/// Values that occur in the corpus, for realistic parameters.
struct Sample {
    /// The entity mentioned in the most articles.
    popular: String,
    /// An entity mentioned in a handful of articles.
    rare: String,
    /// The entity quoted most.
    speaker: String,
    category: String,
    keyword: String,
    language: String,
    publisher: String,
    /// An article (its slug).
    article: String,
    /// A word of an article's headline.
    word: String,
    /// A word of a quote.
    quote_word: String,
}

async fn first_text(db: &DatabaseConnection, sql: &str) -> String {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("sample query failed")
        .unwrap_or_else(|| panic!("the corpus has no answer to {sql}"));
    row.try_get_by_index::<String>(0)
        .expect("sample is not text")
}

/// The longest word (letters only) of the first text `sql` answers.
async fn longest_word(db: &DatabaseConnection, sql: &str) -> String {
    let text = first_text(db, sql).await;
    text.split(|c: char| !c.is_alphabetic())
        .max_by_key(|w| w.chars().count())
        .expect("no word")
        .to_lowercase()
}

impl Sample {
    async fn draw(db: &DatabaseConnection) -> Self {
        let most = |column: &str, table: &str| {
            format!(
                "SELECT {column} FROM {table} WHERE {column} IS NOT NULL \
                 GROUP BY {column} ORDER BY COUNT(*) DESC, {column} LIMIT 1"
            )
        };
        Sample {
            popular: first_text(
                db,
                "SELECT e.slug FROM article_entities m JOIN entities e ON e.id = m.entity_id \
                 GROUP BY e.slug ORDER BY COUNT(*) DESC, e.slug LIMIT 1",
            )
            .await,
            rare: first_text(
                db,
                "SELECT e.slug FROM article_entities m JOIN entities e ON e.id = m.entity_id \
                 GROUP BY e.slug HAVING COUNT(*) >= 3 ORDER BY COUNT(*), e.slug LIMIT 1",
            )
            .await,
            speaker: first_text(
                db,
                "SELECT e.slug FROM quotes q JOIN entities e ON e.id = q.speaker_entity_id \
                 GROUP BY e.slug ORDER BY COUNT(*) DESC, e.slug LIMIT 1",
            )
            .await,
            category: first_text(db, &most("category", "articles")).await,
            keyword: first_text(db, &most("keyword", "article_keywords")).await,
            language: first_text(db, &most("language", "articles")).await,
            publisher: first_text(db, &most("publisher", "articles")).await,
            article: first_text(db, "SELECT slug FROM articles ORDER BY slug LIMIT 1").await,
            word: longest_word(db, "SELECT headline FROM articles ORDER BY slug LIMIT 1").await,
            quote_word: longest_word(db, "SELECT text FROM quotes ORDER BY id LIMIT 1").await,
        }
    }
}

/// The routes to check: every list filter alone and in a few combinations, searches, sorts,
/// counts, second pages, an article with everything embedded, and every stats route.
async fn routes(app: &TestApp, s: &Sample) -> Vec<Route> {
    // The corpus ends at 2026-11-01: its last 30 days, and its last 12 weeks (the timeline's
    // default windows for days and weeks).
    let month = "from=2026-10-02&to=2026-11-01";
    let weeks = "from=2026-08-09&to=2026-11-01";
    let articles_in_month = "published_after=2026-10-02&published_before=2026-11-01";
    let mut routes: Vec<Route> = [
        "/v1/articles".to_owned(),
        "/v1/articles?sort=published_at".to_owned(),
        "/v1/articles?sort=-created_at".to_owned(),
        "/v1/articles?sort=created_at".to_owned(),
        format!("/v1/articles?entity={}", s.popular),
        format!("/v1/articles?entity={}", s.rare),
        format!("/v1/articles?entity={}&entity={}", s.popular, s.rare),
        format!(
            "/v1/articles?entity={}&published_after=2026-10-02",
            s.popular
        ),
        format!("/v1/articles?speaker={}", s.speaker),
        format!("/v1/articles?category={}", s.category),
        format!("/v1/articles?keyword={}", s.keyword),
        format!("/v1/articles?language={}", s.language),
        format!("/v1/articles?publisher={}", s.publisher),
        format!("/v1/articles?{articles_in_month}"),
        format!("/v1/articles?q={}", s.word),
        format!("/v1/articles?q={}&highlight=true", s.word),
        format!("/v1/articles?q={}&sort=-published_at", s.word),
        format!("/v1/articles?q={}&category={}", s.word, s.category),
        format!("/v1/articles?q={}&count=true", s.word),
        format!("/v1/articles?category={}&count=true", s.category),
        format!("/v1/articles?entity={}&count=true", s.rare),
        format!(
            "/v1/articles/{}?include=sections,quotes,entities",
            s.article
        ),
        "/v1/quotes".to_owned(),
        "/v1/quotes?sort=created_at".to_owned(),
        format!("/v1/quotes?speaker={}", s.speaker),
        format!("/v1/quotes?article={}", s.article),
        format!("/v1/quotes?q={}", s.quote_word),
        format!("/v1/quotes?q={}&highlight=true&count=true", s.quote_word),
        "/v1/quotes?kind=partial".to_owned(),
        format!("/v1/quotes?{articles_in_month}"),
        "/v1/entities".to_owned(),
        "/v1/entities?kind=person".to_owned(),
        format!("/v1/entities/{}/articles", s.popular),
        format!("/v1/entities/{}/quotes", s.speaker),
        format!("/v1/stats/timeline?{month}"),
        format!("/v1/stats/timeline?{weeks}&interval=week&entity={}", s.rare),
        format!(
            "/v1/stats/timeline?{weeks}&metric=mentions&entity={}",
            s.popular
        ),
        format!(
            "/v1/stats/timeline?{weeks}&metric=quotes&speaker={}",
            s.speaker
        ),
        format!("/v1/stats/timeline?{month}&q={}", s.word),
    ]
    .into_iter()
    .map(Route::new)
    .collect();

    // Second pages, through the cursor of the first.
    for first in [
        "/v1/articles".to_owned(),
        format!("/v1/articles?entity={}", s.popular),
        format!("/v1/articles?q={}", s.word),
        "/v1/quotes".to_owned(),
        format!("/v1/quotes?q={}", s.quote_word),
        "/v1/entities".to_owned(),
    ] {
        routes.push(Route::new(next_page(app, &first).await));
    }

    routes.extend([
        Route::new(format!("/v1/entities?q={}", &s.popular[..3])),
        Route::new("/v1/entities?sort=-mentions")
            .allowing(
                "entities",
                "ranking every entity by its mentions reads every entity",
            )
            .allowing(
                "article_entities",
                "the counts of the most mentioned entities sum a sixth of all mentions",
            ),
    ]);
    // The rankings read the window's mentions or quotes through the indexes, then name the
    // thousands of entities counted there.
    routes.extend(
        [
            format!("/v1/stats/entities?{month}&kind=person"),
            format!("/v1/stats/entities?{month}&by=articles"),
            format!("/v1/stats/speakers?{month}"),
            format!("/v1/stats/speakers?{month}&kind=organization"),
            format!("/v1/stats/co-mentions?entity={}", s.rare),
            format!("/v1/stats/co-mentions?entity={}&{month}", s.popular),
        ]
        .into_iter()
        .map(|path| Route::new(path).allowing("entities", NAMING_RANKED_ENTITIES)),
    );
    // Without a window a ranking counts the whole corpus, and the overview's totals read whole
    // tables: whether by a sequential or an index-only scan is the planner's choice of the cheaper.
    let whole = "reads the whole table";
    routes.extend([
        Route::new("/v1/stats/entities")
            .allowing("article_entities", whole)
            .allowing("entities", NAMING_RANKED_ENTITIES),
        Route::new("/v1/stats/speakers")
            .allowing("quotes", whole)
            .allowing("entities", NAMING_RANKED_ENTITIES),
        Route::new("/v1/stats/overview")
            .allowing("articles", whole)
            .allowing("sections", whole)
            .allowing("quotes", whole)
            .allowing("entities", whole)
            .allowing("article_entities", whole),
    ]);
    routes
}

/// The path of the second page of `first`.
async fn next_page(app: &TestApp, first: &str) -> String {
    let page = app.get_json(first).await;
    let cursor = page["next_cursor"]
        .as_str()
        .unwrap_or_else(|| panic!("{first} has one page only"));
    let separator = if first.contains('?') { '&' } else { '?' };
    format!("{first}{separator}cursor={cursor}")
}

/// Postgres' plan for `statement`, run with its own bound values.
async fn explain(db: &DatabaseConnection, statement: &Statement) -> Value {
    let explain = Statement {
        sql: format!("EXPLAIN (FORMAT JSON) {}", statement.sql),
        ..statement.clone()
    };
    let row = db
        .query_one_raw(explain)
        .await
        .unwrap_or_else(|e| panic!("EXPLAIN failed: {e}\n{}", statement.sql))
        .expect("EXPLAIN answered nothing");
    row.try_get::<Value>("", "QUERY PLAN")
        .expect("the plan is not JSON")
}

/// The tables that `plan` (an `EXPLAIN (FORMAT JSON)` answer) reads by a sequential scan.
fn seq_scans(plan: &Value) -> Vec<String> {
    fn walk(node: &Value, found: &mut Vec<String>) {
        if node["Node Type"] == "Seq Scan" {
            if let Some(table) = node["Relation Name"].as_str() {
                found.push(table.to_owned());
            }
        }
        for child in node["Plans"].as_array().into_iter().flatten() {
            walk(child, found);
        }
    }
    let mut found = Vec::new();
    for statement in plan.as_array().into_iter().flatten() {
        walk(&statement["Plan"], &mut found);
    }
    found
}

#[tokio::test]
async fn list_search_and_stats_queries_use_their_indexes_on_a_large_corpus() {
    if !std::env::var("TEST_DATABASE_URL").is_ok_and(|url| url.starts_with("postgres")) {
        eprintln!("note: the query plan test runs on Postgres only (set TEST_DATABASE_URL)");
        return;
    }
    let articles = std::env::var("PLAN_CORPUS_ARTICLES")
        .map(|n| n.parse().expect("PLAN_CORPUS_ARTICLES is not a number"))
        .unwrap_or(CORPUS_ARTICLES);

    let database = fresh_test_database().await;
    let plain = connect(&database.url).await;
    Migrator::up(&plain, None).await.expect("migrations failed");
    synthetic::generate(&plain, articles, 1, |_| {})
        .await
        .expect("generating the corpus failed");
    // Autovacuum vacuums a table after many inserts (Postgres 13 and later), which sets the
    // visibility map that index-only scans rely on, and analyzes it; this is that state, reached
    // now rather than whenever autovacuum (off on some test servers) comes round.
    plain
        .execute_unprepared("VACUUM ANALYZE")
        .await
        .expect("VACUUM ANALYZE failed");

    let (app, log) = spawn_recording_app(database).await;
    let sample = Sample::draw(&plain).await;

    let mut failures = Vec::new();
    for route in routes(&app, &sample).await {
        log.take();
        let response = app.get(&route.path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {}", route.path);
        let selects: Vec<Statement> = log
            .take()
            .into_iter()
            .filter(|s| s.sql.trim_start().to_uppercase().starts_with("SELECT"))
            .collect();
        assert!(
            !selects.is_empty(),
            "GET {} issued no SELECT: nothing to check",
            route.path
        );
        for statement in &selects {
            let plan = explain(&plain, statement).await;
            let scanned: Vec<String> = seq_scans(&plan)
                .into_iter()
                .filter(|t| LARGE_TABLES.contains(&t.as_str()) && !route.allows(t))
                .collect();
            if !scanned.is_empty() {
                failures.push(format!(
                    "GET {}\nsequential scan of {scanned:?} (allowed here: {:?}) in\n{}\n\
                     values: {:?}\nplan: {:#}",
                    route.path, route.allowed, statement.sql, statement.values, plan
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} statement(s) read a large table without its index:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// SQLite's plan for `statement`: the `detail` of each line of `EXPLAIN QUERY PLAN`.
async fn sqlite_plan(db: &DatabaseConnection, statement: &Statement) -> Vec<String> {
    let explain = Statement {
        sql: format!("EXPLAIN QUERY PLAN {}", statement.sql),
        ..statement.clone()
    };
    db.query_all_raw(explain)
        .await
        .unwrap_or_else(|e| panic!("EXPLAIN QUERY PLAN failed: {e}\n{}", statement.sql))
        .iter()
        .map(|row| row.try_get::<String>("", "detail").expect("no detail"))
        .collect()
}

/// On SQLite, the matches of a search (their rowids, from FTS5) are a test each row passes, never
/// the way into `articles`: FTS5 gives the planner no estimate of how many there are, and taking
/// them for few, it read every match's row and sorted them all for a page of a word found in most
/// articles (0.9 s on 100,000 articles; bench/README.md, eighth run). `articles` is entered
/// through one of its indexes: the list's order, or its most selective filter with the order.
#[tokio::test]
async fn sqlite_searches_and_filters_walk_an_index_in_the_lists_order() {
    let database = fresh_test_database().await;
    if !database.url.starts_with("sqlite") {
        eprintln!("note: this plan test is SQLite's (FTS5); Postgres has its own above");
        return;
    }
    let plain = connect(&database.url).await;
    Migrator::up(&plain, None).await.expect("migrations failed");
    synthetic::generate(&plain, 300, 1, |_| {})
        .await
        .expect("generating the corpus failed");
    plain.execute_unprepared("ANALYZE").await.expect("ANALYZE");
    let word = longest_word(
        &plain,
        "SELECT headline FROM articles ORDER BY slug LIMIT 1",
    )
    .await;

    let (app, log) = spawn_recording_app(database).await;
    let searches = [
        format!("/v1/articles?q={word}"),
        format!("/v1/articles?q={word}&sort=-published_at"),
        format!("/v1/articles?q={word}&category=politics"),
        format!("/v1/articles?q={word}&language=en"),
        format!("/v1/stats/timeline?interval=month&q={word}&from=2025-11-01&to=2026-11-01"),
    ];
    let filters = [
        "/v1/articles?category=politics".to_owned(),
        "/v1/articles?language=en".to_owned(),
        "/v1/articles?language=en&sort=published_at".to_owned(),
    ];
    let mut checked = 0;
    for path in searches.iter().chain(&filters) {
        log.take();
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        for statement in log.take() {
            let search = statement.sql.contains(r#"MATCH ?"#);
            let filter = statement
                .sql
                .contains(r#"FROM "articles" WHERE "articles"."#);
            if !search && !filter {
                continue;
            }
            checked += 1;
            let plan = sqlite_plan(&plain, &statement).await;
            let indexed = plan.iter().any(|line| {
                (line.starts_with("SCAN articles USING ")
                    || line.starts_with("SEARCH articles USING "))
                    && line.contains("INDEX idx_articles_")
            });
            assert!(
                indexed,
                "GET {path} does not enter articles through an index:\n{}\nplan: {plan:#?}",
                statement.sql
            );
            if !search {
                assert!(
                    !plan
                        .iter()
                        .any(|line| line.contains("TEMP B-TREE FOR ORDER BY")),
                    "GET {path} sorts what its filter's index could give in order:\n{}\n\
                     plan: {plan:#?}",
                    statement.sql
                );
            }
        }
    }
    assert!(
        checked >= searches.len() + filters.len(),
        "each path issued its statement"
    );
}
