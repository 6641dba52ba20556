//! Quote spans: paired quotation marks, straight and curly, double and single.

use super::text::Document;
use crate::api::types::QuoteKind;

/// A quoted span, before attribution: chars `[start, end)` of the body, inside the marks.
#[derive(Debug, Clone, PartialEq)]
pub struct QuoteSpan {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub kind: QuoteKind,
}

/// The quotes of `doc`, in order: speech, not scare quotes or titles.
pub fn find(_doc: &Document) -> Vec<QuoteSpan> {
    Vec::new()
}
