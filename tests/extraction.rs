//! The extraction quality test: runs the extractor on every article of the evaluation set
//! (`tests/fixtures/extraction/`), scores it against the gold with `newsmeta::extract::eval`,
//! prints a per-article table and fails below the targets. Also checks that the gold itself is
//! consistent with its text, so a fixture edit cannot silently break the measure.
//!
//! `cargo test --test extraction -- --nocapture` shows the table on success too;
//! `EXTRACT_EVAL_VERBOSE=1` adds what each article missed (quotes, speakers, entities);
//! `EXTRACT_EVAL_ONLY=name` scores only the articles whose name contains `name`.

// Test code fails loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use newsmeta::extract::eval::{self, Gold, Scores};
use newsmeta::extract::extract;

/// Quote span F1 the extractor must reach over the whole set.
const QUOTE_F1: f64 = 0.90;
/// Speaker attribution accuracy over the quotes whose span was found.
const SPEAKER_ACCURACY: f64 = 0.85;
/// Entity F1 (by name or alias, kind not required).
const ENTITY_F1: f64 = 0.85;

/// The opening marks a quote continued into the next paragraph repeats.
const OPENING_MARKS: [char; 4] = ['"', '“', '‘', '\''];
const CLOSING_MARKS: [char; 4] = ['"', '”', '’', '\''];

struct Fixture {
    name: String,
    text: String,
    gold: Gold,
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extraction")
}

/// Every `NAME.txt` with its `NAME.gold.json`, by name.
fn fixtures() -> Vec<Fixture> {
    let mut names: Vec<String> = std::fs::read_dir(fixture_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|file| file.strip_suffix(".gold.json").map(str::to_owned))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let dir = fixture_dir();
            let text = std::fs::read_to_string(dir.join(format!("{name}.txt")))
                .unwrap_or_else(|e| panic!("{name}.txt: {e}"));
            let gold = std::fs::read_to_string(dir.join(format!("{name}.gold.json"))).unwrap();
            let gold = serde_json::from_str(&gold).unwrap_or_else(|e| panic!("{name}: {e}"));
            Fixture { name, text, gold }
        })
        .collect()
}

/// Chars `[start, end)` of `text`.
fn chars(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

fn char_at(text: &str, index: usize) -> Option<char> {
    text.chars().nth(index)
}

#[test]
fn the_evaluation_set_has_the_seed_and_twelve_other_articles_or_more() {
    let names: Vec<String> = fixtures().into_iter().map(|f| f.name).collect();
    assert!(names.len() >= 13, "{names:?}");
    assert!(names.iter().any(|n| n == "seed-article"), "{names:?}");
}

#[test]
fn the_seed_fixture_is_the_seed_article() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seed = std::fs::read_to_string(root.join("seeds/seed-article.txt")).unwrap();
    let copy = std::fs::read_to_string(fixture_dir().join("seed-article.txt")).unwrap();
    assert_eq!(copy, seed);
}

#[test]
fn every_gold_quote_is_the_text_between_its_marks() {
    for Fixture { name, text, gold } in fixtures() {
        assert!(!gold.quotes.is_empty(), "{name}: no quotes");
        let mut previous_start = None;
        for quote in &gold.quotes {
            assert!(quote.start < quote.end, "{name}: {quote:?}");
            // A quote continued into another paragraph repeats its opening mark there.
            let mut between = chars(&text, quote.start, quote.end);
            for mark in OPENING_MARKS {
                between = between.replace(&format!("\n{mark}"), "\n");
            }
            assert_eq!(
                between, quote.text,
                "{name}: [{}..{}]",
                quote.start, quote.end
            );
            let before = quote.start.checked_sub(1).and_then(|i| char_at(&text, i));
            let after = char_at(&text, quote.end);
            assert!(
                before.is_some_and(|c| OPENING_MARKS.contains(&c)),
                "{name}: no opening mark before {:?}",
                quote.text
            );
            assert!(
                after.is_some_and(|c| CLOSING_MARKS.contains(&c)),
                "{name}: no closing mark after {:?}",
                quote.text
            );
            assert!(
                previous_start < Some(quote.start),
                "{name}: quotes out of order"
            );
            previous_start = Some(quote.start);
        }
    }
}

#[test]
fn every_gold_section_is_whole_lines_and_the_sections_follow_each_other() {
    for Fixture { name, text, gold } in fixtures() {
        let len = text.chars().count();
        let mut next_start = 0;
        for (index, section) in gold.sections.iter().enumerate() {
            assert!(
                index == 0 || section.heading.is_some(),
                "{name}: only the first section may be the untitled lede"
            );
            assert_eq!(section.start, next_start, "{name}: section {index} start");
            assert!(section.end <= len, "{name}: section {index} end");
            assert!(
                section.end == len || char_at(&text, section.end) == Some('\n'),
                "{name}: section {index} does not end at a line end"
            );
            if let Some(heading) = &section.heading {
                let first_line = chars(&text, section.start, section.end);
                assert!(
                    first_line.starts_with(&format!("{heading}\n")),
                    "{name}: heading {heading:?} is not the section's first line"
                );
            }
            // The next section starts after the line break (and any blank lines).
            next_start = section.end;
            while char_at(&text, next_start).is_some_and(char::is_whitespace) {
                next_start += 1;
            }
        }
        assert_eq!(
            next_start, len,
            "{name}: the sections do not cover the text"
        );
    }
}

#[test]
fn every_speaker_is_a_gold_entity_and_every_entity_is_named_at_its_first_offset() {
    for Fixture { name, text, gold } in fixtures() {
        let names: Vec<&str> = gold.entities.iter().map(|e| e.name.as_str()).collect();
        for quote in &gold.quotes {
            if let Some(speaker) = &quote.speaker {
                assert!(
                    names.contains(&speaker.as_str()),
                    "{name}: speaker {speaker:?}"
                );
            }
        }
        let mut previous = None;
        for entity in &gold.entities {
            assert_eq!(
                names.iter().filter(|n| **n == entity.name).count(),
                1,
                "{name}: {} twice",
                entity.name
            );
            assert!(entity.mention_count >= 1, "{name}: {}", entity.name);
            let from_first: String = text.chars().skip(entity.first_offset).collect();
            assert!(
                std::iter::once(&entity.name)
                    .chain(&entity.aliases)
                    .any(|form| from_first.starts_with(form.as_str())),
                "{name}: {} is not named at {}",
                entity.name,
                entity.first_offset
            );
            assert!(
                previous <= Some(entity.first_offset),
                "{name}: entities not in order of first mention"
            );
            previous = Some(entity.first_offset);
        }
    }
}

#[test]
fn extraction_gives_byte_identical_json_for_the_same_text() {
    for Fixture { name, text, .. } in fixtures() {
        let first = serde_json::to_string(&extract(&text)).unwrap();
        let second = serde_json::to_string(&extract(&text)).unwrap();
        assert_eq!(first, second, "{name}");
    }
}

#[test]
fn extraction_meets_the_quality_targets_on_the_evaluation_set() {
    let only = std::env::var("EXTRACT_EVAL_ONLY").unwrap_or_default();
    let verbose = std::env::var_os("EXTRACT_EVAL_VERBOSE").is_some_and(|v| v != "0");
    let mut rows: Vec<(String, Scores)> = Vec::new();
    let mut notes = String::new();
    for Fixture { name, text, gold } in fixtures() {
        if !name.contains(&only) {
            continue;
        }
        let proposal = extract(&text);
        if proposal.body != text {
            // Offsets are into the body: a headline taken off the text would shift them all.
            notes.push_str(&format!(
                "{name}: the proposal's body differs from the text (headline {:?})\n",
                proposal.headline.as_ref().map(|h| &h.text)
            ));
        }
        if verbose {
            notes.push_str(&format!("--- {name}\n"));
            for miss in eval::misses(&gold, &proposal) {
                notes.push_str(&format!("  {miss}\n"));
            }
        }
        rows.push((name, eval::score(&gold, &proposal)));
    }
    assert!(
        !rows.is_empty(),
        "EXTRACT_EVAL_ONLY={only} matches no article"
    );
    let total: Scores = rows.iter().map(|(_, s)| *s).sum();
    println!("{}", eval::table(&rows));
    print!("{notes}");

    let mut failures = Vec::new();
    let quote_f1 = total.quotes.f1();
    if quote_f1 < QUOTE_F1 {
        failures.push(format!("quote F1 {quote_f1:.3} < {QUOTE_F1}"));
    }
    match total.speaker_accuracy() {
        Some(accuracy) if accuracy >= SPEAKER_ACCURACY => {}
        Some(accuracy) => failures.push(format!(
            "speaker accuracy {accuracy:.3} < {SPEAKER_ACCURACY}"
        )),
        None => failures.push("speaker accuracy: no quote span found to judge".to_owned()),
    }
    let entity_f1 = total.entities.f1();
    if entity_f1 < ENTITY_F1 {
        failures.push(format!("entity F1 {entity_f1:.3} < {ENTITY_F1}"));
    }
    assert!(
        failures.is_empty(),
        "extraction is below its targets: {}\n(the table is above; EXTRACT_EVAL_VERBOSE=1 lists the misses)",
        failures.join("; ")
    );
}
