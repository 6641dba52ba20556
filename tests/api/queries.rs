//! A fixed number of SQL statements per request: an article with all its includes, and every list,
//! costs as many statements with one row to show as with fifty (no query per row, "N+1"). The
//! statements are the ones the service really runs, recorded on its own connection.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{fresh_test_database, spawn_recording_app, StatementLog, TestApp};

/// The speaker every article quotes first, so that the entity's lists grow with the articles.
const SHARED: &str = "Person 1";

/// An article of `quotes` paragraphs, each a quote by its own person (`Person 1` … `Person N`),
/// in one section, mentioning every speaker.
fn article_with_quotes(slug: &str, quotes: usize) -> Value {
    let mut body = String::new();
    let mut quoted = Vec::new();
    let mut entities = Vec::new();
    for k in 1..=quotes {
        if k > 1 {
            body.push('\n');
        }
        let text = format!("Point number {k} stands,");
        let start = body.len() + 1;
        body.push_str(&format!("\"{text}\" said Person {k}."));
        let speaker = json!({"name": format!("Person {k}"), "kind": "person"});
        quoted.push(json!({
            "text": text, "section_position": 0, "speaker": speaker, "cue": "said",
            "start": start, "end": start + text.len()
        }));
        entities.push(json!({"entity": speaker, "mention_count": 1}));
    }
    json!({
        "slug": slug,
        "headline": format!("Fifty voices on {slug}"),
        "body": body,
        "category": "politics",
        "keywords": ["voices", slug],
        "published_at": "2026-11-23T08:00:00Z",
        "sections": [{"heading": "Voices", "body": body, "start": 0, "end": body.len()}],
        "quotes": quoted,
        "entities": entities,
    })
}

async fn create(app: &TestApp, slug: &str, quotes: usize) {
    let response = app
        .post_json("/v1/articles", &article_with_quotes(slug, quotes))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED, "creating {slug}");
}

/// The statements one GET of `path` runs.
async fn statements(app: &TestApp, log: &StatementLog, path: &str) -> Vec<String> {
    log.take();
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    let _ = response.bytes().await.unwrap();
    log.take().into_iter().map(|s| s.sql).collect()
}

/// The routes to count, `{article}` standing for the article to show.
const ROUTES: [&str; 19] = [
    "/v1/articles/{article}?include=sections,quotes,entities",
    "/v1/articles/{article}/sections",
    "/v1/articles/{article}/quotes",
    "/v1/articles/{article}/entities",
    "/v1/articles",
    "/v1/articles?entity=person-1",
    "/v1/articles?q=voices",
    "/v1/quotes",
    "/v1/quotes?speaker=person-1",
    "/v1/quotes?q=stands",
    "/v1/entities",
    "/v1/entities/person-1/articles",
    "/v1/entities/person-1/quotes",
    "/v1/changes?limit=100",
    "/v1/stats/overview",
    "/v1/stats/entities",
    "/v1/stats/speakers",
    "/v1/stats/co-mentions?entity=person-1",
    "/v1/stats/timeline?from=2026-11-01&to=2026-12-01&interval=day",
];

#[tokio::test]
async fn each_read_runs_as_many_statements_for_fifty_rows_as_for_one() {
    let (app, log) = spawn_recording_app(fresh_test_database().await).await;
    assert_eq!(
        article_with_quotes("x", 2)["quotes"][0]["speaker"]["name"],
        SHARED
    );

    create(&app, "one-voice", 1).await;
    let mut few = Vec::new();
    for route in ROUTES {
        few.push(statements(&app, &log, &route.replace("{article}", "one-voice")).await);
    }

    // Fifty voices in one article, and enough articles quoting and mentioning `Person 1` to fill
    // every list's first page.
    for n in 0..30 {
        create(&app, &format!("many-voices-{n}"), 50).await;
    }
    let mut failures = Vec::new();
    for (route, few) in ROUTES.iter().zip(few) {
        let path = route.replace("{article}", "many-voices-0");
        let many = statements(&app, &log, &path).await;
        assert!(
            !few.is_empty(),
            "GET {path} ran no statement: nothing counted"
        );
        if many.len() != few.len() {
            failures.push(format!(
                "GET {route}: {} statements with one row, {} with many\n  one: {few:#?}\n  many: {many:#?}",
                few.len(),
                many.len()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[tokio::test]
async fn an_article_with_all_its_includes_is_one_statement() {
    let (app, log) = spawn_recording_app(fresh_test_database().await).await;
    create(&app, "many-voices", 50).await;
    for path in [
        "/v1/articles/many-voices?include=sections,quotes,entities",
        "/v1/articles/many-voices?include=quotes",
        "/v1/articles/many-voices",
    ] {
        let statements = statements(&app, &log, path).await;
        assert_eq!(statements.len(), 1, "GET {path}: {statements:#?}");
    }
    // JSON-LD carries the quotes and entities too, read the same way.
    log.take();
    let response = app
        .request(reqwest::Method::GET, "/v1/articles/many-voices")
        .header("accept", "application/ld+json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(log.take().len(), 1, "GET as JSON-LD");
}

#[tokio::test]
async fn an_article_list_without_body_in_fields_does_not_read_the_bodies() {
    let (app, log) = spawn_recording_app(fresh_test_database().await).await;
    create(&app, "many-voices", 3).await;
    let body = app.get_json("/v1/articles/many-voices").await["body"].clone();
    let reads_bodies = |statements: &[String]| {
        statements
            .iter()
            .any(|s| s.contains(r#""articles"."body""#))
    };

    for list in [
        "/v1/articles",
        "/v1/articles?entity=person-1",
        "/v1/articles?entity=person-1&sort=published_at",
        "/v1/articles?category=politics&sort=-created_at",
        "/v1/entities/person-1/articles",
    ] {
        let sep = if list.contains('?') { '&' } else { '?' };

        let narrowed = format!("{list}{sep}fields=slug,headline");
        let sql = statements(&app, &log, &narrowed).await;
        assert!(
            !reads_bodies(&sql),
            "GET {narrowed} read the bodies: {sql:#?}"
        );
        let page = app.get_json(&narrowed).await;
        assert_eq!(page["data"][0]["slug"], "many-voices", "GET {narrowed}");
        assert_eq!(page["data"][0]["headline"], "Fifty voices on many-voices");
        assert!(page["data"][0].get("body").is_none(), "GET {narrowed}");

        // Asked for, or without `fields`, the body is read and answered whole.
        for whole in [format!("{list}{sep}fields=slug,body"), list.to_owned()] {
            let sql = statements(&app, &log, &whole).await;
            assert!(reads_bodies(&sql), "GET {whole} did not read the bodies");
            assert_eq!(
                app.get_json(&whole).await["data"][0]["body"],
                body,
                "GET {whole}"
            );
        }
    }
}
