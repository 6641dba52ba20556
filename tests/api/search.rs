//! Full-text search: `q` on `/v1/articles` and `/v1/quotes` — syntax, accents, ranking,
//! highlights, paging, garbage input, and an index that follows every write.

// Helpers outside `#[tokio::test]` functions fail a test loudly too; clippy only exempts the tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use migration::{Migrator, MigratorTrait, SchemaManager};
use reqwest::{Response, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, next_link, spawn_app, spawn_app_configured, TestApp};

const SEED: &str = "us-officials-condemn-uk-immigration-approach";
const TRUMP_MILITARY: &str = "I would stop it, and it doesn't matter if you call out the military.";

/// GET `path` with a query, each pair percent-encoded; the caller checks the answer.
async fn get_with(app: &TestApp, path: &str, query: &[(&str, &str)]) -> Response {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    app.get(&format!("{path}?{query}")).await
}

/// A page that must be a 200.
async fn page(app: &TestApp, path: &str, query: &[(&str, &str)]) -> Value {
    let response = get_with(app, path, query).await;
    let status = response.status();
    let body: Value = response.json().await.expect("not JSON");
    assert_eq!(status, StatusCode::OK, "{path} {query:?}: {body}");
    body
}

fn field(page: &Value, name: &str) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data is not an array")
        .iter()
        .map(|item| item[name].as_str().expect(name).to_owned())
        .collect()
}

/// The slugs of the articles matching `q`, in the order answered.
async fn found(app: &TestApp, q: &str) -> Vec<String> {
    field(
        &page(app, "/v1/articles", &[("q", q), ("limit", "100")]).await,
        "slug",
    )
}

/// The slugs of the articles matching `q`, in any order.
async fn found_set(app: &TestApp, q: &str) -> BTreeSet<String> {
    found(app, q).await.into_iter().collect()
}

/// The texts of the quotes matching `q`, in any order.
async fn quotes_found(app: &TestApp, q: &str) -> BTreeSet<String> {
    let page = page(app, "/v1/quotes", &[("q", q), ("limit", "100")]).await;
    field(&page, "text").into_iter().collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

async fn create(app: &TestApp, body: Value) -> Value {
    let response = app.post_json("/v1/articles", &body).await;
    let status = response.status();
    let json: Value = response.json().await.expect("not JSON");
    assert_eq!(status, StatusCode::CREATED, "{json}");
    json
}

async fn create_article(
    app: &TestApp,
    slug: &str,
    headline: &str,
    standfirst: Option<&str>,
    body: &str,
) -> Value {
    create(
        app,
        json!({"slug": slug, "headline": headline, "standfirst": standfirst, "body": body}),
    )
    .await
}

/// The seed article and a few short articles whose words the syntax tests look for.
async fn create_corpus(app: &TestApp) {
    app.create_seed().await;
    let articles = [
        (
            "swallows-migrate",
            "Swallows begin their migration south",
            None,
            "A mass of swallows gathered on the wires before the migration began.",
        ),
        (
            "elysee-talks",
            "President hosts talks at the Élysée Palace",
            Some("Leaders met in Paris."),
            "The meeting at the Élysée lasted three hours.",
        ),
        (
            "net-immigration-falls",
            "Net immigration falls",
            None,
            "Official figures show immigration fell for a second year.",
        ),
        (
            "housing-plan",
            "Minister defends the housing plan",
            None,
            "Renters and owners disagree about the plan.",
        ),
        (
            "storm-warning",
            "Storm warning for the coast",
            None,
            "Forecasters expect strong winds and heavy rain.",
        ),
    ];
    for (slug, headline, standfirst, body) in articles {
        create_article(app, slug, headline, standfirst, body).await;
    }
}

// --- syntax ------------------------------------------------------------------------------------

#[tokio::test]
async fn search_syntax_finds_words_phrases_prefixes_alternatives_and_exclusions() {
    let app = spawn_app().await;
    create_corpus(&app).await;
    let cases: [(&str, &[&str]); 16] = [
        // Every word, anywhere.
        ("mass migration", &[SEED, "swallows-migrate"]),
        // An exact phrase; the same words apart or in another order do not match it.
        ("\"mass migration\"", &[SEED]),
        ("\"migration mass\"", &[]),
        // A prefix.
        ("immig*", &[SEED, "net-immigration-falls"]),
        ("immig", &[]),
        // A prefix longer than the word's stem still finds it (as when a search box adds `*`).
        ("housin*", &["housing-plan"]),
        // Alternatives; words without OR must all match.
        ("swallows OR Élysée", &["elysee-talks", "swallows-migrate"]),
        ("swallows Élysée", &[]),
        // OR binds tighter than the implied AND.
        ("swallows OR storm wires", &["swallows-migrate"]),
        // Exclusions.
        ("migration -swallows", &[SEED]),
        ("migration NOT swallows", &[SEED]),
        ("migration -\"mass migration\"", &["swallows-migrate"]),
        ("migration -swall*", &[SEED]),
        // The standfirst is searched too.
        ("paris", &["elysee-talks"]),
        ("coast OR \"heavy rain\"", &["storm-warning"]),
        // A lower-case `or` is not an operator.
        ("swallows or Élysée", &[]),
    ];
    for (q, expected) in cases {
        assert_eq!(found_set(&app, q).await, set(expected), "q={q}");
    }
}

#[tokio::test]
async fn search_ignores_accents_and_case() {
    let app = spawn_app().await;
    create_corpus(&app).await;
    for q in [
        "Elysee",
        "élysée",
        "ÉLYSÉE",
        "elysée",
        "ELYSEE palace",
        "elys*",
    ] {
        assert_eq!(found(&app, q).await, ["elysee-talks"], "q={q}");
    }
    for q in ["PRESIDENT", "president", "President"] {
        assert_eq!(found(&app, q).await, ["elysee-talks"], "q={q}");
    }
}

#[tokio::test]
async fn a_search_without_words_matches_nothing_and_a_blank_one_lists_everything() {
    let app = spawn_app().await;
    create_corpus(&app).await;
    for q in ["%", "*", "\"\"", "-", "OR", "!!!", "😀"] {
        let answer = page(&app, "/v1/articles", &[("q", q), ("count", "true")]).await;
        assert_eq!(
            answer,
            json!({"data": [], "next_cursor": null, "total": 0}),
            "q={q}"
        );
    }
    let everything = page(&app, "/v1/articles", &[("count", "true")]).await;
    assert_eq!(everything["total"], 6);
    for q in ["", "   "] {
        let blank = page(&app, "/v1/articles", &[("q", q), ("count", "true")]).await;
        assert_eq!(blank, everything, "q={q:?}");
    }
}

#[tokio::test]
async fn searches_that_cannot_run_are_a_400_naming_q() {
    let app = spawn_app().await;
    let too_long = "a".repeat(1001);
    let too_many = vec!["w"; 33].join(" ");
    let cases = [
        ("-trump", "only leaves words out"),
        ("NOT trump -\"small boats\"", "only leaves words out"),
        (too_long.as_str(), "longer than 1000 characters"),
        (too_many.as_str(), "more than 32"),
    ];
    for path in ["/v1/articles", "/v1/quotes"] {
        for (q, message) in &cases {
            let response = get_with(&app, path, &[("q", q)]).await;
            let problem =
                assert_problem(response, StatusCode::BAD_REQUEST, "bad-request", &["q"]).await;
            let text = problem["errors"][0]["message"].as_str().unwrap();
            assert!(text.contains(message), "{path} q={q}: {problem}");
        }
    }
}

// --- ranking and sorting -----------------------------------------------------------------------

/// Three articles matching `migration` in one field each, the body match newest, so that only
/// the ranking puts the headline match first.
async fn create_ranked(app: &TestApp) {
    create_article(
        app,
        "headline-match",
        "Parliament debates migration rules",
        None,
        "Members argued about the rules until late.",
    )
    .await;
    create_article(
        app,
        "standfirst-match",
        "Late sitting in the chamber",
        Some("A debate on migration"),
        "Members argued about the rules until late.",
    )
    .await;
    create_article(
        app,
        "body-match",
        "Late sitting in parliament",
        None,
        "Members argued about the rules on migration until late.",
    )
    .await;
    create_article(app, "unrelated-1", "Storm warning", None, "Rain is coming.").await;
    create_article(
        app,
        "unrelated-2",
        "Markets rise",
        None,
        "Shares rose on Monday.",
    )
    .await;
}

#[tokio::test]
async fn a_headline_match_outranks_a_standfirst_match_which_outranks_a_body_match() {
    let app = spawn_app().await;
    create_ranked(&app).await;
    let expected = ["headline-match", "standfirst-match", "body-match"];
    assert_eq!(found(&app, "migration").await, expected);
    let relevance = page(
        &app,
        "/v1/articles",
        &[("q", "migration"), ("sort", "relevance")],
    )
    .await;
    assert_eq!(field(&relevance, "slug"), expected);
    // An explicit sort wins over relevance.
    let newest = page(
        &app,
        "/v1/articles",
        &[("q", "migration"), ("sort", "-created_at")],
    )
    .await;
    assert_eq!(
        field(&newest, "slug"),
        ["body-match", "standfirst-match", "headline-match"]
    );
}

#[tokio::test]
async fn relevance_needs_a_search_and_is_listed_among_the_sorts() {
    let app = spawn_app().await;
    for path in ["/v1/articles", "/v1/quotes"] {
        let response = get_with(&app, path, &[("sort", "relevance")]).await;
        let problem =
            assert_problem(response, StatusCode::BAD_REQUEST, "bad-request", &["sort"]).await;
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("`q`"),
            "{problem}"
        );
        let response = get_with(&app, path, &[("q", "x"), ("sort", "best")]).await;
        let problem =
            assert_problem(response, StatusCode::BAD_REQUEST, "bad-request", &["sort"]).await;
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("relevance"),
            "{problem}"
        );
    }
}

#[tokio::test]
async fn relevance_pages_follow_on_without_gaps_or_repeats_even_between_equal_ranks() {
    let app = spawn_app().await;
    let uk = json!({"name": "United Kingdom", "kind": "location"});
    let mention = json!([{"entity": uk, "mention_count": 1}]);
    create(
        &app,
        json!({"slug": "headline-uk", "headline": "Migration talks in London",
               "body": "Ministers met on Monday.", "entities": mention}),
    )
    .await;
    // Five articles with the same text rank equally: the id orders them.
    for n in 0..5 {
        create(
            &app,
            json!({"slug": format!("tie-{n}"), "headline": "Border talks",
                   "body": "Talks on migration continued.", "entities": mention}),
        )
        .await;
    }
    create_article(
        &app,
        "no-uk",
        "Border talks",
        None,
        "Talks on migration continued.",
    )
    .await;
    create(
        &app,
        json!({"slug": "uk-only", "headline": "Rain in London", "body": "It rained.", "entities": mention}),
    )
    .await;

    let query = [
        ("q", "migration"),
        ("entity", "united-kingdom"),
        ("count", "true"),
    ];
    let whole = page(
        &app,
        "/v1/articles",
        &[&query[..], &[("limit", "100")]].concat(),
    )
    .await;
    let expected = field(&whole, "slug");
    assert_eq!(whole["total"], 6);
    assert_eq!(expected[0], "headline-uk");
    assert_eq!(
        expected.iter().cloned().collect::<BTreeSet<_>>(),
        set(&["headline-uk", "tie-0", "tie-1", "tie-2", "tie-3", "tie-4"])
    );

    let mut pages = Vec::new();
    let mut next = Some(format!(
        "/v1/articles?{}",
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&query)
            .append_pair("limit", "2")
            .finish()
    ));
    while let Some(path) = next {
        let response = app.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        next = next_link(&response);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["total"], 6, "{path}");
        assert_eq!(body["next_cursor"].is_null(), next.is_none(), "{body}");
        pages.extend(field(&body, "slug"));
        assert!(pages.len() <= 6, "more rows than matches: {pages:?}");
    }
    assert_eq!(pages, expected);
}

/// Every page of `query` on `/v1/articles`, `limit` at a time, followed through `next_cursor`:
/// the slugs in order, and the `total` each page reported.
async fn all_pages(
    app: &TestApp,
    query: &[(&str, &str)],
    limit: &str,
) -> (Vec<String>, Vec<Value>) {
    let mut slugs = Vec::new();
    let mut totals = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut pairs = query.to_vec();
        pairs.push(("limit", limit));
        if let Some(cursor) = &cursor {
            pairs.push(("cursor", cursor));
        }
        let body = page(app, "/v1/articles", &pairs).await;
        slugs.extend(field(&body, "slug"));
        totals.push(body["total"].clone());
        assert!(slugs.len() <= 100, "the pages do not end: {slugs:?}");
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return (slugs, totals),
        }
    }
}

/// Seven articles matching `migration`, published a day apart, and one undated: some match in
/// the headline (the best rank), the others in the body only. Matches of a kind have texts of
/// the same length, so they rank equally and the newest (the last created) comes first.
async fn create_dated_matches(app: &TestApp) {
    let articles = [
        (
            "old-headline-1",
            "Migration figures published",
            "2026-01-01T08:00:00Z",
        ),
        (
            "old-headline-2",
            "Migration debate resumes",
            "2026-01-02T08:00:00Z",
        ),
        ("new-body-1", "Parliament sits late", "2026-01-03T08:00:00Z"),
        ("new-body-2", "Ministers meet again", "2026-01-04T08:00:00Z"),
        (
            "new-headline",
            "Migration rules change",
            "2026-01-05T08:00:00Z",
        ),
        (
            "newest-body",
            "Talks continue today",
            "2026-01-06T08:00:00Z",
        ),
    ];
    for (slug, headline, published_at) in articles {
        let body = if headline.starts_with("Migration") {
            "Officials spoke on Monday."
        } else {
            "Officials spoke about migration on Monday."
        };
        create(
            app,
            json!({"slug": slug, "headline": headline, "body": body, "published_at": published_at}),
        )
        .await;
    }
    create(
        app,
        json!({"slug": "undated-headline", "headline": "Migration history revisited",
               "body": "Officials spoke on Monday."}),
    )
    .await;
    create_article(app, "unrelated", "Storm warning", None, "Rain is coming.").await;
}

#[tokio::test]
async fn relevance_ranks_only_the_newest_matches_up_to_the_configured_cap() {
    let app = spawn_app_configured(|state| state.search_rank_candidates = 4).await;
    create_dated_matches(&app).await;
    // The four newest matches by publication, ranked: the headline match first, then the body
    // matches, newest first among equals. The older headline matches are not ranked.
    let ranked = page(
        &app,
        "/v1/articles",
        &[("q", "migration"), ("limit", "100"), ("count", "true")],
    )
    .await;
    assert_eq!(
        field(&ranked, "slug"),
        ["new-headline", "newest-body", "new-body-2", "new-body-1"]
    );
    // `total` counts every match, and the other sorts list them all.
    assert_eq!(ranked["total"], 7);
    let newest = page(
        &app,
        "/v1/articles",
        &[
            ("q", "migration"),
            ("sort", "-published_at"),
            ("limit", "100"),
        ],
    )
    .await;
    assert_eq!(
        field(&newest, "slug"),
        [
            "newest-body",
            "new-headline",
            "new-body-2",
            "new-body-1",
            "old-headline-2",
            "old-headline-1",
            "undated-headline"
        ]
    );
    // Other filters pick the candidates before the cap: the cap takes the newest four of these.
    let before = page(
        &app,
        "/v1/articles",
        &[
            ("q", "migration"),
            ("published_before", "2026-01-05"),
            ("limit", "100"),
        ],
    )
    .await;
    assert_eq!(
        field(&before, "slug"),
        [
            "old-headline-2",
            "old-headline-1",
            "new-body-2",
            "new-body-1"
        ]
    );
}

#[tokio::test]
async fn relevance_pages_within_the_cap_follow_on_without_gaps_or_repeats() {
    let app = spawn_app_configured(|state| state.search_rank_candidates = 5).await;
    create_dated_matches(&app).await;
    let query = [("q", "migration"), ("count", "true")];
    let whole = page(
        &app,
        "/v1/articles",
        &[&query[..], &[("limit", "100")]].concat(),
    )
    .await;
    let expected = field(&whole, "slug");
    assert_eq!(
        expected,
        [
            "new-headline",
            "old-headline-2",
            "newest-body",
            "new-body-2",
            "new-body-1"
        ]
    );
    for limit in ["1", "2", "3"] {
        let (slugs, totals) = all_pages(&app, &query, limit).await;
        assert_eq!(slugs, expected, "limit={limit}");
        assert!(totals.iter().all(|t| t == 7), "limit={limit}: {totals:?}");
    }
}

#[tokio::test]
async fn without_a_cap_relevance_ranks_every_match_and_undated_ones_come_last_in_the_cap() {
    let everything = spawn_app_configured(|state| state.search_rank_candidates = 0).await;
    create_dated_matches(&everything).await;
    let (slugs, _) = all_pages(&everything, &[("q", "migration")], "2").await;
    assert_eq!(
        slugs,
        [
            "undated-headline",
            "new-headline",
            "old-headline-2",
            "old-headline-1",
            "newest-body",
            "new-body-2",
            "new-body-1"
        ]
    );
    // An undated match is the last candidate, after every dated one.
    let capped = spawn_app_configured(|state| state.search_rank_candidates = 6).await;
    create_dated_matches(&capped).await;
    let (slugs, _) = all_pages(&capped, &[("q", "migration")], "2").await;
    assert!(!slugs.contains(&"undated-headline".to_owned()), "{slugs:?}");
    assert_eq!(slugs.len(), 6, "{slugs:?}");
}

// --- highlights --------------------------------------------------------------------------------

#[tokio::test]
async fn highlights_mark_the_matches_in_the_fields_that_match() {
    let app = spawn_app().await;
    create_ranked(&app).await;
    create_article(
        &app,
        "escaped",
        "Rules & <regulations> on \"migration\"",
        None,
        "Nothing to see.",
    )
    .await;
    let answer = page(
        &app,
        "/v1/articles",
        &[
            ("q", "migration"),
            ("highlight", "true"),
            ("sort", "-created_at"),
        ],
    )
    .await;
    let highlights: Vec<(String, Value)> = answer["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["slug"].as_str().unwrap().to_owned(),
                a["highlights"].clone(),
            )
        })
        .collect();
    assert_eq!(highlights.len(), 4, "{answer}");
    assert_eq!(
        highlights[0],
        (
            "escaped".to_owned(),
            json!({"headline": "Rules &amp; &lt;regulations&gt; on &quot;<mark>migration</mark>&quot;"})
        )
    );
    let (slug, body_match) = &highlights[1];
    assert_eq!(slug, "body-match");
    let body = body_match["body"].as_str().unwrap();
    assert!(body.contains("<mark>migration</mark>"), "{body_match}");
    assert!(body.contains("rules on"), "{body_match}");
    assert_eq!(body_match.as_object().unwrap().len(), 1, "{body_match}");
    assert_eq!(
        highlights[2],
        (
            "standfirst-match".to_owned(),
            json!({"standfirst": "A debate on <mark>migration</mark>"})
        )
    );
    assert_eq!(
        highlights[3],
        (
            "headline-match".to_owned(),
            json!({"headline": "Parliament debates <mark>migration</mark> rules"})
        )
    );

    // Without highlight=true, or without a search, there are none.
    for query in [
        &[("q", "migration")][..],
        &[("highlight", "true")][..],
        &[("q", "migration"), ("highlight", "false")][..],
    ] {
        let answer = page(&app, "/v1/articles", query).await;
        assert!(!answer["data"].as_array().unwrap().is_empty());
        for article in answer["data"].as_array().unwrap() {
            assert!(article.get("highlights").is_none(), "{query:?}: {article}");
        }
    }
    let response = get_with(
        &app,
        "/v1/articles",
        &[("q", "migration"), ("highlight", "yes")],
    )
    .await;
    assert_problem(
        response,
        StatusCode::BAD_REQUEST,
        "bad-request",
        &["highlight"],
    )
    .await;
}

#[tokio::test]
async fn quote_highlights_mark_the_matches() {
    let app = spawn_app().await;
    app.create_seed().await;
    let answer = page(
        &app,
        "/v1/quotes",
        &[("q", "military"), ("highlight", "true")],
    )
    .await;
    assert_eq!(field(&answer, "text"), [TRUMP_MILITARY]);
    assert_eq!(
        answer["data"][0]["highlights"],
        json!({"text": "I would stop it, and it doesn't matter if you call out the <mark>military</mark>."})
    );
    let plain = page(&app, "/v1/quotes", &[("q", "military")]).await;
    assert!(plain["data"][0].get("highlights").is_none(), "{plain}");
}

// --- quotes ------------------------------------------------------------------------------------

#[tokio::test]
async fn quotes_are_searched_by_their_text_with_the_same_syntax() {
    let app = spawn_app().await;
    app.create_seed().await;
    let long_quote = "The British government in particular, time and time again we've seen governments — whether it be Conservative governments, Labour governments — say that they're going to take action to solve the mass migration crisis. And time and time again, despite the people continuously voting for a resolution or at least some sort of relief from the pressures of mass migration, nothing has really happened.";
    let concerned =
        "deeply concerned about rising violent crime and human rights abuses linked to migrants";
    let cases: [(&str, &[&str]); 8] = [
        ("military", &[TRUMP_MILITARY]),
        ("\"call out the military\"", &[TRUMP_MILITARY]),
        ("\"the military call\"", &[]),
        ("migration OR destroy", &[long_quote, "destroy"]),
        ("concern*", &["concerning increases", concerned]),
        ("concern* -rights", &["concerning increases"]),
        (
            "RAPE gangs",
            &["violent rape gangs and organised rape gangs in the United Kingdom."],
        ),
        ("Islamic", &["radical Islamic backgrounds."]),
    ];
    for (q, expected) in cases {
        assert_eq!(quotes_found(&app, q).await, set(expected), "q={q}");
    }
    // An explicit sort, the count and other filters combine with q.
    let sorted = page(
        &app,
        "/v1/quotes",
        &[("q", "concern*"), ("sort", "created_at"), ("count", "true")],
    )
    .await;
    assert_eq!(field(&sorted, "text"), ["concerning increases", concerned]);
    assert_eq!(sorted["total"], 2);
    let direct = page(
        &app,
        "/v1/quotes",
        &[
            ("q", "migration OR destroy"),
            ("kind", "direct"),
            ("count", "true"),
        ],
    )
    .await;
    assert_eq!(field(&direct, "text"), [long_quote]);
    assert_eq!(direct["total"], 1);
}

// --- garbage -----------------------------------------------------------------------------------

/// A search answered with a page, or refused with a 400 that names `q`; never anything else.
async fn assert_answered(app: &TestApp, path: &str, query: &[(&str, &str)]) {
    let response = get_with(app, path, query).await;
    let status = response.status();
    if status == StatusCode::BAD_REQUEST {
        assert_problem(response, status, "bad-request", &["q"]).await;
    } else {
        let body: Value = response.json().await.expect("not JSON");
        assert_eq!(status, StatusCode::OK, "{path} {query:?}: {body}");
        assert!(body["data"].is_array(), "{path} {query:?}: {body}");
    }
}

/// Garbage of every kind: a page or a 400 on both lists, ranked, sorted, counted and highlighted.
#[tokio::test]
async fn any_search_is_a_page_or_a_400_never_a_500() {
    let app = spawn_app().await;
    create_corpus(&app).await;
    let long_word = "a".repeat(1000);
    let mut nasty: Vec<String> = [
        "\"",
        "\"\"",
        "\"\"\"",
        "\"unbalanced phrase",
        "unbalanced\"",
        "*",
        "**",
        "immig**",
        "*immig",
        "-",
        "--",
        "- -",
        "-\"\"",
        "OR",
        "OR OR",
        "OR OR OR migration",
        "AND",
        "NOT",
        "NOT NOT x",
        "migration OR",
        "OR migration",
        "migration OR -x",
        "x -",
        "!!!",
        "...",
        "'",
        "''",
        "\\",
        "\\\"",
        "(",
        ")",
        "(a OR b)",
        "a:b",
        "headline:migration",
        "body : x",
        "^x",
        "NEAR(a b)",
        "a NEAR b",
        "x AND AND",
        "'; DROP TABLE articles; --",
        "1 = 1",
        "%",
        "_",
        "%_%",
        "$1",
        "$$",
        "?",
        "??",
        "<->",
        "a <-> b",
        "a & b | !c",
        "a:*",
        "!a",
        "a:* & b:*A",
        "{}",
        "[]",
        "😀",
        "👍🏽 migration",
        "\0",
        "a\0b",
        "\0\"\0",
        "\u{202e}gnp",
        "\u{200b}",
        "日本語",
        "مرحبا",
        "x²",
        "ﬀ",
        "\t\n\r",
        "\u{7f}",
        "e\u{301}lysee",
        "\u{FEFF}migration",
        "\u{E000}migration\u{E001}",
        "<mark>x</mark>",
        "&amp;",
        "null",
        "undefined",
        "true",
        "\"a\"*\"b\"*",
        "-\"migration\"",
        "\"\"*",
        "*\"\"",
        "----migration",
        "migration----",
        "***",
        "OR-",
        "-OR",
        "NOT-x",
        "the",
        "the OR a",
        "down",
        "\"the\"",
        "and OR or",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    nasty.push(long_word);
    // Words longer than Postgres indexes, as words and as prefixes.
    nasty.push("日".repeat(999));
    nasty.push("日".repeat(998) + "*");
    nasty.push("ab".repeat(501));
    nasty.push(vec!["w"; 33].join(" "));
    nasty.push(vec!["w*"; 32].join(" OR "));
    nasty.push(vec!["-w"; 31].join(" ") + " x");

    // Random strings from the characters that matter, reproducibly.
    use rand::{Rng, SeedableRng};
    let alphabet: Vec<char> = "ab é \"*-()'\\:^;.,!?&|<>\0\t ORNTAD😀%_$"
        .chars()
        .collect();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for _ in 0..150 {
        let len = rng.random_range(1..30);
        nasty.push(
            (0..len)
                .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                .collect(),
        );
    }
    // 10 kB of garbage.
    nasty.push(
        (0..10_000)
            .map(|_| alphabet[rng.random_range(0..alphabet.len())])
            .collect(),
    );

    for q in &nasty {
        for path in ["/v1/articles", "/v1/quotes"] {
            assert_answered(
                &app,
                path,
                &[("q", q), ("highlight", "true"), ("count", "true")],
            )
            .await;
            assert_answered(
                &app,
                path,
                &[("q", q), ("sort", "created_at"), ("limit", "2")],
            )
            .await;
        }
    }
}

// --- the index follows the data ----------------------------------------------------------------

#[tokio::test]
async fn edits_and_deletes_are_searched_as_they_are_now() {
    let app = spawn_app().await;
    create_corpus(&app).await;
    let article = create(
        &app,
        json!({"slug": "zebras", "headline": "Zebras cross the road",
               "body": "Zebras were seen crossing near the school.",
               "quotes": [{"text": "We saw zebras everywhere"}]}),
    )
    .await;
    assert_eq!(found(&app, "zebras").await, ["zebras"]);
    assert_eq!(
        quotes_found(&app, "zebras").await,
        set(&["We saw zebras everywhere"])
    );

    let response = app
        .patch_json(
            "/v1/articles/zebras",
            &json!({"headline": "Giraffes cross the road", "body": "Giraffes were seen near the school."}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(found(&app, "zebras").await, Vec::<String>::new());
    assert_eq!(found(&app, "giraffes").await, ["zebras"]);
    assert_eq!(found(&app, "\"seen near the school\"").await, ["zebras"]);
    // Changing only other fields leaves the text searchable.
    let response = app
        .patch_json("/v1/articles/zebras", &json!({"category": "animals"}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(found(&app, "giraffes").await, ["zebras"]);

    let quote_id = article["quotes"][0]["id"].as_str().unwrap();
    let response = app
        .patch_json(
            &format!("/v1/quotes/{quote_id}"),
            &json!({"text": "We saw giraffes everywhere"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(quotes_found(&app, "zebras").await, set(&[]));
    assert_eq!(
        quotes_found(&app, "giraffes").await,
        set(&["We saw giraffes everywhere"])
    );

    assert_eq!(
        app.delete("/v1/articles/zebras").await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(found(&app, "giraffes").await, Vec::<String>::new());
    // Its quotes went with it.
    assert_eq!(quotes_found(&app, "giraffes").await, set(&[]));
    // A new row (which SQLite may give the deleted row's rowid) is found by its own words only.
    create(
        &app,
        json!({"slug": "okapis", "headline": "Okapis in the forest", "body": "Rarely seen.",
               "quotes": [{"text": "Okapis are shy"}]}),
    )
    .await;
    assert_eq!(found(&app, "giraffes").await, Vec::<String>::new());
    assert_eq!(found(&app, "okapis").await, ["okapis"]);
    assert_eq!(quotes_found(&app, "okapis").await, set(&["Okapis are shy"]));
    assert_eq!(quotes_found(&app, "giraffes OR zebras").await, set(&[]));
}

#[tokio::test]
async fn a_repeated_search_is_served_as_first_answered_until_the_next_write() {
    let database = crate::helpers::fresh_test_database().await;
    let (app, log) = crate::helpers::spawn_recording_app(database).await;
    create_corpus(&app).await;
    let query = [
        ("q", "housing OR flood OR minister"),
        ("limit", "1"),
        ("count", "true"),
    ];
    let first = get_with(&app, "/v1/articles", &query).await;
    assert_eq!(first.status(), StatusCode::OK);
    let (etag, link) = (first.headers()["etag"].clone(), next_link(&first));
    assert!(
        link.is_some(),
        "a one-article page of several matches links to the next"
    );
    let body: Value = first.json().await.unwrap();

    log.take();
    let again = get_with(&app, "/v1/articles", &query).await;
    assert_eq!(again.headers()["etag"], etag);
    assert_eq!(next_link(&again), link, "the kept answer keeps its Link");
    assert_eq!(again.json::<Value>().await.unwrap(), body);
    let statements = log.take();
    assert_eq!(
        statements.len(),
        1,
        "a kept search costs one read of the change feed's head: {statements:#?}"
    );

    // A new match: the next search is computed again and finds it.
    create(
        &app,
        json!({"slug": "minister-floods", "headline": "Minister visits flood town",
               "body": "The minister came.", "published_at": "2030-01-01T00:00:00Z"}),
    )
    .await;
    let after = page(&app, "/v1/articles", &query).await;
    assert_eq!(after["total"], body["total"].as_u64().unwrap() + 1);
    assert!(found_set(&app, "housing OR flood OR minister")
        .await
        .contains("minister-floods"));
}

#[tokio::test]
async fn deleting_a_quote_removes_it_from_the_search() {
    let app = spawn_app().await;
    app.create_seed().await;
    let trump = page(&app, "/v1/quotes", &[("q", "military")]).await;
    let id = trump["data"][0]["id"].as_str().unwrap();
    assert_eq!(
        app.delete(&format!("/v1/quotes/{id}")).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(quotes_found(&app, "military").await, set(&[]));
    // The article's own text still has the words.
    assert_eq!(found(&app, "\"call out the military\"").await, [SEED]);
}

#[tokio::test]
async fn the_index_survives_a_vacuum() {
    let app = spawn_app().await;
    for (slug, word) in [
        ("first", "aardvark"),
        ("second", "badger"),
        ("third", "cheetah"),
    ] {
        create_article(&app, slug, &format!("The {word} story"), None, "Animals.").await;
    }
    // A gap before the rows that stay, which a VACUUM that renumbered rows would close.
    assert_eq!(
        app.delete("/v1/articles/first").await.status(),
        StatusCode::NO_CONTENT
    );
    app.db.execute_unprepared("VACUUM").await.unwrap();
    assert_eq!(found(&app, "cheetah").await, ["third"]);
    assert_eq!(found(&app, "badger").await, ["second"]);
    assert_eq!(found(&app, "aardvark").await, Vec::<String>::new());
    let answer = page(
        &app,
        "/v1/articles",
        &[("q", "cheetah"), ("highlight", "true")],
    )
    .await;
    assert_eq!(
        answer["data"][0]["highlights"],
        json!({"headline": "The <mark>cheetah</mark> story"})
    );
}

#[tokio::test]
async fn the_search_migration_indexes_existing_rows_and_can_be_undone() {
    let app = spawn_app().await;
    // Undo the search migration alone (later migrations stay), write, and apply it again.
    let migrations = Migrator::migrations();
    let search = migrations
        .iter()
        .find(|m| m.name() == "m20261127_000002_full_text_search")
        .unwrap();
    // The rank vector depends on the search migration's configurations: it goes first.
    let rank_vector = migrations
        .iter()
        .find(|m| m.name() == "m20261127_000006_search_rank_vector")
        .unwrap();
    let manager = SchemaManager::new(&app.db);
    rank_vector.down(&manager).await.unwrap();
    search.down(&manager).await.unwrap();
    // Written while there is no search index.
    app.create_seed().await;
    search.up(&manager).await.unwrap();
    rank_vector.up(&manager).await.unwrap();
    assert_eq!(found(&app, "immigration").await, [SEED]);
    assert_eq!(quotes_found(&app, "military").await, set(&[TRUMP_MILITARY]));
    // And it keeps up with new rows.
    create_article(&app, "later", "Later immigration figures", None, "Numbers.").await;
    assert_eq!(found_set(&app, "immigration").await, set(&[SEED, "later"]));
}
