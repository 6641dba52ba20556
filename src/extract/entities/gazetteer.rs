//! The embedded gazetteers (`src/extract/gazetteer/`), parsed once into lookup tables.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::api::types::EntityKind;

/// A known entity.
#[derive(Debug)]
pub struct Entry {
    pub canonical: &'static str,
    pub kind: EntityKind,
    /// Other names, emitted as aliases whenever the entity is found.
    pub aliases: Vec<&'static str>,
    pub is_country: bool,
}

/// How a gazetteer name was written in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// The canonical name or an alias ("United Kingdom", "UK").
    Name,
    /// A demonym, adjective or informal form ("British", "Tories"); counts, is not a name.
    Adjective,
}

/// A person's gender, as an honorific tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Male,
    Female,
    Unknown,
}

/// Every list, ready for lookups.
#[derive(Debug)]
pub struct Gazetteer {
    pub entries: Vec<Entry>,
    /// Name as tokens joined by one space → entry and form.
    names: HashMap<String, (usize, Form)>,
    /// The most tokens any name has.
    pub longest: usize,
    honorifics: HashMap<&'static str, Gender>,
    core_titles: HashSet<&'static str>,
    title_words: HashSet<&'static str>,
    cues: HashMap<&'static str, EntityKind>,
    not_names: HashSet<&'static str>,
    common_words: HashSet<&'static str>,
    first_names: HashSet<&'static str>,
}

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(Gazetteer::load);

/// The gazetteer, parsed on first use.
pub fn get() -> &'static Gazetteer {
    &GAZETTEER
}

fn lines(data: &'static str) -> impl Iterator<Item = &'static str> {
    data.lines()
        .map(str::trim_end)
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
}

fn split_list(field: Option<&'static str>) -> Vec<&'static str> {
    field
        .unwrap_or("")
        .split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// `[section]`-headed lists: each word with the section it is under.
fn sections(data: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut section = "";
    let mut words = Vec::new();
    for line in lines(data) {
        let line = line.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name;
        } else {
            words.push((section, line));
        }
    }
    words
}

/// Tokens of a name as the text tokenizer would join them: words split on spaces, a possessive
/// `'s` dropped, curly apostrophes straightened.
pub fn key(name: &str) -> String {
    name.split_whitespace()
        .map(|word| {
            let word = word.replace('\u{2019}', "'");
            word.strip_suffix("'s").map(str::to_owned).unwrap_or(word)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Gazetteer {
    fn load() -> Self {
        let mut gazetteer = Gazetteer {
            entries: Vec::new(),
            names: HashMap::new(),
            longest: 1,
            honorifics: HashMap::new(),
            core_titles: HashSet::new(),
            title_words: HashSet::new(),
            cues: HashMap::new(),
            not_names: lines(include_str!("../gazetteer/not_names.txt")).collect(),
            common_words: lines(include_str!("../gazetteer/common_words.txt")).collect(),
            first_names: lines(include_str!("../gazetteer/first_names.txt"))
                .flat_map(str::split_whitespace)
                .collect(),
        };
        let tables = [
            (
                include_str!("../gazetteer/countries.tsv"),
                EntityKind::Location,
                true,
            ),
            (
                include_str!("../gazetteer/places.tsv"),
                EntityKind::Location,
                false,
            ),
            (
                include_str!("../gazetteer/organizations.tsv"),
                EntityKind::Organization,
                false,
            ),
            (
                include_str!("../gazetteer/events.tsv"),
                EntityKind::Event,
                false,
            ),
        ];
        for (data, kind, is_country) in tables {
            for line in lines(data) {
                gazetteer.add_entry(line, kind, is_country);
            }
        }
        for line in lines(include_str!("../gazetteer/honorifics.txt")) {
            let mut fields = line.split('\t');
            let word = fields.next().unwrap_or("").trim();
            let gender = match fields.next().map(str::trim) {
                Some("m") => Gender::Male,
                Some("f") => Gender::Female,
                _ => Gender::Unknown,
            };
            gazetteer.honorifics.insert(word, gender);
        }
        for (section, word) in sections(include_str!("../gazetteer/titles.txt")) {
            if section == "core" {
                gazetteer.core_titles.insert(word);
            }
            gazetteer.title_words.insert(word);
        }
        for (section, word) in sections(include_str!("../gazetteer/cues.txt")) {
            let kind = match section {
                "organization" => EntityKind::Organization,
                "location" => EntityKind::Location,
                "event" => EntityKind::Event,
                _ => EntityKind::Other,
            };
            gazetteer.cues.entry(word).or_insert(kind);
        }
        gazetteer
    }

    fn add_entry(&mut self, line: &'static str, kind: EntityKind, is_country: bool) {
        let mut fields = line.split('\t');
        let canonical = fields.next().unwrap_or("").trim();
        let aliases = split_list(fields.next());
        let adjectives = split_list(fields.next());
        let index = self.entries.len();
        let names = std::iter::once(canonical).chain(aliases.iter().copied());
        for name in names {
            self.add_name(name, index, Form::Name);
        }
        for adjective in &adjectives {
            self.add_name(adjective, index, Form::Adjective);
        }
        self.entries.push(Entry {
            canonical,
            kind,
            aliases,
            is_country,
        });
    }

    fn add_name(&mut self, name: &str, index: usize, form: Form) {
        let key = key(name);
        self.longest = self.longest.max(key.split(' ').count());
        // The first entry to claim a name keeps it: countries load before cities and parties.
        self.names.entry(key).or_insert((index, form));
    }

    /// The entry a name (tokens joined by one space) belongs to.
    pub fn lookup(&self, name: &str) -> Option<(usize, Form)> {
        self.names.get(name).copied()
    }

    pub fn honorific(&self, word: &str) -> Option<Gender> {
        self.honorifics.get(word).copied()
    }

    /// A title that names a role ("Minister", "President").
    /// "Mayor-elect" and "Minister-designate" are their titles too.
    pub fn is_core_title(&self, word: &str) -> bool {
        self.core_titles.contains(without_role_suffix(word))
    }

    /// A word that may be part of a role title ("Prime", "Foreign", "Minister").
    pub fn is_title_word(&self, word: &str) -> bool {
        let word = without_role_suffix(word);
        self.title_words.contains(word) || self.honorifics.contains_key(word)
    }

    /// The kind a name ending (or, before "of", beginning) with `word` has.
    pub fn cue(&self, word: &str) -> Option<EntityKind> {
        self.cues.get(word).copied()
    }

    pub fn is_not_name(&self, word: &str) -> bool {
        self.not_names.contains(word)
    }

    /// A common word (compared in lower case) that opens sentences.
    pub fn is_common(&self, word: &str) -> bool {
        self.common_words.contains(word.to_lowercase().as_str())
    }

    pub fn is_first_name(&self, word: &str) -> bool {
        self.first_names.contains(word)
    }
}

/// A title without the suffix of an office not yet taken up ("Mayor-elect" → "Mayor").
fn without_role_suffix(word: &str) -> &str {
    ["-elect", "-designate"]
        .iter()
        .find_map(|suffix| word.strip_suffix(suffix))
        .unwrap_or(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_load_with_countries_first() {
        let gazetteer = get();
        let (uk, form) = gazetteer.lookup("UK").unwrap();
        assert_eq!(form, Form::Name);
        assert_eq!(gazetteer.entries[uk].canonical, "United Kingdom");
        assert!(gazetteer.entries[uk].is_country);
        let (british, form) = gazetteer.lookup("British").unwrap();
        assert_eq!((british, form), (uk, Form::Adjective));
        let (state, _) = gazetteer.lookup("US State Department").unwrap();
        assert_eq!(gazetteer.entries[state].kind, EntityKind::Organization);
        assert!(gazetteer.longest >= 4);
    }

    #[test]
    fn word_lists_answer_lookups() {
        let gazetteer = get();
        assert_eq!(gazetteer.honorific("Sir"), Some(Gender::Male));
        assert!(gazetteer.is_core_title("Minister"));
        assert!(gazetteer.is_title_word("Prime"));
        assert_eq!(gazetteer.cue("Department"), Some(EntityKind::Organization));
        assert_eq!(gazetteer.cue("Street"), Some(EntityKind::Location));
        assert!(gazetteer.is_not_name("September"));
        assert!(gazetteer.is_common("Senior"));
        assert!(gazetteer.is_first_name("Keir"));
    }

    #[test]
    fn every_name_is_claimed_once_and_canonical_names_resolve_to_their_entry() {
        let gazetteer = get();
        for (index, entry) in gazetteer.entries.iter().enumerate() {
            let (found, _) = gazetteer.lookup(&key(entry.canonical)).unwrap();
            assert_eq!(
                found, index,
                "{} is claimed by another entry",
                entry.canonical
            );
        }
    }
}
