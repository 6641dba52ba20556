//! Property tests for the parsers of untrusted input: whatever a client sends, each parser answers
//! a value or its own error (a 400 `ApiError`, a `SearchError`, `None`) — it never panics — and what
//! an encoder writes its decoder reads back.
//!
//! "Bounded time" is an input-size bound: every generated input is at most a few kilobytes (the
//! extraction inputs up to ~64 KiB), so a case that hangs instead of taking microseconds stalls the
//! run visibly; no case is timed.

// Test code fails loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use newsmeta::api::fields::Fields;
use newsmeta::api::http;
use newsmeta::api::types::{Article, Change};
use newsmeta::error::ApiError;
use newsmeta::extract::{extract, extract_body};
use newsmeta::search::{self, SearchError, MAX_QUERY_CHARS, MAX_TERMS};
use newsmeta::store::changes::Resource;
use newsmeta::store::page::Cursor;
use proptest::prelude::*;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // No persistence files in the source tree; a failure prints its input to reproduce.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A 400 naming `field`: what every query-string parser answers for input it cannot read.
fn is_bad_request(error: &ApiError, field: &str) -> bool {
    matches!(error, ApiError::BadRequest { errors, .. }
        if errors.len() == 1 && errors[0].field == field)
}

/// Text as clients send it: any Unicode, ASCII punctuation, control characters, URL escapes.
fn untrusted_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,80}",
        "[\\x00-\\x1f\"'%,+\\-*:=()\\\\ a-z0-9]{0,80}",
        "[a-z]{0,12}(,[a-z_ ]{0,12}){0,6}",
    ]
}

/// A cursor's sort key: the kinds of JSON value pages sort by.
fn cursor_key() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        Just(serde_json::Value::Null),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        any::<String>().prop_map(serde_json::Value::from),
        any::<bool>().prop_map(serde_json::Value::from),
    ]
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn a_cursor_reads_back_as_the_cursor_that_was_written(key in cursor_key(), id in any::<u128>()) {
        let cursor = Cursor { key, id: uuid::Uuid::from_u128(id) };
        let text = cursor.encode();
        prop_assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        prop_assert_eq!(Cursor::decode(&text), Some(cursor.clone()));
        prop_assert_eq!(http::cursor(Some(&text)).unwrap(), Some(cursor));
    }

    #[test]
    fn any_text_as_a_cursor_is_a_cursor_or_a_400(text in untrusted_text()) {
        match http::cursor(Some(&text)) {
            Ok(Some(cursor)) => prop_assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor)),
            Ok(None) => prop_assert!(false, "a given cursor cannot read as none"),
            Err(error) => prop_assert!(is_bad_request(&error, "cursor"), "{error:?}"),
        }
    }

    #[test]
    fn base64_of_any_bytes_as_a_cursor_is_a_cursor_or_a_400(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        use base64::Engine;
        let text = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
        if let Err(error) = http::cursor(Some(&text)) {
            prop_assert!(is_bad_request(&error, "cursor"), "{error:?}");
        }
    }

    #[test]
    fn a_limit_is_1_to_100_or_a_400(text in prop_oneof![untrusted_text(), any::<i128>().prop_map(|n| n.to_string()), "[0-9]{15,40}"]) {
        match http::limit(Some(&text)) {
            Ok(limit) => {
                prop_assert!((1..=http::MAX_LIMIT).contains(&limit));
                prop_assert_eq!(text.parse::<u64>().ok(), Some(limit));
            }
            Err(error) => prop_assert!(is_bad_request(&error, "limit"), "{error:?}"),
        }
    }

    #[test]
    fn a_flag_is_true_false_or_a_400(text in prop_oneof![untrusted_text(), Just("true".to_owned()), Just("false".to_owned())]) {
        match http::flag("count", Some(&text)) {
            Ok(flag) => prop_assert_eq!(text.as_str(), if flag { "true" } else { "false" }),
            Err(error) => prop_assert!(is_bad_request(&error, "count"), "{error:?}"),
        }
    }

    #[test]
    fn a_sort_key_comes_from_its_whitelist_or_is_a_400(text in prop_oneof![untrusted_text(), Just("-published_at".to_owned())]) {
        let keys = [("-published_at", 1), ("published_at", 2), ("-created_at", 3)];
        match http::sort(Some(&text), &keys) {
            Ok(value) => prop_assert!(keys.iter().any(|(key, v)| *key == text && *v == value)),
            Err(error) => prop_assert!(is_bad_request(&error, "sort"), "{error:?}"),
        }
    }

    #[test]
    fn a_date_window_end_is_a_time_or_a_400(
        text in prop_oneof![
            untrusted_text(),
            "[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}",
            "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,12})?(Z|[+-][0-9]{2}:[0-9]{2})",
        ]
    ) {
        match http::date("published_after", Some(&text)) {
            Ok(Some(_)) => {}
            Ok(None) => prop_assert!(false, "a given date cannot read as none"),
            Err(error) => prop_assert!(is_bad_request(&error, "published_after"), "{error:?}"),
        }
    }

    #[test]
    fn a_fields_list_selects_known_members_or_is_a_400(
        text in prop_oneof![
            untrusted_text(),
            "(id|slug|headline|body|sections|nope|quotes\\.text|sections\\.heading|\\.|,| ){0,12}",
        ]
    ) {
        if let Err(error) = Fields::parse::<Article>(Some(&text)) {
            prop_assert!(is_bad_request(&error, "fields"), "{error:?}");
        }
        if let Err(error) = Fields::parse::<Change>(Some(&text)) {
            prop_assert!(is_bad_request(&error, "fields"), "{error:?}");
        }
    }

    #[test]
    fn a_change_feed_resource_is_one_of_three_names(text in untrusted_text()) {
        match Resource::parse(&text) {
            Some(resource) => prop_assert_eq!(resource.as_str(), text.as_str()),
            None => prop_assert!(!["article", "quote", "entity"].contains(&text.as_str())),
        }
    }

    #[test]
    fn a_uuid_parameter_is_a_uuid_or_a_400(text in prop_oneof![untrusted_text(), "[0-9a-fA-F-]{30,40}"]) {
        match http::uuid("id", &text) {
            Ok(id) => prop_assert_eq!(uuid::Uuid::parse_str(&text).ok(), Some(id)),
            Err(error) => prop_assert!(is_bad_request(&error, "id"), "{error:?}"),
        }
    }
}

/// Search syntax: words, "phrases", -exclusions, OR, prefix*, with every way to unbalance them.
fn search_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "([a-z]{1,8}|\"|-|\\*|OR|AND|NOT|\\(|\\)| |:|\\^|'){0,60}",
        "[\"\\-* a-zA-Z\u{e9}\u{4e2d}\u{0644}]{0,200}",
        // Past the length and term bounds, to reach their errors.
        "([a-z]{1,3} ){30,60}",
        "[a-z]{990,1010}",
    ]
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn a_search_parses_or_says_why_not_and_never_passes_syntax_to_fts5(text in search_text()) {
        match search::parse(&text) {
            Ok(query) => {
                prop_assert!(text.chars().count() <= MAX_QUERY_CHARS);
                // Every term reaches FTS5 double-quoted: no user text is read as its syntax.
                let fts = query.to_fts5();
                prop_assert_eq!(fts.matches('"').count() % 2, 0, "{}", fts);
            }
            Err(SearchError::TooLong) => prop_assert!(text.chars().count() > MAX_QUERY_CHARS),
            // Terms are apart by spaces or quote marks (`a"b"c` is three), so many of them
            // take many pieces between those.
            Err(SearchError::TooManyTerms) => {
                let pieces = text.split(|c: char| c.is_whitespace() || c == '"').filter(|p| !p.is_empty());
                prop_assert!(pieces.count() > MAX_TERMS / 2);
            }
            Err(SearchError::OnlyExclusions) => {}
        }
        if let Err(error) = http::search("q", Some(&text)) {
            prop_assert!(is_bad_request(&error, "q"), "{error:?}");
        }
    }
}

/// Adversarial article text: long lines, many and unbalanced quote marks of every kind, control
/// characters, mixed scripts, blank-line runs, capitalised runs that look like names and headings.
fn article_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[A-Z][a-z]{1,10}",
        "[a-z]{1,10}",
        Just(" ".to_owned()),
        Just("\n".to_owned()),
        Just("\n\n".to_owned()),
        "[\"'\u{201c}\u{201d}\u{2018}\u{2019}\u{ab}\u{bb}\u{201e}]",
        "[.,;:!?\u{2014}\u{2013}-]",
        "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\u{200b}\u{feff}\r\t]",
        "[\u{4e00}-\u{4e20}\u{0600}-\u{0620}\u{0400}-\u{0420}\u{1f600}-\u{1f610}]{1,4}",
        Just(" said ".to_owned()),
        Just(", according to ".to_owned()),
        Just("Mr ".to_owned()),
        Just("United Kingdom".to_owned()),
    ];
    prop_oneof![
        4 => proptest::collection::vec(piece, 0..400).prop_map(|pieces| pieces.concat()),
        1 => any::<String>(),
        // One very long line, and a wall of quote marks.
        1 => ("[A-Za-z ]{1,20}", 100usize..3000).prop_map(|(word, n)| word.repeat(n)),
        1 => ("[\"\u{201c}\u{201d}' ]{1,4}", 100usize..8000).prop_map(|(marks, n)| marks.repeat(n)),
    ]
}

fn check_offsets(text: &str) -> Result<(), TestCaseError> {
    for proposal in [extract(text), extract_body(text)] {
        let length = proposal.body.chars().count();
        for section in &proposal.sections {
            prop_assert!(
                section.start <= section.end && section.end <= length,
                "{section:?}"
            );
        }
        for quote in &proposal.quotes {
            prop_assert!(quote.start <= quote.end && quote.end <= length, "{quote:?}");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn extraction_of_any_text_finishes_with_offsets_inside_the_body(text in article_text()) {
        check_offsets(&text)?;
    }
}
