//! Folding: the ways a text names one entity become one entity ("Sir Keir Starmer", "Mr Starmer",
//! "Starmer"; "National Health Service (NHS)" and "NHS"; "British" and "UK").

use std::collections::HashMap;

use super::super::text::Document;
use super::candidates::{Candidate, Evidence};
use super::gazetteer;
use super::FoundEntity;
use super::Mention;
use crate::api::types::EntityKind;

/// Candidates folded together, as indices into the candidate list.
#[derive(Debug, Default)]
struct Group {
    members: Vec<usize>,
    entry: Option<usize>,
    person: bool,
    /// Where its first member begins.
    first: usize,
}

/// Folds `candidates` (in text order) into entities, in order of first mention.
pub fn fold(doc: &Document, candidates: &[Candidate]) -> Vec<FoundEntity> {
    let mut folder = Folder {
        candidates,
        groups: Vec::new(),
        by_key: HashMap::new(),
        by_entry: HashMap::new(),
        by_surname: HashMap::new(),
        by_given_name: HashMap::new(),
        by_initials: HashMap::new(),
        by_short_word: HashMap::new(),
        of: vec![None; candidates.len()],
    };
    folder.people();
    folder.known();
    folder.other_names();
    folder.index_initials();
    let definitions = acronym_definitions(doc, candidates);
    folder.single_words(&definitions);
    let mut entities: Vec<FoundEntity> = folder
        .groups
        .iter()
        .filter(|g| !g.members.is_empty())
        .map(|g| entity(doc, candidates, g))
        .collect();
    // On a tie ("US" in "US State Department") the shorter name comes first.
    entities.sort_by_key(|e| e.mentions.first().map(|m| (m.start, m.end)));
    entities
}

struct Folder<'a> {
    candidates: &'a [Candidate],
    groups: Vec<Group>,
    by_key: HashMap<String, usize>,
    by_entry: HashMap<usize, usize>,
    /// People's groups by the surname and by the given name of their multi-word names.
    by_surname: HashMap<String, Vec<usize>>,
    by_given_name: HashMap<String, Vec<usize>>,
    /// Other multi-word names' groups by their initials ("NHS").
    by_initials: HashMap<String, usize>,
    /// Organisations by the word that can name them alone: the first word of "<word> <head
    /// word>" ("Northwind"), the head word before "of" ("House").
    by_short_word: HashMap<String, usize>,
    /// The group of each candidate, once assigned.
    of: Vec<Option<usize>>,
}

impl Folder<'_> {
    fn add(&mut self, group: usize, candidate: usize) {
        let start = self.candidates[candidate].start;
        let target = &mut self.groups[group];
        if target.members.is_empty() || start < target.first {
            target.first = start;
        }
        target.members.push(candidate);
        self.of[candidate] = Some(group);
        let name = &self.candidates[candidate].name;
        if self.groups[group].person && name.len() >= 2 {
            for (index, word) in [
                (&mut self.by_surname, &name[name.len() - 1]),
                (&mut self.by_given_name, &name[0]),
            ] {
                let groups = index.entry(word.clone()).or_default();
                if !groups.contains(&group) {
                    groups.push(group);
                }
            }
        }
    }

    fn index_initials(&mut self) {
        for (g, group) in self.groups.iter().enumerate() {
            if group.person {
                continue;
            }
            for &m in &group.members {
                let candidate = &self.candidates[m];
                let name = &candidate.name;
                if name.len() >= 2 {
                    self.by_initials.entry(initials(name)).or_insert(g);
                }
                if is_cued_organisation(candidate) {
                    self.by_short_word.entry(name[0].clone()).or_insert(g);
                }
                // "House of Representatives" → "the House"; "University of Leeds" → "the
                // University".
                if let Some(pair) = name.windows(2).find(|pair| pair[1] == "of") {
                    self.by_short_word.entry(pair[0].clone()).or_insert(g);
                }
            }
        }
    }

    /// The organisation a lone word shortens: the first word of a name that ends in a head word
    /// ("Northwind" after "Northwind Robotics"), the head word of a name with "of" ("the House"
    /// after "House of Representatives").
    fn short_name(&self, i: usize) -> Option<usize> {
        let candidate = &self.candidates[i];
        let [word] = candidate.name.as_slice() else {
            return None;
        };
        if candidate.kind == EntityKind::Location {
            return None;
        }
        self.by_short_word.get(word).copied()
    }

    fn new_group(&mut self, group: Group) -> usize {
        self.groups.push(group);
        self.groups.len() - 1
    }

    /// People named with two or more words, fullest first: each joins the person with the same
    /// surname and a compatible given name ("Donald J. Trump" and "Donald Trump").
    fn people(&mut self) {
        let mut order: Vec<usize> = (0..self.candidates.len())
            .filter(|&i| {
                let c = &self.candidates[i];
                c.entry.is_none() && c.kind == EntityKind::Person && c.name.len() >= 2
            })
            .collect();
        order.sort_by_key(|&i| (std::cmp::Reverse(self.candidates[i].name.len()), i));
        for i in order {
            let name = &self.candidates[i].name;
            let same = name.last().and_then(|surname| {
                self.by_surname.get(surname)?.iter().copied().find(|&g| {
                    self.groups[g].members.iter().any(|&m| {
                        let other = &self.candidates[m].name;
                        other.len() >= 2 && same_person(name, other)
                    })
                })
            });
            let group = match same {
                Some(group) => group,
                None => self.new_group(Group {
                    person: true,
                    ..Group::default()
                }),
            };
            self.add(group, i);
        }
    }

    /// Gazetteer names by entry; a lone known word that is the surname of a person in the text
    /// ("Washington" after "George Washington") is that person.
    fn known(&mut self) {
        for i in 0..self.candidates.len() {
            let candidate = &self.candidates[i];
            let Some(entry) = candidate.entry else {
                continue;
            };
            if candidate.name.len() == 1 {
                if let Some(group) = self.person_by_word(i, true) {
                    self.add(group, i);
                    continue;
                }
            }
            let group = match self.by_entry.get(&entry) {
                Some(&group) => group,
                None => {
                    let group = self.new_group(Group {
                        entry: Some(entry),
                        ..Group::default()
                    });
                    self.by_entry.insert(entry, group);
                    group
                }
            };
            self.add(group, i);
        }
    }

    /// Other names of two or more words, by their words.
    fn other_names(&mut self) {
        for i in 0..self.candidates.len() {
            let candidate = &self.candidates[i];
            if self.of[i].is_none() && candidate.name.len() >= 2 {
                self.by_name(i);
            }
        }
    }

    fn by_name(&mut self, i: usize) {
        let key = self.candidates[i].key();
        let group = match self.by_key.get(&key) {
            Some(&group) => group,
            None => {
                let group = self.new_group(Group::default());
                self.by_key.insert(key, group);
                group
            }
        };
        self.add(group, i);
    }

    /// Single words: an acronym joins what it abbreviates, a surname or given name joins its
    /// person, anything else is a name of its own.
    fn single_words(&mut self, definitions: &HashMap<usize, usize>) {
        for i in 0..self.candidates.len() {
            if self.of[i].is_some() {
                continue;
            }
            let defined = definitions.get(&i).and_then(|&other| self.of[other]);
            let group = defined
                .or_else(|| self.person_by_word(i, true))
                .or_else(|| self.person_by_word(i, false))
                .or_else(|| self.abbreviated(i))
                .or_else(|| self.short_name(i));
            match group {
                Some(group) => self.add(group, i),
                None => self.by_name(i),
            }
        }
    }

    /// The person whose surname (or given name) is candidate `i`'s one word: the one named last
    /// before it, or else the first named after it.
    fn person_by_word(&self, i: usize, surname: bool) -> Option<usize> {
        let candidate = &self.candidates[i];
        let [word] = candidate.name.as_slice() else {
            return None;
        };
        let index = if surname {
            &self.by_surname
        } else {
            &self.by_given_name
        };
        let matching = index.get(word)?;
        matching
            .iter()
            .copied()
            .filter(|&g| self.groups[g].first <= candidate.start)
            .max_by_key(|&g| self.groups[g].first)
            .or_else(|| {
                matching
                    .iter()
                    .copied()
                    .min_by_key(|&g| self.groups[g].first)
            })
    }

    /// The organisation an acronym abbreviates by initials ("FCA" for "Financial Conduct
    /// Authority").
    fn abbreviated(&self, i: usize) -> Option<usize> {
        let candidate = &self.candidates[i];
        if !candidate.is_acronym() {
            return None;
        }
        let letters: String = candidate.name[0]
            .chars()
            .filter(|c| c.is_alphabetic())
            .collect();
        self.by_initials.get(&letters).copied()
    }
}

/// An organisation without a gazetteer entry named by a word and a head word ("Northwind
/// Robotics", "Acme Holdings"), whose first word alone may name it later.
fn is_cued_organisation(candidate: &Candidate) -> bool {
    let gazetteer = gazetteer::get();
    let [first, .., last] = candidate.name.as_slice() else {
        return false;
    };
    candidate.kind == EntityKind::Organization
        && candidate.entry.is_none()
        && candidate.name.len() == 2
        && gazetteer.cue(last) == Some(EntityKind::Organization)
        && gazetteer.cue(first).is_none()
        && gazetteer.lookup(first).is_none()
        && !gazetteer.is_title_word(first)
}

/// Two multi-word person names are one person: same surname, and the same given name or one
/// written as its initial.
fn same_person(a: &[String], b: &[String]) -> bool {
    let (Some(a_last), Some(b_last)) = (a.last(), b.last()) else {
        return false;
    };
    if a_last != b_last {
        return false;
    }
    let a_first = a[0].trim_end_matches('.');
    let b_first = b[0].trim_end_matches('.');
    let initial_of =
        |short: &str, long: &str| short.chars().count() == 1 && long.starts_with(short);
    a_first == b_first || initial_of(a_first, b_first) || initial_of(b_first, a_first)
}

/// Capitals of a name's words: "National Health Service" → "NHS".
fn initials(name: &[String]) -> String {
    name.iter()
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_uppercase())
        .collect()
}

/// Acronyms defined beside their long form, either way round: "National Health Service (NHS)",
/// "NHS (National Health Service)". Maps the acronym's candidate to the long form's.
fn acronym_definitions(doc: &Document, candidates: &[Candidate]) -> HashMap<usize, usize> {
    let mut definitions = HashMap::new();
    for (i, pair) in candidates.windows(2).enumerate() {
        let (first, second) = (&pair[0], &pair[1]);
        let between = doc.slice(first.end, second.start);
        let closes = doc.slice(second.end, second.end + 1) == ")";
        if between.trim() != "(" || !closes {
            continue;
        }
        if second.is_acronym() && !first.is_acronym() {
            definitions.insert(i + 1, i);
        } else if first.is_acronym() && !second.is_acronym() {
            definitions.insert(i, i + 1);
        }
    }
    definitions
}

/// The entity a group of candidates names.
fn entity(doc: &Document, candidates: &[Candidate], group: &Group) -> FoundEntity {
    let gazetteer = gazetteer::get();
    let mut members: Vec<&Candidate> = group.members.iter().map(|&m| &candidates[m]).collect();
    members.sort_by_key(|c| (c.start, c.end));
    members.dedup_by_key(|c| (c.start, c.end));
    let strongest = members
        .iter()
        .copied()
        .max_by_key(|c| (c.evidence, std::cmp::Reverse(c.start)));
    let entry = group.entry.map(|e| &gazetteer.entries[e]);
    let kind = match (entry, group.person) {
        (Some(entry), _) => entry.kind,
        (None, true) => EntityKind::Person,
        (None, false) => strongest.map_or(EntityKind::Other, |c| c.kind),
    };
    let name = match entry {
        Some(entry) => entry.canonical.to_owned(),
        None => fullest_name(&members),
    };
    let mut aliases: Vec<String> = Vec::new();
    let known = entry.map(|e| e.aliases.clone()).unwrap_or_default();
    let written = members.iter().map(|c| doc.slice(c.start, c.end));
    for alias in known.into_iter().chain(written) {
        if alias != name && !aliases.iter().any(|a| a == alias) {
            aliases.push(alias.to_owned());
        }
    }
    let person_bonus = group.person && members.iter().any(|c| c.evidence >= Evidence::Rule);
    let confidence = match strongest.map(|c| c.evidence) {
        Some(Evidence::Guess) if person_bonus => Evidence::Rule.confidence(),
        Some(evidence) => evidence.confidence(),
        None => Evidence::Guess.confidence(),
    };
    FoundEntity {
        name,
        kind,
        aliases,
        mentions: members
            .iter()
            .map(|c| Mention {
                start: c.start,
                end: c.end,
            })
            .collect(),
        confidence,
    }
}

/// The longest name (most words, then most chars), the earliest on a tie, without honorific.
fn fullest_name(members: &[&Candidate]) -> String {
    members
        .iter()
        .map(|c| c.key())
        .enumerate()
        .max_by_key(|(index, key)| {
            (
                key.split(' ').count(),
                key.chars().count(),
                std::cmp::Reverse(*index),
            )
        })
        .map(|(_, key)| key)
        .unwrap_or_default()
}
