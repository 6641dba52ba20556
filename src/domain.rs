//! Pure rules of the newsroom's data, shared by request validation and the store: how slugs and
//! match keys are made, and what makes an offset span valid. No I/O here.

use crate::error::FieldError;

/// Longest slug accepted or generated.
pub const MAX_SLUG_LEN: usize = 200;

/// Makes a URL-safe slug from a headline or a name: ASCII letters and digits, lowercased, words
/// joined by single hyphens ("Sir Keir Starmer" → `sir-keir-starmer`, "Zürich" → `zurich`).
pub fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_ascii_lowercase();
    let mut slug = String::with_capacity(ascii.len());
    for word in ascii.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        if slug.len() + word.len() + 1 > MAX_SLUG_LEN {
            if slug.is_empty() {
                // One word longer than a slug may be: keep its start rather than nothing.
                slug.push_str(&word[..MAX_SLUG_LEN]);
            }
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(word);
    }
    slug
}

/// Whether `slug` is already in the canonical URL-safe form [`slugify`] produces.
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= MAX_SLUG_LEN
        && slug.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The key two names are matched by: case-, diacritic- and spacing-insensitive
/// ("  Sir Keir STARMER" and "sir keir starmer" share one key).
pub fn match_key(name: &str) -> String {
    deunicode::deunicode(name)
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// SHA-256 of an article body, lowercase hex: `articles.content_hash`, which lets an import
/// recognise a text it has stored before (migration 000005 computes the same for older rows).
pub fn content_hash(body: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Number of words in a text, as shown in `word_count`.
pub fn word_count(text: &str) -> i32 {
    i32::try_from(text.split_whitespace().count()).unwrap_or(i32::MAX)
}

/// Length of a text in Unicode scalar values, the unit every offset counts in.
pub fn char_len(text: &str) -> i64 {
    i64::try_from(text.chars().count()).unwrap_or(i64::MAX)
}

/// Checks an optional `start`/`end` span against a body of `body_len` chars: both or neither,
/// `0 <= start <= end <= body_len`. Problems are reported under `{prefix}start` / `{prefix}end`.
pub fn check_span(
    prefix: &str,
    start: Option<i64>,
    end: Option<i64>,
    body_len: i64,
    errors: &mut Vec<FieldError>,
) {
    match (start, end) {
        (None, None) => {}
        (Some(_), None) => errors.push(FieldError::new(
            format!("{prefix}end"),
            "is required when `start` is given",
        )),
        (None, Some(_)) => errors.push(FieldError::new(
            format!("{prefix}start"),
            "is required when `end` is given",
        )),
        (Some(start), Some(end)) => {
            if start < 0 || start > body_len {
                errors.push(FieldError::new(
                    format!("{prefix}start"),
                    format!("must lie within the article body (0..={body_len})"),
                ));
            }
            if end > body_len || end < 0 {
                errors.push(FieldError::new(
                    format!("{prefix}end"),
                    format!("must lie within the article body (0..={body_len})"),
                ));
            } else if end < start {
                errors.push(FieldError::new(
                    format!("{prefix}end"),
                    "must not be before `start`",
                ));
            }
        }
    }
}

/// Checks an optional single offset (an entity's first mention) against the body length.
pub fn check_offset(field: &str, offset: Option<i64>, body_len: i64, errors: &mut Vec<FieldError>) {
    if let Some(offset) = offset {
        if offset < 0 || offset >= body_len.max(1) {
            errors.push(FieldError::new(
                field,
                format!("must lie within the article body (0..{body_len})"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_makes_lowercase_hyphenated_ascii() {
        assert_eq!(slugify("Sir Keir Starmer"), "sir-keir-starmer");
        assert_eq!(slugify("  Zürich's  “Best” — 2025! "), "zurich-s-best-2025");
        assert_eq!(slugify("!!!"), "");
        assert_eq!(slugify(&"a".repeat(300)), "a".repeat(MAX_SLUG_LEN));
    }

    #[test]
    fn valid_slugs_are_what_slugify_makes() {
        assert!(is_valid_slug("us-state-department"));
        assert!(!is_valid_slug("US-state"));
        assert!(!is_valid_slug("double--hyphen"));
        assert!(!is_valid_slug("-leading"));
        assert!(!is_valid_slug(""));
    }

    #[test]
    fn match_keys_ignore_case_diacritics_and_spacing() {
        assert_eq!(
            match_key("  Sir Keir  STARMER"),
            match_key("sir keir starmer")
        );
        assert_eq!(match_key("Zürich"), "zurich");
    }

    #[test]
    fn spans_must_be_complete_ordered_and_inside_the_body() {
        let mut errors = Vec::new();
        check_span("", Some(0), Some(10), 10, &mut errors);
        assert!(errors.is_empty());
        check_span("q.", Some(5), Some(11), 10, &mut errors);
        check_span("r.", Some(5), Some(4), 10, &mut errors);
        check_span("s.", Some(5), None, 10, &mut errors);
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["q.end", "r.end", "s.end"]);
    }
}
