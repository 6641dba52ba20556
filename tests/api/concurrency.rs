//! Concurrent writes, spread over two instances of the service that share one database (as two
//! replicas behind a load balancer would): conditional writes let exactly one through, a taken
//! slug is a 409 for all but one, and entity merges and deletes racing each other leave no
//! dangling quote or mention and lose or duplicate no name; an article read with its quotes
//! while they are added is always one version's. No 5xx anywhere, on either backend.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{fresh_test_database, small_article, spawn_two_apps_on, TestApp};

/// Two apps on one fresh database.
async fn two_apps() -> [TestApp; 2] {
    let (first, second) = spawn_two_apps_on(fresh_test_database().await).await;
    [first, second]
}

/// The status and body of every answer, in request order.
async fn answers(requests: Vec<reqwest::RequestBuilder>) -> Vec<(StatusCode, Value)> {
    let sent = requests.into_iter().map(|request| async move {
        let response = request.send().await.expect("request failed");
        let status = response.status();
        let problem = response
            .headers()
            .get("content-type")
            .is_some_and(|v| v == "application/problem+json");
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status.is_client_error() || status.is_server_error() {
            assert!(problem, "a {status} that is not problem+json: {body}");
        }
        (status, body)
    });
    join_all(sent).await
}

/// How many answers had each status.
fn tally(answers: &[(StatusCode, Value)]) -> BTreeMap<u16, usize> {
    let mut counts = BTreeMap::new();
    for (status, _) in answers {
        *counts.entry(status.as_u16()).or_insert(0) += 1;
    }
    counts
}

/// `n` conditional PATCHes of `path`, all with the ETag the resource has now, spread over both
/// apps; each sets `field` to a value of its own. Answers the statuses and the values sent.
async fn race_patches(
    apps: &[TestApp; 2],
    path: &str,
    field: &str,
    n: usize,
) -> Vec<(StatusCode, Value)> {
    let response = apps[0].get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let requests = (0..n)
        .map(|i| {
            apps[i % 2]
                .write(Method::PATCH, path)
                .header("If-Match", &etag)
                .json(&json!({ field: format!("Change number {i}") }))
        })
        .collect();
    let answers = answers(requests).await;
    let counts = tally(&answers);
    assert_eq!(
        counts,
        BTreeMap::from([(200, 1), (412, n - 1)]),
        "PATCH {path}: {answers:?}"
    );
    for (status, body) in &answers {
        if *status == StatusCode::PRECONDITION_FAILED {
            assert_eq!(body["type"], "/problems/precondition-failed", "{body}");
        }
    }
    // What is stored is the one change that was let through.
    let winner = answers
        .iter()
        .find(|(status, _)| *status == StatusCode::OK)
        .map(|(_, body)| body[field].clone())
        .unwrap();
    let now = apps[1].get_json(path).await;
    assert_eq!(now[field], winner, "GET {path} after the race");
    answers
}

#[tokio::test]
async fn fifty_concurrent_patches_of_an_article_with_one_if_match_let_exactly_one_through() {
    let apps = two_apps().await;
    let created = apps[0]
        .post_json("/v1/articles", &small_article("raced"))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);

    race_patches(&apps, "/v1/articles/raced", "headline", 50).await;

    let article = apps[0].get_json("/v1/articles/raced").await;
    assert_eq!(article["version"], 2, "one change, one version: {article}");
}

#[tokio::test]
async fn concurrent_patches_of_a_section_a_quote_and_an_entity_with_one_if_match_let_exactly_one_through(
) {
    let apps = two_apps().await;
    let created = apps[0]
        .post_json("/v1/articles", &small_article("raced"))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let article: Value = created.json().await.unwrap();
    let section = article["sections"][0]["id"].as_str().unwrap().to_owned();
    let quote = article["quotes"][0]["id"].as_str().unwrap().to_owned();

    race_patches(&apps, &format!("/v1/sections/{section}"), "heading", 20).await;
    race_patches(&apps, &format!("/v1/quotes/{quote}"), "text", 20).await;
    race_patches(&apps, "/v1/entities/jane-doe", "name", 20).await;
}

#[tokio::test]
async fn concurrent_deletes_with_one_if_match_delete_once_and_answer_412_or_404_otherwise() {
    let apps = two_apps().await;
    let created = apps[0]
        .post_json("/v1/articles", &small_article("raced"))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let article: Value = created.json().await.unwrap();
    let quote = article["quotes"][0]["id"].as_str().unwrap().to_owned();

    for path in [
        format!("/v1/quotes/{quote}"),
        "/v1/entities/jane-doe".to_owned(),
    ] {
        let etag = apps[0].get(&path).await.headers()["etag"]
            .to_str()
            .unwrap()
            .to_owned();
        let requests = (0..20)
            .map(|i| {
                apps[i % 2]
                    .write(Method::DELETE, &path)
                    .header("If-Match", &etag)
            })
            .collect();
        let answers = answers(requests).await;
        let counts = tally(&answers);
        assert_eq!(counts.get(&204), Some(&1), "DELETE {path}: {answers:?}");
        assert!(
            counts.keys().all(|status| [204, 404, 412].contains(status)),
            "DELETE {path}: {answers:?}"
        );
        assert_eq!(apps[1].get(&path).await.status(), StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn twenty_concurrent_creates_with_one_slug_make_one_article_and_nineteen_conflicts() {
    let apps = two_apps().await;
    let requests = (0..20)
        .map(|i| {
            let mut body = small_article("one-slug");
            body["headline"] = json!(format!("Attempt number {i}"));
            apps[i % 2].write(Method::POST, "/v1/articles").json(&body)
        })
        .collect();
    let answers = answers(requests).await;
    assert_eq!(
        tally(&answers),
        BTreeMap::from([(201, 1), (409, 19)]),
        "{answers:?}"
    );
    for (status, body) in &answers {
        if *status == StatusCode::CONFLICT {
            assert_eq!(body["type"], "/problems/conflict", "{body}");
            assert_eq!(body["errors"][0]["field"], "slug", "{body}");
        }
    }
    assert_eq!(apps[0].count_rows("articles").await, 1);
    // The one article is whole: both sections and its quote, one inline speaker made once.
    assert_eq!(apps[0].count_rows("sections").await, 2);
    assert_eq!(apps[0].count_rows("quotes").await, 1);
    assert_eq!(apps[0].count_rows("entities").await, 1);
}

#[tokio::test]
async fn twenty_concurrent_creates_of_one_entity_slug_make_one_entity_and_nineteen_conflicts() {
    let apps = two_apps().await;
    let requests = (0..20)
        .map(|i| {
            apps[i % 2]
                .write(Method::POST, "/v1/entities")
                .json(&json!({"slug": "the-mayor", "name": format!("Mayor {i}"), "kind": "person"}))
        })
        .collect();
    let answers = answers(requests).await;
    assert_eq!(
        tally(&answers),
        BTreeMap::from([(201, 1), (409, 19)]),
        "{answers:?}"
    );
    assert_eq!(apps[0].count_rows("entities").await, 1);
}

/// Entities `Person 0` … `Person {n-1}` and four articles that mention three of them each (with
/// counts) and quote two each. Answers the total mention count per article.
async fn newsroom(app: &TestApp, n: usize) -> BTreeMap<String, i64> {
    for i in 0..n {
        let response = app
            .post_json(
                "/v1/entities",
                &json!({"name": format!("Person {i}"), "kind": "person", "aliases": [format!("P{i}")]}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let mut totals = BTreeMap::new();
    for a in 0..4 {
        let slug = format!("story-{a}");
        let mentioned: Vec<usize> = (0..3).map(|k| (a + k * 2) % n).collect();
        let entities: Vec<Value> = mentioned
            .iter()
            .map(|&e| json!({"entity": {"slug": format!("person-{e}")}, "mention_count": e + 1}))
            .collect();
        let quotes: Vec<Value> = [a % n, (a + 3) % n]
            .iter()
            .enumerate()
            .map(|(q, &e)| json!({"text": format!("Quote {q} of story {a}"), "speaker": {"slug": format!("person-{e}")}}))
            .collect();
        let body = json!({
            "slug": slug,
            "headline": format!("Story {a}"),
            "body": format!("The text of story {a}."),
            "entities": entities,
            "quotes": quotes,
        });
        let response = app.post_json("/v1/articles", &body).await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "{}",
            response.text().await.unwrap()
        );
        let total: usize = mentioned.iter().map(|e| e + 1).sum();
        totals.insert(slug, i64::try_from(total).unwrap());
    }
    totals
}

/// One number from SQL.
async fn count(app: &TestApp, sql: &str) -> i64 {
    use sea_orm::ConnectionTrait;
    let backend = app.db.get_database_backend();
    let row = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(backend, sql.to_owned()))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// No quote speaker and no mention points at a missing entity, and no article mentions one
/// entity twice.
async fn assert_nothing_dangles(app: &TestApp) {
    let dangling_speakers = count(
        app,
        "SELECT COUNT(*) AS n FROM quotes q WHERE q.speaker_entity_id IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = q.speaker_entity_id)",
    )
    .await;
    assert_eq!(dangling_speakers, 0, "quotes spoken by a missing entity");
    let dangling_mentions = count(
        app,
        "SELECT COUNT(*) AS n FROM article_entities m \
         WHERE NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = m.entity_id)",
    )
    .await;
    assert_eq!(dangling_mentions, 0, "mentions of a missing entity");
    let doubled = count(
        app,
        "SELECT COUNT(*) AS n FROM (SELECT article_id, entity_id FROM article_entities \
         GROUP BY article_id, entity_id HAVING COUNT(*) > 1) d",
    )
    .await;
    assert_eq!(doubled, 0, "an article mentions one entity twice");
}

/// Every surviving entity's names (its name and aliases), by entity.
async fn names(app: &TestApp) -> Vec<Vec<String>> {
    let page = app.get_json("/v1/entities?limit=100").await;
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entity| {
            let mut names = vec![entity["name"].as_str().unwrap().to_owned()];
            names.extend(
                entity["aliases"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_owned()),
            );
            names
        })
        .collect()
}

/// The total mention count of each article, as the API tells it.
async fn mention_totals(app: &TestApp) -> BTreeMap<String, i64> {
    let mut totals = BTreeMap::new();
    for a in 0..4 {
        let slug = format!("story-{a}");
        let article = app
            .get_json(&format!("/v1/articles/{slug}?include=entities"))
            .await;
        let total = article["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["mention_count"].as_i64().unwrap())
            .sum();
        totals.insert(slug, total);
    }
    totals
}

#[tokio::test]
async fn concurrent_merges_in_conflicting_orders_keep_every_mention_quote_and_name_once() {
    let apps = two_apps().await;
    let n = 6;
    let before = newsroom(&apps[0], n).await;
    let quotes_with_speaker = count(
        &apps[0],
        "SELECT COUNT(*) AS n FROM quotes WHERE speaker_entity_id IS NOT NULL",
    )
    .await;

    // Every ordered pair, so that each pair is merged both ways at once.
    let mut requests = Vec::new();
    for a in 0..n {
        for b in 0..n {
            if a != b {
                let app = &apps[requests.len() % 2];
                requests.push(
                    app.write(Method::POST, &format!("/v1/entities/person-{a}/merge"))
                        .json(&json!({"duplicate": format!("person-{b}")})),
                );
            }
        }
    }
    let answers = answers(requests).await;
    let counts = tally(&answers);
    assert!(
        counts.keys().all(|status| [200, 404, 422].contains(status)),
        "{counts:?}: {answers:?}"
    );
    let merged = counts.get(&200).copied().unwrap_or(0);
    assert!(merged > 0, "{counts:?}");

    assert_nothing_dangles(&apps[0]).await;
    let survivors = names(&apps[1]).await;
    assert_eq!(
        survivors.len(),
        n - merged,
        "one entity fewer per merge: {survivors:?}"
    );
    // Every name and alias is still there, on exactly one entity.
    let all: Vec<&String> = survivors.iter().flatten().collect();
    let unique: BTreeSet<&String> = all.iter().copied().collect();
    assert_eq!(
        all.len(),
        unique.len(),
        "a name on two entities: {survivors:?}"
    );
    let expected: BTreeSet<String> = (0..n)
        .flat_map(|i| [format!("Person {i}"), format!("P{i}")])
        .collect();
    assert_eq!(
        unique.into_iter().cloned().collect::<BTreeSet<String>>(),
        expected,
        "names lost or made up"
    );
    // Mentions were added together, never lost or counted twice; every quote kept a speaker.
    assert_eq!(mention_totals(&apps[1]).await, before);
    assert_eq!(
        count(
            &apps[0],
            "SELECT COUNT(*) AS n FROM quotes WHERE speaker_entity_id IS NOT NULL"
        )
        .await,
        quotes_with_speaker
    );
}

#[tokio::test]
async fn concurrent_merges_and_deletes_leave_no_dangling_quotes_or_mentions() {
    let apps = two_apps().await;
    let n = 8;
    newsroom(&apps[0], n).await;
    let quotes = apps[0].count_rows("quotes").await;

    // Merges in both directions interleaved with deletes of the same entities.
    let mut requests = Vec::new();
    let mut kinds = Vec::new();
    for round in 0..3 {
        for a in 0..n {
            let app = &apps[requests.len() % 2];
            let b = (a + 1 + round) % n;
            if (a + round) % 3 == 0 {
                requests.push(app.write(Method::DELETE, &format!("/v1/entities/person-{b}")));
                kinds.push("delete");
            } else {
                requests.push(
                    app.write(Method::POST, &format!("/v1/entities/person-{a}/merge"))
                        .json(&json!({"duplicate": format!("person-{b}")})),
                );
                kinds.push("merge");
            }
        }
    }
    let answers = answers(requests).await;
    let mut merged = 0;
    let mut deleted = 0;
    for ((status, body), kind) in answers.iter().zip(&kinds) {
        match (*kind, status.as_u16()) {
            ("merge", 200) => merged += 1,
            ("delete", 204) => deleted += 1,
            ("merge", 404 | 422) | ("delete", 404) => {}
            _ => panic!("{kind} answered {status}: {body}"),
        }
    }
    assert!(
        merged > 0 && deleted > 0,
        "{merged} merges, {deleted} deletes"
    );

    assert_nothing_dangles(&apps[0]).await;
    let survivors = names(&apps[1]).await;
    assert_eq!(
        survivors.len(),
        n - merged - deleted,
        "one entity fewer per merge and per delete: {survivors:?}"
    );
    let all: Vec<&String> = survivors.iter().flatten().collect();
    let unique: BTreeSet<&String> = all.iter().copied().collect();
    assert_eq!(
        all.len(),
        unique.len(),
        "a name on two entities: {survivors:?}"
    );
    // Quotes stay (a deleted speaker leaves them without one).
    assert_eq!(apps[0].count_rows("quotes").await, quotes);
}

#[tokio::test]
async fn writes_that_refer_to_entities_racing_merges_and_deletes_never_fail_on_a_removed_entity() {
    let apps = two_apps().await;
    let n = 6;
    newsroom(&apps[0], n).await;
    let quotes_before = apps[0].count_rows("quotes").await;

    // Merges and deletes of the entities, interleaved with writes that point at them: new
    // articles mentioning and quoting them, mentions put, quotes added.
    let mut requests = Vec::new();
    let mut kinds = Vec::new();
    for round in 0..3 {
        for a in 0..n {
            let app = &apps[requests.len() % 2];
            let b = (a + 1 + round) % n;
            let (kind, request) = match (a + round) % 5 {
                0 => ("delete", app.write(Method::DELETE, &format!("/v1/entities/person-{b}"))),
                1 => (
                    "merge",
                    app.write(Method::POST, &format!("/v1/entities/person-{a}/merge"))
                        .json(&json!({"duplicate": format!("person-{b}")})),
                ),
                2 => (
                    "create article",
                    app.write(Method::POST, "/v1/articles").json(&json!({
                        "slug": format!("new-{round}-{a}"),
                        "headline": format!("New story {round} {a}"),
                        "body": "A new story.",
                        "entities": [{"entity": {"slug": format!("person-{b}")}, "mention_count": 2}],
                        "quotes": [{"text": "New words", "speaker": {"slug": format!("person-{a}")}}],
                    })),
                ),
                3 => (
                    "put mention",
                    app.write(
                        Method::PUT,
                        &format!("/v1/articles/story-{}/entities/person-{b}", a % 4),
                    )
                    .json(&json!({"mention_count": 3})),
                ),
                _ => (
                    "create quote",
                    app.write(Method::POST, &format!("/v1/articles/story-{}/quotes", a % 4))
                        .json(&json!({"text": format!("More words {round} {a}"),
                                      "speaker": {"slug": format!("person-{b}")}})),
                ),
            };
            requests.push(request);
            kinds.push(kind);
        }
    }
    let answers = answers(requests).await;
    let mut quotes_added = 0;
    for ((status, body), kind) in answers.iter().zip(&kinds) {
        let allowed: &[u16] = match *kind {
            "delete" => &[204, 404],
            "merge" => &[200, 404, 422],
            "create article" | "create quote" => &[201, 422],
            _ => &[200, 201, 404],
        };
        assert!(
            allowed.contains(&status.as_u16()),
            "{kind} answered {status}: {body}"
        );
        if *status == StatusCode::CREATED && kind.starts_with("create") {
            quotes_added += 1;
        }
    }
    assert_nothing_dangles(&apps[0]).await;
    assert_eq!(
        apps[0].count_rows("quotes").await,
        quotes_before + quotes_added
    );
}

#[tokio::test]
async fn an_article_read_with_its_quotes_while_quotes_are_added_matches_its_version_every_time() {
    let [writer, reader] = two_apps().await;
    let article = json!({"slug": "growing", "headline": "Growing", "body": "Quotes keep coming."});
    let response = writer.post_json("/v1/articles", &article).await;
    assert_eq!(response.status(), StatusCode::CREATED);

    // Each added quote bumps the article's version by one, so an article read in one snapshot
    // with its quotes has version 1 + their number, whatever was committed in between.
    const QUOTES: usize = 30;
    let writing = async {
        for n in 0..QUOTES {
            let quote = json!({"text": format!("Point number {n}")});
            let response = writer
                .post_json("/v1/articles/growing/quotes", &quote)
                .await;
            assert_eq!(response.status(), StatusCode::CREATED, "quote {n}");
        }
    };
    let reading = async {
        let mut reads = 0;
        loop {
            let article = reader.get_json("/v1/articles/growing?include=quotes").await;
            let quotes = article["quotes"].as_array().expect("quotes").len();
            assert_eq!(
                article["version"],
                json!(1 + quotes),
                "read {reads}: version {} with {quotes} quotes",
                article["version"]
            );
            reads += 1;
            if quotes == QUOTES {
                return reads;
            }
        }
    };
    let ((), reads) = tokio::join!(writing, reading);
    assert!(reads > 1, "the reads did not overlap the writes");
}
