//! `/v1/changes`: every create, update and delete of articles, quotes and entities, in commit
//! order, with tombstones, read by polling with `since`.

use std::collections::HashSet;

use newsmeta::synthetic;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, etag, next_link, spawn_app, TestApp};

/// One change as (resource, action, id), the part most assertions are about.
fn summary(change: &Value) -> (String, String, String) {
    (
        change["resource"].as_str().unwrap().to_owned(),
        change["action"].as_str().unwrap().to_owned(),
        change["id"].as_str().unwrap().to_owned(),
    )
}

fn change(resource: &str, action: &str, id: &Value) -> (String, String, String) {
    (
        resource.to_owned(),
        action.to_owned(),
        id.as_str().unwrap().to_owned(),
    )
}

/// Polls the feed from `since` until it is up to date; answers the changes and the last cursor.
async fn poll(app: &TestApp, since: &str, query: &str) -> (Vec<Value>, String) {
    let mut since = since.to_owned();
    let mut changes = Vec::new();
    loop {
        let page = app
            .get_json(&format!("/v1/changes?since={since}{query}"))
            .await;
        changes.extend(page["data"].as_array().unwrap().iter().cloned());
        since = page["next_cursor"].as_str().unwrap().to_owned();
        if page["has_more"] == false {
            return (changes, since);
        }
    }
}

/// The feed's current cursor.
async fn latest(app: &TestApp) -> String {
    let page = app.get_json("/v1/changes?since=latest").await;
    assert_eq!(page["data"], json!([]));
    assert_eq!(page["has_more"], false);
    page["next_cursor"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_nested_create_lists_the_article_its_new_entities_and_its_quotes() {
    let app = spawn_app().await;
    let page = app.get_json("/v1/changes").await;
    assert_eq!(
        page,
        json!({"data": [], "next_cursor": "0", "has_more": false})
    );

    let article = app.create_small("minister-quits").await;
    let (changes, _) = poll(&app, "0", "").await;
    let quote = &article["quotes"][0];
    let entity = &article["entities"][0]["entity"];
    assert_eq!(
        changes.iter().map(summary).collect::<Vec<_>>(),
        vec![
            change("article", "created", &article["id"]),
            change("entity", "created", &entity["id"]),
            change("quote", "created", &quote["id"]),
        ]
    );
    let [a, e, q] = &changes[..] else {
        unreachable!()
    };
    assert_eq!(a["slug"], "minister-quits");
    assert_eq!(a["version"], 1);
    assert_eq!(a["article_id"], Value::Null);
    assert_eq!(e["slug"], "jane-doe");
    assert_eq!(e["version"], Value::Null);
    assert_eq!(q["article_id"], article["id"]);
    assert_eq!(q["slug"], Value::Null);
    let seqs: Vec<i64> = changes.iter().map(|c| c["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    for change in &changes {
        let href = change["href"].as_str().unwrap();
        assert_eq!(app.get(href).await.status(), StatusCode::OK, "{href}");
        let changed_at = change["changed_at"].as_str().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(changed_at).is_ok(),
            "{changed_at}"
        );
    }
}

#[tokio::test]
async fn updates_and_deletions_are_listed_and_deletions_leave_tombstones() {
    let app = spawn_app().await;
    let article = app.create_small("minister-quits").await;
    let id = &article["id"];
    let quote_id = &article["quotes"][0]["id"];
    let since = latest(&app).await;

    let patched = app
        .patch_json(
            &format!("/v1/articles/{}", id.as_str().unwrap()),
            &json!({"headline": "Minister resigns"}),
        )
        .await;
    assert_eq!(patched.status(), StatusCode::OK);
    let (changes, since) = poll(&app, &since, "").await;
    assert_eq!(
        changes.iter().map(summary).collect::<Vec<_>>(),
        vec![change("article", "updated", id)]
    );
    assert_eq!(changes[0]["version"], 2);

    // A quote is its own resource and part of its article: both change.
    let response = app
        .patch_json(
            &format!("/v1/quotes/{}", quote_id.as_str().unwrap()),
            &json!({"cue": "told reporters"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let (changes, since) = poll(&app, &since, "").await;
    let got: HashSet<_> = changes.iter().map(summary).collect();
    assert_eq!(
        got,
        HashSet::from([
            change("quote", "updated", quote_id),
            change("article", "updated", id)
        ])
    );

    let response = app
        .patch_json(
            "/v1/entities/jane-doe",
            &json!({"description": "A minister"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let entity_id = &article["entities"][0]["entity"]["id"];
    let (changes, since) = poll(&app, &since, "").await;
    assert_eq!(
        changes.iter().map(summary).collect::<Vec<_>>(),
        vec![change("entity", "updated", entity_id)]
    );

    // Deleting the article takes its quote with it: a tombstone for each.
    let response = app
        .delete(&format!("/v1/articles/{}", id.as_str().unwrap()))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (changes, since) = poll(&app, &since, "").await;
    let got: HashSet<_> = changes.iter().map(summary).collect();
    assert_eq!(
        got,
        HashSet::from([
            change("article", "deleted", id),
            change("quote", "deleted", quote_id)
        ])
    );
    let tombstone = changes.iter().find(|c| c["resource"] == "article").unwrap();
    assert_eq!(tombstone["slug"], "minister-quits");
    assert_eq!(tombstone["version"], 3);
    let href = tombstone["href"].as_str().unwrap();
    assert_eq!(app.get(href).await.status(), StatusCode::NOT_FOUND);

    let response = app.delete("/v1/entities/jane-doe").await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (changes, _) = poll(&app, &since, "").await;
    assert_eq!(
        changes.iter().map(summary).collect::<Vec<_>>(),
        vec![change("entity", "deleted", entity_id)]
    );
    assert_eq!(changes[0]["slug"], "jane-doe");
}

#[tokio::test]
async fn a_merge_lists_the_moved_quotes_and_the_duplicate_as_deleted() {
    let app = spawn_app().await;
    let article = app.create_small("minister-quits").await;
    let response = app
        .post_json("/v1/entities", &json!({"name": "J. Doe", "kind": "person"}))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let duplicate: Value = response.json().await.unwrap();
    let quote_id = &article["quotes"][0]["id"];
    let moved = app
        .patch_json(
            &format!("/v1/quotes/{}", quote_id.as_str().unwrap()),
            &json!({"speaker": {"id": duplicate["id"]}}),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let since = latest(&app).await;

    let response = app
        .post_json(
            "/v1/entities/jane-doe/merge",
            &json!({"duplicate": duplicate["slug"]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let (changes, _) = poll(&app, &since, "").await;
    let got: HashSet<_> = changes.iter().map(summary).collect();
    let survivor = &article["entities"][0]["entity"]["id"];
    for expected in [
        change("entity", "deleted", &duplicate["id"]),
        change("entity", "updated", survivor),
        change("quote", "updated", quote_id),
        change("article", "updated", &article["id"]),
    ] {
        assert!(got.contains(&expected), "{expected:?} not in {got:?}");
    }
}

#[tokio::test]
async fn polling_with_next_cursor_pages_through_every_change_once() {
    let app = spawn_app().await;
    for slug in ["one", "two", "three"] {
        app.create_small(slug).await;
    }
    let (everything, last) = poll(&app, "0", "").await;
    // 3 articles, 3 quotes, and Jane Doe once (matched by name after the first).
    assert_eq!(everything.len(), 7);

    let mut since = "0".to_owned();
    let mut paged = Vec::new();
    loop {
        let response = app.get(&format!("/v1/changes?since={since}&limit=2")).await;
        assert_eq!(response.status(), StatusCode::OK);
        let link = next_link(&response);
        let page: Value = response.json().await.unwrap();
        let data = page["data"].as_array().unwrap();
        since = page["next_cursor"].as_str().unwrap().to_owned();
        assert_eq!(since, data.last().unwrap()["seq"].to_string());
        paged.extend(data.iter().cloned());
        if page["has_more"] == true {
            assert_eq!(data.len(), 2);
            assert_eq!(
                link.as_deref(),
                Some(format!("/v1/changes?limit=2&since={since}").as_str())
            );
        } else {
            assert_eq!(link, None);
            break;
        }
    }
    assert_eq!(paged, everything);
    assert_eq!(since, last);

    // Up to date: nothing new, same cursor; then exactly what happens next.
    let page = app.get_json(&format!("/v1/changes?since={last}")).await;
    assert_eq!(
        page,
        json!({"data": [], "next_cursor": last, "has_more": false})
    );
    let four = app.create_small("four").await;
    let (new, _) = poll(&app, &last, "").await;
    assert_eq!(
        new.iter().map(summary).collect::<Vec<_>>(),
        vec![
            change("article", "created", &four["id"]),
            change("quote", "created", &four["quotes"][0]["id"]),
        ]
    );
}

#[tokio::test]
async fn resource_filters_the_feed_and_latest_starts_from_now() {
    let app = spawn_app().await;
    let article = app.create_small("minister-quits").await;

    let (quotes, _) = poll(&app, "0", "&resource=quote").await;
    assert_eq!(
        quotes.iter().map(summary).collect::<Vec<_>>(),
        vec![change("quote", "created", &article["quotes"][0]["id"])]
    );
    let (others, _) = poll(&app, "0", "&resource=entity,article").await;
    let resources: Vec<&str> = others
        .iter()
        .map(|c| c["resource"].as_str().unwrap())
        .collect();
    assert_eq!(resources, ["article", "entity"]);

    let now = latest(&app).await;
    let (everything, last) = poll(&app, "0", "").await;
    assert_eq!(now, last);
    assert_eq!(everything.len(), 3);
}

#[tokio::test]
async fn fields_narrows_each_change() {
    let app = spawn_app().await;
    app.create_small("minister-quits").await;
    let page = app
        .get_json("/v1/changes?fields=seq,action&resource=article")
        .await;
    let change = &page["data"][0];
    let mut members: Vec<&str> = change
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    members.sort();
    assert_eq!(members, ["action", "id", "seq"]);
    assert_eq!(change["action"], "created");
    assert_eq!(page["next_cursor"], change["seq"].to_string());
}

#[tokio::test]
async fn the_feed_is_cacheable_and_revalidates() {
    let app = spawn_app().await;
    app.create_small("minister-quits").await;
    let first = app.get("/v1/changes").await;
    let tag = etag(&first);
    let again = app
        .request(reqwest::Method::GET, "/v1/changes")
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    app.create_small("another").await;
    let changed = app
        .request(reqwest::Method::GET, "/v1/changes")
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
}

#[tokio::test]
async fn bad_feed_parameters_are_400s_naming_them() {
    let app = spawn_app().await;
    app.create_small("minister-quits").await;
    for (query, field) in [
        ("since=abc", "since"),
        ("since=-1", "since"),
        ("since=1.5", "since"),
        ("since=99999", "since"),
        ("resource=section", "resource"),
        ("resource=article,", "resource"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("cursor=1", "cursor"),
        ("fields=seq,nope", "fields"),
    ] {
        let response = app.get(&format!("/v1/changes?{query}")).await;
        assert_problem(response, StatusCode::BAD_REQUEST, "bad-request", &[field]).await;
    }
    let page = app.get_json("/v1/changes?limit=1000").await;
    assert_eq!(page["data"].as_array().unwrap().len(), 3);
}

/// Concurrent writers commit in some order; a poller that follows `next_cursor` while they write
/// must still see every change exactly once, which needs `seq` to be commit order.
#[tokio::test]
async fn a_poller_racing_concurrent_writers_misses_nothing() {
    let app = spawn_app().await;
    let writers: Vec<_> = (0..16)
        .map(|i| {
            // Each names its own speaker, so each write has its own entity change too.
            let mut body = crate::helpers::small_article(&format!("race-{i}"));
            let speaker = json!({"name": format!("Speaker {i}"), "kind": "person"});
            body["quotes"][0]["speaker"] = speaker.clone();
            body["entities"][0]["entity"] = speaker;
            let request = app.write(reqwest::Method::POST, "/v1/articles").json(&body);
            tokio::spawn(async move { request.send().await.unwrap() })
        })
        .collect();

    let mut since = "0".to_owned();
    let mut seen = Vec::new();
    let mut done = false;
    while !done {
        done = writers.iter().all(|w| w.is_finished());
        // One more pass after the writers are done picks up the last commits.
        let (changes, next) = poll(&app, &since, "").await;
        seen.extend(changes);
        since = next;
    }
    let mut created = HashSet::new();
    for writer in writers {
        let response = writer.await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let article: Value = response.json().await.unwrap();
        created.insert(article["id"].as_str().unwrap().to_owned());
    }

    let seqs: Vec<i64> = seen.iter().map(|c| c["seq"].as_i64().unwrap()).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "seen twice or out of order: {seqs:?}"
    );
    let articles: HashSet<String> = seen
        .iter()
        .filter(|c| c["resource"] == "article")
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(articles, created);
    let (everything, _) = poll(&app, "0", "").await;
    assert_eq!(seen, everything);
}

#[tokio::test]
async fn the_bulk_loader_writes_to_the_feed_too() {
    let app = spawn_app().await;
    let report = synthetic::generate(&app.db, 25, 7, |_| {})
        .await
        .expect("generation failed");
    let (changes, _) = poll(&app, "0", "&limit=1000").await;
    let count =
        |resource: &str| changes.iter().filter(|c| c["resource"] == resource).count() as u64;
    assert_eq!(count("article"), report.articles);
    assert_eq!(count("quote"), report.quotes);
    assert_eq!(count("entity"), report.entities_created);
    assert!(changes.iter().all(|c| c["action"] == "created"));
}
