//! Sections: heading lines split the text into the lede and headed parts.

use super::text::Document;
use super::ProposedSection;

/// The sections of `doc`, in order.
pub fn find(_doc: &Document) -> Vec<ProposedSection> {
    Vec::new()
}
