//! `/v1/quotes`, `/v1/articles/{article}/quotes` and `/v1/quotes/{id}`.

// Helpers outside `#[tokio::test]` functions fail a test loudly too; clippy only exempts the tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, next_link, small_article, spawn_app, TestApp};

const SEED: &str = "us-officials-condemn-uk-immigration-approach";
const TRUMP_QUOTES: [&str; 2] = [
    "destroy",
    "I would stop it, and it doesn't matter if you call out the military.",
];

/// The `text` of every quote in a page, in order.
fn texts(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data is not an array")
        .iter()
        .map(|q| q["text"].as_str().expect("text").to_owned())
        .collect()
}

/// The seed article, and one more article with one quote published at `published_at`.
async fn seed_and_small(app: &TestApp, slug: &str, published_at: &str) -> (Value, Value) {
    let seed = app.create_seed().await;
    let mut body = small_article(slug);
    body["published_at"] = json!(published_at);
    let response = app.post_json("/v1/articles", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    (seed, response.json().await.unwrap())
}

async fn version_of(app: &TestApp, article: &str) -> i64 {
    app.get_json(&format!("/v1/articles/{article}")).await["version"]
        .as_i64()
        .unwrap()
}

// --- listing -----------------------------------------------------------------------------------

#[tokio::test]
async fn quotes_by_speaker_slug_are_exactly_what_that_speaker_said() {
    let app = spawn_app().await;
    app.create_seed().await;
    let page = app
        .get_json("/v1/quotes?speaker=donald-trump&sort=created_at")
        .await;
    assert_eq!(texts(&page), TRUMP_QUOTES);
    for quote in page["data"].as_array().unwrap() {
        assert_eq!(quote["speaker"]["slug"], "donald-trump");
        assert_eq!(quote["speaker"]["name"], "Donald Trump");
        assert_eq!(quote["speaker"]["kind"], "person");
        assert_eq!(quote["speaker_label"], "Mr Trump");
    }
    assert_eq!(page["next_cursor"], Value::Null);
    assert!(page.get("total").is_none(), "total without count=true");
}

#[tokio::test]
async fn quotes_by_speaker_id_are_the_same_as_by_slug() {
    let app = spawn_app().await;
    app.create_seed().await;
    let starmer = app.get_json("/v1/entities/keir-starmer").await;
    let by_id = app
        .get_json(&format!(
            "/v1/quotes?speaker={}",
            starmer["id"].as_str().unwrap()
        ))
        .await;
    let by_slug = app.get_json("/v1/quotes?speaker=keir-starmer").await;
    assert_eq!(texts(&by_id), ["incredibly seriously."]);
    assert_eq!(by_id, by_slug);
}

#[tokio::test]
async fn quotes_by_an_upper_case_speaker_id_are_the_same_as_by_slug() {
    let app = spawn_app().await;
    app.create_seed().await;
    let trump = app.get_json("/v1/entities/donald-trump").await;
    let id = trump["id"].as_str().unwrap().to_uppercase();
    let by_id = app.get_json(&format!("/v1/quotes?speaker={id}")).await;
    let by_slug = app.get_json("/v1/quotes?speaker=donald-trump").await;
    assert_eq!(texts(&by_id).len(), 2);
    assert_eq!(by_id, by_slug);
}

#[tokio::test]
async fn quotes_by_an_unknown_speaker_are_an_empty_page() {
    let app = spawn_app().await;
    app.create_seed().await;
    let page = app
        .get_json("/v1/quotes?speaker=nobody-at-all&count=true")
        .await;
    assert_eq!(page, json!({"data": [], "next_cursor": null, "total": 0}));
}

#[tokio::test]
async fn quotes_by_article_slug_or_id_are_only_that_articles_quotes() {
    let app = spawn_app().await;
    let (seed, small) = seed_and_small(&app, "minister-quits", "2026-11-23T08:00:00Z").await;

    let by_slug = app
        .get_json(&format!("/v1/quotes?article={SEED}&limit=100"))
        .await;
    assert_eq!(by_slug["data"].as_array().unwrap().len(), 9);
    assert!(by_slug["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|q| q["article_id"] == seed["id"]));
    let by_id = app
        .get_json(&format!(
            "/v1/quotes?article={}&limit=100",
            seed["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(by_id, by_slug);

    let small_quotes = app.get_json("/v1/quotes?article=minister-quits").await;
    assert_eq!(texts(&small_quotes), ["I cannot defend this plan,"]);
    assert_eq!(small_quotes["data"][0]["article_id"], small["id"]);

    let unknown = app.get_json("/v1/quotes?article=no-such-article").await;
    assert_eq!(unknown["data"], json!([]));
}

#[tokio::test]
async fn quotes_by_q_contain_every_word_whatever_the_case() {
    let app = spawn_app().await;
    app.create_seed().await;
    let military = app.get_json("/v1/quotes?q=MILITARY").await;
    assert_eq!(texts(&military), [TRUMP_QUOTES[1]]);

    let gangs = app.get_json("/v1/quotes?q=rape%20Gangs").await;
    assert_eq!(
        texts(&gangs),
        ["violent rape gangs and organised rape gangs in the United Kingdom."]
    );

    // Every word must appear in the same quote.
    let apart = app.get_json("/v1/quotes?q=military%20destroy").await;
    assert_eq!(apart["data"], json!([]));
    // A search without a letter or digit matches nothing.
    let wildcard = app.get_json("/v1/quotes?q=%25").await;
    assert_eq!(wildcard["data"], json!([]));
}

#[tokio::test]
async fn quotes_by_kind_are_only_of_that_kind() {
    let app = spawn_app().await;
    app.create_seed().await;
    let direct = app.get_json("/v1/quotes?kind=direct&sort=created_at").await;
    let direct_texts = texts(&direct);
    assert_eq!(direct_texts.len(), 2);
    assert!(direct_texts[0].starts_with("The British government in particular,"));
    assert_eq!(direct_texts[1], TRUMP_QUOTES[1]);

    let partial = app.get_json("/v1/quotes?kind=partial&count=true").await;
    assert_eq!(partial["total"], 7);
    assert!(partial["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|q| q["kind"] == "partial"));
}

#[tokio::test]
async fn quotes_by_publication_date_follow_their_articles_published_at() {
    let app = spawn_app().await;
    // The seed has no publication time: no date filter matches its quotes.
    app.create_seed().await;
    let mut older = small_article("older-report");
    older["published_at"] = json!("2025-01-10T12:00:00Z");
    assert_eq!(
        app.post_json("/v1/articles", &older).await.status(),
        StatusCode::CREATED
    );
    let newer = app.create_small("newer-report").await; // published 2026-11-23T08:00:00Z

    let after = app
        .get_json("/v1/quotes?published_after=2026-01-01&count=true")
        .await;
    assert_eq!(after["total"], 1);
    assert_eq!(after["data"][0]["article_id"], newer["id"]);

    let before = app.get_json("/v1/quotes?published_before=2026-01-01").await;
    assert_eq!(before["data"].as_array().unwrap().len(), 1);
    assert_ne!(before["data"][0]["article_id"], newer["id"]);

    // published_after is inclusive, published_before exclusive.
    let at = "2026-11-23T08:00:00Z";
    let from = app
        .get_json(&format!("/v1/quotes?published_after={at}"))
        .await;
    assert_eq!(from["data"].as_array().unwrap().len(), 1);
    let until = app
        .get_json(&format!(
            "/v1/quotes?published_after=2026-01-01&published_before={at}"
        ))
        .await;
    assert_eq!(until["data"], json!([]));
}

#[tokio::test]
async fn quote_filters_combine_so_that_every_one_holds() {
    let app = spawn_app().await;
    seed_and_small(&app, "minister-quits", "2026-11-23T08:00:00Z").await;

    let us_direct = app
        .get_json("/v1/quotes?speaker=united-states&kind=direct")
        .await;
    let texts_us = texts(&us_direct);
    assert_eq!(texts_us.len(), 1);
    assert!(texts_us[0].ends_with("nothing has really happened."));

    let us_gangs = app
        .get_json(&format!(
            "/v1/quotes?speaker=united-states&article={SEED}&q=gangs&kind=partial&count=true"
        ))
        .await;
    assert_eq!(us_gangs["total"], 1);

    let trump_in_small = app
        .get_json("/v1/quotes?speaker=donald-trump&article=minister-quits")
        .await;
    assert_eq!(trump_in_small["data"], json!([]));

    let jane_after = app
        .get_json("/v1/quotes?speaker=jane-doe&published_after=2026-11-01&q=defend")
        .await;
    assert_eq!(texts(&jane_after), ["I cannot defend this plan,"]);
}

#[tokio::test]
async fn quote_pages_follow_the_cursor_and_the_link_header_to_the_end() {
    let app = spawn_app().await;
    app.create_seed().await;
    let everything = app.get_json("/v1/quotes?sort=created_at&limit=100").await;
    let all_ids: Vec<Value> = everything["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].clone())
        .collect();
    assert_eq!(all_ids.len(), 9);

    // By the Link header.
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut path = "/v1/quotes?sort=created_at&limit=4".to_owned();
    loop {
        let response = app.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK);
        let link = next_link(&response);
        let page: Value = response.json().await.unwrap();
        let data = page["data"].as_array().unwrap();
        sizes.push(data.len());
        seen.extend(data.iter().map(|q| q["id"].clone()));
        match link {
            Some(next) => {
                let cursor = page["next_cursor"].as_str().expect("a next_cursor");
                assert!(next.starts_with("/v1/quotes?"), "{next}");
                assert!(next.contains("sort=created_at") && next.contains("limit=4"));
                assert!(next.ends_with(&format!("cursor={cursor}")), "{next}");
                path = next;
            }
            None => {
                assert_eq!(page["next_cursor"], Value::Null);
                break;
            }
        }
    }
    assert_eq!(sizes, [4, 4, 1]);
    assert_eq!(seen, all_ids);

    // By next_cursor, newest first (the default order).
    let first = app.get_json("/v1/quotes?limit=5").await;
    let second = app
        .get_json(&format!(
            "/v1/quotes?limit=5&cursor={}",
            first["next_cursor"].as_str().unwrap()
        ))
        .await;
    let newest_first: Vec<Value> = first["data"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["data"].as_array().unwrap())
        .map(|q| q["id"].clone())
        .collect();
    let mut reversed = all_ids.clone();
    reversed.reverse();
    assert_eq!(newest_first, reversed);
    assert_eq!(second["next_cursor"], Value::Null);
}

#[tokio::test]
async fn counting_quotes_adds_the_total_of_every_page() {
    let app = spawn_app().await;
    app.create_seed().await;
    let page = app.get_json("/v1/quotes?limit=2&count=true").await;
    assert_eq!(page["total"], 9);
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let trump = app
        .get_json("/v1/quotes?speaker=donald-trump&count=true")
        .await;
    assert_eq!(trump["total"], 2);
    let uncounted = app.get_json("/v1/quotes?count=false").await;
    assert!(uncounted.get("total").is_none());
}

#[tokio::test]
async fn an_articles_quotes_are_listed_under_it_with_the_same_filters() {
    let app = spawn_app().await;
    let (seed, _) = seed_and_small(&app, "minister-quits", "2026-11-23T08:00:00Z").await;
    let by_slug = app
        .get_json(&format!(
            "/v1/articles/{SEED}/quotes?sort=created_at&count=true"
        ))
        .await;
    assert_eq!(by_slug["total"], 9);
    let positions: Vec<i64> = by_slug["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, (0..9).collect::<Vec<i64>>());

    let direct = app
        .get_json(&format!(
            "/v1/articles/{}/quotes?kind=direct",
            seed["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(direct["data"].as_array().unwrap().len(), 2);

    let small = app.get_json("/v1/articles/minister-quits/quotes").await;
    assert_eq!(texts(&small), ["I cannot defend this plan,"]);
}

#[tokio::test]
async fn the_quotes_of_an_unknown_article_are_a_404() {
    let app = spawn_app().await;
    let response = app.get("/v1/articles/no-such-article/quotes").await;
    assert_problem(response, StatusCode::NOT_FOUND, "not-found", &[]).await;
}

#[tokio::test]
async fn a_quote_list_rejects_a_bad_kind_an_unknown_parameter_and_a_bad_cursor() {
    let app = spawn_app().await;
    let kind = app.get("/v1/quotes?kind=indirect").await;
    assert_problem(kind, StatusCode::BAD_REQUEST, "bad-request", &["kind"]).await;
    let unknown = app.get("/v1/quotes?colour=red").await;
    assert_problem(unknown, StatusCode::BAD_REQUEST, "bad-request", &["colour"]).await;
    let cursor = app.get("/v1/quotes?cursor=not-a-cursor").await;
    assert_problem(cursor, StatusCode::BAD_REQUEST, "bad-request", &["cursor"]).await;
    let limit = app.get("/v1/quotes?limit=101").await;
    assert_problem(limit, StatusCode::BAD_REQUEST, "bad-request", &["limit"]).await;
    let sort = app.get("/v1/quotes?sort=text").await;
    assert_problem(sort, StatusCode::BAD_REQUEST, "bad-request", &["sort"]).await;
    let date = app.get("/v1/quotes?published_after=yesterday").await;
    assert_problem(
        date,
        StatusCode::BAD_REQUEST,
        "bad-request",
        &["published_after"],
    )
    .await;
}

// --- one quote ---------------------------------------------------------------------------------

#[tokio::test]
async fn a_quote_is_read_by_id_with_its_speaker_and_etag() {
    let app = spawn_app().await;
    let seed = app.create_seed().await;
    let listed = seed["quotes"][7].clone();
    let path = format!("/v1/quotes/{}", listed["id"].as_str().unwrap());
    let response = app.get(&path).await;
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let quote: Value = response.json().await.unwrap();
    assert_eq!(quote, listed);
    assert_eq!(quote["text"], "incredibly seriously.");
    assert_eq!(quote["speaker"]["slug"], "keir-starmer");
    assert_eq!(quote["cue"], "said");
    assert_eq!(
        (quote["start"].clone(), quote["end"].clone()),
        (json!(2335), json!(2356))
    );
    assert_eq!(quote["section_id"], seed["sections"][3]["id"]);

    let again = app
        .request(Method::GET, &path)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn an_unknown_quote_is_a_404_and_a_malformed_id_a_400() {
    let app = spawn_app().await;
    let unknown = app
        .get(&format!("/v1/quotes/{}", uuid::Uuid::now_v7()))
        .await;
    assert_problem(unknown, StatusCode::NOT_FOUND, "not-found", &[]).await;
    let malformed = app.get("/v1/quotes/not-a-uuid").await;
    assert_problem(malformed, StatusCode::BAD_REQUEST, "bad-request", &["id"]).await;
}

// --- creating ----------------------------------------------------------------------------------

#[tokio::test]
async fn a_new_quote_goes_after_the_last_and_bumps_the_article_version() {
    let app = spawn_app().await;
    app.create_seed().await;
    let before = version_of(&app, SEED).await;
    let response = app
        .post_json(
            &format!("/v1/articles/{SEED}/quotes"),
            &json!({"text": "a prime example", "kind": "partial", "speaker_label": "the memo"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();
    assert_eq!(
        location,
        format!("/v1/quotes/{}", created["id"].as_str().unwrap())
    );
    assert_eq!(created["position"], 9);
    assert_eq!(created["kind"], "partial");
    assert_eq!(created["speaker"], Value::Null);
    assert_eq!(created["section_id"], Value::Null);
    assert_eq!(app.get_json(&location).await, created);
    assert_eq!(version_of(&app, SEED).await, before + 1);
}

#[tokio::test]
async fn the_first_quote_of_an_article_without_quotes_is_at_position_0() {
    let app = spawn_app().await;
    let mut body = small_article("no-quotes");
    body["quotes"] = json!([]);
    assert_eq!(
        app.post_json("/v1/articles", &body).await.status(),
        StatusCode::CREATED
    );
    let response = app
        .post_json(
            "/v1/articles/no-quotes/quotes",
            &json!({"text": "I cannot defend this plan,"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["position"], 0);
    assert_eq!(created["kind"], "direct");
}

#[tokio::test]
async fn a_new_quotes_speaker_can_be_named_by_slug_or_id() {
    let app = spawn_app().await;
    app.create_seed().await;
    let by_slug: Value = app
        .post_json(
            &format!("/v1/articles/{SEED}/quotes"),
            &json!({"text": "destroy", "speaker": {"slug": "donald-trump"}}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_slug["speaker"]["slug"], "donald-trump");

    let starmer = app.get_json("/v1/entities/keir-starmer").await;
    let response = app
        .post_json(
            &format!("/v1/articles/{SEED}/quotes"),
            &json!({"text": "incredibly seriously.", "speaker": {"id": starmer["id"]}}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let by_id: Value = response.json().await.unwrap();
    assert_eq!(by_id["speaker"]["id"], starmer["id"]);
    assert_eq!(by_id["position"], 10);

    let trump = app.get_json("/v1/quotes?speaker=donald-trump").await;
    assert_eq!(trump["data"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn an_inline_speaker_is_created_once_and_then_found_by_name_or_alias() {
    let app = spawn_app().await;
    app.create_small("minister-quits").await;
    let entities_before = app.count_rows("entities").await;

    let first: Value = app
        .post_json(
            "/v1/articles/minister-quits/quotes",
            &json!({"text": "The housing minister", "speaker": {
                "name": "Angela Rayner", "kind": "person", "aliases": ["Ms Rayner"]
            }}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["speaker"]["slug"], "angela-rayner");
    assert_eq!(first["speaker"]["kind"], "person");
    assert_eq!(app.count_rows("entities").await, entities_before + 1);
    let entity = app.get_json("/v1/entities/angela-rayner").await;
    assert_eq!(entity["aliases"], json!(["Ms Rayner"]));

    for name in ["ANGELA RAYNER", "Ms Rayner"] {
        let response = app
            .post_json(
                "/v1/articles/minister-quits/quotes",
                &json!({"text": "resigned", "speaker": {"name": name, "kind": "person"}}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "{name}");
        let again: Value = response.json().await.unwrap();
        assert_eq!(again["speaker"]["id"], first["speaker"]["id"], "{name}");
    }
    assert_eq!(app.count_rows("entities").await, entities_before + 1);
}

#[tokio::test]
async fn an_inline_speaker_is_found_by_the_canonical_name_of_an_entity_with_another_slug() {
    let app = spawn_app().await;
    app.create_small("minister-quits").await;
    let created = app
        .post_json(
            "/v1/entities",
            &json!({"name": "Angela Rayner", "slug": "rayner", "kind": "person"}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let entity: Value = created.json().await.unwrap();
    let entities_before = app.count_rows("entities").await;
    for name in ["Angela Rayner", "ANGELA  RAYNER", "Angéla Rayner"] {
        let response = app
            .post_json(
                "/v1/articles/minister-quits/quotes",
                &json!({"text": "resigned", "speaker": {"name": name, "kind": "person"}}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "{name}");
        let quote: Value = response.json().await.unwrap();
        assert_eq!(quote["speaker"]["id"], entity["id"], "{name}");
    }
    assert_eq!(app.count_rows("entities").await, entities_before);
    assert_eq!(
        app.get_json("/v1/entities/rayner").await["aliases"],
        json!([])
    );
}

#[tokio::test]
async fn a_new_quotes_section_can_be_named_by_id_or_by_position() {
    let app = spawn_app().await;
    let seed = app.create_seed().await;
    let section_2 = seed["sections"][2]["id"].clone();
    let by_id: Value = app
        .post_json(
            &format!("/v1/articles/{SEED}/quotes"),
            &json!({"text": "concerning increases", "section_id": section_2, "start": 1352, "end": 1372}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_id["section_id"], section_2);
    assert_eq!(
        (by_id["start"].clone(), by_id["end"].clone()),
        (json!(1352), json!(1372))
    );

    let by_position: Value = app
        .post_json(
            &format!("/v1/articles/{SEED}/quotes"),
            &json!({"text": "destroy", "section_position": 3}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_position["section_id"], seed["sections"][3]["id"]);
}

#[tokio::test]
async fn a_quote_in_a_section_of_another_article_is_a_422() {
    let app = spawn_app().await;
    let seed = app.create_seed().await;
    app.create_small("minister-quits").await;
    let count = app.count_rows("quotes").await;
    let response = app
        .post_json(
            "/v1/articles/minister-quits/quotes",
            &json!({"text": "resigned", "section_id": seed["sections"][1]["id"]}),
        )
        .await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["section_id"],
    )
    .await;
    let unknown = app
        .post_json(
            "/v1/articles/minister-quits/quotes",
            &json!({"text": "resigned", "section_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_problem(
        unknown,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["section_id"],
    )
    .await;
    let no_such_position = app
        .post_json(
            "/v1/articles/minister-quits/quotes",
            &json!({"text": "resigned", "section_position": 7}),
        )
        .await;
    assert_problem(
        no_such_position,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["section_position"],
    )
    .await;
    let both = app
        .post_json(
            "/v1/articles/minister-quits/quotes",
            &json!({"text": "resigned", "section_position": 1, "section_id": seed["sections"][1]["id"]}),
        )
        .await;
    assert_problem(
        both,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["section_position"],
    )
    .await;
    assert_eq!(app.count_rows("quotes").await, count);
}

#[tokio::test]
async fn a_quote_whose_offsets_leave_the_body_is_a_422() {
    let app = spawn_app().await;
    app.create_small("minister-quits").await; // a body of 96 chars
    let path = "/v1/articles/minister-quits/quotes";
    let beyond = app
        .post_json(path, &json!({"text": "said", "start": 90, "end": 97}))
        .await;
    assert_problem(
        beyond,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["end"],
    )
    .await;
    let start_beyond = app
        .post_json(path, &json!({"text": "said", "start": 200, "end": 201}))
        .await;
    assert_problem(
        start_beyond,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["start", "end"],
    )
    .await;
    let backwards = app
        .post_json(path, &json!({"text": "said", "start": 10, "end": 5}))
        .await;
    assert_problem(
        backwards,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["end"],
    )
    .await;
    let half = app
        .post_json(path, &json!({"text": "said", "start": 10}))
        .await;
    assert_problem(
        half,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["end"],
    )
    .await;
    let negative = app
        .post_json(path, &json!({"text": "said", "start": -1, "end": 3}))
        .await;
    assert_problem(
        negative,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["start"],
    )
    .await;
    // The whole body is a valid span.
    let whole = app
        .post_json(path, &json!({"text": "said", "start": 0, "end": 96}))
        .await;
    assert_eq!(whole.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_quote_by_an_unknown_speaker_slug_is_a_422_on_speaker_slug() {
    let app = spawn_app().await;
    app.create_small("minister-quits").await;
    let count = app.count_rows("quotes").await;
    let response = app
        .post_json(
            "/v1/articles/minister-quits/quotes",
            &json!({"text": "resigned", "speaker": {"slug": "no-such-entity"}}),
        )
        .await;
    let problem = assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["speaker.slug"],
    )
    .await;
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("no-such-entity"));
    let unknown_id = app
        .post_json(
            "/v1/articles/minister-quits/quotes",
            &json!({"text": "resigned", "speaker": {"id": uuid::Uuid::now_v7()}}),
        )
        .await;
    assert_problem(
        unknown_id,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["speaker.id"],
    )
    .await;
    assert_eq!(app.count_rows("quotes").await, count);
}

#[tokio::test]
async fn a_speaker_named_two_ways_or_none_is_a_422() {
    let app = spawn_app().await;
    app.create_seed().await;
    let trump = app.get_json("/v1/entities/donald-trump").await;
    let path = format!("/v1/articles/{SEED}/quotes");
    let both = app
        .post_json(
            &path,
            &json!({"text": "destroy", "speaker": {"id": trump["id"], "name": "Donald Trump", "kind": "person"}}),
        )
        .await;
    assert_problem(
        both,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["speaker.id"],
    )
    .await;
    let none = app
        .post_json(&path, &json!({"text": "destroy", "speaker": {}}))
        .await;
    assert_problem(
        none,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["speaker"],
    )
    .await;
    let no_kind = app
        .post_json(
            &path,
            &json!({"text": "destroy", "speaker": {"name": "Somebody New"}}),
        )
        .await;
    assert_problem(
        no_kind,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["speaker.kind"],
    )
    .await;
    let unsluggable = app
        .post_json(
            &path,
            &json!({"text": "destroy", "speaker": {"name": "!!!", "kind": "person"}}),
        )
        .await;
    assert_problem(
        unsluggable,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["speaker.name"],
    )
    .await;
    assert_eq!(app.count_rows("quotes").await, 9);
}

#[tokio::test]
async fn a_quote_without_text_or_of_an_unknown_kind_is_a_422() {
    let app = spawn_app().await;
    app.create_seed().await;
    let path = format!("/v1/articles/{SEED}/quotes");
    let missing = app.post_json(&path, &json!({"kind": "direct"})).await;
    assert_problem(
        missing,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["text"],
    )
    .await;
    let blank = app.post_json(&path, &json!({"text": "   "})).await;
    assert_problem(
        blank,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["text"],
    )
    .await;
    let kind = app
        .post_json(&path, &json!({"text": "destroy", "kind": "indirect"}))
        .await;
    assert_problem(
        kind,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["kind"],
    )
    .await;
    assert_eq!(app.count_rows("quotes").await, 9);
}

#[tokio::test]
async fn a_quote_with_an_unknown_field_is_a_422_naming_that_field() {
    let app = spawn_app().await;
    app.create_seed().await;
    let path = format!("/v1/articles/{SEED}/quotes");
    let unknown = app
        .post_json(&path, &json!({"text": "destroy", "speaker_name": "Trump"}))
        .await;
    assert_problem(
        unknown,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["speaker_name"],
    )
    .await;
    let nested = app
        .post_json(
            &path,
            &json!({"text": "destroy", "speaker": {"slug": "donald-trump", "role": "president"}}),
        )
        .await;
    assert_problem(
        nested,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["speaker.role"],
    )
    .await;
    assert_eq!(app.count_rows("quotes").await, 9);
}

#[tokio::test]
async fn a_quote_at_a_taken_position_is_a_409() {
    let app = spawn_app().await;
    app.create_seed().await;
    let response = app
        .post_json(
            &format!("/v1/articles/{SEED}/quotes"),
            &json!({"text": "destroy", "position": 5}),
        )
        .await;
    assert_problem(response, StatusCode::CONFLICT, "conflict", &["position"]).await;
    assert_eq!(app.count_rows("quotes").await, 9);
}

#[tokio::test]
async fn a_quote_for_an_unknown_article_is_a_404() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/v1/articles/no-such-article/quotes",
            &json!({"text": "destroy"}),
        )
        .await;
    assert_problem(response, StatusCode::NOT_FOUND, "not-found", &[]).await;
}

#[tokio::test]
async fn writing_quotes_needs_a_write_key() {
    let app = spawn_app().await;
    let seed = app.create_seed().await;
    let quote = format!("/v1/quotes/{}", seed["quotes"][0]["id"].as_str().unwrap());
    let create = format!("/v1/articles/{SEED}/quotes");
    let attempts = [
        (Method::POST, create.as_str(), Some(json!({"text": "x"}))),
        (Method::PATCH, quote.as_str(), Some(json!({"text": "x"}))),
        (Method::DELETE, quote.as_str(), None),
    ];
    for (method, path, body) in attempts {
        let anonymous = app.request(method.clone(), path);
        let read_only = app.request(method.clone(), path).bearer_auth(&app.read_key);
        let (anonymous, read_only) = match &body {
            Some(body) => (anonymous.json(body), read_only.json(body)),
            None => (anonymous, read_only),
        };
        let anonymous = anonymous.send().await.unwrap();
        assert_problem(anonymous, StatusCode::UNAUTHORIZED, "unauthorized", &[]).await;
        let read_only = read_only.send().await.unwrap();
        assert_problem(read_only, StatusCode::FORBIDDEN, "forbidden", &[]).await;
    }
    let unchanged = app.get_json(&quote).await;
    assert_eq!(unchanged, seed["quotes"][0]);
    assert_eq!(app.count_rows("quotes").await, 9);
}

// --- changing and deleting ---------------------------------------------------------------------

#[tokio::test]
async fn patching_a_quotes_speaker_to_null_clears_it_and_keeps_the_rest() {
    let app = spawn_app().await;
    let seed = app.create_seed().await;
    let original = seed["quotes"][5].clone();
    let path = format!("/v1/quotes/{}", original["id"].as_str().unwrap());
    let response = app.patch_json(&path, &json!({"speaker": null})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let patched: Value = response.json().await.unwrap();
    let mut expected = original.clone();
    expected["speaker"] = Value::Null;
    assert_eq!(patched, expected);
    assert_eq!(app.get_json(&path).await, expected);
    let trump = app.get_json("/v1/quotes?speaker=donald-trump").await;
    assert_eq!(texts(&trump), [TRUMP_QUOTES[1]]);
}

#[tokio::test]
async fn patching_a_quotes_text_cue_and_speaker_changes_only_those() {
    let app = spawn_app().await;
    let seed = app.create_seed().await;
    let before = version_of(&app, SEED).await;
    let original = seed["quotes"][7].clone();
    let path = format!("/v1/quotes/{}", original["id"].as_str().unwrap());
    let response = app
        .patch_json(
            &path,
            &json!({"text": "very seriously", "cue": "insisted", "speaker": {"slug": "united-kingdom"}, "start": null, "end": null}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let patched: Value = response.json().await.unwrap();
    assert_eq!(patched["text"], "very seriously");
    assert_eq!(patched["cue"], "insisted");
    assert_eq!(patched["speaker"]["slug"], "united-kingdom");
    assert_eq!(patched["start"], Value::Null);
    assert_eq!(patched["end"], Value::Null);
    for unchanged in [
        "id",
        "article_id",
        "section_id",
        "position",
        "kind",
        "speaker_label",
    ] {
        assert_eq!(patched[unchanged], original[unchanged], "{unchanged}");
    }
    assert_eq!(version_of(&app, SEED).await, before + 1);
}

#[tokio::test]
async fn patching_a_quote_with_a_stale_if_match_is_a_412_and_changes_nothing() {
    let app = spawn_app().await;
    let seed = app.create_seed().await;
    let path = format!("/v1/quotes/{}", seed["quotes"][6]["id"].as_str().unwrap());
    let read = app.get(&path).await;
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();

    let current = app
        .write(Method::PATCH, &path)
        .header("if-match", &etag)
        .json(&json!({"cue": "said"}))
        .send()
        .await
        .unwrap();
    assert_eq!(current.status(), StatusCode::OK);
    let new_etag = current.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(new_etag, etag);

    let stale = app
        .write(Method::PATCH, &path)
        .header("if-match", &etag)
        .json(&json!({"cue": "claimed"}))
        .send()
        .await
        .unwrap();
    assert_problem(
        stale,
        StatusCode::PRECONDITION_FAILED,
        "precondition-failed",
        &[],
    )
    .await;
    assert_eq!(app.get_json(&path).await["cue"], "said");

    let stale_delete = app
        .write(Method::DELETE, &path)
        .header("if-match", &etag)
        .send()
        .await
        .unwrap();
    assert_problem(
        stale_delete,
        StatusCode::PRECONDITION_FAILED,
        "precondition-failed",
        &[],
    )
    .await;
    assert_eq!(app.get(&path).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn patching_a_quote_to_a_taken_position_or_a_foreign_section_is_refused() {
    let app = spawn_app().await;
    let seed = app.create_seed().await;
    let small = app.create_small("minister-quits").await;
    let path = format!("/v1/quotes/{}", seed["quotes"][0]["id"].as_str().unwrap());
    let taken = app.patch_json(&path, &json!({"position": 8})).await;
    assert_problem(taken, StatusCode::CONFLICT, "conflict", &["position"]).await;

    let foreign = small["sections"][0]["id"].clone();
    assert!(foreign.is_string(), "{small}");
    let foreign_section = app.patch_json(&path, &json!({"section_id": foreign})).await;
    assert_problem(
        foreign_section,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["section_id"],
    )
    .await;
    let beyond = app.patch_json(&path, &json!({"end": 5000})).await;
    assert_problem(
        beyond,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["end"],
    )
    .await;
    let unknown_speaker = app
        .patch_json(&path, &json!({"speaker": {"slug": "nobody"}}))
        .await;
    assert_problem(
        unknown_speaker,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
        &["speaker.slug"],
    )
    .await;
    assert_eq!(app.get_json(&path).await, seed["quotes"][0]);
}

#[tokio::test]
async fn patching_an_unknown_quote_is_a_404() {
    let app = spawn_app().await;
    let response = app
        .patch_json(
            &format!("/v1/quotes/{}", uuid::Uuid::now_v7()),
            &json!({"text": "x"}),
        )
        .await;
    assert_problem(response, StatusCode::NOT_FOUND, "not-found", &[]).await;
}

#[tokio::test]
async fn a_deleted_quote_is_gone_and_its_article_version_bumps() {
    let app = spawn_app().await;
    let seed = app.create_seed().await;
    let before = version_of(&app, SEED).await;
    let path = format!("/v1/quotes/{}", seed["quotes"][0]["id"].as_str().unwrap());
    let response = app.delete(&path).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.bytes().await.unwrap().is_empty());

    assert_problem(
        app.get(&path).await,
        StatusCode::NOT_FOUND,
        "not-found",
        &[],
    )
    .await;
    assert_problem(
        app.delete(&path).await,
        StatusCode::NOT_FOUND,
        "not-found",
        &[],
    )
    .await;
    assert_eq!(app.count_rows("quotes").await, 8);
    assert_eq!(version_of(&app, SEED).await, before + 1);
    let rest = app
        .get_json(&format!("/v1/articles/{SEED}/quotes?count=true"))
        .await;
    assert_eq!(rest["total"], 8);
}

#[tokio::test]
async fn patching_a_quote_with_null_for_a_member_that_cannot_be_cleared_is_a_422() {
    let app = spawn_app().await;
    let article = app.create_seed().await;
    let quote_id = article["quotes"][0]["id"].as_str().unwrap().to_owned();
    for member in ["text", "kind", "position"] {
        let response = app
            .patch_json(&format!("/v1/quotes/{quote_id}"), &json!({ member: null }))
            .await;
        assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &[member],
        )
        .await;
    }
    let quote = app.get_json(&format!("/v1/quotes/{quote_id}")).await;
    assert_eq!(quote["text"], "let down");
    assert_eq!(quote["kind"], "partial");
}
