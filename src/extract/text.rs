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

    /// The char offset of byte offset `byte` (which must be a char boundary of the text).
    pub fn char_at_byte(&self, byte: usize) -> usize {
        self.byte_of_char.partition_point(|&b| b < byte)
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
}
