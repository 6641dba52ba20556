//! `GET /v1/articles/{article}` as schema.org JSON-LD and IPTC ninjs: content negotiation, the
//! documents for the seed, and their validation against the published schema.org vocabulary and a
//! JSON Schema of the ninjs 2.2 rules (`tests/fixtures/`, see its README for where they come from).

// Helpers outside `#[tokio::test]` functions fail a test loudly too; clippy only exempts the tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};

use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Map, Value};

use crate::helpers::{assert_problem, spawn_app, TestApp};

const SEED: &str = "us-officials-condemn-uk-immigration-approach";
const JSON_LD: &str = "application/ld+json";
const NINJS: &str = "application/vnd.ninjs+json";

fn header<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

async fn get_as(app: &TestApp, path: &str, accept: &str) -> Response {
    app.request(Method::GET, path)
        .header("Accept", accept)
        .send()
        .await
        .unwrap()
}

/// The document for `accept`, after checking the status, media type and `Vary`.
async fn document(app: &TestApp, path: &str, accept: &str, media_type: &str) -> Value {
    let response = get_as(app, path, accept).await;
    assert_eq!(response.status(), StatusCode::OK, "{accept}");
    assert_eq!(
        header(&response, "content-type"),
        Some(media_type),
        "{accept}"
    );
    assert_eq!(header(&response, "vary"), Some("Accept"), "{accept}");
    response.json().await.unwrap()
}

fn names(nodes: &Value) -> Vec<&str> {
    nodes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect()
}

/// An article with every optional field set and an entity of each kind.
fn full_article() -> Value {
    json!({
        "slug": "summit-ends-without-deal",
        "headline": "Summit ends without a deal",
        "standfirst": "Leaders leave Geneva with talks to resume next month.",
        "body": "The Geneva summit ended without a deal. Jane Doe of Acme said talks would resume.",
        "authors": ["Ann Writer", "Bo Reporter"],
        "publisher": "The Daily Example",
        "source_url": "https://news.example.com/2026/11/summit",
        "language": "en-GB",
        "category": "world",
        "keywords": ["summit"],
        "published_at": "2026-11-20T18:30:00Z",
        "quotes": [{"text": "talks would resume", "speaker": {"name": "Jane Doe", "kind": "person"},
                    "speaker_label": "Jane Doe", "cue": "said", "start": 62, "end": 80}],
        "entities": [
            {"entity": {"name": "Jane Doe", "kind": "person"}, "mention_count": 1},
            {"entity": {"name": "Acme", "kind": "organization", "wikidata_id": "Q1"}, "mention_count": 1},
            {"entity": {"name": "Geneva", "kind": "location", "wikidata_id": "Q71"}, "mention_count": 1},
            {"entity": {"name": "Geneva Summit 2026", "kind": "event"}, "mention_count": 2},
            {"entity": {"name": "Free trade", "kind": "other"}, "mention_count": 1}
        ]
    })
}

// --- negotiation ---------------------------------------------------------------------------------

#[tokio::test]
async fn json_stays_the_default_and_says_it_varies_by_accept() {
    let app = spawn_app().await;
    app.create_seed().await;
    for accept in ["application/json", "*/*", "application/*"] {
        let body = document(
            &app,
            &format!("/v1/articles/{SEED}"),
            accept,
            "application/json",
        )
        .await;
        assert_eq!(body["slug"], SEED, "{accept}");
        assert!(body.get("@context").is_none(), "{accept}");
    }
    let without_accept = app.get(&format!("/v1/articles/{SEED}")).await;
    assert_eq!(
        header(&without_accept, "content-type"),
        Some("application/json")
    );
    assert_eq!(header(&without_accept, "vary"), Some("Accept"));
}

#[tokio::test]
async fn q_values_choose_the_form() {
    let app = spawn_app().await;
    app.create_seed().await;
    let path = format!("/v1/articles/{SEED}");
    let json = document(
        &app,
        &path,
        "application/ld+json;q=0.9, application/json",
        "application/json",
    )
    .await;
    assert_eq!(json["slug"], SEED);
    let ld = document(
        &app,
        &path,
        "application/json;q=0.5, application/ld+json",
        JSON_LD,
    )
    .await;
    assert_eq!(ld["@type"], "NewsArticle");
    let ninjs = document(
        &app,
        &path,
        "text/html, application/vnd.ninjs+json;q=0.8",
        NINJS,
    )
    .await;
    assert_eq!(ninjs["type"], "text");
}

#[tokio::test]
async fn a_form_the_service_cannot_produce_is_a_406_listing_the_forms() {
    let app = spawn_app().await;
    app.create_seed().await;
    for accept in ["text/html", "application/xml", "application/json;q=0"] {
        let response = get_as(&app, &format!("/v1/articles/{SEED}"), accept).await;
        assert_eq!(header(&response, "vary"), Some("Accept"), "{accept}");
        let body = assert_problem(
            response,
            StatusCode::NOT_ACCEPTABLE,
            "not-acceptable",
            &["Accept"],
        )
        .await;
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains(accept), "{detail}");
        assert!(
            detail.contains("application/json, application/ld+json, application/vnd.ninjs+json"),
            "{detail}"
        );
        assert_eq!(body["instance"], format!("/v1/articles/{SEED}"), "{accept}");
    }
}

#[tokio::test]
async fn each_form_has_its_own_etag_and_revalidates_on_its_own() {
    let app = spawn_app().await;
    app.create_seed().await;
    let path = format!("/v1/articles/{SEED}");
    let mut etags = HashSet::new();
    for accept in ["application/json", JSON_LD, NINJS] {
        let response = get_as(&app, &path, accept).await;
        assert_eq!(response.status(), StatusCode::OK);
        etags.insert(header(&response, "etag").unwrap().to_owned());
    }
    assert_eq!(etags.len(), 3, "{etags:?}");

    let ld_etag = header(&get_as(&app, &path, JSON_LD).await, "etag")
        .unwrap()
        .to_owned();
    let revalidated = app
        .request(Method::GET, &path)
        .header("Accept", JSON_LD)
        .header("If-None-Match", &ld_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&revalidated, "etag"), Some(ld_etag.as_str()));
    assert_eq!(header(&revalidated, "vary"), Some("Accept"));
    assert_eq!(
        header(&revalidated, "cache-control"),
        Some("public, max-age=5, must-revalidate")
    );

    // The JSON-LD ETag does not validate the JSON form.
    let other_form = app
        .request(Method::GET, &path)
        .header("Accept", "application/json")
        .header("If-None-Match", &ld_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(other_form.status(), StatusCode::OK);
    let body: Value = other_form.json().await.unwrap();
    assert_eq!(body["slug"], SEED);
}

#[tokio::test]
async fn an_unknown_article_is_a_404_whatever_the_form() {
    let app = spawn_app().await;
    let response = get_as(&app, "/v1/articles/no-such-article", JSON_LD).await;
    assert_problem(response, StatusCode::NOT_FOUND, "not-found", &[]).await;
}

// --- JSON-LD -------------------------------------------------------------------------------------

#[tokio::test]
async fn the_seed_as_json_ld_is_a_news_article_with_its_entities_and_quotes() {
    let app = spawn_app().await;
    let seed = app.create_seed().await;
    let id = seed["id"].as_str().unwrap();
    let ld = document(&app, &format!("/v1/articles/{SEED}"), JSON_LD, JSON_LD).await;
    let article_url = app.url(&format!("/v1/articles/{id}"));

    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(ld["@id"], article_url);
    assert_eq!(ld["identifier"], id);
    assert_eq!(ld["headline"], seed["headline"]);
    assert_eq!(ld["description"], seed["standfirst"]);
    assert_eq!(ld["articleBody"], seed["body"]);
    assert_eq!(ld["articleSection"], "politics");
    assert_eq!(ld["inLanguage"], "en");
    assert_eq!(
        ld["keywords"],
        json!([
            "immigration",
            "diplomacy",
            "united-kingdom",
            "united-states"
        ])
    );
    assert_eq!(ld["wordCount"], seed["word_count"]);
    assert_eq!(ld["dateCreated"], seed["created_at"]);
    assert_eq!(ld["dateModified"], seed["updated_at"]);
    assert_eq!(ld["author"], json!([]));
    for absent in ["datePublished", "publisher", "url"] {
        assert!(ld.get(absent).is_none(), "{absent} without a value");
    }

    assert_eq!(
        names(&ld["mentions"]),
        [
            "United Kingdom",
            "United States",
            "Donald Trump",
            "Europe",
            "Keir Starmer",
            "The Times",
            "Australia",
            "Canada",
            "Conservative Party",
            "Labour Party",
            "London",
            "New Zealand",
            "US State Department"
        ]
    );
    assert_eq!(
        names(&ld["about"]),
        ["United Kingdom", "United States", "Donald Trump"]
    );
    let trump = seed["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["entity"]["slug"] == "donald-trump")
        .unwrap();
    let trump_id = trump["entity"]["id"].as_str().unwrap();
    let trump_node = json!({
        "@type": "Person",
        "@id": app.url(&format!("/v1/entities/{trump_id}")),
        "identifier": trump_id,
        "name": "Donald Trump",
        "sameAs": "https://www.wikidata.org/wiki/Q22686"
    });
    assert_eq!(ld["mentions"][2], trump_node);
    let types: Vec<&str> = ld["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["@type"].as_str().unwrap())
        .collect();
    assert_eq!(types.iter().filter(|t| **t == "Place").count(), 7);
    assert_eq!(types.iter().filter(|t| **t == "Organization").count(), 4);
    assert_eq!(types.iter().filter(|t| **t == "Person").count(), 2);
    let starmer = &ld["mentions"][4];
    assert_eq!(starmer["@type"], "Person");
    assert!(starmer.get("sameAs").is_none(), "no wikidata_id, no sameAs");

    let quotes = ld["hasPart"].as_array().unwrap();
    assert_eq!(quotes.len(), 9);
    for (position, quote) in quotes.iter().enumerate() {
        assert_eq!(quote["@type"], "Quotation");
        assert_eq!(quote["position"], position);
        assert_eq!(quote["text"], seed["quotes"][position]["text"]);
        assert_eq!(quote["isPartOf"], json!({"@id": article_url}));
    }
    let told = &quotes[6];
    assert_eq!(
        told["text"],
        "I would stop it, and it doesn't matter if you call out the military."
    );
    assert_eq!(told["creditText"], "Mr Trump");
    assert_eq!(told["spokenByCharacter"], trump_node);
    assert_eq!(told["creator"], trump_node);
    assert_eq!(quotes[8]["spokenByCharacter"]["@type"], "Organization");
    assert_eq!(
        quotes[8]["spokenByCharacter"]["name"],
        "US State Department"
    );
    // The memo's quotes are attributed to the United States, a Place: not a speaker schema.org
    // knows, so only the attribution as written remains.
    assert_eq!(quotes[1]["creditText"], "The memo");
    assert!(quotes[1].get("spokenByCharacter").is_none());
    assert!(quotes[1].get("creator").is_none());
}

/// The schema.org vocabulary of `tests/fixtures/schemaorg-vocabulary.json`.
struct Vocabulary {
    classes: HashMap<String, Vec<String>>,
    datatypes: HashSet<String>,
    /// domainIncludes and rangeIncludes of each property.
    properties: HashMap<String, (Vec<String>, Vec<String>)>,
}

impl Vocabulary {
    fn load() -> Self {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/schemaorg-vocabulary.json"
        ))
        .unwrap();
        let file: Value = serde_json::from_str(&text).unwrap();
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect()
        };
        Self {
            classes: file["classes"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), strings(v)))
                .collect(),
            datatypes: strings(&file["datatypes"]).into_iter().collect(),
            properties: file["properties"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), (strings(&v["domain"]), strings(&v["range"]))))
                .collect(),
        }
    }

    /// Whether `class` is `ancestor` or one of its subclasses.
    fn is_a(&self, class: &str, ancestor: &str) -> bool {
        let mut pending = vec![class.to_owned()];
        let mut seen = HashSet::new();
        while let Some(next) = pending.pop() {
            if next == ancestor {
                return true;
            }
            if seen.insert(next.clone()) {
                pending.extend(self.classes.get(&next).cloned().unwrap_or_default());
            }
        }
        false
    }

    /// Every way `document` strays from the vocabulary: unknown types or properties, a property
    /// on a type outside its domain, a value outside its range.
    fn violations(&self, document: &Value) -> Vec<String> {
        let mut types_by_id = HashMap::new();
        collect_ids(document, &mut types_by_id);
        let mut out = Vec::new();
        self.check_node(document.as_object().unwrap(), "$", &types_by_id, &mut out);
        out
    }

    fn check_node(
        &self,
        node: &Map<String, Value>,
        path: &str,
        types_by_id: &HashMap<String, String>,
        out: &mut Vec<String>,
    ) {
        let Some(class) = node.get("@type").and_then(Value::as_str) else {
            out.push(format!("{path}: a node without @type"));
            return;
        };
        if !self.classes.contains_key(class) || self.datatypes.contains(class) {
            out.push(format!("{path}: `{class}` is not a schema.org class"));
            return;
        }
        for (key, value) in node {
            if key.starts_with('@') {
                if !["@context", "@type", "@id"].contains(&key.as_str()) {
                    out.push(format!("{path}: unexpected keyword {key}"));
                }
                continue;
            }
            let at = format!("{path}.{key}");
            let Some((domain, range)) = self.properties.get(key) else {
                out.push(format!("{at}: `{key}` is not a schema.org property"));
                continue;
            };
            if !domain.iter().any(|d| self.is_a(class, d)) {
                out.push(format!(
                    "{at}: `{key}` does not apply to `{class}` (domain {domain:?})"
                ));
            }
            let values = match value {
                Value::Array(items) => items.iter().collect(),
                one => vec![one],
            };
            for (index, value) in values.into_iter().enumerate() {
                let at = format!("{at}[{index}]");
                self.check_value(value, range, &at, types_by_id, out);
            }
        }
    }

    fn check_value(
        &self,
        value: &Value,
        range: &[String],
        at: &str,
        types_by_id: &HashMap<String, String>,
        out: &mut Vec<String>,
    ) {
        let in_range = |class: &str| range.iter().any(|r| self.is_a(class, r));
        match value {
            Value::Object(node) if node.contains_key("@type") => {
                let class = node["@type"].as_str().unwrap_or_default();
                if !in_range(class) {
                    out.push(format!("{at}: a `{class}` is not in the range {range:?}"));
                }
                self.check_node(node, at, types_by_id, out);
            }
            Value::Object(node) => {
                let id = node.get("@id").and_then(Value::as_str).unwrap_or_default();
                match types_by_id.get(id) {
                    Some(class) if in_range(class) => {}
                    other => out.push(format!(
                        "{at}: reference to {id} ({other:?}) is not in the range {range:?}"
                    )),
                }
            }
            Value::String(_) => {
                let textual = ["Text", "URL", "Date", "DateTime", "Time"];
                if !range
                    .iter()
                    .any(|r| textual.iter().any(|t| self.is_a(r, t) || self.is_a(t, r)))
                {
                    out.push(format!("{at}: a string is not in the range {range:?}"));
                }
            }
            Value::Number(_) => {
                if !range.iter().any(|r| self.is_a(r, "Number")) {
                    out.push(format!("{at}: a number is not in the range {range:?}"));
                }
            }
            Value::Bool(_) => {
                if !in_range("Boolean") {
                    out.push(format!("{at}: a boolean is not in the range {range:?}"));
                }
            }
            Value::Null | Value::Array(_) => out.push(format!("{at}: {value} is not a value")),
        }
    }
}

fn collect_ids(value: &Value, types_by_id: &mut HashMap<String, String>) {
    match value {
        Value::Object(node) => {
            if let (Some(id), Some(class)) = (
                node.get("@id").and_then(Value::as_str),
                node.get("@type").and_then(Value::as_str),
            ) {
                types_by_id.insert(id.to_owned(), class.to_owned());
            }
            node.values().for_each(|v| collect_ids(v, types_by_id));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_ids(v, types_by_id)),
        _ => {}
    }
}

#[tokio::test]
async fn json_ld_uses_only_schema_org_terms_and_each_where_it_belongs() {
    let app = spawn_app().await;
    app.create_seed().await;
    let created = app.post_json("/v1/articles", &full_article()).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let vocabulary = Vocabulary::load();

    for slug in [SEED, "summit-ends-without-deal"] {
        let ld = document(&app, &format!("/v1/articles/{slug}"), JSON_LD, JSON_LD).await;
        assert_eq!(vocabulary.violations(&ld), Vec::<String>::new(), "{slug}");
    }

    let full = document(
        &app,
        "/v1/articles/summit-ends-without-deal",
        JSON_LD,
        JSON_LD,
    )
    .await;
    assert_eq!(
        full["author"],
        json!([{"@type": "Person", "name": "Ann Writer"}, {"@type": "Person", "name": "Bo Reporter"}])
    );
    assert_eq!(
        full["publisher"],
        json!({"@type": "Organization", "name": "The Daily Example"})
    );
    assert_eq!(full["url"], "https://news.example.com/2026/11/summit");
    assert_eq!(full["datePublished"], "2026-11-20T18:30:00Z");
    assert_eq!(full["inLanguage"], "en-GB");
    let types: HashSet<&str> = full["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["@type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        HashSet::from(["Person", "Organization", "Place", "Event", "Thing"])
    );
    assert_eq!(names(&full["about"]), ["Geneva Summit 2026"]);

    // The check catches what it claims to.
    let mut broken = full.clone();
    broken["spokenByCharacter"] = full["hasPart"][0]["creator"].clone();
    broken["hasPart"][0]["creator"]["@type"] = json!("Place");
    broken["mentions"][0]["nickname"] = json!("Jane");
    assert_eq!(
        vocabulary.violations(&broken).len(),
        3,
        "{:#?}",
        vocabulary.violations(&broken)
    );
}

// --- ninjs ---------------------------------------------------------------------------------------

/// Every way a ninjs document breaks the ninjs 2.2 rules in tests/fixtures (formats checked too).
fn ninjs_violations(document: &Value) -> Vec<String> {
    struct NoNetwork;
    impl jsonschema::Retrieve for NoNetwork {
        fn retrieve(
            &self,
            uri: &jsonschema::Uri<String>,
        ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
            // The schema $refs GeoJSON for places[].geojson, which newsmeta never writes.
            if uri.as_str().starts_with("https://geojson.org/") {
                Ok(json!({}))
            } else {
                Err(format!("{uri} is not available offline").into())
            }
        }
    }
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ninjs-2.2-rules.schema.json"
    ))
    .unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .with_retriever(NoNetwork)
        .build(&schema)
        .expect("the ninjs schema does not compile");
    validator
        .iter_errors(document)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[tokio::test]
async fn the_seed_as_ninjs_follows_the_ninjs_2_2_rules() {
    let app = spawn_app().await;
    let seed = app.create_seed().await;
    let id = seed["id"].as_str().unwrap();
    let ninjs = document(&app, &format!("/v1/articles/{SEED}"), NINJS, NINJS).await;
    assert_eq!(ninjs_violations(&ninjs), Vec::<String>::new());

    assert_eq!(ninjs["uri"], app.url(&format!("/v1/articles/{id}")));
    assert_eq!(
        ninjs["standard"],
        json!({"name": "ninjs", "version": "2.2", "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json"})
    );
    assert_eq!(ninjs["type"], "text");
    assert_eq!(ninjs["representationtype"], "full");
    assert_eq!(ninjs["version"], "1");
    assert_eq!(ninjs["pubstatus"], "usable");
    assert_eq!(ninjs["language"], "en");
    assert_eq!(ninjs["slugline"], SEED);
    assert_eq!(ninjs["firstcreated"], seed["created_at"]);
    assert_eq!(ninjs["versioncreated"], seed["updated_at"]);
    assert!(ninjs.get("contentcreated").is_none());
    assert_eq!(
        ninjs["headlines"],
        json!([{"role": "main", "value": seed["headline"]}])
    );
    assert_eq!(
        ninjs["descriptions"],
        json!([{"role": "summary", "value": seed["standfirst"]}])
    );
    assert_eq!(
        ninjs["bodies"],
        json!([{"role": "main", "contenttype": "text/plain", "charcount": 2710,
                "wordcount": seed["word_count"], "value": seed["body"]}])
    );
    assert_eq!(names(&ninjs["people"]), ["Donald Trump", "Keir Starmer"]);
    assert_eq!(
        ninjs["people"][0],
        json!({"name": "Donald Trump", "rel": "mentioned", "uri": "http://www.wikidata.org/entity/Q22686", "literal": "donald-trump"})
    );
    let starmer_id = seed["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["entity"]["slug"] == "keir-starmer")
        .unwrap()["entity"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        ninjs["people"][1]["uri"],
        app.url(&format!("/v1/entities/{starmer_id}"))
    );
    assert_eq!(
        names(&ninjs["organisations"]),
        [
            "The Times",
            "Conservative Party",
            "Labour Party",
            "US State Department"
        ]
    );
    assert_eq!(
        names(&ninjs["places"]),
        [
            "United Kingdom",
            "United States",
            "Europe",
            "Australia",
            "Canada",
            "London",
            "New Zealand"
        ]
    );
    assert!(ninjs.get("events").is_none());
    assert_eq!(
        ninjs["subjects"],
        json!([
            {"name": "politics", "rel": "category", "literal": "politics"},
            {"name": "immigration", "rel": "keyword", "literal": "immigration"},
            {"name": "diplomacy", "rel": "keyword", "literal": "diplomacy"},
            {"name": "united-kingdom", "rel": "keyword", "literal": "united-kingdom"},
            {"name": "united-states", "rel": "keyword", "literal": "united-states"}
        ])
    );
    assert_eq!(
        ninjs["altids"],
        json!([{"role": "newsmeta-id", "value": id}])
    );
}

#[tokio::test]
async fn ninjs_of_an_article_with_every_field_is_valid_too() {
    let app = spawn_app().await;
    let created = app.post_json("/v1/articles", &full_article()).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let article: Value = created.json().await.unwrap();
    let ninjs = document(
        &app,
        "/v1/articles/summit-ends-without-deal",
        "application/vnd.ninjs+json",
        NINJS,
    )
    .await;
    assert_eq!(ninjs_violations(&ninjs), Vec::<String>::new());

    assert_eq!(ninjs["by"], "Ann Writer, Bo Reporter");
    assert_eq!(ninjs["infosources"], json!([{"name": "The Daily Example"}]));
    assert_eq!(ninjs["contentcreated"], "2026-11-20T18:30:00Z");
    assert_eq!(ninjs["language"], "en-GB");
    assert_eq!(names(&ninjs["events"]), ["Geneva Summit 2026"]);
    assert_eq!(
        ninjs["places"],
        json!([{"name": "Geneva", "rel": "mentioned", "uri": "http://www.wikidata.org/entity/Q71", "literal": "geneva"}])
    );
    assert_eq!(names(&ninjs["subjects"]), ["Free trade", "world", "summit"]);
    assert_eq!(
        ninjs["altids"],
        json!([{"role": "newsmeta-id", "value": article["id"]},
               {"role": "source-url", "value": "https://news.example.com/2026/11/summit"}])
    );

    // The validator catches what the schema forbids: ninjs 2.2 has no `keywords`, and `type`
    // is a closed list.
    let mut broken = ninjs.clone();
    broken["keywords"] = json!(["summit"]);
    broken["type"] = json!("article");
    assert_eq!(
        ninjs_violations(&broken).len(),
        2,
        "{:#?}",
        ninjs_violations(&broken)
    );
}
