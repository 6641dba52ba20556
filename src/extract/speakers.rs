//! Attribution: who said each quote, by sieves, most precise first.

use super::entities::FoundEntity;
use super::quotes::QuoteSpan;
use super::text::Document;
use super::{ProposedQuote, ProposedSection};

/// Attributes each quote to a speaker among `entities` (or a label only), in text order.
pub fn attribute(
    _doc: &Document,
    _sections: &[ProposedSection],
    _quotes: Vec<QuoteSpan>,
    _entities: &[FoundEntity],
) -> Vec<ProposedQuote> {
    Vec::new()
}
