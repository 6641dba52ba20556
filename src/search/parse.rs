//! The search syntax as a user types it, read into terms that the backends run safely.
//!
//! - words: every one must match (`housing plan`);
//! - `"an exact phrase"`; a quote left open runs to the end of the input;
//! - `prefix*`: words that begin with `prefix` (`immig*` finds "immigration");
//! - `OR` between terms: either will do (`asylum OR immigration starmer` means
//!   (asylum OR immigration) AND starmer — `OR` binds tighter than the implied AND);
//! - `-word`, `-"a phrase"`, `NOT word`: leave out what matches it.
//!
//! `OR`, `NOT` and `AND` are operators only in capitals; `AND` changes nothing. Anything else is
//! forgiven rather than refused: an operator with nothing to work on is dropped, and so is a term
//! without a letter or digit (punctuation, a lone `*` or `-`, emoji). What is left may be nothing
//! at all ([`SearchQuery::is_empty`]), which matches nothing.
//!
//! Terms keep the user's text apart from control characters, which are read as spaces. Each
//! backend then hands that text to its own tokenizer as one plain string (a bound parameter on
//! Postgres, a double-quoted string on SQLite), so no input can become query syntax there.

use std::fmt;

/// The longest `q` searched, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// The most terms (words, prefixes and phrases) in one `q`.
pub const MAX_TERMS: usize = 32;

/// A parsed search: every clause must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchQuery {
    pub(super) clauses: Vec<Clause>,
}

/// One condition of a search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Clause {
    /// At least one of the terms matches (a single term: that term matches).
    AnyOf(Vec<Term>),
    /// The term does not match.
    Not(Term),
}

/// A word, a prefix or a phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Term {
    /// The text as typed: one word, or several for a phrase (or a word with punctuation inside,
    /// like `U.S.` or `anti-Christian`). Never empty, never a control character or `"`, and it
    /// holds at least one letter or digit.
    pub text: String,
    /// Whether the last word is a prefix (`immig*`).
    pub prefix: bool,
}

impl Term {
    fn new(text: &str, prefix: bool) -> Option<Term> {
        let text = text.trim();
        text.chars().any(char::is_alphanumeric).then(|| Term {
            text: text.to_owned(),
            prefix,
        })
    }

    /// The runs of letters and digits in the text: the words a prefix search joins into a phrase.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
    }
}

/// Why a `q` cannot be searched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchError {
    TooLong,
    TooManyTerms,
    /// Only `-word` / `NOT word`: nothing to look for.
    OnlyExclusions,
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SearchError::TooLong => write!(
                f,
                "is longer than {MAX_QUERY_CHARS} characters; search for fewer words"
            ),
            SearchError::TooManyTerms => write!(
                f,
                "has more than {MAX_TERMS} words, prefixes and phrases; search for fewer"
            ),
            SearchError::OnlyExclusions => write!(
                f,
                "only leaves words out (`-word`, `NOT word`); add a word to search for"
            ),
        }
    }
}

impl std::error::Error for SearchError {}

/// What the tokenizer sees.
#[derive(Debug)]
enum Token {
    /// A word, prefix or phrase (`None` when it has no letter or digit), excluded with a leading `-`.
    Term {
        term: Option<Term>,
        excluded: bool,
    },
    Or,
    Not,
}

/// Splits the input into terms and operators.
fn tokens(input: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = input
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .peekable();
    // A `-` right before an opening quote excludes the phrase.
    let mut exclude_phrase = false;
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match chars.peek() {
            None => break,
            Some('"') => {
                chars.next();
                let phrase: String = std::iter::from_fn(|| chars.next_if(|c| *c != '"')).collect();
                chars.next(); // the closing quote, if there is one
                let mut prefix = false;
                while chars.next_if_eq(&'*').is_some() {
                    prefix = true;
                }
                tokens.push(Token::Term {
                    term: Term::new(&phrase, prefix),
                    excluded: std::mem::take(&mut exclude_phrase),
                });
            }
            Some(_) => {
                let bare: String =
                    std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != '"'))
                        .collect();
                match bare.as_str() {
                    "OR" => tokens.push(Token::Or),
                    "NOT" => tokens.push(Token::Not),
                    "AND" => {}
                    _ => {
                        let word = bare.trim_start_matches('-');
                        let excluded = word.len() < bare.len();
                        if word.is_empty() && excluded && chars.peek() == Some(&'"') {
                            exclude_phrase = true;
                            continue;
                        }
                        let stem = word.trim_end_matches('*');
                        tokens.push(Token::Term {
                            term: Term::new(stem.trim_start_matches('*'), stem.len() < word.len()),
                            excluded,
                        });
                    }
                }
            }
        }
    }
    tokens
}

/// What the last operator asked of the next term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Nothing,
    Or,
    Not,
}

/// Reads a user's search. Never fails on syntax: only on size, or on a search that only excludes.
pub fn parse(input: &str) -> Result<SearchQuery, SearchError> {
    if input.chars().count() > MAX_QUERY_CHARS {
        return Err(SearchError::TooLong);
    }
    let mut clauses: Vec<Clause> = Vec::new();
    let mut pending = Pending::Nothing;
    for token in tokens(input) {
        match token {
            Token::Or => {
                // `OR` joins a term to the alternatives before it; at the start, after an
                // excluded term or after another operator it has nothing to join.
                if pending == Pending::Nothing && matches!(clauses.last(), Some(Clause::AnyOf(_))) {
                    pending = Pending::Or;
                }
            }
            Token::Not => pending = Pending::Not,
            Token::Term { term, excluded } => {
                let operator = std::mem::replace(&mut pending, Pending::Nothing);
                let Some(term) = term else { continue };
                if excluded || operator == Pending::Not {
                    clauses.push(Clause::Not(term));
                } else if let (Pending::Or, Some(Clause::AnyOf(terms))) =
                    (operator, clauses.last_mut())
                {
                    terms.push(term);
                } else {
                    clauses.push(Clause::AnyOf(vec![term]));
                }
            }
        }
    }
    let terms: usize = clauses
        .iter()
        .map(|clause| match clause {
            Clause::AnyOf(terms) => terms.len(),
            Clause::Not(_) => 1,
        })
        .sum();
    if terms > MAX_TERMS {
        return Err(SearchError::TooManyTerms);
    }
    let looks_for_something = clauses.iter().any(|c| matches!(c, Clause::AnyOf(_)));
    if !clauses.is_empty() && !looks_for_something {
        return Err(SearchError::OnlyExclusions);
    }
    Ok(SearchQuery { clauses })
}

impl SearchQuery {
    /// True when the input had no word to search for; such a search matches nothing.
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// The search as an FTS5 query string: every term double-quoted, so FTS5 reads none of the
    /// user's text as syntax; its own tokenizer splits a term into words.
    pub fn to_fts5(&self) -> String {
        fn quoted(term: &Term) -> String {
            let star = if term.prefix { "*" } else { "" };
            format!("\"{}\"{star}", term.text.replace('"', "\"\""))
        }
        let mut wanted = Vec::new();
        let mut unwanted = Vec::new();
        for clause in &self.clauses {
            match clause {
                Clause::AnyOf(terms) if terms.len() == 1 => wanted.push(quoted(&terms[0])),
                Clause::AnyOf(terms) => wanted.push(format!(
                    "({})",
                    terms.iter().map(quoted).collect::<Vec<_>>().join(" OR ")
                )),
                Clause::Not(term) => unwanted.push(quoted(term)),
            }
        }
        let wanted = wanted.join(" AND ");
        if unwanted.is_empty() {
            wanted
        } else {
            format!("({wanted}) NOT ({})", unwanted.join(" OR "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(text: &str) -> Term {
        Term {
            text: text.to_owned(),
            prefix: false,
        }
    }

    fn prefix(text: &str) -> Term {
        Term {
            text: text.to_owned(),
            prefix: true,
        }
    }

    fn any(terms: &[Term]) -> Clause {
        Clause::AnyOf(terms.to_vec())
    }

    fn clauses(input: &str) -> Vec<Clause> {
        parse(input).expect(input).clauses
    }

    #[test]
    fn words_phrases_prefixes_and_operators_read_as_a_user_means_them() {
        let cases: Vec<(&str, Vec<Clause>)> = vec![
            ("housing", vec![any(&[term("housing")])]),
            (
                "housing  plan",
                vec![any(&[term("housing")]), any(&[term("plan")])],
            ),
            ("\"let down\"", vec![any(&[term("let down")])]),
            ("immig*", vec![any(&[prefix("immig")])]),
            ("\"mass migr\"*", vec![any(&[prefix("mass migr")])]),
            (
                "asylum OR immigration starmer",
                vec![
                    any(&[term("asylum"), term("immigration")]),
                    any(&[term("starmer")]),
                ],
            ),
            (
                "a OR b OR \"c d\"",
                vec![any(&[term("a"), term("b"), term("c d")])],
            ),
            (
                "migration -trump",
                vec![any(&[term("migration")]), Clause::Not(term("trump"))],
            ),
            (
                "migration NOT trump",
                vec![any(&[term("migration")]), Clause::Not(term("trump"))],
            ),
            (
                "migration -\"small boats\"",
                vec![any(&[term("migration")]), Clause::Not(term("small boats"))],
            ),
            (
                "migration -immig*",
                vec![any(&[term("migration")]), Clause::Not(prefix("immig"))],
            ),
            (
                "housing AND plan",
                vec![any(&[term("housing")]), any(&[term("plan")])],
            ),
            // Operators only in capitals.
            (
                "cats or dogs",
                vec![
                    any(&[term("cats")]),
                    any(&[term("or")]),
                    any(&[term("dogs")]),
                ],
            ),
            ("Élysée", vec![any(&[term("Élysée")])]),
            ("U.S.", vec![any(&[term("U.S.")])]),
            ("anti-Christian", vec![any(&[term("anti-Christian")])]),
            ("it's", vec![any(&[term("it's")])]),
            // A quote inside a word ends it.
            (
                "foo\"bar baz\"",
                vec![any(&[term("foo")]), any(&[term("bar baz")])],
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(clauses(input), expected, "{input:?}");
        }
    }

    #[test]
    fn malformed_input_is_forgiven() {
        let cases: Vec<(&str, Vec<Clause>)> = vec![
            ("\"let down", vec![any(&[term("let down")])]),
            (
                "let down\"",
                vec![any(&[term("let")]), any(&[term("down")])],
            ),
            ("\"\"", vec![]),
            ("\"", vec![]),
            ("\"\"\"", vec![]),
            ("*", vec![]),
            ("**immig**", vec![any(&[prefix("immig")])]),
            ("-", vec![]),
            ("--", vec![]),
            ("- housing", vec![any(&[term("housing")])]),
            (
                "--housing plan",
                vec![Clause::Not(term("housing")), any(&[term("plan")])],
            ),
            ("OR", vec![]),
            ("OR OR", vec![]),
            ("NOT", vec![]),
            ("AND", vec![]),
            ("OR housing", vec![any(&[term("housing")])]),
            ("housing OR", vec![any(&[term("housing")])]),
            (
                "housing OR OR plan",
                vec![any(&[term("housing"), term("plan")])],
            ),
            (
                "-trump OR migration",
                vec![Clause::Not(term("trump")), any(&[term("migration")])],
            ),
            (
                "housing OR -trump",
                vec![any(&[term("housing")]), Clause::Not(term("trump"))],
            ),
            (
                "housing OR NOT trump",
                vec![any(&[term("housing")]), Clause::Not(term("trump"))],
            ),
            // An operator whose operand is dropped does not reach past it.
            ("NOT !!! housing", vec![any(&[term("housing")])]),
            ("!!! ??? ...", vec![]),
            ("😀 🎉", vec![]),
            ("\0\0", vec![]),
            ("a\0b", vec![any(&[term("a")]), any(&[term("b")])]),
            (
                "\u{7}bell\ttab\nline",
                vec![
                    any(&[term("bell")]),
                    any(&[term("tab")]),
                    any(&[term("line")]),
                ],
            ),
            (
                "'; DROP TABLE articles; --",
                vec![
                    any(&[term("DROP")]),
                    any(&[term("TABLE")]),
                    any(&[term("articles;")]),
                ],
            ),
            ("", vec![]),
            ("   ", vec![]),
        ];
        for (input, expected) in cases {
            assert_eq!(clauses(input), expected, "{input:?}");
        }
    }

    #[test]
    fn oversized_and_exclusion_only_searches_are_refused() {
        assert_eq!(parse(&"a".repeat(1001)), Err(SearchError::TooLong));
        assert!(parse(&"é".repeat(1000)).is_ok(), "chars, not bytes");
        let words = vec!["w"; 33].join(" ");
        assert_eq!(parse(&words), Err(SearchError::TooManyTerms));
        assert!(parse(&vec!["w"; 32].join(" ")).is_ok());
        assert_eq!(parse("-trump"), Err(SearchError::OnlyExclusions));
        assert_eq!(
            parse("NOT trump -\"x y\""),
            Err(SearchError::OnlyExclusions)
        );
        // Dropped terms are not counted.
        assert!(parse(&vec!["!"; 200].join(" ")).is_ok());
    }

    #[test]
    fn fts5_strings_quote_every_term() {
        let cases = [
            ("housing", "\"housing\""),
            ("housing plan", "\"housing\" AND \"plan\""),
            ("immig*", "\"immig\"*"),
            ("\"let down\"", "\"let down\""),
            (
                "asylum OR immigration starmer",
                "(\"asylum\" OR \"immigration\") AND \"starmer\"",
            ),
            (
                "migration -trump NOT \"small boats\"",
                "(\"migration\") NOT (\"trump\" OR \"small boats\")",
            ),
            ("NEAR(a b)", "\"NEAR(a\" AND \"b)\""),
            ("col:value", "\"col:value\""),
            ("^start", "\"^start\""),
        ];
        for (input, expected) in cases {
            assert_eq!(parse(input).expect(input).to_fts5(), expected, "{input:?}");
        }
    }

    #[test]
    fn prefix_words_are_letters_and_digits_only() {
        let query = parse("u.s.-bor*").expect("parses");
        let Clause::AnyOf(terms) = &query.clauses[0] else {
            panic!("not a term: {query:?}")
        };
        assert_eq!(terms[0].words().collect::<Vec<_>>(), ["u", "s", "bor"]);
    }

    /// Random garbage from an alphabet of the characters that matter: every result is a valid
    /// query or a refusal, and no term carries a quote or control character.
    #[test]
    fn random_garbage_never_panics_and_never_leaks_syntax() {
        use rand::{Rng, SeedableRng};
        let alphabet: Vec<char> = "ab Z9 \"*-()'\\:^;.,!?\0\t\n é😀ORNTAD\u{301}\u{202e}"
            .chars()
            .collect();
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        for _ in 0..20_000 {
            let len = rng.random_range(0..40);
            let input: String = (0..len)
                .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                .collect();
            let Ok(query) = parse(&input) else { continue };
            for clause in &query.clauses {
                let terms = match clause {
                    Clause::AnyOf(terms) => terms.clone(),
                    Clause::Not(term) => vec![term.clone()],
                };
                assert!(!terms.is_empty(), "{input:?}");
                for term in terms {
                    assert!(
                        !term.text.contains('"') && !term.text.chars().any(char::is_control),
                        "{input:?} gave {term:?}"
                    );
                    assert!(term.words().next().is_some(), "{input:?} gave {term:?}");
                }
            }
            let fts5 = query.to_fts5();
            assert_eq!(fts5.matches('"').count() % 2, 0, "{input:?} gave {fts5}");
        }
    }
}
