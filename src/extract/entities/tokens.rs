//! Words of the text with their char spans, shape and place in the sentence: what name finding
//! reads instead of the raw chars.

use super::super::text::Document;

/// How a word is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Starts with an upper-case letter and has lower case after it ("Starmer", "McDonald").
    Capitalised,
    /// Upper-case letters only, two or more ("NHS", "U.S.", "G7").
    Acronym,
    /// Anything else: lower case, digits.
    Lower,
}

impl Shape {
    pub fn is_capitalised(self) -> bool {
        matches!(self, Shape::Capitalised | Shape::Acronym)
    }
}

/// One word: chars `[start, end)` of the body, without a possessive `'s`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    /// The word as written (curly apostrophes made straight), without a possessive `'s`.
    pub text: String,
    /// Written with a possessive `'s` (or a bare `'` after an `s`); a name ends here.
    pub possessive: bool,
    pub shape: Shape,
    /// Opens a sentence, a paragraph, a quotation or a clause after a colon: capitalised by
    /// position, not because it names anything.
    pub sentence_start: bool,
    /// Follows the previous token with only spaces between (so both can be one name).
    pub joined: bool,
    /// Follows the previous token after a comma and spaces (an item of a list that may be one
    /// organisation's name: "Ministry of Housing, Communities and Local Government").
    pub after_comma: bool,
    /// Index of the paragraph holding it.
    pub paragraph: usize,
}

impl Token {
    /// The word without a trailing abbreviation period ("Mr." → "Mr"; "U.S." stays).
    pub fn bare(&self) -> &str {
        if self.text.matches('.').count() == 1 {
            self.text.trim_end_matches('.')
        } else {
            &self.text
        }
    }
}

/// Abbreviations whose period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "St", "Mt", "Ft", "Gen", "Sen", "Rep", "Gov", "Lt", "Col", "Capt",
    "Sgt", "Prof", "Rev", "Jr", "Sr", "Inc", "Ltd", "Co", "Corp", "No", "Cllr", "Hon", "Supt",
    "Insp", "Det", "Adm", "Maj", "Cmdr", "Fr", "Pres", "Gov",
];

/// Abbreviations that stand before a name, so the word after them does not open a sentence.
const NAME_PREFIXES: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "St", "Mt", "Gen", "Sen", "Rep", "Gov", "Lt", "Col", "Capt", "Sgt",
    "Prof", "Rev", "Cllr", "Hon", "Supt", "Insp", "Det", "Adm", "Maj", "Cmdr", "Fr", "Pres",
];

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Joins two runs of letters or digits inside one word: "don't", "Jean-Luc", "U.S", "AT&T".
fn is_inner(c: char) -> bool {
    is_apostrophe(c) || matches!(c, '-' | '.' | '&' | '\u{2011}')
}

/// Marks after which a word is capitalised by position: quotation marks, brackets, a colon, and
/// the dash after a dateline ("WASHINGTON — Lawmakers ...").
fn is_opening_mark(c: char) -> bool {
    matches!(
        c,
        '"' | '\u{201C}'
            | '\u{2018}'
            | '\''
            | '('
            | '['
            | ':'
            | '\u{201E}'
            | '\u{00AB}'
            | '\u{2014}'
            | '\u{2013}'
    )
}

fn shape_of(word: &str) -> Shape {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    let Some(first) = word.chars().next() else {
        return Shape::Lower;
    };
    if first.is_uppercase() {
        if letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase()) {
            return Shape::Acronym;
        }
        return Shape::Capitalised;
    }
    // Arabic name particles: "al-Assad", "bin-Salman" are capitalised names.
    if let Some((particle, rest)) = word.split_once('-') {
        let is_particle = matches!(particle, "al" | "el" | "ad" | "as" | "bin" | "ibn" | "abu");
        if is_particle && rest.chars().next().is_some_and(char::is_uppercase) {
            return Shape::Capitalised;
        }
    }
    Shape::Lower
}

/// The words of `doc`, paragraph by paragraph, in text order.
pub fn tokenize(doc: &Document) -> Vec<Token> {
    let chars: Vec<char> = doc.text().chars().collect();
    let mut tokens: Vec<Token> = Vec::new();
    for (paragraph, p) in doc.paragraphs().iter().enumerate() {
        let mut gap_start = p.start;
        let mut previous: Option<usize> = None;
        let mut i = p.start;
        while i < p.end {
            if !chars[i].is_alphanumeric() {
                i += 1;
                continue;
            }
            let (word_end, surface_end, possessive) = scan_word(&chars, i, p.end);
            let text: String = chars[i..word_end]
                .iter()
                .map(|&c| if is_apostrophe(c) { '\'' } else { c })
                .collect();
            let gap = &chars[gap_start..i];
            let after_period = previous.is_some_and(|index| {
                let before: &Token = &tokens[index];
                before.text.ends_with('.') && !NAME_PREFIXES.contains(&before.bare()) && {
                    let letters = before.bare().chars().filter(|c| c.is_alphabetic()).count();
                    letters > 1
                }
            });
            let sentence_start = previous.is_none()
                || after_period
                || gap
                    .iter()
                    .any(|&c| matches!(c, '.' | '!' | '?' | '\u{2026}') || is_opening_mark(c));
            let joined = previous.is_some_and(|index| !tokens[index].possessive)
                && !after_period
                && !gap.is_empty()
                && gap.iter().all(|&c| c == ' ' || c == '\u{00A0}');
            let after_comma = previous.is_some()
                && gap.first() == Some(&',')
                && gap.len() > 1
                && gap[1..].iter().all(|&c| c == ' ' || c == '\u{00A0}');
            tokens.push(Token {
                start: i,
                end: word_end,
                shape: shape_of(&text),
                text,
                possessive,
                sentence_start,
                joined,
                after_comma,
                paragraph,
            });
            previous = Some(tokens.len() - 1);
            gap_start = surface_end;
            i = surface_end;
        }
    }
    tokens
}

/// Reads one word from `start`: returns where the name part ends, where the written word ends
/// (after a possessive or an abbreviation period), and whether it is possessive.
fn scan_word(chars: &[char], start: usize, limit: usize) -> (usize, usize, bool) {
    let mut end = start + 1;
    loop {
        while end < limit && chars[end].is_alphanumeric() {
            end += 1;
        }
        if end + 1 < limit && is_inner(chars[end]) && chars[end + 1].is_alphanumeric() {
            end += 1;
            continue;
        }
        break;
    }
    let word: String = chars[start..end].iter().collect();
    // "U.S." and "J." (an initial) and "Mr." keep their period.
    let is_initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
    if end < limit
        && chars[end] == '.'
        && (word.contains('.') || is_initial || ABBREVIATIONS.contains(&word.as_str()))
    {
        return (end + 1, end + 1, false);
    }
    let length = end - start;
    if length > 2 && is_apostrophe(chars[end - 2]) && matches!(chars[end - 1], 's' | 'S') {
        return (end - 2, end, true);
    }
    if end < limit && is_apostrophe(chars[end]) && chars[end - 1] == 's' {
        let next_is_letter = chars.get(end + 1).is_some_and(|c| c.is_alphanumeric());
        if !next_is_letter {
            return (end, end + 1, true);
        }
    }
    (end, end, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Token> {
        tokenize(&Document::new(text))
    }

    #[test]
    fn possessives_are_cut_from_the_name_and_end_it() {
        let tokens = words("Donald Trump's visit");
        assert_eq!(tokens[1].text, "Trump");
        assert_eq!((tokens[1].start, tokens[1].end), (7, 12));
        assert!(tokens[1].possessive);
        assert!(!tokens[2].joined);
    }

    #[test]
    fn curly_possessives_and_plural_possessives_are_cut_too() {
        let tokens = words("Britain\u{2019}s border and the Smiths' house");
        assert_eq!(tokens[0].text, "Britain");
        assert!(tokens[0].possessive);
        assert_eq!(tokens[4].text, "Smiths");
        assert!(tokens[4].possessive);
    }

    #[test]
    fn abbreviations_keep_their_period_and_do_not_open_a_sentence() {
        let tokens = words("Mr. Smith met U.S. officials. Then Dr. Jones left.");
        assert_eq!(tokens[0].text, "Mr.");
        assert_eq!(tokens[0].bare(), "Mr");
        assert!(!tokens[1].sentence_start);
        assert!(tokens[1].joined);
        assert_eq!(tokens[3].text, "U.S.");
        assert_eq!(tokens[3].shape, Shape::Acronym);
        assert!(tokens[5].sentence_start);
        assert!(!tokens[7].sentence_start);
    }

    #[test]
    fn quotes_and_colons_open_a_sentence() {
        let tokens = words("He stated: \"The plan\" and \u{201C}Every day\u{201D}.");
        assert!(tokens[2].sentence_start);
        assert!(tokens[5].sentence_start);
        assert!(!tokens[3].sentence_start);
    }

    #[test]
    fn hyphenated_words_are_one_token_shaped_by_their_first_letter() {
        let tokens = words("anti-Christian attacks by al-Qaeda and Rolls-Royce");
        assert_eq!(tokens[0].shape, Shape::Lower);
        assert_eq!(tokens[3].text, "al-Qaeda");
        assert_eq!(tokens[3].shape, Shape::Capitalised);
        assert_eq!(tokens[5].text, "Rolls-Royce");
    }

    #[test]
    fn char_offsets_survive_multibyte_text() {
        let tokens = words("Crisis \u{2014} Sinn F\u{e9}in and Europe");
        assert_eq!(tokens[2].text, "F\u{e9}in");
        assert_eq!((tokens[4].start, tokens[4].end), (23, 29));
    }
}
