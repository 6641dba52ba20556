//! The text being extracted from, split into paragraphs, with char offsets.

/// A paragraph: one non-empty line of the text, `[start, end)` in chars, without its line break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paragraph {
    pub start: usize,
    pub end: usize,
}

/// The text with its paragraphs and a char-offset index (the API counts chars, Rust slices bytes).
#[derive(Debug)]
pub struct Document {
    text: String,
    /// Every char, so rules can look at neighbours by char offset.
    chars: Vec<char>,
    /// Byte offset of every char, plus the text's length at the end.
    byte_of_char: Vec<usize>,
    paragraphs: Vec<Paragraph>,
}

impl Document {
    pub fn new(text: &str) -> Self {
        let mut byte_of_char: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        byte_of_char.push(text.len());
        let mut paragraphs = Vec::new();
        let mut start = 0;
        for (index, c) in text.chars().chain(std::iter::once('\n')).enumerate() {
            if c == '\n' {
                let paragraph = Paragraph { start, end: index };
                let line = &text[byte_of_char[start]..byte_of_char[index]];
                if !line.trim().is_empty() {
                    paragraphs.push(paragraph);
                }
                start = index + 1;
            }
        }
        Self {
            text: text.to_owned(),
            chars: text.chars().collect(),
            byte_of_char,
            paragraphs,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Length in chars.
    pub fn len(&self) -> usize {
        self.byte_of_char.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn paragraphs(&self) -> &[Paragraph] {
        &self.paragraphs
    }

    /// The text of chars `[start, end)`; out-of-range bounds are clamped.
    pub fn slice(&self, start: usize, end: usize) -> &str {
        let end = end.min(self.len());
        let start = start.min(end);
        &self.text[self.byte_of_char[start]..self.byte_of_char[end]]
    }

    /// The char at offset `index`, or `None` past the end.
    pub fn char(&self, index: usize) -> Option<char> {
        self.chars.get(index).copied()
    }

    /// The char offset of byte offset `byte` (which must be a char boundary of the text).
    pub fn char_at_byte(&self, byte: usize) -> usize {
        self.byte_of_char.partition_point(|&b| b < byte)
    }
}

/// Chars `[start, end)` of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Letters and digits, with inner apostrophes, hyphens and the dots of "U.S.".
    Word,
    /// One punctuation char.
    Punct,
    /// A whole quotation, marks included: the index of its span in the list given.
    Quote(usize),
}

/// A token: chars `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub kind: TokenKind,
}

/// Words before a full stop that do not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "Capt", "Co", "Col", "Corp", "Dr", "Gen", "Gov", "Inc", "Jr", "Lt", "Ltd", "Mr", "Mrs", "Ms",
    "Mt", "No", "Prof", "Rep", "Rev", "Sen", "Sgt", "Sr", "St", "vs", "Jan", "Feb", "Mar", "Apr",
    "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
];

const OPENING_MARKS: &[char] = &['"', '“', '‘', '\'', '«'];

impl Document {
    /// The sentences of the text in order. A sentence never crosses a paragraph and never ends
    /// inside one of `quotes` (sorted spans, marks included): a quotation that ends a sentence
    /// ends it after its closing mark.
    pub fn sentences(&self, quotes: &[Span]) -> Vec<Span> {
        let mut sentences = Vec::new();
        let mut next_quote = 0;
        for paragraph in &self.paragraphs {
            let mut start = paragraph.start;
            let mut index = paragraph.start;
            while index < paragraph.end {
                while next_quote < quotes.len() && quotes[next_quote].end <= index {
                    next_quote += 1;
                }
                let end = match quotes.get(next_quote) {
                    Some(quote) if quote.start <= index => {
                        // Inside a quotation: jump past it; it ends the sentence when its words do.
                        let after = quote.end.min(paragraph.end);
                        index = after;
                        let closes_sentence = quote.end <= paragraph.end
                            && after >= 2
                            && matches!(self.chars[after - 2], '.' | '!' | '?');
                        if closes_sentence && self.starts_sentence(after, paragraph.end) {
                            Some(after)
                        } else {
                            None
                        }
                    }
                    _ => {
                        let c = self.chars[index];
                        index += 1;
                        let ends = matches!(c, '.' | '!' | '?')
                            && !(c == '.' && self.abbreviation_before(index - 1))
                            && self.starts_sentence(index, paragraph.end);
                        ends.then_some(index)
                    }
                };
                if let Some(end) = end {
                    sentences.push(Span { start, end });
                    start = end;
                    while start < paragraph.end && self.chars[start].is_whitespace() {
                        start += 1;
                    }
                    index = index.max(start);
                }
            }
            if start < paragraph.end {
                sentences.push(Span {
                    start,
                    end: paragraph.end,
                });
            }
        }
        sentences
    }

    /// Whether a sentence may start after `index`: whitespace, then a capital, digit or opening
    /// mark (or the paragraph ends).
    fn starts_sentence(&self, index: usize, paragraph_end: usize) -> bool {
        if index >= paragraph_end {
            return true;
        }
        if !self.chars[index].is_whitespace() {
            return false;
        }
        let next = self.chars[index..paragraph_end]
            .iter()
            .find(|c| !c.is_whitespace());
        next.is_none_or(|&c| c.is_uppercase() || c.is_ascii_digit() || OPENING_MARKS.contains(&c))
    }

    /// Whether the word before the full stop at `dot` is an abbreviation or an initial.
    fn abbreviation_before(&self, dot: usize) -> bool {
        let mut start = dot;
        while start > 0 && self.chars[start - 1].is_alphabetic() {
            start -= 1;
        }
        let word = self.slice(start, dot);
        let initial = dot - start == 1 && word.chars().all(char::is_uppercase);
        initial || ABBREVIATIONS.contains(&word)
    }

    /// The tokens of chars `[start, end)`; each of `quotes` (sorted spans, marks included) that
    /// starts in the range is one token.
    pub fn tokens(&self, start: usize, end: usize, quotes: &[Span]) -> Vec<Token> {
        let mut tokens = Vec::new();
        let mut next_quote = quotes.partition_point(|quote| quote.start < start);
        let mut index = start;
        while index < end {
            if let Some(quote) = quotes.get(next_quote).filter(|quote| quote.start == index) {
                let quote_end = quote.end.min(end).max(index + 1);
                tokens.push(Token {
                    start: index,
                    end: quote_end,
                    kind: TokenKind::Quote(next_quote),
                });
                next_quote += 1;
                index = quote_end;
                continue;
            }
            let c = self.chars[index];
            if c.is_whitespace() {
                index += 1;
            } else if c.is_alphanumeric() {
                let word_start = index;
                index += 1;
                while index < end && self.continues_word(index, end) {
                    index += 1;
                }
                tokens.push(Token {
                    start: word_start,
                    end: index,
                    kind: TokenKind::Word,
                });
            } else {
                tokens.push(Token {
                    start: index,
                    end: index + 1,
                    kind: TokenKind::Punct,
                });
                index += 1;
            }
            while next_quote < quotes.len() && quotes[next_quote].start < index {
                next_quote += 1;
            }
        }
        tokens
    }

    /// Whether the char at `index` (after a word char) belongs to the same word.
    fn continues_word(&self, index: usize, end: usize) -> bool {
        let c = self.chars[index];
        if c.is_alphanumeric() {
            return true;
        }
        let next = (index + 1 < end).then(|| self.chars[index + 1]);
        let previous = self.chars[index - 1];
        match c {
            '\'' | '’' | '-' | '‐' => next.is_some_and(char::is_alphanumeric),
            // "U.S." keeps its dots: one capital between dots.
            '.' => {
                let before = index.checked_sub(2).map(|i| self.chars[i]);
                previous.is_uppercase()
                    && !before.is_some_and(char::is_alphabetic)
                    && (next.is_some_and(char::is_uppercase) || before == Some('.'))
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_are_the_non_empty_lines_in_chars() {
        let doc = Document::new("Héllo — world.\n\nNext line\n");
        assert_eq!(
            doc.paragraphs(),
            [
                Paragraph { start: 0, end: 14 },
                Paragraph { start: 16, end: 25 }
            ]
        );
        assert_eq!(doc.slice(0, 5), "Héllo");
        assert_eq!(doc.slice(16, 25), "Next line");
        assert_eq!(doc.char_at_byte("Héllo".len()), 5);
    }

    #[test]
    fn sentences_end_at_stops_but_not_after_titles_initials_or_inside_quotes() {
        let text = "Mr. Smith met U.S. officials. He said: \"We will. We must.\" Then he left.";
        let doc = Document::new(text);
        let quote_start = text.chars().position(|c| c == '"').unwrap_or(0);
        let quotes = [Span {
            start: quote_start,
            end: quote_start + 19,
        }];
        let sentences: Vec<&str> = doc
            .sentences(&quotes)
            .iter()
            .map(|s| doc.slice(s.start, s.end))
            .collect();
        assert_eq!(
            sentences,
            [
                "Mr. Smith met U.S. officials.",
                "He said: \"We will. We must.\"",
                "Then he left."
            ]
        );
    }

    #[test]
    fn tokens_keep_contractions_hyphens_and_acronym_dots_in_words() {
        let doc = Document::new("U.S. don't anti-Christian, “hi” Trump’s.");
        let quotes = [Span { start: 27, end: 31 }];
        let words: Vec<(&str, TokenKind)> = doc
            .tokens(0, doc.len(), &quotes)
            .iter()
            .map(|t| (doc.slice(t.start, t.end), t.kind))
            .collect();
        assert_eq!(
            words,
            [
                ("U.S.", TokenKind::Word),
                ("don't", TokenKind::Word),
                ("anti-Christian", TokenKind::Word),
                (",", TokenKind::Punct),
                ("“hi”", TokenKind::Quote(0)),
                ("Trump’s", TokenKind::Word),
                (".", TokenKind::Punct),
            ]
        );
    }
}
