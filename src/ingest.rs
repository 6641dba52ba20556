//! Ingest with extraction: an article create with `"extract": true` (from `POST /v1/articles` or
//! `newsmeta import`) has its left-out parts filled from the extractor's proposal. Pure, like the
//! extractor: the database matches and stores what this makes (`store::articles::create_with`).

use std::collections::{BTreeMap, BTreeSet};

use validator::Validate;

use crate::api::types::{
    ArticleCreate, EntityKind, EntityRef, MentionCreate, Provenance, QuoteCreate, SectionCreate,
};
use crate::extract::{self, Proposal, ProposedEntity, ProposedQuote, ProposedSection};

/// Longest headline taken from a lede's first sentence, in chars.
pub const MAX_LEDE_HEADLINE: usize = 150;

/// The provenance of each section, quote and mention of an article create, by index in its list;
/// a record with no entry here was entered by a person.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Origins {
    pub sections: Vec<Provenance>,
    pub quotes: Vec<Provenance>,
    pub entities: Vec<Provenance>,
}

impl Origins {
    /// The provenance of record `index` of `list`.
    pub fn of(list: &[Provenance], index: usize) -> Provenance {
        list.get(index).cloned().unwrap_or_else(Provenance::manual)
    }
}

/// Fills what `input` leaves out from the extractor's proposal for its body, when it asks for
/// extraction (`extract: true`); answers it unchanged otherwise. Without a `headline` in the
/// request, a headline (and standfirst) found at the top of the body is taken from it, and the
/// body becomes the rest, which every extracted offset counts in; with one, the body is kept
/// whole. Extracted records the API would reject (too long, too many) are left out.
pub fn fill(mut input: ArticleCreate) -> (ArticleCreate, Origins) {
    if !input.extract {
        return (input, Origins::default());
    }
    let proposal = if input.headline.is_some() {
        extract::extract_body(&input.body)
    } else {
        extract::extract(&input.body)
    };
    let mut origins = Origins::default();
    if input.headline.is_none() {
        input.headline = proposal
            .headline
            .as_ref()
            .map(|hint| hint.text.clone())
            .or_else(|| headline_from_lede(&proposal.body));
    }
    if input.standfirst.is_none() {
        input.standfirst = proposal.standfirst.as_ref().map(|hint| hint.text.clone());
    }
    let sections_extracted = input.sections.is_empty();
    if sections_extracted {
        (input.sections, origins.sections) = keep_valid(
            proposal.sections.iter().map(|s| (section(s), s.confidence)),
            500,
        );
    }
    if input.entities.is_empty() {
        (input.entities, origins.entities) = keep_valid(
            proposal.entities.iter().map(|e| (mention(e), e.confidence)),
            1000,
        );
    }
    if input.quotes.is_empty() {
        (input.quotes, origins.quotes) = keep_valid(
            proposal
                .quotes
                .iter()
                .map(|q| (quote(q, &proposal), q.confidence)),
            2000,
        );
        place_quotes(&mut input, sections_extracted);
    }
    input.body = proposal.body;
    (input, origins)
}

/// The items that pass their own validation, at most `max` of them, each with an extracted
/// provenance of its confidence.
fn keep_valid<T: Validate>(
    items: impl Iterator<Item = (T, f64)>,
    max: usize,
) -> (Vec<T>, Vec<Provenance>) {
    items
        .filter(|(item, _)| item.validate().is_ok())
        .take(max)
        .map(|(item, confidence)| (item, Provenance::extracted(confidence)))
        .unzip()
}

/// Ties each extracted quote to a section of the request: by the extractor's `section_position`
/// when the sections were extracted too, else to the given section whose span holds its start.
fn place_quotes(input: &mut ArticleCreate, sections_extracted: bool) {
    let positions: BTreeSet<i32> = input
        .sections
        .iter()
        .enumerate()
        .map(|(index, s)| s.position.unwrap_or(index as i32))
        .collect();
    let spans: Vec<(i32, i64, i64)> = input
        .sections
        .iter()
        .enumerate()
        .filter_map(|(index, s)| Some((s.position.unwrap_or(index as i32), s.start?, s.end?)))
        .collect();
    for quote in &mut input.quotes {
        quote.section_position = if sections_extracted {
            quote.section_position.filter(|p| positions.contains(p))
        } else {
            quote.start.and_then(|start| {
                spans
                    .iter()
                    .find(|(_, from, to)| (*from..*to).contains(&start))
                    .map(|(position, ..)| *position)
            })
        };
    }
}

fn section(proposed: &ProposedSection) -> SectionCreate {
    SectionCreate {
        position: Some(proposed.position),
        heading: proposed.heading.clone(),
        body: proposed.body.clone(),
        start: Some(offset(proposed.start)),
        end: Some(offset(proposed.end)),
    }
}

fn mention(proposed: &ProposedEntity) -> MentionCreate {
    MentionCreate {
        entity: entity_ref(&proposed.name, proposed.kind, &proposed.aliases),
        mention_count: proposed.mention_count.max(1),
        first_offset: Some(offset(proposed.first_offset)),
        salience: None,
    }
}

fn quote(proposed: &ProposedQuote, proposal: &Proposal) -> QuoteCreate {
    let speaker = proposed.speaker.as_ref().map(|name| {
        match proposal.entities.iter().find(|e| &e.name == name) {
            Some(entity) => entity_ref(&entity.name, entity.kind, &entity.aliases),
            None => entity_ref(name, EntityKind::Person, &[]),
        }
    });
    QuoteCreate {
        position: Some(proposed.position),
        text: proposed.text.clone(),
        kind: proposed.kind,
        section_id: None,
        section_position: proposed.section_position,
        speaker,
        speaker_label: proposed.speaker_label.clone(),
        cue: proposed.cue.clone(),
        start: Some(offset(proposed.start)),
        end: Some(offset(proposed.end)),
    }
}

/// An inline entity reference; aliases the API would reject are left out (deduplicated, sorted).
fn entity_ref(name: &str, kind: EntityKind, aliases: &[String]) -> EntityRef {
    let aliases: BTreeMap<String, String> = aliases
        .iter()
        .filter(|a| !a.trim().is_empty() && a.chars().count() <= 300)
        .map(|a| (crate::domain::match_key(a), a.trim().to_owned()))
        .filter(|(key, _)| *key != crate::domain::match_key(name))
        .collect();
    EntityRef {
        id: None,
        slug: None,
        name: Some(name.to_owned()),
        kind: Some(kind),
        aliases: aliases.into_values().take(50).collect(),
        description: None,
        wikidata_id: None,
    }
}

fn offset(chars: usize) -> i64 {
    i64::try_from(chars).unwrap_or(i64::MAX)
}

/// A headline made of the lede's first sentence: the first paragraph up to its first full stop,
/// question or exclamation mark (followed by a space or the end), cut at a word boundary to at
/// most [`MAX_LEDE_HEADLINE`] chars. `None` when the body has no words.
pub fn headline_from_lede(body: &str) -> Option<String> {
    let lede = body.lines().map(str::trim).find(|line| !line.is_empty())?;
    let chars: Vec<char> = lede.chars().collect();
    let end = (0..chars.len())
        .find(|&i| ends_sentence(&chars, i))
        .map_or(chars.len(), |i| i + 1);
    let sentence: String = chars[..end].iter().collect();
    let sentence = sentence.trim().trim_end_matches('.').trim_end();
    if sentence.chars().count() <= MAX_LEDE_HEADLINE {
        return Some(sentence.to_owned()).filter(|s| !s.is_empty());
    }
    let mut headline = String::new();
    for word in sentence.split_whitespace() {
        let len =
            headline.chars().count() + usize::from(!headline.is_empty()) + word.chars().count();
        if len > MAX_LEDE_HEADLINE {
            break;
        }
        if !headline.is_empty() {
            headline.push(' ');
        }
        headline.push_str(word);
    }
    if headline.is_empty() {
        // One word longer than the limit: cut it.
        headline = sentence.chars().take(MAX_LEDE_HEADLINE).collect();
    }
    Some(headline.trim_end_matches([',', ';', ':']).to_owned())
}

/// Abbreviations whose full stop ends no sentence.
const ABBREVIATIONS: [&str; 16] = [
    "mr", "mrs", "ms", "dr", "st", "sen", "rep", "gov", "gen", "lt", "col", "prof", "rev", "jr",
    "sr", "no",
];

/// Whether `chars[i]` ends a sentence: a `!` or `?`, or a full stop that follows no abbreviation
/// (`Mr.`, `U.S.`, an initial), each followed by the end or by a space and no lowercase word.
fn ends_sentence(chars: &[char], i: usize) -> bool {
    let (mark, next) = (chars[i], chars.get(i + 1));
    if !matches!(mark, '.' | '!' | '?') || next.is_some_and(|n| !n.is_whitespace()) {
        return false;
    }
    let next_word = chars[i + 1..].iter().find(|c| !c.is_whitespace());
    if next_word.is_some_and(|c| c.is_lowercase()) {
        return false;
    }
    if mark != '.' {
        return true;
    }
    let word: String = chars[..i]
        .iter()
        .rev()
        .take_while(|c| !c.is_whitespace())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
    !(initial || word.contains('.') || ABBREVIATIONS.contains(&word.to_lowercase().as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lede_headline_is_the_first_sentence_without_its_full_stop() {
        assert_eq!(
            headline_from_lede("\nThe minister resigned on Monday. She said more.\nNext."),
            Some("The minister resigned on Monday".to_owned())
        );
        assert_eq!(
            headline_from_lede("Is this it? Yes."),
            Some("Is this it?".to_owned())
        );
        assert_eq!(
            headline_from_lede("U.S. officials met"),
            Some("U.S. officials met".to_owned())
        );
        assert_eq!(
            headline_from_lede("Mr. Smith met J. Doe in the U.S. Army base. Then left."),
            Some("Mr. Smith met J. Doe in the U.S. Army base".to_owned())
        );
        assert_eq!(headline_from_lede("  \n "), None);
    }

    #[test]
    fn a_long_lede_headline_is_cut_at_a_word_boundary() {
        let lede = "word ".repeat(60);
        let headline = headline_from_lede(&lede).unwrap();
        assert!(headline.chars().count() <= MAX_LEDE_HEADLINE);
        assert!(headline.ends_with("word"));
        let one = "x".repeat(200);
        assert_eq!(headline_from_lede(&one).unwrap().chars().count(), 150);
    }

    #[test]
    fn without_extract_the_create_is_unchanged() {
        let input = ArticleCreate {
            body: "Text.".to_owned(),
            ..ArticleCreate::default()
        };
        let (filled, origins) = fill(input.clone());
        assert_eq!(filled.body, input.body);
        assert_eq!(filled.headline, None);
        assert_eq!(origins, Origins::default());
    }

    #[test]
    fn with_extract_a_headline_is_filled_and_given_parts_are_kept() {
        let input = ArticleCreate {
            body: "The council voted on Tuesday. More followed.".to_owned(),
            extract: true,
            category: Some("local".to_owned()),
            ..ArticleCreate::default()
        };
        let (filled, _) = fill(input);
        let proposal = extract::extract("The council voted on Tuesday. More followed.");
        assert_eq!(filled.body, proposal.body);
        assert!(filled.headline.is_some());
        assert_eq!(filled.category.as_deref(), Some("local"));
        assert_eq!(filled.sections.len(), proposal.sections.len());
    }
}
