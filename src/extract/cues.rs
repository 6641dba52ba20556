//! Word lists the quote and speaker rules share: reporting verbs ("cues"), role nouns, document
//! nouns, pronouns and the small function words that bound a speaker phrase. All lookups take a
//! word as written and compare case-insensitively (ASCII), without allocating.

/// Reporting verbs, every inflection written out: (form, particle it needs, takes an object).
/// "pointed to" needs "to"; "told" takes a listener as object, so a name after it is not the
/// speaker.
const CUES: &[(&str, Option<&str>, bool)] = &[
    ("accuse", None, true),
    ("accused", None, true),
    ("accuses", None, true),
    ("accusing", None, true),
    ("add", None, false),
    ("added", None, false),
    ("adding", None, false),
    ("adds", None, false),
    ("acknowledged", None, false),
    ("acknowledges", None, false),
    ("admitted", None, false),
    ("admits", None, false),
    ("admitting", None, false),
    ("announced", None, false),
    ("announces", None, false),
    ("answered", None, false),
    ("argue", None, false),
    ("argued", None, false),
    ("argues", None, false),
    ("arguing", None, false),
    ("asked", None, true),
    ("asks", None, true),
    ("assured", None, true),
    ("attribute", None, true),
    ("attributed", None, true),
    ("attributes", None, true),
    ("boasted", None, false),
    ("branded", None, true),
    ("called", None, true),
    ("calling", None, true),
    ("calls", None, true),
    ("cautioned", None, false),
    ("cite", None, true),
    ("cited", None, true),
    ("cites", None, true),
    ("citing", None, true),
    ("claim", None, false),
    ("claimed", None, false),
    ("claiming", None, false),
    ("claims", None, false),
    ("commented", None, false),
    ("complained", None, false),
    ("conceded", None, false),
    ("concedes", None, false),
    ("concluded", None, false),
    ("concludes", None, false),
    ("confirmed", None, false),
    ("confirms", None, false),
    ("continued", None, false),
    ("continues", None, false),
    ("countered", None, false),
    ("declared", None, false),
    ("declares", None, false),
    ("demanded", None, false),
    ("denied", None, false),
    ("described", None, true),
    ("describes", None, true),
    ("describing", None, true),
    ("emphasised", None, false),
    ("emphasises", None, false),
    ("emphasized", None, false),
    ("emphasizes", None, false),
    ("explained", None, false),
    ("explains", None, false),
    ("exclaimed", None, false),
    ("insist", None, false),
    ("insisted", None, false),
    ("insisting", None, false),
    ("insists", None, false),
    ("joked", None, false),
    ("mention", None, true),
    ("mentioned", None, true),
    ("mentions", None, true),
    ("noted", None, false),
    ("notes", None, false),
    ("noting", None, false),
    ("observed", None, false),
    ("point", Some("to"), true),
    ("pointed", Some("to"), true),
    ("pointing", Some("to"), true),
    ("points", Some("to"), true),
    ("pledged", None, false),
    ("posted", None, false),
    ("predicted", None, false),
    ("promised", None, false),
    ("quipped", None, false),
    ("recalled", None, false),
    ("recalls", None, false),
    ("remarked", None, false),
    ("replied", None, false),
    ("reported", None, false),
    ("responded", None, false),
    ("said", None, false),
    ("say", None, false),
    ("saying", None, false),
    ("says", None, false),
    ("shouted", None, false),
    ("state", None, false),
    ("stated", None, false),
    ("states", None, false),
    ("stating", None, false),
    ("stressed", None, false),
    ("stresses", None, false),
    ("suggested", None, false),
    ("suggests", None, false),
    ("tell", None, true),
    ("telling", None, true),
    ("tells", None, true),
    ("told", None, true),
    ("tweeted", None, false),
    ("urged", None, true),
    ("urges", None, true),
    ("vowed", None, false),
    ("vows", None, false),
    ("warn", None, true),
    ("warned", None, true),
    ("warning", None, true),
    ("warns", None, true),
    ("wrote", None, false),
    ("writes", None, false),
    ("writing", None, false),
];

/// Nouns naming someone by role: the head of a speaker phrase with no name in it.
const ROLE_NOUNS: &[&str] = &[
    "adviser",
    "advisers",
    "advisor",
    "advisors",
    "aide",
    "aides",
    "analyst",
    "analysts",
    "ambassador",
    "campaigner",
    "campaigners",
    "chair",
    "chairman",
    "chairwoman",
    "chancellor",
    "chief",
    "coach",
    "commissioner",
    "critics",
    "diplomat",
    "diplomats",
    "director",
    "doctor",
    "doctors",
    "economist",
    "economists",
    "executive",
    "envoy",
    "expert",
    "experts",
    "founder",
    "governor",
    "head",
    "insider",
    "insiders",
    "lawyer",
    "lawyers",
    "leader",
    "leaders",
    "manager",
    "mayor",
    "member",
    "members",
    "minister",
    "ministers",
    "mp",
    "mps",
    "officer",
    "officers",
    "official",
    "officials",
    "owner",
    "police",
    "president",
    "prosecutor",
    "prosecutors",
    "representative",
    "researcher",
    "researchers",
    "barrister",
    "solicitor",
    "professor",
    "scientist",
    "scientists",
    "resident",
    "residents",
    "secretary",
    "senator",
    "source",
    "sources",
    "spokesman",
    "spokesperson",
    "spokeswoman",
    "teacher",
    "teachers",
    "witness",
    "witnesses",
];

/// Nouns that stand for a named organisation once it has been named: "the council", "the
/// department".
const BODY_NOUNS: &[&str] = &[
    "agency",
    "association",
    "authority",
    "bank",
    "board",
    "charity",
    "club",
    "commission",
    "committee",
    "company",
    "council",
    "department",
    "federation",
    "firm",
    "foundation",
    "institute",
    "ministry",
    "party",
    "regulator",
    "trust",
    "union",
    "university",
];

/// Nouns for writings that "say" things: the memo, the report, the cable.
const DOCUMENT_NOUNS: &[&str] = &[
    "analysis",
    "briefing",
    "cable",
    "document",
    "email",
    "filing",
    "guidance",
    "letter",
    "memo",
    "memorandum",
    "note",
    "paper",
    "report",
    "review",
    "statement",
    "study",
    "survey",
];

/// Words that may sit inside a speaker phrase before its head: determiners and role adjectives.
const PHRASE_WORDS: &[&str] = &[
    "a",
    "an",
    "another",
    "acting",
    "anonymous",
    "chief",
    "confidential",
    "deputy",
    "federal",
    "fellow",
    "foreign",
    "former",
    "his",
    "her",
    "its",
    "junior",
    "leaked",
    "leading",
    "local",
    "new",
    "one",
    "other",
    "our",
    "press",
    "prominent",
    "senior",
    "several",
    "some",
    "the",
    "their",
    "top",
    "two",
    "unnamed",
    "veteran",
];

/// Adverbs and auxiliaries that may stand between a speaker and the cue ("she later said",
/// "Smith has repeatedly warned").
const BETWEEN_WORDS: &[&str] = &[
    "again",
    "also",
    "already",
    "did",
    "earlier",
    "had",
    "has",
    "have",
    "later",
    "once",
    "then",
    "previously",
    "still",
    "was",
    "were",
    "will",
    "would",
];

/// Capitalised words that open sentences without naming anyone.
const OPENERS: &[&str] = &[
    "after",
    "although",
    "and",
    "as",
    "at",
    "before",
    "but",
    "despite",
    "during",
    "earlier",
    "following",
    "however",
    "in",
    "last",
    "later",
    "meanwhile",
    "now",
    "on",
    "separately",
    "since",
    "so",
    "speaking",
    "then",
    "though",
    "today",
    "when",
    "while",
    "yesterday",
    "yet",
];

/// Words before a quote that introduce a name or a title rather than speech.
const NAMING_WORDS: &[&str] = &[
    "codenamed",
    "dubbed",
    "entitled",
    "hashtag",
    "headline",
    "headlined",
    "motto",
    "nicknamed",
    "phrase",
    "slogan",
    "so-called",
    "term",
    "termed",
    "titled",
    "word",
];

/// Function words a Title Case title leaves in lower case.
const SMALL_WORDS: &[&str] = &[
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of", "on",
    "or", "over", "the", "to", "up", "vs", "with",
];

/// Titles written short, with a full stop or without: "Sen. Maria Delgado", "Dr Angela Reyes".
const TITLE_ABBREVIATIONS: &[&str] = &[
    "Capt", "Cllr", "Col", "Dr", "Gen", "Gov", "Insp", "Lt", "Maj", "Mr", "Mrs", "Ms", "Mx",
    "Prof", "Rep", "Rev", "Sen", "Sgt", "Supt",
];

/// A reporting verb: its particle ("to" in "pointed to") and whether it takes a listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cue {
    pub particle: Option<&'static str>,
    pub takes_object: bool,
}

fn contains(list: &[&str], word: &str) -> bool {
    list.iter().any(|entry| entry.eq_ignore_ascii_case(word))
}

/// The cue `word` is, if it is a reporting verb. A capitalised word is not one: "States" in
/// "the United States" is a name.
pub fn cue(word: &str) -> Option<Cue> {
    if word.starts_with(char::is_uppercase) {
        return None;
    }
    CUES.iter()
        .find(|(form, _, _)| form.eq_ignore_ascii_case(word))
        .map(|&(_, particle, takes_object)| Cue {
            particle,
            takes_object,
        })
}

pub fn is_role_noun(word: &str) -> bool {
    contains(
        ROLE_NOUNS,
        word.trim_end_matches("'s").trim_end_matches("’s"),
    )
}

/// Whether `word` is a short title ("Sen", "Dr") that a full stop may follow inside a name.
pub fn is_title_abbreviation(word: &str) -> bool {
    TITLE_ABBREVIATIONS.contains(&word)
}

pub fn is_body_noun(word: &str) -> bool {
    contains(BODY_NOUNS, word)
}

pub fn is_document_noun(word: &str) -> bool {
    contains(DOCUMENT_NOUNS, word)
}

pub fn is_phrase_word(word: &str) -> bool {
    contains(PHRASE_WORDS, word)
}

pub fn is_between_word(word: &str) -> bool {
    contains(BETWEEN_WORDS, word)
        || (word.len() > 4 && word.ends_with("ly") && word.chars().all(char::is_lowercase))
}

pub fn is_opener(word: &str) -> bool {
    contains(OPENERS, word)
}

pub fn is_naming_word(word: &str) -> bool {
    contains(NAMING_WORDS, word)
}

pub fn is_small_word(word: &str) -> bool {
    contains(SMALL_WORDS, word)
}

/// A personal pronoun that can be a speaker, with its gender when it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pronoun {
    He,
    She,
    /// "it", "they": an organisation, a document, or a group.
    It,
}

pub fn pronoun(word: &str) -> Option<Pronoun> {
    match word.to_ascii_lowercase().as_str() {
        "he" => Some(Pronoun::He),
        "she" => Some(Pronoun::She),
        "it" | "they" => Some(Pronoun::It),
        _ => None,
    }
}

/// The gender a title before a name gives: Some(true) male, Some(false) female.
pub fn title_gender(word: &str) -> Option<bool> {
    let word = word.trim_end_matches('.');
    if contains(
        &["mr", "sir", "lord", "king", "prince", "father", "brother"],
        word,
    ) {
        Some(true)
    } else if contains(
        &[
            "mrs", "ms", "miss", "dame", "lady", "baroness", "queen", "princess", "sister",
        ],
        word,
    ) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_are_lower_case_words_with_their_particle() {
        assert_eq!(cue("States"), None);
        assert_eq!(
            cue("said"),
            Some(Cue {
                particle: None,
                takes_object: false
            })
        );
        assert_eq!(cue("pointed").and_then(|c| c.particle), Some("to"));
        assert!(cue("told").is_some_and(|c| c.takes_object));
        assert_eq!(cue("issued"), None);
    }

    #[test]
    fn adverbs_may_stand_between_speaker_and_cue() {
        assert!(is_between_word("largely"));
        assert!(is_between_word("also"));
        assert!(!is_between_word("Italy"));
    }
}
