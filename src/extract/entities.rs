//! Entities: named people, organisations, places and events, folded over the ways they are named.
//!
//! Three steps, each linear in the text: [`tokens`] reads the words with their char spans and
//! place in the sentence; [`candidates`] takes capitalised runs, cuts them by the embedded
//! [`gazetteer`] (longest name first), drops what is capitalised only by position (sentence
//! starts, title-case headings) and what names nothing (role titles, dates, religious adjectives),
//! and types the rest by rule; [`fold`] joins the ways one entity is named (surnames, honorifics,
//! acronyms, demonyms) and picks the canonical name.

mod candidates;
mod fold;
mod gazetteer;
mod tokens;

use super::text::Document;
use super::ProposedEntity;
use crate::api::types::EntityKind;

/// One named mention: chars `[start, end)` of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
}

/// An entity with every named mention of it, in text order.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundEntity {
    pub name: String,
    pub kind: EntityKind,
    pub aliases: Vec<String>,
    pub mentions: Vec<Mention>,
    pub confidence: f64,
}

impl FoundEntity {
    pub fn into_proposed(self) -> ProposedEntity {
        ProposedEntity {
            first_offset: self.mentions.first().map_or(0, |m| m.start),
            mention_count: i32::try_from(self.mentions.len()).unwrap_or(i32::MAX),
            name: self.name,
            kind: self.kind,
            aliases: self.aliases,
            confidence: self.confidence,
        }
    }
}

/// The entities `doc` names, in order of first mention.
pub fn find(doc: &Document) -> Vec<FoundEntity> {
    let tokens = tokens::tokenize(doc);
    let headings = candidates::headings(doc, &tokens);
    let found = candidates::Finder::new(&tokens, headings).find();
    fold::fold(doc, &found)
}

#[cfg(test)]
mod tests;
