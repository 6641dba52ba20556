//! `/v1/stats/*`: rankings, co-mentions, timelines and totals, against hand-computed fixtures.
//!
//! The fixtures are the seed (undated) and six small articles around the 2026 DST changes in
//! London (clocks forward at 2026-03-29T01:00Z, back at 2026-10-25T01:00Z):
//!
//! | article | published_at (UTC) | London local | mentions | quotes by |
//! |---|---|---|---|---|
//! | eve | 2026-03-28T23:30:00Z | 03-28 23:30 | united-kingdom 3, keir-starmer 2 | keir-starmer |
//! | just-before-midnight | 2026-03-29T22:59:59.999999Z | 03-29 23:59:59.999999 | bank-of-england 2, united-kingdom 1 | bank-of-england |
//! | at-midnight | 2026-03-29T23:00:00Z (sent as 00:00+01:00) | 03-30 00:00 | rachel-reeves 1 | – |
//! | after-midnight | 2026-03-29T23:30:00Z | 03-30 00:30 | united-kingdom 1, donald-trump 1, rachel-reeves 4 | rachel-reeves ×2, donald-trump |
//! | autumn | 2026-10-24T23:30:00Z | 10-25 00:30 | rachel-reeves 1, bank-of-england 2 | rachel-reeves |
//! | last-year | 2025-12-31T23:59:59Z | 12-31 23:59:59 | united-kingdom 2 | – |
//!
//! The seed mentions 13 entities (united-kingdom 7, united-states 5, donald-trump 4, europe 2,
//! the-times 2, keir-starmer 2, seven more once) and quotes united-states 5 times, donald-trump
//! twice, keir-starmer and us-state-department once each. Ties in rankings go to the entity created
//! first: the seed's in the order they are listed in the seed, then rachel-reeves, then
//! bank-of-england.

// Helpers outside `#[tokio::test]` functions fail a test loudly too; clippy only exempts the tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, NaiveDate, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, TestApp};

/// A fixture article: slug, published_at, mentions (slug or inline entity, count), quote speakers.
fn fixture(
    slug: &str,
    published_at: &str,
    words: &str,
    mentions: &[(Value, i32)],
    speakers: &[&str],
) -> Value {
    json!({
        "slug": slug,
        "headline": format!("Fixture {slug}"),
        "body": format!("A fixture article about {words}."),
        "published_at": published_at,
        "entities": mentions.iter().map(|(entity, count)| json!({"entity": entity, "mention_count": count})).collect::<Vec<_>>(),
        "quotes": speakers.iter().enumerate().map(|(i, speaker)| json!({"text": format!("Quote {i} of {slug}"), "speaker": {"slug": speaker}})).collect::<Vec<_>>(),
    })
}

fn slug(slug: &str) -> Value {
    json!({"slug": slug})
}

/// Creates the seed and the six fixture articles (in the order of the table above), and answers
/// the fixture articles as stored.
async fn seed_and_fixtures(app: &TestApp) -> Vec<Value> {
    app.create_seed().await;
    create_fixtures(app).await
}

/// Creates the six fixture articles; the seed must exist already.
async fn create_fixtures(app: &TestApp) -> Vec<Value> {
    let reeves = json!({"name": "Rachel Reeves", "kind": "person"});
    let boe = json!({"name": "Bank of England", "kind": "organization"});
    let articles = [
        fixture(
            "eve",
            "2026-03-28T23:30:00Z",
            "the eve of summer time",
            &[(slug("united-kingdom"), 3), (slug("keir-starmer"), 2)],
            &["keir-starmer"],
        ),
        fixture(
            "just-before-midnight",
            "2026-03-29T22:59:59.999999Z",
            "interest rates",
            &[(boe, 2), (slug("united-kingdom"), 1)],
            &["bank-of-england"],
        ),
        fixture(
            "at-midnight",
            "2026-03-30T00:00:00+01:00",
            "the treasury",
            &[(reeves, 1)],
            &[],
        ),
        fixture(
            "after-midnight",
            "2026-03-29T23:30:00Z",
            "the spring budget",
            &[
                (slug("united-kingdom"), 1),
                (slug("donald-trump"), 1),
                (slug("rachel-reeves"), 4),
            ],
            &["rachel-reeves", "rachel-reeves", "donald-trump"],
        ),
        fixture(
            "autumn",
            "2026-10-24T23:30:00Z",
            "the autumn statement",
            &[(slug("rachel-reeves"), 1), (slug("bank-of-england"), 2)],
            &["rachel-reeves"],
        ),
        fixture(
            "last-year",
            "2025-12-31T23:59:59Z",
            "new year's eve",
            &[(slug("united-kingdom"), 2)],
            &[],
        ),
    ];
    let mut stored = Vec::new();
    for article in articles {
        let response = app.post_json("/v1/articles", &article).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{article}");
        stored.push(response.json().await.unwrap());
    }
    stored
}

/// `(slug, mention_count, article_count)` of each row of a ranking of entities.
fn entity_rows(answer: &Value) -> Vec<(String, i64, i64)> {
    answer["data"]
        .as_array()
        .expect("data is not an array")
        .iter()
        .map(|row| {
            (
                row["entity"]["slug"].as_str().unwrap().to_owned(),
                row["mention_count"].as_i64().unwrap(),
                row["article_count"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// `(slug, quote_count, article_count)` of each row of the speakers ranking.
fn speaker_rows(answer: &Value) -> Vec<(String, i64, i64)> {
    answer["data"]
        .as_array()
        .expect("data is not an array")
        .iter()
        .map(|row| {
            (
                row["speaker"]["slug"].as_str().unwrap().to_owned(),
                row["quote_count"].as_i64().unwrap(),
                row["article_count"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn rows(expected: &[(&str, i64, i64)]) -> Vec<(String, i64, i64)> {
    expected
        .iter()
        .map(|(slug, a, b)| ((*slug).to_owned(), *a, *b))
        .collect()
}

/// `(date, count)` of each bucket of a timeline.
fn counts(timeline: &Value) -> Vec<(String, i64)> {
    timeline["data"]
        .as_array()
        .expect("data is not an array")
        .iter()
        .map(|b| {
            (
                b["date"].as_str().unwrap().to_owned(),
                b["count"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn dated(expected: &[(&str, i64)]) -> Vec<(String, i64)> {
    expected
        .iter()
        .map(|(date, count)| ((*date).to_owned(), *count))
        .collect()
}

// --- top entities ------------------------------------------------------------------------------

#[tokio::test]
async fn top_entities_of_the_seed_are_its_mention_counts_with_summaries() {
    let app = spawn_app().await;
    app.create_seed().await;
    let answer = app.get_json("/v1/stats/entities?limit=3").await;
    let uk = app.get_json("/v1/entities/united-kingdom").await;
    assert_eq!(
        (
            &answer["by"],
            &answer["kind"],
            &answer["from"],
            &answer["to"]
        ),
        (&json!("mentions"), &Value::Null, &Value::Null, &Value::Null)
    );
    assert_eq!(
        answer["data"][0],
        json!({"entity": {"id": uk["id"], "slug": "united-kingdom", "name": "United Kingdom", "kind": "location"},
               "mention_count": 7, "article_count": 1})
    );
    assert_eq!(
        entity_rows(&answer),
        rows(&[
            ("united-kingdom", 7, 1),
            ("united-states", 5, 1),
            ("donald-trump", 4, 1)
        ])
    );
}

#[tokio::test]
async fn top_entities_by_mentions_sum_every_article_and_break_ties_by_articles_then_age() {
    let app = spawn_app().await;
    seed_and_fixtures(&app).await;
    let answer = app.get_json("/v1/stats/entities").await;
    assert_eq!(
        entity_rows(&answer),
        rows(&[
            ("united-kingdom", 14, 5),
            ("rachel-reeves", 6, 3),
            ("donald-trump", 5, 2),
            ("united-states", 5, 1),
            ("keir-starmer", 4, 2),
            ("bank-of-england", 4, 2),
            ("europe", 2, 1),
            ("the-times", 2, 1),
            ("london", 1, 1),
            ("australia", 1, 1),
        ])
    );
    // Explicit `by=mentions` is the default.
    assert_eq!(app.get_json("/v1/stats/entities?by=mentions").await, answer);
    // The whole list: 13 seed entities and 2 more.
    let all = app.get_json("/v1/stats/entities?limit=100").await;
    assert_eq!(all["data"].as_array().unwrap().len(), 15);
    assert_eq!(all["data"][14]["entity"]["slug"], "us-state-department");
}

#[tokio::test]
async fn top_entities_by_articles_rank_by_articles_then_mentions() {
    let app = spawn_app().await;
    seed_and_fixtures(&app).await;
    let answer = app.get_json("/v1/stats/entities?by=articles&limit=8").await;
    assert_eq!(answer["by"], "articles");
    assert_eq!(
        entity_rows(&answer),
        rows(&[
            ("united-kingdom", 14, 5),
            ("rachel-reeves", 6, 3),
            ("donald-trump", 5, 2),
            ("keir-starmer", 4, 2),
            ("bank-of-england", 4, 2),
            ("united-states", 5, 1),
            ("europe", 2, 1),
            ("the-times", 2, 1),
        ])
    );
}

#[tokio::test]
async fn top_entities_in_a_window_count_only_articles_published_in_it() {
    let app = spawn_app().await;
    seed_and_fixtures(&app).await;
    // From 2026 on: the five 2026 articles; the seed is undated and left out.
    let answer = app.get_json("/v1/stats/entities?from=2026-01-01").await;
    assert_eq!(answer["from"], "2026-01-01T00:00:00Z");
    assert_eq!(answer["to"], Value::Null);
    assert_eq!(
        entity_rows(&answer),
        rows(&[
            ("rachel-reeves", 6, 3),
            ("united-kingdom", 5, 3),
            ("bank-of-england", 4, 2),
            ("keir-starmer", 2, 1),
            ("donald-trump", 1, 1),
        ])
    );
    // Before 2026: only last year's article.
    let before = app.get_json("/v1/stats/entities?to=2026-01-01").await;
    assert_eq!(entity_rows(&before), rows(&[("united-kingdom", 2, 1)]));

    // The UTC day 2026-03-29, [from, to): both ends exact, to the microsecond.
    let day = app
        .get_json("/v1/stats/entities?from=2026-03-29T00:00:00Z&to=2026-03-30")
        .await;
    assert_eq!(
        entity_rows(&day),
        rows(&[
            ("rachel-reeves", 5, 2),
            ("united-kingdom", 2, 2),
            ("bank-of-england", 2, 1),
            ("donald-trump", 1, 1),
        ])
    );
    let until_midnight = app
        .get_json("/v1/stats/entities?from=2026-03-29&to=2026-03-29T23:00:00Z")
        .await;
    assert_eq!(
        entity_rows(&until_midnight),
        rows(&[("bank-of-england", 2, 1), ("united-kingdom", 1, 1)])
    );
    // A window offset is honoured: 00:00+01:00 is 23:00Z.
    let from_midnight = app
        .get_json("/v1/stats/entities?from=2026-03-30T00:00:00%2B01:00&to=2026-03-30")
        .await;
    assert_eq!(from_midnight["from"], "2026-03-29T23:00:00Z");
    assert_eq!(
        entity_rows(&from_midnight),
        rows(&[
            ("rachel-reeves", 5, 2),
            ("united-kingdom", 1, 1),
            ("donald-trump", 1, 1),
        ])
    );
    // Nothing in the window: an empty list, not an error.
    let empty = app.get_json("/v1/stats/entities?from=2030-01-01").await;
    assert_eq!(empty["data"], json!([]));
}

#[tokio::test]
async fn top_entities_of_a_kind_are_only_that_kind() {
    let app = spawn_app().await;
    seed_and_fixtures(&app).await;
    let people = app.get_json("/v1/stats/entities?kind=person").await;
    assert_eq!(people["kind"], "person");
    assert_eq!(
        entity_rows(&people),
        rows(&[
            ("rachel-reeves", 6, 3),
            ("donald-trump", 5, 2),
            ("keir-starmer", 4, 2),
        ])
    );
    let organizations = app
        .get_json("/v1/stats/entities?kind=organization&by=articles")
        .await;
    assert_eq!(
        entity_rows(&organizations),
        rows(&[
            ("bank-of-england", 4, 2),
            ("the-times", 2, 1),
            ("conservative-party", 1, 1),
            ("labour-party", 1, 1),
            ("us-state-department", 1, 1),
        ])
    );
    let events = app.get_json("/v1/stats/entities?kind=event").await;
    assert_eq!(events["data"], json!([]));
}

// --- top speakers ------------------------------------------------------------------------------

#[tokio::test]
async fn top_speakers_of_the_seed_are_who_it_quotes() {
    let app = spawn_app().await;
    app.create_seed().await;
    let answer = app.get_json("/v1/stats/speakers").await;
    let us = app.get_json("/v1/entities/united-states").await;
    assert_eq!(
        answer["data"][0],
        json!({"speaker": {"id": us["id"], "slug": "united-states", "name": "United States", "kind": "location"},
               "quote_count": 5, "article_count": 1})
    );
    assert_eq!(
        speaker_rows(&answer),
        rows(&[
            ("united-states", 5, 1),
            ("donald-trump", 2, 1),
            ("keir-starmer", 1, 1),
            ("us-state-department", 1, 1),
        ])
    );
    assert_eq!(
        (&answer["kind"], &answer["from"], &answer["to"]),
        (&Value::Null, &Value::Null, &Value::Null)
    );
}

#[tokio::test]
async fn top_speakers_count_quotes_and_the_articles_quoting_them() {
    let app = spawn_app().await;
    seed_and_fixtures(&app).await;
    let all = app.get_json("/v1/stats/speakers").await;
    assert_eq!(
        speaker_rows(&all),
        rows(&[
            ("united-states", 5, 1),
            ("donald-trump", 3, 2),
            ("rachel-reeves", 3, 2),
            ("keir-starmer", 2, 2),
            ("us-state-department", 1, 1),
            ("bank-of-england", 1, 1),
        ])
    );
    let this_year = app.get_json("/v1/stats/speakers?from=2026-01-01").await;
    assert_eq!(
        speaker_rows(&this_year),
        rows(&[
            ("rachel-reeves", 3, 2),
            ("donald-trump", 1, 1),
            ("keir-starmer", 1, 1),
            ("bank-of-england", 1, 1),
        ])
    );
    let people = app.get_json("/v1/stats/speakers?kind=person&limit=2").await;
    assert_eq!(
        speaker_rows(&people),
        rows(&[("donald-trump", 3, 2), ("rachel-reeves", 3, 2)])
    );
}

// --- co-mentions -------------------------------------------------------------------------------

#[tokio::test]
async fn co_mentions_of_the_seeds_united_kingdom_are_the_other_twelve_entities() {
    let app = spawn_app().await;
    app.create_seed().await;
    let answer = app
        .get_json("/v1/stats/co-mentions?entity=united-kingdom&limit=100")
        .await;
    let uk = app.get_json("/v1/entities/united-kingdom").await;
    assert_eq!(
        answer["entity"],
        json!({"id": uk["id"], "slug": "united-kingdom", "name": "United Kingdom", "kind": "location"})
    );
    assert_eq!(
        (&answer["by"], &answer["kind"]),
        (&json!("articles"), &Value::Null)
    );
    assert_eq!(
        entity_rows(&answer),
        rows(&[
            ("united-states", 5, 1),
            ("donald-trump", 4, 1),
            ("europe", 2, 1),
            ("the-times", 2, 1),
            ("keir-starmer", 2, 1),
            ("london", 1, 1),
            ("australia", 1, 1),
            ("new-zealand", 1, 1),
            ("canada", 1, 1),
            ("conservative-party", 1, 1),
            ("labour-party", 1, 1),
            ("us-state-department", 1, 1),
        ])
    );
    // By id, the same answer.
    let by_id = app
        .get_json(&format!(
            "/v1/stats/co-mentions?entity={}&limit=100",
            uk["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(by_id, answer);
}

#[tokio::test]
async fn co_mentions_count_shared_articles_and_the_others_mentions_in_them() {
    let app = spawn_app().await;
    seed_and_fixtures(&app).await;
    let by_articles = app
        .get_json("/v1/stats/co-mentions?entity=united-kingdom&limit=7")
        .await;
    assert_eq!(
        entity_rows(&by_articles),
        rows(&[
            ("donald-trump", 5, 2),
            ("keir-starmer", 4, 2),
            ("united-states", 5, 1),
            ("rachel-reeves", 4, 1),
            ("europe", 2, 1),
            ("the-times", 2, 1),
            ("bank-of-england", 2, 1),
        ])
    );
    let by_mentions = app
        .get_json("/v1/stats/co-mentions?entity=united-kingdom&by=mentions&limit=4")
        .await;
    assert_eq!(
        entity_rows(&by_mentions),
        rows(&[
            ("donald-trump", 5, 2),
            ("united-states", 5, 1),
            ("keir-starmer", 4, 2),
            ("rachel-reeves", 4, 1),
        ])
    );
    let this_year = app
        .get_json("/v1/stats/co-mentions?entity=united-kingdom&from=2026-01-01")
        .await;
    assert_eq!(
        entity_rows(&this_year),
        rows(&[
            ("rachel-reeves", 4, 1),
            ("keir-starmer", 2, 1),
            ("bank-of-england", 2, 1),
            ("donald-trump", 1, 1),
        ])
    );
    let people = app
        .get_json("/v1/stats/co-mentions?entity=rachel-reeves&kind=person")
        .await;
    assert_eq!(entity_rows(&people), rows(&[("donald-trump", 1, 1)]));
    // Last year's article mentions only the United Kingdom: no companions.
    let alone = app
        .get_json("/v1/stats/co-mentions?entity=united-kingdom&to=2026-01-01")
        .await;
    assert_eq!(alone["data"], json!([]));
}

#[tokio::test]
async fn co_mentions_need_a_known_entity() {
    let app = spawn_app().await;
    app.create_seed().await;
    let missing = assert_problem(
        app.get("/v1/stats/co-mentions").await,
        StatusCode::BAD_REQUEST,
        "bad-request",
        &["entity"],
    )
    .await;
    assert!(missing["detail"].as_str().unwrap().contains("required"));
    let unknown = assert_problem(
        app.get("/v1/stats/co-mentions?entity=nobody-at-all").await,
        StatusCode::NOT_FOUND,
        "not-found",
        &[],
    )
    .await;
    assert_eq!(unknown["detail"], "entity `nobody-at-all` was not found");
}

// --- timeline ----------------------------------------------------------------------------------

#[tokio::test]
async fn a_london_timeline_puts_articles_on_their_local_day_across_the_spring_dst_change() {
    let app = spawn_app().await;
    seed_and_fixtures(&app).await;
    let answer = app
        .get_json("/v1/stats/timeline?from=2026-03-28&to=2026-04-01&tz=Europe/London")
        .await;
    // 2026-03-29 is 23 hours long; the bare dates are London midnights.
    assert_eq!(
        answer,
        json!({
            "interval": "day", "metric": "articles", "tz": "Europe/London",
            "from": "2026-03-28T00:00:00Z", "to": "2026-03-31T23:00:00Z", "total": 4,
            "data": [
                {"date": "2026-03-28", "start": "2026-03-28T00:00:00Z", "end": "2026-03-29T00:00:00Z", "count": 1},
                {"date": "2026-03-29", "start": "2026-03-29T00:00:00Z", "end": "2026-03-29T23:00:00Z", "count": 1},
                {"date": "2026-03-30", "start": "2026-03-29T23:00:00Z", "end": "2026-03-30T23:00:00Z", "count": 2},
                {"date": "2026-03-31", "start": "2026-03-30T23:00:00Z", "end": "2026-03-31T23:00:00Z", "count": 0}
            ]
        })
    );
    // In UTC the three articles of the evening of the 29th share one day.
    let utc = app
        .get_json("/v1/stats/timeline?from=2026-03-28&to=2026-04-01")
        .await;
    assert_eq!(utc["tz"], "UTC");
    assert_eq!(
        counts(&utc),
        dated(&[
            ("2026-03-28", 1),
            ("2026-03-29", 3),
            ("2026-03-30", 0),
            ("2026-03-31", 0)
        ])
    );
    assert_eq!(utc["data"][1]["end"], "2026-03-30T00:00:00Z");
}

#[tokio::test]
async fn a_london_timeline_has_a_25_hour_day_when_the_clocks_go_back() {
    let app = spawn_app().await;
    seed_and_fixtures(&app).await;
    let answer = app
        .get_json("/v1/stats/timeline?from=2026-10-24&to=2026-10-27&tz=Europe/London")
        .await;
    assert_eq!(
        answer["data"],
        json!([
            {"date": "2026-10-24", "start": "2026-10-23T23:00:00Z", "end": "2026-10-24T23:00:00Z", "count": 0},
            {"date": "2026-10-25", "start": "2026-10-24T23:00:00Z", "end": "2026-10-26T00:00:00Z", "count": 1},
            {"date": "2026-10-26", "start": "2026-10-26T00:00:00Z", "end": "2026-10-27T00:00:00Z", "count": 0}
        ])
    );
    // The same article is on the 24th in UTC.
    let utc = app
        .get_json("/v1/stats/timeline?from=2026-10-24&to=2026-10-27")
        .await;
    assert_eq!(
        counts(&utc),
        dated(&[("2026-10-24", 1), ("2026-10-25", 0), ("2026-10-26", 0)])
    );
}

#[tokio::test]
async fn timeline_buckets_start_exactly_at_local_midnight() {
    let app = spawn_app().await;
    seed_and_fixtures(&app).await;
    // A bucket ending at London midnight (23:00Z) and one starting there: the article published
    // at 23:00:00Z counts in the second, the one a microsecond earlier in the first, and the one
    // at 23:30 not at all (`to` is exclusive).
    let answer = app
        .get_json(
            "/v1/stats/timeline?from=2026-03-29T22:00:00Z&to=2026-03-29T23:30:00Z&tz=Europe/London",
        )
        .await;
    assert_eq!(
        answer["data"],
        json!([
            {"date": "2026-03-29", "start": "2026-03-29T22:00:00Z", "end": "2026-03-29T23:00:00Z", "count": 1},
            {"date": "2026-03-30", "start": "2026-03-29T23:00:00Z", "end": "2026-03-29T23:30:00Z", "count": 1}
        ])
    );
    // A bare date is local midnight: from 2026-03-30 is from 23:00Z, so the article a microsecond
    // earlier is out.
    let after = app
        .get_json("/v1/stats/timeline?from=2026-03-30&to=2026-03-29T23:30:00Z&tz=Europe/London")
        .await;
    assert_eq!(
        after["data"],
        json!([{"date": "2026-03-30", "start": "2026-03-29T23:00:00Z", "end": "2026-03-29T23:30:00Z", "count": 1}])
    );
    // `to` is exclusive: the 23:30 article is not in that bucket, but is one microsecond later.
    let later = app
        .get_json(
            "/v1/stats/timeline?from=2026-03-30&to=2026-03-29T23:30:00.000001Z&tz=Europe/London",
        )
        .await;
    assert_eq!(later["total"], 2);
}

#[tokio::test]
async fn a_timeline_is_zero_filled_and_counts_mentions_and_quotes() {
    let app = spawn_app().await;
    seed_and_fixtures(&app).await;
    let window = "from=2026-03-28&to=2026-04-01&tz=Europe/London";
    let mentions = app
        .get_json(&format!("/v1/stats/timeline?{window}&metric=mentions"))
        .await;
    assert_eq!(mentions["metric"], "mentions");
    assert_eq!(mentions["total"], 15);
    assert_eq!(
        counts(&mentions),
        dated(&[
            ("2026-03-28", 5),
            ("2026-03-29", 3),
            ("2026-03-30", 7),
            ("2026-03-31", 0)
        ])
    );
    let quotes = app
        .get_json(&format!("/v1/stats/timeline?{window}&metric=quotes"))
        .await;
    assert_eq!(
        counts(&quotes),
        dated(&[
            ("2026-03-28", 1),
            ("2026-03-29", 1),
            ("2026-03-30", 3),
            ("2026-03-31", 0)
        ])
    );
    // A window with nothing in it: every bucket, each 0.
    let empty = app
        .get_json("/v1/stats/timeline?from=2026-05-01&to=2026-05-04")
        .await;
    assert_eq!(
        counts(&empty),
        dated(&[("2026-05-01", 0), ("2026-05-02", 0), ("2026-05-03", 0)])
    );
    assert_eq!(empty["total"], 0);
}

#[tokio::test]
async fn a_timeline_for_an_entity_a_speaker_or_words_counts_only_those_articles() {
    let app = spawn_app().await;
    seed_and_fixtures(&app).await;
    let window = "from=2026-03-28&to=2026-04-01&tz=Europe/London";
    let series = |query: &str| format!("/v1/stats/timeline?{window}&{query}");
    let cases: [(&str, [i64; 4]); 12] = [
        // Articles mentioning the UK, and the UK's own mentions.
        ("entity=united-kingdom", [1, 1, 1, 0]),
        ("entity=united-kingdom&metric=mentions", [3, 1, 1, 0]),
        // Quotes in the articles mentioning Rachel Reeves; her own quotes.
        ("entity=rachel-reeves&metric=quotes", [0, 0, 3, 0]),
        ("speaker=rachel-reeves&metric=quotes", [0, 0, 2, 0]),
        ("speaker=rachel-reeves", [0, 0, 1, 0]),
        // Every mention in the articles quoting Donald Trump (the undated seed is not on a timeline).
        ("speaker=donald-trump&metric=mentions", [0, 0, 6, 0]),
        // Words in the articles.
        ("q=budget", [0, 0, 1, 0]),
        ("q=budget&metric=quotes", [0, 0, 3, 0]),
        // They combine.
        ("entity=united-kingdom&speaker=keir-starmer", [1, 0, 0, 0]),
        (
            "entity=united-kingdom&speaker=keir-starmer&metric=mentions",
            [3, 0, 0, 0],
        ),
        (
            "entity=united-kingdom&q=budget&metric=mentions",
            [0, 0, 1, 0],
        ),
        ("speaker=rachel-reeves&q=budget&metric=quotes", [0, 0, 2, 0]),
    ];
    for (query, expected) in cases {
        let answer = app.get_json(&series(query)).await;
        let got: Vec<i64> = counts(&answer).into_iter().map(|(_, c)| c).collect();
        assert_eq!(got, expected, "{query}");
    }
    // By id, as by slug.
    let reeves = app.get_json("/v1/entities/rachel-reeves").await;
    let by_id = app
        .get_json(&series(&format!(
            "speaker={}&metric=quotes",
            reeves["id"].as_str().unwrap()
        )))
        .await;
    assert_eq!(
        by_id,
        app.get_json(&series("speaker=rachel-reeves&metric=quotes"))
            .await
    );
}

#[tokio::test]
async fn a_timeline_follows_an_article_whose_date_changes_and_the_parts_written_to_it() {
    let app = spawn_app().await;
    let fixtures = seed_and_fixtures(&app).await;
    let window = "from=2026-03-28&to=2026-04-01&tz=Europe/London";
    let series = |query: &'static str| {
        let app = &app;
        async move {
            let answer = app
                .get_json(&format!("/v1/stats/timeline?{window}&{query}"))
                .await;
            counts(&answer)
                .into_iter()
                .map(|(_, c)| c)
                .collect::<Vec<i64>>()
        }
    };
    assert_eq!(
        series("entity=united-kingdom&metric=mentions").await,
        [3, 1, 1, 0]
    );
    assert_eq!(
        series("speaker=keir-starmer&metric=quotes").await,
        [1, 0, 0, 0]
    );

    // `eve` moves from Saturday 28 March to Tuesday 31 March: its mentions and quote go with it,
    // read by the entity's and the speaker's own rows as by the window's articles.
    let since = app.get_json("/v1/changes?since=latest").await["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let moved = app
        .patch_json(
            "/v1/articles/eve",
            &json!({"published_at": "2026-03-31T12:00:00Z"}),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let cases: [(&str, [i64; 4]); 6] = [
        ("entity=united-kingdom&metric=mentions", [0, 1, 1, 3]),
        ("entity=united-kingdom", [0, 1, 1, 1]),
        ("entity=united-kingdom&speaker=keir-starmer", [0, 0, 0, 1]),
        ("speaker=keir-starmer&metric=quotes", [0, 0, 0, 1]),
        ("metric=mentions", [0, 3, 7, 5]),
        ("metric=quotes", [0, 1, 3, 1]),
    ];
    for (query, expected) in cases {
        assert_eq!(series(query).await, expected, "{query}");
    }
    // The feed lists the article's change, not its quote: the quote itself did not change.
    let feed = app.get_json(&format!("/v1/changes?since={since}")).await;
    let listed: Vec<(&str, &str, &str)> = feed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["resource"].as_str().unwrap(),
                c["action"].as_str().unwrap(),
                c["id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [("article", "updated", fixtures[0]["id"].as_str().unwrap())]
    );

    // A mention put and a quote added to the moved article count on its new day.
    let put = app
        .write(Method::PUT, "/v1/articles/eve/entities/rachel-reeves")
        .json(&json!({"mention_count": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::CREATED);
    let quoted = app
        .post_json(
            "/v1/articles/eve/quotes",
            &json!({"text": "Another quote", "speaker": {"slug": "rachel-reeves"}}),
        )
        .await;
    assert_eq!(quoted.status(), StatusCode::CREATED);
    assert_eq!(
        series("entity=rachel-reeves&metric=mentions").await,
        [0, 0, 5, 2]
    );
    assert_eq!(
        series("speaker=rachel-reeves&metric=quotes").await,
        [0, 0, 2, 1]
    );

    // Merging the Bank of England into Rachel Reeves gives her a new mention in
    // `just-before-midnight` (29 March) and adds to the one in `autumn` (outside the window).
    let merged = app
        .post_json(
            "/v1/entities/rachel-reeves/merge",
            &json!({"duplicate": "bank-of-england"}),
        )
        .await;
    assert_eq!(merged.status(), StatusCode::OK);
    assert_eq!(
        series("entity=rachel-reeves&metric=mentions").await,
        [0, 2, 5, 2]
    );
    assert_eq!(
        series("speaker=rachel-reeves&metric=quotes").await,
        [0, 1, 2, 1]
    );
    assert_eq!(series("entity=rachel-reeves").await, [0, 1, 2, 1]);

    // An article that loses its date leaves every timeline; one that gains a date joins it.
    for (slug, published_at) in [
        ("eve", Value::Null),
        (
            "us-officials-condemn-uk-immigration-approach",
            json!("2026-03-28T09:00:00Z"),
        ),
    ] {
        let response = app
            .patch_json(
                &format!("/v1/articles/{slug}"),
                &json!({"published_at": published_at}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{slug}");
    }
    assert_eq!(
        series("entity=united-kingdom&metric=mentions").await,
        [7, 1, 1, 0]
    );
    assert_eq!(
        series("entity=rachel-reeves&metric=mentions").await,
        [0, 2, 5, 0]
    );
    assert_eq!(
        series("speaker=united-states&metric=quotes").await,
        [5, 0, 0, 0]
    );
    assert_eq!(
        series("speaker=keir-starmer&metric=quotes").await,
        [1, 0, 0, 0]
    );
}

#[tokio::test]
async fn a_timeline_of_an_unknown_entity_or_speaker_is_a_404() {
    let app = spawn_app().await;
    app.create_seed().await;
    for query in ["entity=nobody-at-all", "speaker=nobody-at-all"] {
        let problem = assert_problem(
            app.get(&format!("/v1/stats/timeline?{query}")).await,
            StatusCode::NOT_FOUND,
            "not-found",
            &[],
        )
        .await;
        assert_eq!(problem["detail"], "entity `nobody-at-all` was not found");
    }
}

#[tokio::test]
async fn weekly_buckets_are_iso_weeks_from_monday_in_the_zone() {
    let app = spawn_app().await;
    seed_and_fixtures(&app).await;
    // 2026-03-01 is a Sunday: the first bucket is the end of the week of Monday 02-23.
    let utc = app
        .get_json("/v1/stats/timeline?interval=week&from=2026-03-01&to=2026-04-06")
        .await;
    assert_eq!(utc["interval"], "week");
    assert_eq!(
        utc["data"][0],
        json!({"date": "2026-02-23", "start": "2026-03-01T00:00:00Z", "end": "2026-03-02T00:00:00Z", "count": 0})
    );
    assert_eq!(
        counts(&utc),
        dated(&[
            ("2026-02-23", 0),
            ("2026-03-02", 0),
            ("2026-03-09", 0),
            ("2026-03-16", 0),
            ("2026-03-23", 4),
            ("2026-03-30", 0)
        ])
    );
    // In London, the two articles after local midnight on Sunday 29th are in Monday's week.
    let london = app
        .get_json("/v1/stats/timeline?interval=week&from=2026-03-01&to=2026-04-06&tz=Europe/London")
        .await;
    assert_eq!(
        counts(&london),
        dated(&[
            ("2026-02-23", 0),
            ("2026-03-02", 0),
            ("2026-03-09", 0),
            ("2026-03-16", 0),
            ("2026-03-23", 2),
            ("2026-03-30", 2)
        ])
    );
    assert_eq!(
        london["data"][4],
        json!({"date": "2026-03-23", "start": "2026-03-23T00:00:00Z", "end": "2026-03-29T23:00:00Z", "count": 2})
    );
    assert_eq!(london["to"], "2026-04-05T23:00:00Z");
}

#[tokio::test]
async fn monthly_buckets_follow_the_zones_calendar() {
    let app = spawn_app().await;
    seed_and_fixtures(&app).await;
    let utc = app
        .get_json("/v1/stats/timeline?interval=month&from=2025-12-01&to=2026-11-01")
        .await;
    assert_eq!(
        counts(&utc),
        dated(&[
            ("2025-12-01", 1),
            ("2026-01-01", 0),
            ("2026-02-01", 0),
            ("2026-03-01", 4),
            ("2026-04-01", 0),
            ("2026-05-01", 0),
            ("2026-06-01", 0),
            ("2026-07-01", 0),
            ("2026-08-01", 0),
            ("2026-09-01", 0),
            ("2026-10-01", 1)
        ])
    );
    assert_eq!(utc["total"], 6);
    // 2025-12-31T23:59:59Z is already January in Berlin.
    let berlin = app
        .get_json("/v1/stats/timeline?interval=month&metric=mentions&from=2025-12-01&to=2026-02-01&tz=Europe/Berlin")
        .await;
    assert_eq!(
        berlin["data"],
        json!([
            {"date": "2025-12-01", "start": "2025-11-30T23:00:00Z", "end": "2025-12-31T23:00:00Z", "count": 0},
            {"date": "2026-01-01", "start": "2025-12-31T23:00:00Z", "end": "2026-01-31T23:00:00Z", "count": 2}
        ])
    );
}

#[tokio::test]
async fn a_timeline_without_a_window_covers_the_last_30_days_12_weeks_or_12_months() {
    let app = spawn_app().await;
    let today_before = Utc::now().date_naive();
    let days = app.get_json("/v1/stats/timeline").await;
    let weeks = app.get_json("/v1/stats/timeline?interval=week").await;
    let months = app.get_json("/v1/stats/timeline?interval=month").await;
    let today_after = Utc::now().date_naive();

    let date = |bucket: &Value| {
        NaiveDate::parse_from_str(bucket["date"].as_str().unwrap(), "%Y-%m-%d").unwrap()
    };
    let days = days["data"].as_array().unwrap().clone();
    assert_eq!(days.len(), 30);
    let last = date(&days[29]);
    assert!(last == today_before || last == today_after, "{last}");
    assert_eq!(date(&days[0]), last - Duration::days(29));
    assert!(days.iter().all(|b| b["count"] == 0));

    let weeks = weeks["data"].as_array().unwrap().clone();
    assert_eq!(weeks.len(), 12);
    assert!(weeks
        .iter()
        .all(|b| date(b).format("%A").to_string() == "Monday"));
    assert_eq!(date(&weeks[0]), date(&weeks[11]) - Duration::weeks(11));

    let months = months["data"].as_array().unwrap().clone();
    assert_eq!(months.len(), 12);
    assert!(months
        .iter()
        .all(|b| b["date"].as_str().unwrap().ends_with("-01")));
    // The current month is the last, whole.
    let this_month = date(&months[11]);
    assert!(this_month <= today_after && today_before - this_month < Duration::days(31));
}

#[tokio::test]
async fn a_timeline_of_more_than_1000_buckets_is_a_400() {
    let app = spawn_app().await;
    // 2026-01-01 plus 1000 days is 2028-09-27.
    let most = app
        .get_json("/v1/stats/timeline?from=2026-01-01&to=2028-09-27")
        .await;
    assert_eq!(most["data"].as_array().unwrap().len(), 1000);
    let problem = assert_problem(
        app.get("/v1/stats/timeline?from=2026-01-01&to=2028-09-28")
            .await,
        StatusCode::BAD_REQUEST,
        "bad-request",
        &["from"],
    )
    .await;
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("more than 1000 buckets"));
    // The same window by month is fine.
    let monthly = app
        .get_json("/v1/stats/timeline?interval=month&from=2026-01-01&to=2028-09-28")
        .await;
    assert_eq!(monthly["data"].as_array().unwrap().len(), 33);
}

// --- overview ----------------------------------------------------------------------------------

#[tokio::test]
async fn the_overview_of_an_empty_service_is_zeros_and_nulls() {
    let app = spawn_app().await;
    let answer = app.get_json("/v1/stats/overview").await;
    assert_eq!(
        answer,
        json!({"articles": 0, "sections": 0, "quotes": 0, "entities": 0, "mentions": 0, "speakers": 0,
               "newest_published_at": null, "newest_created_at": null})
    );
}

#[tokio::test]
async fn the_overview_counts_everything_stored() {
    let app = spawn_app().await;
    let seed = app.create_seed().await;
    let answer = app.get_json("/v1/stats/overview").await;
    assert_eq!(
        answer,
        json!({"articles": 1, "sections": 4, "quotes": 9, "entities": 13, "mentions": 29, "speakers": 4,
               "newest_published_at": null, "newest_created_at": seed["created_at"]})
    );

    let fixtures = create_fixtures(&app).await;
    let answer = app.get_json("/v1/stats/overview").await;
    assert_eq!(
        answer,
        json!({"articles": 7, "sections": 4, "quotes": 15, "entities": 15, "mentions": 49, "speakers": 6,
               "newest_published_at": "2026-10-24T23:30:00Z",
               "newest_created_at": fixtures[5]["created_at"]})
    );
}

// --- HTTP: caching, parameters -----------------------------------------------------------------

#[tokio::test]
async fn stats_answer_304_to_their_etag_until_the_data_changes() {
    let app = spawn_app().await;
    app.create_seed().await;
    for path in [
        "/v1/stats/entities",
        "/v1/stats/speakers",
        "/v1/stats/co-mentions?entity=united-kingdom",
        "/v1/stats/timeline?from=2026-11-01&to=2026-11-30",
        "/v1/stats/overview",
    ] {
        let first = app.get(path).await;
        assert_eq!(first.status(), StatusCode::OK, "{path}");
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        let again = app
            .request(Method::GET, path)
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
        assert_eq!(again.text().await.unwrap(), "");
    }

    // A new article dated in the timeline's window: the answers change, and so do their ETags.
    let before = etag_of(&app, "/v1/stats/timeline?from=2026-11-01&to=2026-11-30").await;
    let overview_before = etag_of(&app, "/v1/stats/overview").await;
    let mut small = crate::helpers::small_article("minister-quits");
    small["published_at"] = json!("2026-11-23T08:00:00Z");
    assert_eq!(
        app.post_json("/v1/articles", &small).await.status(),
        StatusCode::CREATED
    );
    let stale = app
        .request(
            Method::GET,
            "/v1/stats/timeline?from=2026-11-01&to=2026-11-30",
        )
        .header("if-none-match", &before)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::OK);
    assert_ne!(stale.headers()["etag"].to_str().unwrap(), before);
    let timeline: Value = stale.json().await.unwrap();
    assert_eq!(timeline["total"], 1);
    assert_eq!(timeline["data"][22]["date"], "2026-11-23");
    assert_eq!(timeline["data"][22]["count"], 1);
    assert_ne!(etag_of(&app, "/v1/stats/overview").await, overview_before);
}

async fn etag_of(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.headers()["etag"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn stats_refuse_unknown_parameters_and_list_the_valid_ones() {
    let app = spawn_app().await;
    let cases = [
        (
            "/v1/stats/entities?sort=name",
            "sort",
            "`by`, `kind`, `from`, `to`, `limit`",
        ),
        (
            "/v1/stats/speakers?by=articles",
            "by",
            "`kind`, `from`, `to`, `limit`",
        ),
        (
            "/v1/stats/co-mentions?entity=x&entities=y",
            "entities",
            "`entity`, `by`, `kind`, `from`, `to`, `limit`",
        ),
        (
            "/v1/stats/timeline?bucket=day",
            "bucket",
            "`interval`, `metric`, `from`, `to`, `tz`, `entity`, `speaker`, `q`",
        ),
        (
            "/v1/stats/overview?from=2026-01-01",
            "from",
            "this route takes none",
        ),
    ];
    for (path, field, valid) in cases {
        let problem = assert_problem(
            app.get(path).await,
            StatusCode::BAD_REQUEST,
            "bad-request",
            &[field],
        )
        .await;
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("is not a known parameter"),
            "{path}: {message}"
        );
        assert!(message.contains(valid), "{path}: {message}");
    }
}

#[tokio::test]
async fn stats_refuse_bad_values_naming_the_parameter() {
    let app = spawn_app().await;
    app.create_seed().await;
    let cases = [
        (
            "/v1/stats/entities?by=popularity",
            "by",
            "must be one of mentions, articles",
        ),
        (
            "/v1/stats/entities?kind=planet",
            "kind",
            "must be one of person",
        ),
        ("/v1/stats/entities?limit=0", "limit", "from 1 to 100"),
        ("/v1/stats/speakers?limit=101", "limit", "from 1 to 100"),
        ("/v1/stats/speakers?from=yesterday", "from", "RFC 3339"),
        (
            "/v1/stats/entities?from=2026-02-01&to=2026-01-01",
            "to",
            "must be after `from`",
        ),
        (
            "/v1/stats/entities?from=2026-01-01&to=2026-01-01",
            "to",
            "must be after `from`",
        ),
        (
            "/v1/stats/co-mentions?entity=united-kingdom&by=quotes",
            "by",
            "must be one of articles, mentions",
        ),
        (
            "/v1/stats/timeline?interval=hour",
            "interval",
            "must be one of day, week, month",
        ),
        (
            "/v1/stats/timeline?metric=words",
            "metric",
            "must be one of articles, mentions, quotes",
        ),
        (
            "/v1/stats/timeline?tz=Mars/Olympus_Mons",
            "tz",
            "IANA time zone",
        ),
        (
            "/v1/stats/timeline?tz=europe/london",
            "tz",
            "IANA time zone",
        ),
        ("/v1/stats/timeline?from=2026-13-01", "from", "RFC 3339"),
        ("/v1/stats/timeline?to=tomorrow", "to", "RFC 3339"),
        (
            "/v1/stats/timeline?from=2026-03-02&to=2026-03-01",
            "to",
            "must be after `from`",
        ),
    ];
    for (path, field, message) in cases {
        let problem = assert_problem(
            app.get(path).await,
            StatusCode::BAD_REQUEST,
            "bad-request",
            &[field],
        )
        .await;
        let got = problem["errors"][0]["message"].as_str().unwrap();
        assert!(got.contains(message), "{path}: {got}");
    }
}

#[tokio::test]
async fn stats_need_a_read_key_when_reads_are_closed() {
    let app = crate::helpers::spawn_app_with(true).await;
    assert_problem(
        app.get("/v1/stats/overview").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        &[],
    )
    .await;
    let response = app
        .request(Method::GET, "/v1/stats/overview")
        .bearer_auth(&app.read_key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// The stats routes every cache test reads, with fixtures the seed and `eve` change.
const CACHED_ROUTES: [&str; 5] = [
    "/v1/stats/entities",
    "/v1/stats/speakers",
    "/v1/stats/co-mentions?entity=united-kingdom",
    "/v1/stats/timeline?from=2026-03-01&to=2026-04-01&entity=united-kingdom&metric=mentions",
    "/v1/stats/overview",
];

/// The body of each of [`CACHED_ROUTES`], as `app` answers it now.
async fn cached_answers(app: &TestApp) -> Vec<Value> {
    let mut answers = Vec::new();
    for path in CACHED_ROUTES {
        answers.push(app.get_json(path).await);
    }
    answers
}

#[tokio::test]
async fn a_kept_stats_answer_is_served_until_a_write_and_never_after_it() {
    let database = crate::helpers::fresh_test_database().await;
    let (app, log) = crate::helpers::spawn_recording_app(database).await;
    app.create_seed().await;

    let first = cached_answers(&app).await;
    log.take();
    assert_eq!(
        cached_answers(&app).await,
        first,
        "the same data, the same answers"
    );
    let statements = log.take();
    assert_eq!(
        statements.len(),
        CACHED_ROUTES.len(),
        "a kept answer costs one read of the change feed's head and nothing else: {statements:#?}"
    );

    // A write that changes every answer: each is computed again, and right.
    let eve = fixture(
        "eve",
        "2026-03-28T23:30:00Z",
        "the eve of summer time",
        &[(slug("united-kingdom"), 3), (slug("keir-starmer"), 2)],
        &["keir-starmer"],
    );
    assert_eq!(
        app.post_json("/v1/articles", &eve).await.status(),
        StatusCode::CREATED
    );
    let after = cached_answers(&app).await;
    for ((path, before), after) in CACHED_ROUTES.iter().zip(&first).zip(&after) {
        assert_ne!(before, after, "{path} still answers as before the write");
    }
    assert_eq!(after[3]["total"], 3, "the timeline counts eve's 3 mentions");
    assert_eq!(after[4]["articles"], 2, "the overview counts both articles");

    let metrics = app.get("/metrics").await.text().await.unwrap();
    for line in [
        "newsmeta_stats_cache_hits_total 5",
        "newsmeta_stats_cache_misses_total 10",
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "no `{line}` in:\n{metrics}"
        );
    }
}

#[tokio::test]
async fn an_instance_never_serves_a_kept_answer_after_another_instance_writes() {
    let database = crate::helpers::fresh_test_database().await;
    let (reader, writer) = crate::helpers::spawn_two_apps_on(database).await;
    writer.create_seed().await;
    let first = cached_answers(&reader).await;
    assert_eq!(cached_answers(&reader).await, first);

    // The writer changes what the reader has kept: a mention count, through the mentions route.
    let response = writer
        .write(
            Method::PUT,
            "/v1/articles/us-officials-condemn-uk-immigration-approach/entities/united-kingdom",
        )
        .json(&json!({"mention_count": 9}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    let entities = reader.get_json("/v1/stats/entities").await;
    assert_eq!(entities["data"][0]["entity"]["slug"], "united-kingdom");
    assert_eq!(entities["data"][0]["mention_count"], 9);
    assert_ne!(entities, first[0]);
}

#[tokio::test]
async fn with_no_room_to_keep_answers_every_stats_read_is_computed() {
    let database = crate::helpers::fresh_test_database().await;
    let (app, log) = crate::helpers::spawn_recording_app_configured(database, |state| {
        state.stats_cache = newsmeta::api::stats_cache::StatsCache::new(0);
    })
    .await;
    app.create_seed().await;
    log.take();
    let first = cached_answers(&app).await;
    let computed = log.take().len();
    assert_eq!(cached_answers(&app).await, first);
    assert_eq!(
        log.take().len(),
        computed,
        "STATS_CACHE_MB=0 must compute every answer again"
    );
}

/// The value of the counter `name` in `GET /metrics`.
async fn counter(app: &TestApp, name: &str) -> u64 {
    let metrics = app.get("/metrics").await.text().await.unwrap();
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no `{name}` in:\n{metrics}"))
}

#[tokio::test]
async fn concurrent_reads_of_one_answer_agree_and_metrics_count_one_computation() {
    let app = spawn_app().await;
    app.create_seed().await;
    let path = "/v1/stats/co-mentions?entity=united-kingdom";
    let answers = futures_util::future::join_all((0..16).map(|_| app.get_json(path))).await;
    assert!(answers.iter().all(|answer| *answer == answers[0]));
    assert_eq!(counter(&app, "newsmeta_stats_cache_misses_total").await, 1);
    assert_eq!(counter(&app, "newsmeta_stats_cache_hits_total").await, 15);
}
