//! Sections: heading lines split the text into the lede and headed parts.
//!
//! A heading is a short paragraph (at most [`MAX_HEADING_WORDS`] words) that opens with a
//! capital, ends without sentence punctuation or a closing quotation mark, reads like a title
//! (most of its words capitalised, or a short sentence-case phrase), is not a byline or a
//! dateline, and is followed by a body paragraph.

use super::cues;
use super::text::{Document, Paragraph};
use super::ProposedSection;

/// Headings longer than this read as sentences.
pub const MAX_HEADING_WORDS: usize = 12;

/// Sentence-case headings ("What happens next") are trusted up to this many words.
const MAX_SENTENCE_CASE_WORDS: usize = 6;

/// A section being gathered: its heading line with its confidence, and its body paragraphs.
type OpenSection = (Option<(Paragraph, f64)>, Vec<Paragraph>);

/// The sections of `doc`, in order.
pub fn find(doc: &Document) -> Vec<ProposedSection> {
    let paragraphs = doc.paragraphs();
    let mut sections: Vec<ProposedSection> = Vec::new();
    let mut open: Option<OpenSection> = None;
    for (index, paragraph) in paragraphs.iter().enumerate() {
        let next = paragraphs.get(index + 1);
        let heading = next
            .filter(|next| heading_confidence(doc, next).is_none())
            .and(heading_confidence(doc, paragraph));
        match (heading, &mut open) {
            (Some(confidence), _) => {
                if let Some((heading, body)) = open.take() {
                    push(doc, &mut sections, heading, &body);
                }
                open = Some((Some((*paragraph, confidence)), Vec::new()));
            }
            (None, Some((_, body))) => body.push(*paragraph),
            (None, None) => open = Some((None, vec![*paragraph])),
        }
    }
    if let Some((heading, body)) = open {
        push(doc, &mut sections, heading, &body);
    }
    sections
}

/// Closes a section: its heading (if any) and body paragraphs.
fn push(
    doc: &Document,
    sections: &mut Vec<ProposedSection>,
    heading: Option<(Paragraph, f64)>,
    body: &[Paragraph],
) {
    let Some(last) = body.last().or(heading.as_ref().map(|(h, _)| h)) else {
        return;
    };
    let start = heading
        .as_ref()
        .map(|(h, _)| h.start)
        .or(body.first().map(|p| p.start))
        .unwrap_or(0);
    sections.push(ProposedSection {
        position: i32::try_from(sections.len()).unwrap_or(i32::MAX),
        heading: heading.map(|(h, _)| doc.slice(h.start, h.end).trim().to_owned()),
        body: body
            .iter()
            .map(|p| doc.slice(p.start, p.end).trim())
            .collect::<Vec<_>>()
            .join("\n"),
        start,
        end: last.end,
        confidence: heading.map_or(1.0, |(_, confidence)| confidence),
    });
}

/// How much `paragraph` reads like a heading line, or `None` when it does not.
pub fn heading_confidence(doc: &Document, paragraph: &Paragraph) -> Option<f64> {
    heading_line_confidence(
        doc.slice(paragraph.start, paragraph.end),
        MAX_HEADING_WORDS,
        MAX_SENTENCE_CASE_WORDS,
    )
}

/// How much a line reads like a heading (or a headline, with larger limits): at most
/// `max_words`, and at most `max_sentence_case_words` unless mostly capitalised.
pub fn heading_line_confidence(
    line: &str,
    max_words: usize,
    max_sentence_case_words: usize,
) -> Option<f64> {
    let line = line.trim();
    let words: Vec<&str> = line.split_whitespace().collect();
    let first = line.chars().next()?;
    let last = line.chars().last()?;
    if words.is_empty()
        || words.len() > max_words
        || !(first.is_uppercase() || first.is_ascii_digit())
        || ".,;:!\"”’'…)".contains(last)
        || is_byline_or_dateline(&words)
    {
        return None;
    }
    let significant: Vec<&&str> = words
        .iter()
        .skip(1)
        .filter(|w| !cues::is_small_word(w))
        .collect();
    let capitalised = significant
        .iter()
        .filter(|w| w.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()))
        .count();
    if significant.is_empty() || capitalised * 3 >= significant.len() * 2 {
        Some(0.9)
    } else if words.len() <= max_sentence_case_words {
        Some(0.6)
    } else {
        None
    }
}

/// Whether `line` is a byline or dateline ("By Jane Smith", "LONDON —").
pub fn is_byline_or_dateline_line(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    is_byline_or_dateline(&words)
}

/// "By Jane Smith", "LONDON —", "Photograph: ...", "Updated 5 May 2025".
fn is_byline_or_dateline(words: &[&str]) -> bool {
    let first = words.first().copied().unwrap_or("");
    let shouting = first.len() > 2
        && first
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase)
        && words.len() > 1
        && words
            .get(1)
            .is_some_and(|w| w.starts_with(['—', '–', '-', '(']) || first.ends_with(','));
    let labelled = [
        "By",
        "Updated",
        "Published",
        "Posted",
        "Photograph",
        "Source",
    ]
    .iter()
    .any(|label| first.trim_end_matches(':') == *label);
    shouting || labelled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headings(text: &str) -> Vec<(Option<String>, usize, usize)> {
        find(&Document::new(text))
            .into_iter()
            .map(|s| (s.heading, s.start, s.end))
            .collect()
    }

    #[test]
    fn an_article_without_headings_is_one_untitled_section() {
        assert_eq!(
            headings("First paragraph here.\nSecond paragraph here."),
            [(None, 0, 44)]
        );
    }

    #[test]
    fn heading_lines_open_sections_after_the_untitled_lede() {
        let text = "The lede.\nA Pattern of Failure\nBody one.\nBody two.\nWhat happens next\nEnd.";
        let sections = find(&Document::new(text));
        let found: Vec<(Option<&str>, &str)> = sections
            .iter()
            .map(|s| (s.heading.as_deref(), s.body.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (None, "The lede."),
                (Some("A Pattern of Failure"), "Body one.\nBody two."),
                (Some("What happens next"), "End.")
            ]
        );
        assert_eq!((sections[1].start, sections[1].end), (10, 50));
    }

    #[test]
    fn sentences_bylines_datelines_and_closing_lines_are_not_headings() {
        let text = "By Jane Smith\nLONDON — Ministers met.\nThey said \"No\"\nSee You Later";
        assert_eq!(headings(text), [(None, 0, 66)]);
    }

    #[test]
    fn a_text_opening_with_a_heading_has_no_lede() {
        assert_eq!(
            headings("Background\nIt began in May.\nOutlook\nIt ends in June."),
            [
                (Some("Background".to_owned()), 0, 27),
                (Some("Outlook".to_owned()), 28, 52)
            ]
        );
    }
}
