//! Candidate names: capitalised runs of words, cut by the gazetteer, cleaned of sentence-initial
//! words, heading title case and role titles, then typed by rule.

use std::collections::HashSet;
use std::ops::Range;

use super::super::text::Document;
use super::gazetteer::{self, Form, Gazetteer, Gender};
use super::tokens::{Shape, Token};
use crate::api::types::EntityKind;

/// Why a candidate has its kind; the entity's confidence follows from the strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Evidence {
    /// Nothing but a capital: a lone unknown word taken for an organisation; any other reading
    /// of the same name ("in Kilifi") outweighs it.
    Capital,
    /// Shape alone ("two capitalised words are probably a person").
    Guess,
    /// A rule fired: a title, an honorific, a cue word, an acronym, a given name.
    Rule,
    /// The gazetteer knows the name.
    Gazetteer,
}

impl Evidence {
    pub fn confidence(self) -> f64 {
        match self {
            Evidence::Capital => 0.4,
            Evidence::Guess => 0.5,
            Evidence::Rule => 0.8,
            Evidence::Gazetteer => 0.95,
        }
    }
}

/// One named mention with what is known about it before folding.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Chars `[start, end)` of the body: the name as written, honorific included.
    pub start: usize,
    pub end: usize,
    /// The name's words, without honorific ("Keir Starmer" for "Sir Keir Starmer").
    pub name: Vec<String>,
    pub kind: EntityKind,
    pub evidence: Evidence,
    /// The gazetteer entry, when the name is known.
    pub entry: Option<usize>,
    /// An honorific was written before the name.
    pub gender: Option<Gender>,
}

impl Candidate {
    pub fn key(&self) -> String {
        self.name.join(" ")
    }

    pub fn is_acronym(&self) -> bool {
        self.name.len() == 1 && shape_is_acronym(&self.name[0])
    }
}

fn shape_is_acronym(word: &str) -> bool {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase())
}

/// Lower-case words that may sit inside a name ("Bank of England", "Charles de Gaulle").
const CONNECTORS: &[&str] = &[
    "of", "for", "the", "de", "da", "van", "von", "der", "den", "du", "del", "di", "la", "le", "y",
];

/// Verbs after which a lone name is a person's.
const SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "told",
    "added",
    "warned",
    "argued",
    "wrote",
    "insisted",
    "claimed",
    "explained",
    "stated",
    "declared",
    "announced",
    "admitted",
    "replied",
    "tweeted",
    "urged",
    "noted",
    "suggested",
    "acknowledged",
    "confirmed",
    "denied",
    "asked",
];

/// Letters after a name that are not part of it: honours, professional ranks, seats.
const POST_NOMINALS: &[&str] = &[
    "KC", "QC", "MP", "MEP", "MSP", "MS", "AM", "OBE", "MBE", "CBE", "KBE", "DBE", "PhD", "FRS",
];

/// Words that open a place's name ("River Thames", "Cape Horn", "Mount Everest").
const LEADING_PLACE_WORDS: &[&str] = &[
    "River", "Lake", "Mount", "Mt", "Cape", "Isle", "Loch", "Lough", "Fort", "Port",
];

/// Lower-case nouns after which a name is a place's ("the Hyde Park area").
const PLACE_NOUNS: &[&str] = &[
    "neighborhood",
    "neighbourhood",
    "district",
    "suburb",
    "area",
    "borough",
    "estate",
    "village",
    "region",
    "province",
    "county",
];

/// Compass words that make a region of a known place ("North Yorkshire", "Western Australia").
const COMPASS_WORDS: &[&str] = &[
    "North", "South", "East", "West", "Northern", "Southern", "Eastern", "Western", "Central",
    "Greater", "Upper", "Lower",
];

/// Pronouns whose contractions ("I'm", "We've", "They'll") open sentences and quotes.
const PRONOUNS: &[&str] = &[
    "I", "We", "You", "They", "He", "She", "It", "Let", "There", "That", "What", "Who", "Here",
];

/// "We've", "I'm": a pronoun with a contracted verb, never a name.
fn is_pronoun_contraction(word: &str) -> bool {
    word.split_once('\'').is_some_and(|(head, tail)| {
        PRONOUNS.contains(&head) && ["m", "ve", "ll", "re", "d", "s"].contains(&tail)
    })
}

/// Prepositions after which a lone unknown name is a place.
const PLACE_PREPOSITIONS: &[&str] = &[
    "in",
    "near",
    "across",
    "outside",
    "throughout",
    "into",
    "from",
];

fn is_connector(token: &Token) -> bool {
    token.shape == Shape::Lower && CONNECTORS.contains(&token.text.as_str())
}

/// A run or part of one: tokens `range`, known to the gazetteer or not.
#[derive(Debug, Clone)]
enum Piece {
    Known { range: Range<usize>, entry: usize },
    Free { range: Range<usize> },
}

/// Reads candidates from the tokens of one document.
pub struct Finder<'a> {
    tokens: &'a [Token],
    gazetteer: &'static Gazetteer,
    /// Paragraphs that read as headings (short, title case, no final punctuation).
    headings: Vec<bool>,
    /// Words the text also writes in lower case (so they are ordinary words).
    lower_words: HashSet<String>,
    /// Names and name words seen mid-sentence in body text: evidence that a word capitalised only
    /// by position (heading, sentence start) is a name too.
    evidence: HashSet<String>,
}

impl<'a> Finder<'a> {
    /// `headings` tells, per paragraph, whether it reads as a title-case heading.
    pub fn new(tokens: &'a [Token], headings: Vec<bool>) -> Self {
        let lower_words = tokens
            .iter()
            .filter(|t| t.shape == Shape::Lower)
            .map(|t| t.text.clone())
            .collect();
        Self {
            tokens,
            gazetteer: gazetteer::get(),
            headings,
            lower_words,
            evidence: HashSet::new(),
        }
    }

    /// Every candidate, in text order.
    pub fn find(mut self) -> Vec<Candidate> {
        let mut found = Vec::new();
        let mut deferred = Vec::new();
        for run in self.runs() {
            for piece in self.merge(self.segment(run)) {
                match piece {
                    Piece::Known { range, entry } => found.extend(self.known(range, entry)),
                    Piece::Free { range } if self.needs_evidence(&range) => deferred.push(range),
                    Piece::Free { range } => found.extend(self.free(range)),
                }
            }
        }
        self.remember(&found);
        // Sentence starts first: what they show to be names is evidence for the headings.
        let (in_headings, at_starts): (Vec<_>, Vec<_>) = deferred
            .into_iter()
            .partition(|range| self.headings[self.tokens[range.start].paragraph]);
        let mut from_starts = Vec::new();
        for range in at_starts {
            if let Some(part) = self.without_initial_word(range) {
                from_starts.extend(self.free(part));
            }
        }
        self.remember(&from_starts);
        found.extend(from_starts);
        for range in in_headings {
            for part in self.evidenced_parts(range) {
                found.extend(self.free(part));
            }
        }
        found.sort_by_key(|c| (c.start, std::cmp::Reverse(c.end)));
        found
    }

    fn runs(&self) -> Vec<Range<usize>> {
        let tokens = self.tokens;
        let mut runs = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            if !tokens[i].shape.is_capitalised() {
                i += 1;
                continue;
            }
            let start = i;
            let mut end = i + 1;
            while let Some(next) = self.extension(end).or_else(|| self.listed(start..end)) {
                end = next;
            }
            runs.push(start..end);
            i = end;
        }
        runs
    }

    /// Where a run ending before token `end` can grow to: one more capitalised word, possibly
    /// after connectors ("Bank" + "of" + "England").
    fn extension(&self, end: usize) -> Option<usize> {
        let tokens = self.tokens;
        if end == 0 {
            return None;
        }
        if tokens[end - 1].possessive {
            return self.royal_possessive(end);
        }
        let mut k = end;
        let is_and = |t: &Token| t.shape == Shape::Lower && t.text == "and";
        if tokens.get(k).is_some_and(|t| t.joined && is_and(t)) {
            k += 1;
        } else {
            while k < tokens.len() && k < end + 2 && tokens[k].joined && is_connector(&tokens[k]) {
                k += 1;
            }
        }
        let next = tokens.get(k)?;
        let first_connector_is_the = k > end && tokens[end].text == "the";
        let joins = next.joined
            && next.shape.is_capitalised()
            && next.text != "The"
            && !next.sentence_start
            && !first_connector_is_the;
        joins.then_some(k + 1)
    }

    /// Where a name with a head word before "of" or "for" grows over a list of capitalised
    /// items closed by "and" ("Department for Culture, Media and Sport"): the end of the last item.
    fn listed(&self, run: Range<usize>) -> Option<usize> {
        let tokens = self.tokens;
        let headed = tokens[run.clone()].windows(2).any(|pair| {
            pair[0].shape.is_capitalised()
                && self.gazetteer.cue(pair[0].bare()) == Some(EntityKind::Organization)
                && matches!(pair[1].text.as_str(), "of" | "for")
        });
        if !headed || tokens.get(run.end).is_none_or(|t| !t.after_comma) {
            return None;
        }
        let capitalised_from = |k: usize| {
            let mut end = k;
            while tokens.get(end).is_some_and(|t| {
                t.shape.is_capitalised() && !t.sentence_start && (end == k || t.joined)
            }) {
                end += 1;
            }
            end
        };
        // An item that names something itself ("Downing Street", "NHS England") is a list of
        // names, not part of one; a remit may end in an organisation word ("Local Government").
        let names_itself = |item: Range<usize>| {
            let last = tokens[item.end - 1].bare();
            let cue = self.gazetteer.cue(last);
            (item.len() >= 2 && cue.is_some_and(|kind| kind != EntityKind::Organization))
                || item.clone().any(|i| self.lookup(i..i + 1).is_some())
                || self.lookup(item).is_some()
        };
        let mut k = run.end;
        loop {
            let end = capitalised_from(k);
            if end == k || names_itself(k..end) {
                return None;
            }
            let next = tokens.get(end)?;
            if next.after_comma {
                k = end;
            } else if next.joined && next.text == "and" {
                let last = capitalised_from(end + 1);
                let named = last > end + 1 && !names_itself(end + 1..last);
                return named.then_some(last);
            } else {
                return None;
            }
        }
    }

    /// "King's Fund", "Queen's University": a royal or saintly possessive before an organisation
    /// head word is part of the name (any other possessive ends it: "Britain's Labour Party").
    fn royal_possessive(&self, end: usize) -> Option<usize> {
        let owner = &self.tokens[end - 1];
        let next = self.tokens.get(end)?;
        let royal = matches!(
            owner.bare(),
            "King" | "Queen" | "Prince" | "Princess" | "St"
        );
        // Only "'s" and a space between (a possessive is never "joined" to what follows).
        let adjacent = next.paragraph == owner.paragraph && next.start <= owner.end + 3;
        let head = adjacent
            && !next.sentence_start
            && !next.possessive
            && self.gazetteer.cue(next.bare()) == Some(EntityKind::Organization);
        (royal && head).then_some(end + 1)
    }

    /// Cuts a run into gazetteer names (longest first) and the free words between them.
    fn segment(&self, run: Range<usize>) -> Vec<Piece> {
        let mut pieces = Vec::new();
        let mut free_start = run.start;
        let mut i = run.start;
        while i < run.end {
            let longest = self.gazetteer.longest.min(run.end - i);
            let found = (1..=longest).rev().find_map(|length| {
                let range = i..i + length;
                let last = &self.tokens[range.end - 1];
                if is_connector(&self.tokens[i]) || is_connector(last) {
                    return None;
                }
                let (entry, _) = self.lookup(range.clone())?;
                Some(Piece::Known { range, entry })
            });
            match found {
                Some(piece @ Piece::Known { .. }) => {
                    self.push_free(&mut pieces, free_start..i);
                    i = piece_end(&piece);
                    free_start = i;
                    pieces.push(piece);
                }
                _ => i += 1,
            }
        }
        self.push_free(&mut pieces, free_start..run.end);
        pieces
    }

    /// Adds free words to `pieces`, cut at "and" ("Keir Starmer and Rachel Reeves") unless they
    /// are one organisation's name ("Food and Drug Administration").
    fn push_free(&self, pieces: &mut Vec<Piece>, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        let one_name = self.organisation_cue(range.clone()).is_some();
        let mut start = range.start;
        for i in range.clone() {
            if !one_name && self.tokens[i].text == "and" {
                if start < i {
                    pieces.push(Piece::Free { range: start..i });
                }
                start = i + 1;
            }
        }
        if start < range.end {
            pieces.push(Piece::Free {
                range: start..range.end,
            });
        }
    }

    /// The kind a cue word gives a name of two or more words: its last word ("Home Office",
    /// "Downing Street"), or a head word before "of" ("University of Texas", "National Institute
    /// of Health").
    fn organisation_cue(&self, range: Range<usize>) -> Option<EntityKind> {
        let tokens = &self.tokens[range];
        let gazetteer = self.gazetteer;
        let words: Vec<&str> = tokens
            .iter()
            .filter(|t| t.text != "and")
            .map(Token::bare)
            .collect();
        if words.len() < 2 || words.iter().all(|w| gazetteer.is_title_word(w)) {
            return None;
        }
        let head_of = tokens.windows(2).find_map(|pair| {
            let cue = gazetteer.cue(pair[0].bare())?;
            let linked = matches!(pair[1].text.as_str(), "of" | "for");
            (pair[0].shape.is_capitalised() && linked).then_some(cue)
        });
        let last = gazetteer.cue(words[words.len() - 1]);
        // "Ellen Park", "Grace Hill": a given name before a place word is a person's name.
        if last == Some(EntityKind::Location) && gazetteer.is_first_name(words[words.len() - 2]) {
            return None;
        }
        let leading_place = LEADING_PLACE_WORDS
            .contains(&words[0])
            .then_some(EntityKind::Location);
        last.or(head_of).or(leading_place)
    }

    /// Joins pieces that are one name together: a given name before a place name ("George
    /// Washington"), a place before an organisation head word ("British Army", "US Embassy"),
    /// and an organisation head word with "of" before a place ("University of Texas").
    fn merge(&self, pieces: Vec<Piece>) -> Vec<Piece> {
        let mut merged: Vec<Piece> = Vec::new();
        for piece in pieces {
            let joined = merged.last().and_then(|last| self.join(last, &piece));
            match joined {
                Some(range) => {
                    merged.pop();
                    merged.push(Piece::Free { range });
                }
                None => merged.push(piece),
            }
        }
        merged
    }

    fn join(&self, left: &Piece, right: &Piece) -> Option<Range<usize>> {
        let words = |range: &Range<usize>| -> Vec<&str> {
            self.tokens[range.clone()].iter().map(Token::bare).collect()
        };
        match (left, right) {
            (Piece::Free { range: l }, Piece::Known { range: r, .. }) => {
                let left_words = words(l);
                let given_name = left_words.len() == 1
                    && r.len() == 1
                    && self.gazetteer.is_first_name(left_words[0]);
                // "University of" + "Texas", "Communications Workers of" + "America".
                let head_of = left_words.len() >= 2
                    && is_connector(&self.tokens[l.end - 1])
                    && (self.gazetteer.cue(left_words[0]).is_some()
                        || left_words[..left_words.len() - 1]
                            .iter()
                            .any(|w| self.gazetteer.cue(w) == Some(EntityKind::Organization)));
                let entry = match right {
                    Piece::Known { entry, .. } => &self.gazetteer.entries[*entry],
                    Piece::Free { .. } => return None,
                };
                // "North" + "Yorkshire": a region of a known place.
                let region = left_words.len() == 1
                    && COMPASS_WORDS.contains(&left_words[0])
                    && entry.kind == EntityKind::Location
                    && !entry.is_country;
                (given_name || head_of || region).then_some(l.start..r.end)
            }
            (Piece::Free { range: l }, Piece::Free { range: r }) if l.end == r.start => {
                // "City of York" + "Council": one name once a head word follows.
                let cued = self.gazetteer.cue(words(r).last().copied().unwrap_or(""));
                (cued == Some(EntityKind::Organization)).then_some(l.start..r.end)
            }
            (Piece::Known { range: l, entry }, Piece::Free { range: r }) => {
                let right_words = words(r);
                let last = right_words.last().copied().unwrap_or("");
                let entry = &self.gazetteer.entries[*entry];
                // "Denver Metro Chamber of Commerce", "Lisbon Ocean Summit", "United Nations
                // Environment Programme": a place or an organisation before a cued name.
                let named_after =
                    matches!(entry.kind, EntityKind::Location | EntityKind::Organization);
                let cued = self.gazetteer.cue(last).is_some()
                    || self.organisation_cue(r.clone()) == Some(EntityKind::Organization);
                let organisation = named_after
                    && cued
                    && !LEADING_PLACE_WORDS.contains(&right_words[0])
                    && !right_words.iter().all(|w| self.gazetteer.is_title_word(w));
                let person = l.len() == 1
                    && self.gazetteer.is_first_name(self.tokens[l.start].bare())
                    && self.gazetteer.cue(right_words[0]).is_none()
                    && !self.gazetteer.is_title_word(right_words[0]);
                (organisation || person).then_some(l.start..r.end)
            }
            _ => None,
        }
    }

    /// The gazetteer entry of tokens `range`, as written or, for words in capitals ("WASHINGTON"
    /// in a dateline), in title case.
    fn lookup(&self, range: Range<usize>) -> Option<(usize, Form)> {
        let key = self.key(range.clone());
        if let Some(found) = self.gazetteer.lookup(&key) {
            return Some(found);
        }
        let tokens = &self.tokens[range];
        let shouted = tokens
            .iter()
            .any(|t| t.shape == Shape::Acronym && t.text.len() > 3);
        if !shouted {
            return None;
        }
        let title_case: Vec<String> = tokens.iter().map(|t| title_case(&t.text)).collect();
        self.gazetteer.lookup(&title_case.join(" "))
    }

    fn key(&self, range: Range<usize>) -> String {
        self.tokens[range]
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn candidate(&self, range: Range<usize>, name_from: usize) -> Candidate {
        Candidate {
            start: self.tokens[range.start].start,
            end: self.tokens[range.end - 1].end,
            // A listed item keeps its comma ("Ministry of Housing, Communities and ...").
            name: (name_from..range.end)
                .map(|i| {
                    let token = &self.tokens[i];
                    let mut word = token.bare().to_owned();
                    if token.possessive && i + 1 < range.end {
                        word.push_str("'s");
                    }
                    let listed = i + 1 < range.end && self.tokens[i + 1].after_comma;
                    if listed {
                        word + ","
                    } else {
                        word
                    }
                })
                .collect(),
            kind: EntityKind::Other,
            evidence: Evidence::Guess,
            entry: None,
            gender: None,
        }
    }

    /// A gazetteer name, and the country an organisation's name begins with ("US" in "US State
    /// Department"), which counts as a mention of its own.
    fn known(&self, range: Range<usize>, entry: usize) -> Vec<Candidate> {
        let kind = self.gazetteer.entries[entry].kind;
        let mut found = vec![Candidate {
            kind,
            evidence: Evidence::Gazetteer,
            entry: Some(entry),
            ..self.candidate(range.clone(), range.start)
        }];
        if kind == EntityKind::Organization {
            found.extend(self.country_prefix(range, Some(entry)));
        }
        found
    }

    /// Free words typed by rule, with the country an organisation's name begins with.
    fn free(&self, range: Range<usize>) -> Vec<Candidate> {
        let Some(candidate) = self.typed(range) else {
            return Vec::new();
        };
        let prefix = if candidate.kind == EntityKind::Organization {
            let start = self.tokens.partition_point(|t| t.start < candidate.start);
            let end = self.tokens.partition_point(|t| t.end <= candidate.end);
            self.country_prefix(start..end, None)
        } else {
            None
        };
        std::iter::once(candidate).chain(prefix).collect()
    }

    fn country_prefix(&self, range: Range<usize>, own_entry: Option<usize>) -> Option<Candidate> {
        (1..range.len().min(4)).rev().find_map(|length| {
            let prefix = range.start..range.start + length;
            let (entry, form) = self.gazetteer.lookup(&self.key(prefix.clone()))?;
            let is_country = self.gazetteer.entries[entry].is_country;
            if !is_country || form != Form::Name || Some(entry) == own_entry {
                return None;
            }
            Some(Candidate {
                kind: EntityKind::Location,
                evidence: Evidence::Gazetteer,
                entry: Some(entry),
                ..self.candidate(prefix.clone(), prefix.start)
            })
        })
    }

    /// Free words whose capital may come from their position rather than from being a name.
    fn needs_evidence(&self, range: &Range<usize>) -> bool {
        let first = &self.tokens[range.start];
        first.sentence_start || self.headings[first.paragraph]
    }

    /// Records what body text shows to be names, for headings and sentence starts to lean on.
    fn remember(&mut self, found: &[Candidate]) {
        for candidate in found.iter().filter(|c| c.entry.is_none()) {
            self.evidence.insert(candidate.key());
            if candidate.kind == EntityKind::Person {
                self.evidence.extend(candidate.name.iter().cloned());
            }
        }
    }

    /// In a title-case heading, only the words the body shows to be names.
    fn evidenced_parts(&self, range: Range<usize>) -> Vec<Range<usize>> {
        let mut parts = Vec::new();
        let mut i = range.start;
        while i < range.end {
            let end = (i + 1..=range.end)
                .rev()
                .find(|&end| self.evidence.contains(&self.key(i..end)));
            match end {
                Some(end) => {
                    parts.push(i..end);
                    i = end;
                }
                None => i += 1,
            }
        }
        parts
    }

    /// A sentence's capitalised first word, dropped when it is an ordinary word.
    fn without_initial_word(&self, range: Range<usize>) -> Option<Range<usize>> {
        let first = &self.tokens[range.start];
        let word = first.bare();
        if self.evidence.contains(word) || self.evidence.contains(&self.key(range.clone())) {
            return Some(range);
        }
        // "City of Leeds Council", "University of Kent": a head word before "of" or "for" opens
        // a name that goes on past it.
        let heads = range.len() >= 3
            && self.gazetteer.cue(word).is_some()
            && matches!(self.tokens[range.start + 1].text.as_str(), "of" | "for")
            && self.tokens[range.end - 1].shape.is_capitalised();
        if heads {
            return Some(range);
        }
        // "Shares of Goldman Sachs": a lone word before "of" and a known name is a common noun
        // (a head word like "Bank of" has been joined to the name already).
        let before_of = range.len() >= 2 && is_connector(&self.tokens[range.end - 1]);
        let ordinary = self.gazetteer.is_common(word)
            || self.lower_words.contains(&word.to_lowercase())
            || self.gazetteer.is_not_name(word)
            || (before_of && !self.gazetteer.is_first_name(word))
            || (range.len() == 1 && self.looks_like_common_noun(range.start));
        if !ordinary {
            return Some(range);
        }
        let rest = range.start + 1..range.end;
        let rest = self.trim_connectors(rest);
        (!rest.is_empty()).then_some(rest)
    }

    /// A lone sentence-initial word shaped like an ordinary word: a participle or adverb
    /// ("Giving", "Quickly"), a plural whose singular the text writes in lower case or is common
    /// ("Roads", "Fishermen"). A name before a speech verb ("Manning said") stays a name.
    fn looks_like_common_noun(&self, index: usize) -> bool {
        let word = self.tokens[index].bare();
        let before_speech = self
            .tokens
            .get(index + 1)
            .is_some_and(|t| SPEECH_VERBS.contains(&t.text.as_str()));
        if before_speech || self.tokens[index].shape != Shape::Capitalised {
            return false;
        }
        let lower = word.to_lowercase();
        let suffixed = ["ing", "ly", "men", "ness"]
            .iter()
            .any(|suffix| lower.len() > suffix.len() + 2 && lower.ends_with(suffix));
        let singular = lower
            .strip_suffix("es")
            .into_iter()
            .chain(lower.strip_suffix('s'))
            .any(|s| self.lower_words.contains(s) || self.gazetteer.is_common(s));
        suffixed || singular
    }

    fn trim_connectors(&self, mut range: Range<usize>) -> Range<usize> {
        let loose = |t: &Token| is_connector(t) || t.text == "and";
        while !range.is_empty() && loose(&self.tokens[range.start]) {
            range.start += 1;
        }
        while !range.is_empty() && loose(&self.tokens[range.end - 1]) {
            range.end -= 1;
        }
        range
    }

    /// Types free words by rule, or drops them (role nouns, dates, religious adjectives).
    fn typed(&self, range: Range<usize>) -> Option<Candidate> {
        let mut range = self.trim_connectors(range);
        // "The" and "We've" open sentences before names; "KC" and "MP" follow them.
        while !range.is_empty() && {
            let text = &self.tokens[range.start].text;
            text == "The" || is_pronoun_contraction(text)
        } {
            range.start += 1;
        }
        while range.len() > 1 && POST_NOMINALS.contains(&self.tokens[range.end - 1].bare()) {
            range.end -= 1;
        }
        let range = self.trim_connectors(range);
        if range.is_empty() {
            return None;
        }
        let gazetteer = self.gazetteer;
        let only = |test: &dyn Fn(&str) -> bool| {
            self.tokens[range.clone()]
                .iter()
                .all(|t| is_connector(t) || test(t.bare()))
        };
        if only(&|w| gazetteer.is_not_name(w)) || only(&|w| gazetteer.is_title_word(w)) {
            return None;
        }
        let rule = |kind| Candidate {
            kind,
            evidence: Evidence::Rule,
            ..self.candidate(range.clone(), range.start)
        };
        if let Some(kind) = self.organisation_cue(range.clone()) {
            return Some(rule(kind));
        }
        if self.is_region(range.clone()) || self.before_place_noun(range.end) {
            return Some(rule(EntityKind::Location));
        }
        self.person_or_guess(range)
    }

    /// A name written before a lower-case place noun ("the Five Points neighborhood").
    fn before_place_noun(&self, end: usize) -> bool {
        self.tokens.get(end).is_some_and(|t| {
            t.joined && t.shape == Shape::Lower && PLACE_NOUNS.contains(&t.text.as_str())
        })
    }

    /// A compass word before a known place that is not a country ("North Yorkshire").
    fn is_region(&self, range: Range<usize>) -> bool {
        if range.len() < 2 || !COMPASS_WORDS.contains(&self.tokens[range.start].bare()) {
            return false;
        }
        self.lookup(range.start + 1..range.end)
            .is_some_and(|(entry, _)| {
                let entry = &self.gazetteer.entries[entry];
                entry.kind == EntityKind::Location && !entry.is_country
            })
    }

    /// Names left after cue words: role titles stripped, honorifics kept in the mention.
    fn person_or_guess(&self, range: Range<usize>) -> Option<Candidate> {
        let gazetteer = self.gazetteer;
        let tokens = &self.tokens[range.clone()];
        let title_length = tokens
            .iter()
            .take_while(|t| is_connector(t) || gazetteer.is_title_word(t.bare()))
            .count();
        let titled = tokens[..title_length]
            .iter()
            .any(|t| gazetteer.is_core_title(t.bare()));
        let start = if titled {
            range.start + title_length
        } else {
            range.start
        };
        // An honorific stays in the mention even after a role title ("Prime Minister Sir Keir").
        let start = (range.start..start)
            .rev()
            .take_while(|&i| gazetteer.honorific(self.tokens[i].bare()).is_some())
            .last()
            .unwrap_or(start);
        let name = self.trim_connectors(start..range.end);
        if name.is_empty() {
            return None;
        }
        let honorific = gazetteer.honorific(self.tokens[name.start].bare());
        let name_from = if honorific.is_some() {
            name.start + 1
        } else {
            name.start
        };
        if name_from >= name.end {
            return None;
        }
        let mut candidate = self.candidate(name.clone(), name_from);
        let words: Vec<&str> = candidate.name.iter().map(String::as_str).collect();
        let (kind, evidence) = if titled || honorific.is_some() {
            (EntityKind::Person, Evidence::Rule)
        } else if words.len() == 1 {
            self.lone_word(name.clone())?
        } else if gazetteer.is_first_name(words[0]) {
            (EntityKind::Person, Evidence::Rule)
        } else if self.tokens[name.clone()].iter().any(is_connector) {
            (EntityKind::Other, Evidence::Guess)
        } else if words.iter().any(|w| shape_is_acronym(w)) {
            (EntityKind::Organization, Evidence::Guess)
        } else {
            (EntityKind::Person, Evidence::Guess)
        };
        candidate.kind = kind;
        candidate.evidence = evidence;
        candidate.gender = honorific;
        Some(candidate)
    }

    /// One capitalised word nobody knows: an acronym is an organisation, a word before "said" a
    /// person, a word after "in" a place; otherwise probably an organisation.
    fn lone_word(&self, range: Range<usize>) -> Option<(EntityKind, Evidence)> {
        let token = &self.tokens[range.start];
        if self.gazetteer.is_not_name(token.bare()) || token.text == "I" {
            return None;
        }
        if token.shape == Shape::Acronym {
            return Some((EntityKind::Organization, Evidence::Rule));
        }
        let next = self
            .tokens
            .get(range.end)
            .filter(|t| t.paragraph == token.paragraph);
        if next.is_some_and(|t| t.joined && SPEECH_VERBS.contains(&t.text.as_str())) {
            return Some((EntityKind::Person, Evidence::Guess));
        }
        let previous = range
            .start
            .checked_sub(1)
            .map(|i| &self.tokens[i])
            .filter(|t| t.paragraph == token.paragraph && token.joined);
        if previous.is_some_and(|t| PLACE_PREPOSITIONS.contains(&t.text.to_lowercase().as_str())) {
            return Some((EntityKind::Location, Evidence::Guess));
        }
        if self.after_known_place(range.start) {
            return Some((EntityKind::Location, Evidence::Guess));
        }
        Some((EntityKind::Organization, Evidence::Capital))
    }
}

impl Finder<'_> {
    /// Token `index` is coordinated with a known place before it ("in Leeds and Armley").
    fn after_known_place(&self, index: usize) -> bool {
        let (Some(place), Some(and)) = (
            index.checked_sub(2).map(|i| &self.tokens[i]),
            self.tokens.get(index.wrapping_sub(1)),
        ) else {
            return false;
        };
        let coordinated =
            self.tokens[index].joined && and.joined && matches!(and.text.as_str(), "and" | "or");
        coordinated
            && self.lookup(index - 2..index - 1).is_some_and(|(entry, _)| {
                self.gazetteer.entries[entry].kind == EntityKind::Location
            })
            && place.shape.is_capitalised()
    }
}

/// "WASHINGTON" → "Washington".
fn title_case(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect()
    })
}

fn piece_end(piece: &Piece) -> usize {
    match piece {
        Piece::Known { range, .. } | Piece::Free { range } => range.end,
    }
}

/// Small words a title-case heading leaves in lower case.
const HEADING_SMALL_WORDS: &[&str] = &[
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "of", "on", "or",
    "over", "the", "to", "up", "with", "vs",
];

/// Which paragraphs of `doc` read as title-case headings: at most 12 words, no final
/// punctuation, and every word but the small ones capitalised.
pub fn headings(doc: &Document, tokens: &[Token]) -> Vec<bool> {
    let mut words: Vec<Vec<&Token>> = vec![Vec::new(); doc.paragraphs().len()];
    for token in tokens {
        if let Some(paragraph) = words.get_mut(token.paragraph) {
            paragraph.push(token);
        }
    }
    words
        .iter()
        .zip(doc.paragraphs())
        .map(|(paragraph, p)| {
            let line = doc.slice(p.start, p.end).trim_end();
            let punctuated = line.ends_with(|c: char| ".!?:;,\"\u{201D}\u{2019})".contains(c));
            !punctuated
                && !paragraph.is_empty()
                && paragraph.len() <= 12
                && paragraph.iter().all(|t| {
                    t.shape.is_capitalised()
                        || HEADING_SMALL_WORDS.contains(&t.text.as_str())
                        || t.text.chars().all(|c| c.is_ascii_digit())
                })
        })
        .collect()
}
