//! The extractor on the seed article gives the seed's hand-checked structure
//! (`seeds/seed-article.json`, conventions in `seeds/README.md`).

// Tests fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use newsmeta::api::types::EntityKind;
use newsmeta::extract::entities::{FoundEntity, Mention};
use newsmeta::extract::text::Document;
use newsmeta::extract::{extract, quotes, sections, speakers, Proposal};
use serde_json::Value;

const SEED_TEXT: &str = include_str!("../seeds/seed-article.txt");
const SEED_JSON: &str = include_str!("../seeds/seed-article.json");

fn gold() -> Value {
    serde_json::from_str(SEED_JSON).expect("the seed JSON parses")
}

fn gold_array<'a>(gold: &'a Value, field: &str) -> &'a Vec<Value> {
    gold[field].as_array().expect("an array")
}

/// The gold entity's name for a speaker `{ "slug": ... }`.
fn gold_speaker_name(gold: &Value, speaker: &Value) -> Option<String> {
    let slug = speaker.get("slug")?.as_str()?;
    gold_array(gold, "entities")
        .iter()
        .find(|e| e["entity"]["slug"] == slug)
        .and_then(|e| e["entity"]["name"].as_str())
        .map(str::to_owned)
}

/// An entity's name, kind and named mentions as (offset, text as written).
type GoldEntity<'a> = (&'a str, EntityKind, &'a [(usize, &'a str)]);

/// The seed's named mentions as written, from the table in `seeds/README.md`.
fn gold_entities(doc: &Document) -> Vec<FoundEntity> {
    let table: &[GoldEntity] = &[
        (
            "United States",
            EntityKind::Location,
            &[
                (7, "US"),
                (309, "US"),
                (559, "American"),
                (2389, "US"),
                (2446, "United States"),
            ],
        ),
        (
            "United Kingdom",
            EntityKind::Location,
            &[
                (60, "United Kingdom"),
                (159, "British"),
                (491, "UK"),
                (581, "Britain"),
                (818, "British"),
                (1537, "United Kingdom"),
                (1852, "Britain"),
            ],
        ),
        ("London", EntityKind::Location, &[(358, "London")]),
        (
            "Europe",
            EntityKind::Location,
            &[(420, "Europe"), (1286, "Europe")],
        ),
        ("Australia", EntityKind::Location, &[(428, "Australia")]),
        ("New Zealand", EntityKind::Location, &[(439, "New Zealand")]),
        ("Canada", EntityKind::Location, &[(456, "Canada")]),
        (
            "The Times",
            EntityKind::Organization,
            &[(794, "The Times"), (2427, "The Times")],
        ),
        (
            "Conservative Party",
            EntityKind::Organization,
            &[(911, "Conservative")],
        ),
        ("Labour Party", EntityKind::Organization, &[(937, "Labour")]),
        (
            "Donald Trump",
            EntityKind::Person,
            &[
                (1733, "Trump"),
                (1809, "Trump"),
                (1895, "Donald Trump"),
                (2061, "Mr Trump"),
            ],
        ),
        (
            "Keir Starmer",
            EntityKind::Person,
            &[(1980, "Sir Keir Starmer"), (2260, "Sir Keir Starmer")],
        ),
        (
            "US State Department",
            EntityKind::Organization,
            &[(2389, "US State Department")],
        ),
    ];
    table
        .iter()
        .map(|(name, kind, mentions)| FoundEntity {
            name: (*name).to_owned(),
            kind: *kind,
            aliases: Vec::new(),
            mentions: mentions
                .iter()
                .map(|&(start, written)| {
                    let end = start + written.chars().count();
                    assert_eq!(doc.slice(start, end), written, "the table's offset {start}");
                    Mention { start, end }
                })
                .collect(),
            confidence: 1.0,
        })
        .collect()
}

#[test]
fn the_seed_gives_all_four_sections_with_headings_and_offsets() {
    let gold = gold();
    let proposal = extract(SEED_TEXT);
    assert_eq!(proposal.headline, None);
    assert_eq!(proposal.standfirst, None);
    assert_eq!(proposal.body, SEED_TEXT);
    let found: Vec<(i32, Option<&str>, &str, usize, usize)> = proposal
        .sections
        .iter()
        .map(|s| {
            (
                s.position,
                s.heading.as_deref(),
                s.body.as_str(),
                s.start,
                s.end,
            )
        })
        .collect();
    let expected: Vec<(i32, Option<&str>, &str, usize, usize)> = gold_array(&gold, "sections")
        .iter()
        .map(|s| {
            (
                s["position"]
                    .as_i64()
                    .and_then(|p| i32::try_from(p).ok())
                    .unwrap_or(-1),
                s["heading"].as_str(),
                s["body"].as_str().unwrap_or_default(),
                s["start"].as_u64().unwrap_or_default() as usize,
                s["end"].as_u64().unwrap_or_default() as usize,
            )
        })
        .collect();
    assert_eq!(found, expected);
}

/// (text, start, end, kind, section) of each quote.
type QuoteSpanRow = (String, usize, usize, String, Option<i64>);

#[test]
fn the_seed_gives_all_nine_quotes_with_spans_kinds_and_sections() {
    let gold = gold();
    let proposal = extract(SEED_TEXT);
    let found: Vec<QuoteSpanRow> = proposal
        .quotes
        .iter()
        .map(|q| {
            (
                q.text.clone(),
                q.start,
                q.end,
                q.kind.as_str().to_owned(),
                q.section_position.map(i64::from),
            )
        })
        .collect();
    let expected: Vec<QuoteSpanRow> = gold_array(&gold, "quotes")
        .iter()
        .map(|q| {
            (
                q["text"].as_str().unwrap_or_default().to_owned(),
                q["start"].as_u64().unwrap_or_default() as usize,
                q["end"].as_u64().unwrap_or_default() as usize,
                q["kind"].as_str().unwrap_or_default().to_owned(),
                q["section_position"].as_i64(),
            )
        })
        .collect();
    assert_eq!(found, expected);
}

/// (speaker name, label, cue) of each quote.
type SpeakerRow = (Option<String>, Option<String>, Option<String>);

fn gold_speakers(gold: &Value) -> Vec<SpeakerRow> {
    gold_array(gold, "quotes")
        .iter()
        .map(|q| {
            (
                gold_speaker_name(gold, &q["speaker"]),
                q["speaker_label"].as_str().map(str::to_owned),
                q["cue"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[test]
fn given_the_seeds_entities_every_quote_gets_its_speaker_label_and_cue() {
    let gold = gold();
    let doc = Document::new(SEED_TEXT);
    let sections = sections::find(&doc);
    let attributed = speakers::attribute(&doc, &sections, quotes::find(&doc), &gold_entities(&doc));
    let found: Vec<SpeakerRow> = attributed
        .iter()
        .map(|q| (q.speaker.clone(), q.speaker_label.clone(), q.cue.clone()))
        .collect();
    assert_eq!(found, gold_speakers(&gold));
}

#[test]
fn the_seed_gives_every_entity_and_every_speaker_end_to_end() {
    let gold = gold();
    let proposal = extract(SEED_TEXT);
    let found: Vec<(String, EntityKind, i32, usize)> = proposal
        .entities
        .iter()
        .map(|e| (e.name.clone(), e.kind, e.mention_count, e.first_offset))
        .collect();
    let expected: Vec<(String, EntityKind, i32, usize)> = gold_array(&gold, "entities")
        .iter()
        .map(|e| {
            (
                e["entity"]["name"].as_str().unwrap_or_default().to_owned(),
                serde_json::from_value(e["entity"]["kind"].clone()).expect("a kind"),
                e["mention_count"]
                    .as_i64()
                    .and_then(|c| i32::try_from(c).ok())
                    .unwrap_or(-1),
                e["first_offset"].as_u64().unwrap_or_default() as usize,
            )
        })
        .collect();
    assert_eq!(found, expected);
    let speakers: Vec<SpeakerRow> = proposal
        .quotes
        .iter()
        .map(|q| (q.speaker.clone(), q.speaker_label.clone(), q.cue.clone()))
        .collect();
    assert_eq!(speakers, gold_speakers(&gold));
}

#[test]
fn extracting_the_same_text_twice_gives_byte_identical_json() {
    let first: Proposal = extract(SEED_TEXT);
    let second: Proposal = extract(SEED_TEXT);
    let first = serde_json::to_string(&first).expect("serialises");
    let second = serde_json::to_string(&second).expect("serialises");
    assert_eq!(first, second);
}
