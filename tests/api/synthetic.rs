//! The synthetic corpus (`newsmeta seed --synthetic N --seed S`): generated straight into a test
//! app's database, then read back through the API, whose integrity rules it must keep.

// Helpers outside `#[tokio::test]` functions fail a test loudly too; clippy only exempts the tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::process::Output;

use newsmeta::synthetic::{self, SyntheticReport};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{fresh_test_database, spawn_app, spawn_app_on, TestApp};

async fn generate(app: &TestApp, count: u64, seed: u64) -> SyntheticReport {
    synthetic::generate(&app.db, count, seed, |_| {})
        .await
        .expect("generating failed")
}

/// Every article in the database, newest first, with sections, quotes and entities.
async fn all_articles(app: &TestApp) -> Vec<Value> {
    let mut slugs = Vec::new();
    let mut path = "/v1/articles?limit=100".to_owned();
    loop {
        let page = app.get_json(&path).await;
        for article in page["data"].as_array().unwrap() {
            slugs.push(article["slug"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/articles?limit=100&cursor={cursor}"),
            None => break,
        }
    }
    let mut articles = Vec::new();
    for slug in slugs {
        articles.push(
            app.get_json(&format!(
                "/v1/articles/{slug}?include=sections,quotes,entities"
            ))
            .await,
        );
    }
    articles
}

/// `text[start..end]`, counting chars as every offset does.
fn chars(text: &str, start: &Value, end: &Value) -> String {
    let (start, end) = (
        start.as_u64().unwrap() as usize,
        end.as_u64().unwrap() as usize,
    );
    text.chars().skip(start).take(end - start).collect()
}

fn array(value: &Value) -> &Vec<Value> {
    value.as_array().expect("not an array")
}

/// The rules a synthetic article keeps, as DESIGN.md and seeds/README.md state them.
fn assert_well_formed(article: &Value) {
    let slug = article["slug"].as_str().unwrap();
    let body = article["body"].as_str().unwrap();
    let body_len = body.chars().count() as u64;
    let sections = array(&article["sections"]);
    let quotes = array(&article["quotes"]);
    let mentions = array(&article["entities"]);
    assert!(
        (4..=8).contains(&sections.len()),
        "{slug}: {} sections",
        sections.len()
    );
    assert!(
        (3..=10).contains(&quotes.len()),
        "{slug}: {} quotes",
        quotes.len()
    );
    assert!(
        (5..=20).contains(&mentions.len()),
        "{slug}: {} entities",
        mentions.len()
    );
    assert_eq!(article["language"], "en");
    assert!(article["category"].is_string(), "{slug}");
    assert!(article["standfirst"].is_string(), "{slug}");
    assert!(article["publisher"].is_string(), "{slug}");
    assert!(!array(&article["keywords"]).is_empty(), "{slug}");
    assert!(article["source_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/{slug}")));
    assert_eq!(
        article["word_count"].as_u64().unwrap(),
        body.split_whitespace().count() as u64
    );
    let published = article["published_at"].as_str().unwrap();
    assert!(
        ("2024-11-01".."2026-11-01").contains(&published),
        "{slug} published at {published}"
    );

    // Sections tile the body: the lede from 0, each next one a newline after the last, the last
    // one to the end; each covers its heading line and its text.
    let mut expected_start = 0;
    for (position, section) in sections.iter().enumerate() {
        assert_eq!(section["position"], position as u64, "{slug}");
        assert_eq!(
            section["start"], expected_start,
            "{slug} section {position}"
        );
        let covered = chars(body, &section["start"], &section["end"]);
        let text = section["body"].as_str().unwrap();
        if position == 0 {
            assert_eq!(section["heading"], Value::Null);
            assert_eq!(covered, text);
        } else {
            let heading = section["heading"].as_str().unwrap();
            assert_eq!(
                covered,
                format!("{heading}\n{text}"),
                "{slug} section {position}"
            );
        }
        expected_start = section["end"].as_u64().unwrap() + 1;
    }
    assert_eq!(
        expected_start - 1,
        body_len,
        "{slug}: sections end where the body does"
    );

    // Quotes are taken from the body, in order, inside the section they name, spoken by one of
    // the people or organisations the article mentions (or by someone it does not name).
    let mentioned: HashSet<&str> = mentions
        .iter()
        .map(|m| m["entity"]["id"].as_str().unwrap())
        .collect();
    let mut last_end = 0;
    for (position, quote) in quotes.iter().enumerate() {
        assert_eq!(quote["position"], position as u64, "{slug}");
        assert_eq!(
            chars(body, &quote["start"], &quote["end"]),
            quote["text"].as_str().unwrap(),
            "{slug} quote {position}"
        );
        assert!(
            quote["start"].as_u64().unwrap() >= last_end,
            "{slug}: quotes in body order"
        );
        last_end = quote["end"].as_u64().unwrap();
        let section = sections
            .iter()
            .find(|s| s["id"] == quote["section_id"])
            .unwrap_or_else(|| panic!("{slug}: quote {position} names no section of its article"));
        assert!(section["start"].as_u64() <= quote["start"].as_u64());
        assert!(quote["end"].as_u64() <= section["end"].as_u64());
        assert!(["direct", "partial"].contains(&quote["kind"].as_str().unwrap()));
        assert!(quote["cue"].is_string(), "{slug}");
        let label = quote["speaker_label"].as_str().unwrap();
        assert!(
            body.contains(label),
            "{slug}: label `{label}` is written in the body"
        );
        if !quote["speaker"].is_null() {
            let speaker = &quote["speaker"];
            assert!(["person", "organization"].contains(&speaker["kind"].as_str().unwrap()));
            assert!(
                mentioned.contains(speaker["id"].as_str().unwrap()),
                "{slug}"
            );
        }
    }

    // Each entity is named at its first offset, and counted at least once.
    for mention in mentions {
        let name = mention["entity"]["name"].as_str().unwrap();
        assert!(
            mention["mention_count"].as_u64().unwrap() >= 1,
            "{slug}: {name}"
        );
        let first = mention["first_offset"].as_u64().unwrap() as usize;
        assert!((first as u64) < body_len, "{slug}: {name}");
        let written: String = body
            .chars()
            .skip(first)
            .take(name.chars().count())
            .collect();
        assert_eq!(written, name, "{slug}: first mention of {name}");
        assert!((0.0..=1.0).contains(&mention["salience"].as_f64().unwrap()));
    }
}

#[tokio::test]
async fn every_synthetic_article_keeps_the_rules_the_api_enforces() {
    let app = spawn_app().await;
    let report = generate(&app, 50, 7).await;
    assert_eq!(report.target, 50);
    assert_eq!(report.articles, 50);
    assert_eq!(report.entities_reused, 0);

    let articles = all_articles(&app).await;
    assert_eq!(articles.len(), 50);
    for article in &articles {
        assert_well_formed(article);
    }
    // The report counts what the API serves.
    let count = |key: &str| -> u64 { articles.iter().map(|a| array(&a[key]).len() as u64).sum() };
    assert_eq!(report.sections, count("sections"));
    assert_eq!(report.quotes, count("quotes"));
    assert_eq!(report.mentions, count("entities"));
    assert_eq!(report.keywords, count("keywords"));
    assert_eq!(
        report.entities_created,
        app.count_rows("entities").await as u64
    );
    let urls: HashSet<&str> = articles
        .iter()
        .map(|a| a["source_url"].as_str().unwrap())
        .collect();
    assert_eq!(urls.len(), 50, "source URLs are unique");
    let partial = articles
        .iter()
        .flat_map(|a| array(&a["quotes"]))
        .filter(|q| q["kind"] == "partial")
        .count();
    assert!(
        partial > 0 && partial < report.quotes as usize / 2,
        "{partial} partial quotes"
    );
}

#[tokio::test]
async fn a_synthetic_article_passes_the_api_validation_when_posted_again() {
    let app = spawn_app().await;
    generate(&app, 5, 7).await;
    let original = all_articles(&app).await.remove(2);

    let section_positions: Vec<(&Value, u64)> = array(&original["sections"])
        .iter()
        .map(|s| (&s["id"], s["position"].as_u64().unwrap()))
        .collect();
    let body = json!({
        "slug": "reposted",
        "headline": original["headline"],
        "standfirst": original["standfirst"],
        "body": original["body"],
        "authors": original["authors"],
        "publisher": original["publisher"],
        "language": original["language"],
        "category": original["category"],
        "keywords": original["keywords"],
        "published_at": original["published_at"],
        "sections": array(&original["sections"]).iter().map(|s| json!({
            "position": s["position"], "heading": s["heading"], "body": s["body"],
            "start": s["start"], "end": s["end"],
        })).collect::<Vec<_>>(),
        "quotes": array(&original["quotes"]).iter().map(|q| json!({
            "position": q["position"], "text": q["text"], "kind": q["kind"],
            "section_position": section_positions.iter().find(|(id, _)| **id == q["section_id"]).unwrap().1,
            "speaker": if q["speaker"].is_null() { Value::Null } else { json!({"slug": q["speaker"]["slug"]}) },
            "speaker_label": q["speaker_label"], "cue": q["cue"], "start": q["start"], "end": q["end"],
        })).collect::<Vec<_>>(),
        "entities": array(&original["entities"]).iter().map(|m| json!({
            "entity": {"slug": m["entity"]["slug"]}, "mention_count": m["mention_count"],
            "first_offset": m["first_offset"], "salience": m["salience"],
        })).collect::<Vec<_>>(),
    });
    let response = app.post_json("/v1/articles", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let reposted = app
        .get_json("/v1/articles/reposted?include=sections,quotes,entities")
        .await;

    // The same structure, apart from ids and times.
    let without = |items: &Value, keys: &[&str]| -> Vec<Value> {
        array(items)
            .iter()
            .map(|item| {
                let mut item = item.clone();
                for key in keys {
                    item.as_object_mut().unwrap().remove(*key);
                }
                item
            })
            .collect()
    };
    let ids = ["id", "article_id", "section_id"];
    assert_eq!(
        without(&reposted["sections"], &ids),
        without(&original["sections"], &ids)
    );
    assert_eq!(
        without(&reposted["quotes"], &ids),
        without(&original["quotes"], &ids)
    );
    assert_eq!(reposted["entities"], original["entities"]);
    assert_eq!(reposted["word_count"], original["word_count"]);
}

#[tokio::test]
async fn entity_popularity_is_zipf_distributed() {
    let app = spawn_app().await;
    generate(&app, 50, 7).await;
    let mut mentions = Vec::new();
    let mut articles = Vec::new();
    let mut path = "/v1/entities?sort=-mentions&limit=100".to_owned();
    loop {
        let page = app.get_json(&path).await;
        for entity in array(&page["data"]) {
            mentions.push(entity["mention_count"].as_u64().unwrap());
            articles.push(entity["article_count"].as_u64().unwrap());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/entities?sort=-mentions&limit=100&cursor={cursor}"),
            None => break,
        }
    }
    assert!(
        mentions.windows(2).all(|w| w[0] >= w[1]),
        "sorted by mentions"
    );
    let median = mentions[mentions.len() / 2];
    assert!(
        mentions[0] >= 20 * median,
        "the most mentioned entity ({}) against the median ({median})",
        mentions[0]
    );
    // A head that most articles mention, and a long tail of entities named in one article.
    assert!(articles.iter().max().unwrap() * 2 > 50, "{articles:?}");
    let once = articles.iter().filter(|&&n| n == 1).count();
    assert!(
        once * 2 > articles.len(),
        "{once} of {} named once",
        articles.len()
    );
}

#[tokio::test]
async fn the_same_seed_makes_the_same_corpus_in_two_databases() {
    let first = spawn_app().await;
    let second = spawn_app().await;
    let other = spawn_app().await;
    let a = generate(&first, 20, 7).await;
    let b = generate(&second, 20, 7).await;
    generate(&other, 20, 8).await;
    assert_eq!(a, b);

    // Ids and timestamps too: nothing comes from the clock.
    let from_first = all_articles(&first).await;
    assert_eq!(from_first, all_articles(&second).await);
    assert_eq!(
        first.get_json("/v1/entities?limit=100").await,
        second.get_json("/v1/entities?limit=100").await
    );
    let headlines = |articles: &[Value]| -> Vec<Value> {
        articles.iter().map(|a| a["headline"].clone()).collect()
    };
    assert_ne!(
        headlines(&from_first),
        headlines(&all_articles(&other).await)
    );
}

#[tokio::test]
async fn a_seed_already_stored_is_refused_and_another_adds_to_the_corpus() {
    let app = spawn_app().await;
    let first = generate(&app, 60, 7).await;

    let again = synthetic::generate(&app.db, 60, 7, |_| {}).await;
    let message = again.expect_err("the same seed twice").to_string();
    assert!(
        message.contains("already holds the synthetic corpus of seed 7"),
        "{message}"
    );
    assert_eq!(app.count_rows("articles").await, 60);

    // Another seed shares the places (and perhaps some people): those are reused, not doubled.
    let second = generate(&app, 60, 8).await;
    assert_eq!(app.count_rows("articles").await, 120);
    assert!(second.entities_reused > 0, "{second:?}");
    assert_eq!(
        app.count_rows("entities").await as u64,
        first.entities_created + second.entities_created
    );
    assert_eq!(
        app.count_rows("article_entities").await as u64,
        first.mentions + second.mentions
    );
}

#[tokio::test]
async fn the_seed_article_and_a_synthetic_corpus_share_entities() {
    let app = spawn_app().await;
    app.create_seed().await;
    let seed_entities: Vec<String> = array(&app.get_json("/v1/entities?limit=100").await["data"])
        .iter()
        .map(|e| e["slug"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seed_entities.len(), 13);

    let report = generate(&app, 200, 7).await;
    // The seed's entities that the corpus names are reused, not made twice.
    let mut reused = Vec::new();
    for slug in &seed_entities {
        let entity = app.get_json(&format!("/v1/entities/{slug}")).await;
        if entity["article_count"].as_u64().unwrap() > 1 {
            reused.push(slug.clone());
        }
    }
    assert!(!reused.is_empty(), "no seed entity in the corpus");
    assert_eq!(report.entities_reused, reused.len() as u64, "{reused:?}");
    assert_eq!(
        app.count_rows("entities").await as u64,
        13 + report.entities_created
    );
}

/// Runs the real `newsmeta` binary with `args` against the database at `database_url`.
async fn newsmeta(database_url: &str, args: &[&str]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_newsmeta"));
    command
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn");
    tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the command's thread panicked")
        .expect("cannot run newsmeta")
}

#[tokio::test]
async fn seed_synthetic_on_the_command_line_reports_progress_and_a_summary() {
    let database = fresh_test_database().await;
    let output = newsmeta(
        &database.url,
        &["seed", "--synthetic", "1200", "--seed", "3"],
    )
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with("generated 1200 synthetic articles (seed 3) in "),
        "{stdout}"
    );
    assert!(stdout.contains(" articles/s: "), "{stdout}");
    // Batches of 500: progress after 500, 1000 and 1200 articles.
    let progress: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(" articles "))
        .collect();
    assert_eq!(progress.len(), 3, "{stderr}");
    assert!(
        progress[0]
            .trim_start()
            .starts_with("41%  500 of 1200 articles"),
        "{stderr}"
    );
    assert!(
        progress[2]
            .trim_start()
            .starts_with("100%  1200 of 1200 articles"),
        "{stderr}"
    );

    let app = spawn_app_on(database).await;
    let page = app.get_json("/v1/articles?count=true&limit=1").await;
    assert_eq!(page["total"], 1200);
}

#[tokio::test]
async fn seed_without_synthetic_refuses_a_random_seed() {
    let database = fresh_test_database().await;
    let output = newsmeta(&database.url, &["seed", "--seed", "3"]).await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--synthetic"), "{stderr}");
}
