//! Extraction: plain article text in, a proposed structure out — sections, quotes with their
//! speakers, and the entities the text names. Pure (no I/O, no database, no clock) and
//! deterministic: the same text gives the same proposal, byte for byte. Rules and gazetteers
//! embedded in the binary do the work; nothing is downloaded.
//!
//! The pipeline: [`text::Document`] splits the text into paragraphs (with char offsets);
//! [`sections`] finds heading lines; [`entities`] finds and folds named entities; [`quotes`] pairs
//! quotation marks; [`speakers`] attributes each quote, resolving the speaker to one of the
//! entities. Offsets everywhere are char offsets (Unicode scalar values) into the proposal's
//! `body`, `start` inclusive, `end` exclusive, as in the API.

pub mod cues;
pub mod entities;
pub mod eval;
pub mod quotes;
pub mod sections;
pub mod speakers;
pub mod text;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::types::{EntityKind, QuoteKind};

/// The version every extracted record carries, so machine output can be told apart by release.
pub const EXTRACTOR_VERSION: &str = concat!("newsmeta-extract/", env!("CARGO_PKG_VERSION"));

/// What the extractor proposes for one text. Nothing here is stored until a caller decides to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Proposal {
    /// Which extractor made this ([`EXTRACTOR_VERSION`]).
    pub extractor_version: String,
    /// A headline, when the text opens with a line that reads like one; it is then not part of
    /// `body`.
    pub headline: Option<TextHint>,
    /// A standfirst, when a short summary paragraph follows the headline; not part of `body`.
    pub standfirst: Option<TextHint>,
    /// The article body all offsets refer to: the text, less any headline and standfirst.
    pub body: String,
    pub sections: Vec<ProposedSection>,
    pub quotes: Vec<ProposedQuote>,
    /// In order of first mention.
    pub entities: Vec<ProposedEntity>,
}

/// A piece of the input proposed for a field, with where it was found in the input text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TextHint {
    pub text: String,
    pub confidence: f64,
}

/// A section: position 0 is the untitled lede (when the text does not open with a heading).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProposedSection {
    pub position: i32,
    pub heading: Option<String>,
    /// The section's paragraphs joined by `\n`, without the heading.
    pub body: String,
    /// Where the section (its heading, if any) begins in `body`.
    pub start: usize,
    /// Where its last paragraph ends (exclusive; the following `\n` is not included).
    pub end: usize,
    pub confidence: f64,
}

/// A quote: the words between a pair of quotation marks that someone said or wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProposedQuote {
    /// Order in the text.
    pub position: i32,
    /// The words between the marks, without them; `body[start..end]` (in chars) is this text,
    /// except for a quote continued across paragraphs, whose text joins the parts with `\n`.
    pub text: String,
    pub kind: QuoteKind,
    pub start: usize,
    pub end: usize,
    /// The `position` of the section holding the quote's start.
    pub section_position: Option<i32>,
    /// The `name` of the entity (in `entities`) who said it, when the text names one.
    pub speaker: Option<String>,
    /// The speaker as written, when it is not simply the entity's name: "a State Department
    /// spokesperson", "he", "The memo".
    pub speaker_label: Option<String>,
    /// The verb or phrase that attributes the quote: "said", "told", "warned", "pointed to".
    pub cue: Option<String>,
    /// How sure the attribution is, 0 to 1: which rule fired.
    pub confidence: f64,
    /// The rule that attributed it (for debugging and for the confidence).
    pub rule: String,
}

/// An entity the text names, folded over all the ways it is named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProposedEntity {
    /// Canonical name: the fullest form (or the gazetteer's), "Keir Starmer", "United Kingdom".
    pub name: String,
    pub kind: EntityKind,
    /// Other names it goes by in this text or in the gazetteer ("UK", "Britain", "Mr Starmer").
    pub aliases: Vec<String>,
    /// Named mentions in `body` (headings and quotes included; pronouns and role nouns not).
    pub mention_count: i32,
    /// Where the first named mention begins in `body`.
    pub first_offset: usize,
    pub confidence: f64,
}

/// A headline has at least this many words (shorter opening lines are section headings).
const MIN_HEADLINE_WORDS: usize = 6;

/// And at most this many.
const MAX_HEADLINE_WORDS: usize = 20;

/// A standfirst has at most this many words.
const MAX_STANDFIRST_WORDS: usize = 45;

/// Runs the whole pipeline on `text`: a headline and standfirst found at its top are proposed
/// as such and leave the body.
pub fn extract(text: &str) -> Proposal {
    let (headline, standfirst, body) = split_front(text);
    Proposal {
        headline,
        standfirst,
        ..extract_body(body)
    }
}

/// Runs the pipeline on `text` taken whole as the body: no headline or standfirst is split off
/// (for a caller that has its own).
pub fn extract_body(text: &str) -> Proposal {
    let document = text::Document::new(text);
    let sections = sections::find(&document);
    let entities = entities::find(&document);
    let quotes = quotes::find(&document);
    let quotes = speakers::attribute(&document, &sections, quotes, &entities);
    Proposal {
        extractor_version: EXTRACTOR_VERSION.to_owned(),
        headline: None,
        standfirst: None,
        body: document.text().to_owned(),
        sections,
        quotes,
        entities: entities
            .into_iter()
            .map(entities::FoundEntity::into_proposed)
            .collect(),
    }
}

/// Splits an opening headline, and a standfirst after it, off `text`; returns them with the
/// body that is left. A headline is a first line that reads like a heading but is at least
/// [`MIN_HEADLINE_WORDS`] long, with at least two paragraphs after it. A standfirst is the
/// short paragraph after the headline when a byline or dateline follows it; without that
/// signal a lede and a standfirst look alike, and the lede stays in the body.
fn split_front(text: &str) -> (Option<TextHint>, Option<TextHint>, &str) {
    let mut lines = non_empty_lines(text);
    let Some((_, first)) = lines.next() else {
        return (None, None, text);
    };
    let rest: Vec<(usize, &str)> = lines.take(3).collect();
    let words = first.split_whitespace().count();
    let headline_confidence =
        sections::heading_line_confidence(first, MAX_HEADLINE_WORDS, MAX_HEADLINE_WORDS)
            .filter(|_| words >= MIN_HEADLINE_WORDS && rest.len() >= 2);
    let Some(confidence) = headline_confidence else {
        return (None, None, text);
    };
    let headline = Some(TextHint {
        text: first.trim().to_owned(),
        confidence: confidence * 0.8,
    });
    let (second_at, second) = rest[0];
    let standfirst = second.split_whitespace().count() <= MAX_STANDFIRST_WORDS
        && !second.contains(['"', '“', '”'])
        && rest.len() >= 3
        && sections::is_byline_or_dateline_line(rest[1].1);
    if standfirst {
        let hint = TextHint {
            text: second.trim().to_owned(),
            confidence: 0.6,
        };
        (headline, Some(hint), &text[rest[1].0..])
    } else {
        (headline, None, &text[second_at..])
    }
}

/// The non-empty lines of `text` with their byte offsets.
fn non_empty_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive('\n')
        .scan(0, |offset, line| {
            let at = *offset;
            *offset += line.len();
            Some((at, line.trim_end_matches(['\n', '\r'])))
        })
        .filter(|(_, line)| !line.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_title_like_first_line_is_the_headline_and_leaves_the_body() {
        let text = "Ministers Face Revolt Over Plans to Cut School Budgets\nMPs met.\nThey voted.";
        let proposal = extract(text);
        assert_eq!(
            proposal.headline.map(|h| h.text).as_deref(),
            Some("Ministers Face Revolt Over Plans to Cut School Budgets")
        );
        assert_eq!(proposal.standfirst, None);
        assert_eq!(proposal.body, "MPs met.\nThey voted.");
    }

    #[test]
    fn a_standfirst_is_the_paragraph_between_headline_and_byline() {
        let text = "Council approves new cycle lanes for the city\nThe plan will cost £2m.\nBy Ann Lee\nThe council voted.";
        let proposal = extract(text);
        assert_eq!(
            proposal.standfirst.map(|h| h.text).as_deref(),
            Some("The plan will cost £2m.")
        );
        assert_eq!(proposal.body, "By Ann Lee\nThe council voted.");
    }

    #[test]
    fn a_text_opening_with_a_sentence_or_a_short_heading_has_no_headline() {
        assert_eq!(extract("The lede.\nMore.\nEnd.").headline, None);
        assert_eq!(extract("Background\nIt began.\nIt ended.").headline, None);
    }
}
