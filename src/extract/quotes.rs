//! Quote spans: paired quotation marks, straight and curly, double and single.
//!
//! Marks are paired per paragraph with a small stack (a quote inside a quote uses the other
//! family and stays part of the outer quote). An apostrophe (don't, teachers’) is not a mark. A
//! paragraph that leaves a quote open continues it when the next paragraph opens with a mark of
//! the same family. Of the pairs found, scare quotes and titles are dropped: quoted Title Case
//! words, a name introduced by "so-called", "dubbed", "titled", and a few words with no reporting
//! verb in their sentence.

use super::cues;
use super::text::{Document, Span, TokenKind};
use crate::api::types::QuoteKind;

/// A quoted span, before attribution: chars `[start, end)` of the body, inside the marks.
#[derive(Debug, Clone, PartialEq)]
pub struct QuoteSpan {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub kind: QuoteKind,
}

impl QuoteSpan {
    /// The span with its marks: the opening mark before `start`, the closing one at `end`.
    pub fn outer(&self) -> Span {
        Span {
            start: self.start.saturating_sub(1),
            end: self.end + 1,
        }
    }
}

/// Quotes of at most this many words need a reporting verb in their sentence to count as speech.
const SHORT_QUOTE_WORDS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Double,
    Single,
}

/// What a mark does where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Open(Family),
    Close(Family),
}

/// A pair of marks, possibly continued over paragraphs: the parts inside the marks.
#[derive(Debug, Clone)]
struct Pair {
    parts: Vec<Span>,
}

impl Pair {
    fn span(&self) -> Span {
        Span {
            start: self.parts.first().map_or(0, |p| p.start),
            end: self.parts.last().map_or(0, |p| p.end),
        }
    }
}

/// The quotes of `doc`, in order: speech, not scare quotes or titles.
pub fn find(doc: &Document) -> Vec<QuoteSpan> {
    let pairs = pair_marks(doc);
    let outer: Vec<Span> = pairs
        .iter()
        .map(|pair| {
            let span = pair.span();
            Span {
                start: span.start - 1,
                end: span.end + 1,
            }
        })
        .collect();
    let sentences = doc.sentences(&outer);
    let mut quotes: Vec<QuoteSpan> = Vec::new();
    let mut previous: Option<(usize, QuoteKind)> = None;
    for (index, pair) in pairs.iter().enumerate() {
        let span = pair.span();
        let sentence = sentence_of(&sentences, span.start);
        if !is_speech(doc, span, sentence, &outer) {
            continue;
        }
        let kind = match previous {
            Some((previous_end, kind)) if continues_interrupted(doc, previous_end, span.start) => {
                kind
            }
            _ => kind_of(doc, span),
        };
        previous = Some((outer[index].end, kind));
        let text = pair
            .parts
            .iter()
            .map(|part| doc.slice(part.start, part.end))
            .collect::<Vec<_>>()
            .join("\n");
        quotes.push(QuoteSpan {
            start: span.start,
            end: span.end,
            text,
            kind,
        });
    }
    quotes
}

/// The sentence holding char `at`.
pub(crate) fn sentence_of(sentences: &[Span], at: usize) -> Span {
    let index = sentences.partition_point(|s| s.end <= at);
    sentences
        .get(index)
        .copied()
        .unwrap_or(Span { start: at, end: at })
}

/// Pairs the marks of every paragraph, continuing a quote left open into a paragraph that
/// opens with a mark of the same family.
fn pair_marks(doc: &Document) -> Vec<Pair> {
    let mut pairs = Vec::new();
    let mut carried: Option<(Family, Vec<Span>)> = None;
    for paragraph in doc.paragraphs() {
        // (family, where the words start) for each open mark; only depth 0 makes a quote.
        let mut stack: Vec<(Family, usize)> = Vec::new();
        let first = (paragraph.start..paragraph.end)
            .find(|&i| doc.char(i).is_some_and(|c| !c.is_whitespace()))
            .unwrap_or(paragraph.end);
        let opens = mark_at(doc, first, paragraph.start, paragraph.end, &stack);
        let mut parts = match carried.take() {
            Some((family, parts)) if opens == Some(Mark::Open(family)) => parts,
            _ => Vec::new(),
        };
        for index in first..paragraph.end {
            match mark_at(doc, index, paragraph.start, paragraph.end, &stack) {
                Some(Mark::Open(family)) if stack.len() < 2 => stack.push((family, index + 1)),
                Some(Mark::Close(family)) => {
                    let Some(depth) = stack.iter().rposition(|(f, _)| *f == family) else {
                        continue;
                    };
                    if depth == 0 {
                        parts.push(Span {
                            start: stack[0].1,
                            end: index,
                        });
                        pairs.push(Pair {
                            parts: std::mem::take(&mut parts),
                        });
                    }
                    stack.truncate(depth);
                }
                _ => {}
            }
        }
        carried = stack.first().map(|&(family, start)| {
            parts.push(Span {
                start,
                end: paragraph.end,
            });
            (family, parts)
        });
    }
    pairs
}

/// The mark at `index`, if the char there is a quotation mark and not an apostrophe.
fn mark_at(
    doc: &Document,
    index: usize,
    paragraph_start: usize,
    paragraph_end: usize,
    stack: &[(Family, usize)],
) -> Option<Mark> {
    let c = doc.char(index)?;
    let previous = (index > paragraph_start)
        .then(|| doc.char(index - 1))
        .flatten();
    let next = (index + 1 < paragraph_end)
        .then(|| doc.char(index + 1))
        .flatten();
    let open = |family| stack.iter().any(|(f, _)| *f == family);
    let after_space = previous.is_none_or(|p| p.is_whitespace() || "([{—–-“‘\"'/".contains(p));
    let before_word = next.is_some_and(|n| !n.is_whitespace());
    let letter_before = previous.is_some_and(char::is_alphanumeric);
    let letter_after = next.is_some_and(char::is_alphanumeric);
    match c {
        '“' | '«' | '„' if before_word => Some(Mark::Open(Family::Double)),
        '”' | '»' if open(Family::Double) => Some(Mark::Close(Family::Double)),
        '"' if open(Family::Double) && !after_space => Some(Mark::Close(Family::Double)),
        '"' if before_word => Some(Mark::Open(Family::Double)),
        '’' | '\'' if letter_before && letter_after => None,
        '’' | '\'' if open(Family::Single) && !after_space && !letter_after => {
            let plural_possessive = previous == Some('s')
                && next.is_some_and(char::is_whitespace)
                && closes_later(doc, index + 1, paragraph_end);
            (!plural_possessive).then_some(Mark::Close(Family::Single))
        }
        '‘' | '\''
            if after_space && next.is_some_and(|n| n.is_alphabetic() || "“\"".contains(n)) =>
        {
            Some(Mark::Open(Family::Single))
        }
        _ => None,
    }
}

/// Whether a closing single mark follows `from` in the paragraph (within a sentence's reach), so
/// that a "teachers' " before it is a possessive.
fn closes_later(doc: &Document, from: usize, paragraph_end: usize) -> bool {
    (from..paragraph_end.min(from + 200)).any(|i| {
        matches!(doc.char(i), Some('’' | '\''))
            && doc.char(i - 1).is_some_and(|c| !c.is_whitespace())
            && doc.char(i + 1).is_none_or(|c| !c.is_alphanumeric())
    })
}

/// Whether a pair of marks holds speech rather than a title, a name or a scare quote.
fn is_speech(doc: &Document, span: Span, sentence: Span, outer: &[Span]) -> bool {
    let text = doc.slice(span.start, span.end);
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '—')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || named_before(doc, span.start) {
        return false;
    }
    let ends_clause = text.trim_end().ends_with(['.', '!', '?', ',', '…']);
    let title_case = words.iter().enumerate().all(|(i, w)| {
        w.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
            || (i > 0 && cues::is_small_word(w))
    });
    if title_case && !ends_clause {
        return false;
    }
    words.len() > SHORT_QUOTE_WORDS || has_cue(doc, sentence, outer)
}

/// Whether a naming word ("so-called", "dubbed", "titled", "the word") comes right before the
/// opening mark at `start - 1`.
fn named_before(doc: &Document, start: usize) -> bool {
    let from = start.saturating_sub(24);
    let before = doc.slice(from, start.saturating_sub(1));
    let mut words = before
        .split_whitespace()
        .rev()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-'));
    let last = words.next().unwrap_or("");
    let known_as = last.eq_ignore_ascii_case("as")
        && words
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("known"));
    known_as || cues::is_naming_word(last)
}

/// Whether the sentence has a reporting verb outside its quotes.
fn has_cue(doc: &Document, sentence: Span, outer: &[Span]) -> bool {
    let tokens = doc.tokens(sentence.start, sentence.end, outer);
    tokens.iter().any(|token| {
        token.kind == TokenKind::Word
            && (cues::cue(doc.slice(token.start, token.end)).is_some()
                || doc
                    .slice(token.start, token.end)
                    .eq_ignore_ascii_case("according"))
    })
}

/// Direct when the quote is a clause of its own: it opens with a capital and stands after a
/// comma, a colon, a dash or the start of a sentence; partial when the reporter's sentence
/// runs into it ("accusing them of having "let down" the people").
fn kind_of(doc: &Document, span: Span) -> QuoteKind {
    let capital = doc
        .char(span.start)
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
    let mut before = span.start.saturating_sub(1);
    while before > 0 && doc.char(before - 1).is_some_and(|c| c == ' ' || c == '\t') {
        before -= 1;
    }
    let previous = before.checked_sub(1).and_then(|i| doc.char(i));
    let stands_alone = previous.is_none_or(|p| ",:;—–-(.!?\n".contains(p));
    if capital && stands_alone {
        QuoteKind::Direct
    } else {
        QuoteKind::Partial
    }
}

/// Whether the quote starting at `start` goes on from the quote ending (marks included) at
/// `previous_end` after a short attribution: `"We will," she said, "fight this."`.
fn continues_interrupted(doc: &Document, previous_end: usize, start: usize) -> bool {
    let gap = doc.slice(previous_end, start.saturating_sub(1));
    let before_gap = doc.slice(
        previous_end.saturating_sub(2),
        previous_end.saturating_sub(1),
    );
    before_gap == ","
        && gap.trim_end().ends_with(',')
        && gap.split_whitespace().count() <= 8
        && !gap.contains(['.', '!', '?', '\n'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quotes(text: &str) -> Vec<(String, QuoteKind)> {
        find(&Document::new(text))
            .into_iter()
            .map(|q| (q.text, q.kind))
            .collect()
    }

    #[test]
    fn straight_and_curly_double_and_single_marks_pair() {
        let text = "He said: \"We will win.\" She said: “We won’t.” They said: 'No way out.' \
                    I said: ‘Never again, ever.’";
        let found: Vec<String> = quotes(text).into_iter().map(|q| q.0).collect();
        assert_eq!(
            found,
            [
                "We will win.",
                "We won’t.",
                "No way out.",
                "Never again, ever."
            ]
        );
    }

    #[test]
    fn apostrophes_are_not_marks() {
        let text =
            "The teachers’ union said it didn't agree: ‘We can’t accept the teachers' pay offer.’";
        assert_eq!(
            quotes(text),
            [(
                "We can’t accept the teachers' pay offer.".to_owned(),
                QuoteKind::Direct
            )]
        );
    }

    #[test]
    fn a_quote_inside_a_quote_stays_in_the_outer_one() {
        let text = "She said: \"They called it 'a disgrace' and left.\"";
        assert_eq!(
            quotes(text),
            [(
                "They called it 'a disgrace' and left.".to_owned(),
                QuoteKind::Direct
            )]
        );
    }

    #[test]
    fn a_quote_continued_over_paragraphs_is_one_quote() {
        let text = "She said: “We will fight on the beaches.\n“We will never surrender.”\nNext.";
        let found = find(&Document::new(text));
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].text,
            "We will fight on the beaches.\nWe will never surrender."
        );
        assert_eq!((found[0].start, found[0].end), (11, 66));
    }

    #[test]
    fn partial_quotes_are_few_words_in_the_reporters_sentence() {
        let text = "Officials accused the minister of having \"let down\" voters.";
        assert_eq!(quotes(text), [("let down".to_owned(), QuoteKind::Partial)]);
    }

    #[test]
    fn an_interrupted_quote_keeps_its_kind_in_both_parts() {
        let text = "\"We will,\" she said, \"fight this to the end.\"";
        assert_eq!(
            quotes(text),
            [
                ("We will,".to_owned(), QuoteKind::Direct),
                ("fight this to the end.".to_owned(), QuoteKind::Direct)
            ]
        );
    }

    #[test]
    fn scare_quotes_titles_and_names_are_not_quotes() {
        let text = "The \"reforms\" were delayed. She read \"The Old Man and the Sea\" twice. \
                    The so-called \"special relationship between them\" is over. A plan \
                    dubbed 'operation clean sweep of the river' failed.";
        assert_eq!(quotes(text), []);
    }

    #[test]
    fn a_short_quote_with_a_reporting_verb_is_speech() {
        let text = "He warned that migration can \"destroy\" countries.";
        assert_eq!(quotes(text), [("destroy".to_owned(), QuoteKind::Partial)]);
    }
}
