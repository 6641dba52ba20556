//! Sections: the headed parts of an article's body.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::common::{not_blank, patch_field, required_field, Provenance};
use crate::entity::section;

/// A section of an article: position 0 is the untitled lede, then each headed part in order.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c4e",
    "article_id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c4d",
    "position": 1,
    "heading": "Confidential Diplomatic Directive",
    "body": "The criticism was delivered in a confidential memo sent to US embassies last week, including the mission in London. ...",
    "start": 216,
    "end": 732,
    "provenance": {"extractor_version": null, "confidence": null, "verified": true}
}))]
pub struct Section {
    pub id: Uuid,
    pub article_id: Uuid,
    /// Order within the article, unique per article; 0 is the lede.
    pub position: i32,
    /// The sub-heading, or `null` for the untitled lede.
    pub heading: Option<String>,
    /// The section's text, without its heading.
    pub body: String,
    /// Char offset in the article body where the section (its heading, if any) begins.
    pub start: Option<i32>,
    /// Char offset in the article body where the section ends (exclusive).
    pub end: Option<i32>,
    /// Who made it: a person, or the extractor (and whether a person has checked it since).
    pub provenance: Provenance,
}

impl From<section::Model> for Section {
    fn from(row: section::Model) -> Self {
        Self {
            id: row.id,
            article_id: row.article_id,
            position: row.position,
            heading: row.heading,
            body: row.body,
            start: row.start_offset,
            end: row.end_offset,
            provenance: Provenance::from_columns(
                row.extractor_version,
                row.confidence,
                row.verified,
            ),
        }
    }
}

/// A new section. Offsets are optional; when given they must lie within the article body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"position": 1, "heading": "Confidential Diplomatic Directive", "body": "The criticism was delivered in a confidential memo ...", "start": 216, "end": 732}))]
pub struct SectionCreate {
    /// Order within the article; in a nested create it defaults to the section's index in the
    /// list, on its own to one past the last section.
    #[validate(range(min = 0, max = 10000))]
    pub position: Option<i32>,
    #[validate(length(min = 1, max = 500), custom(function = "not_blank"))]
    pub heading: Option<String>,
    #[validate(length(min = 1, max = 200000), custom(function = "not_blank"))]
    pub body: String,
    #[validate(range(min = 0))]
    pub start: Option<i64>,
    #[validate(range(min = 0))]
    pub end: Option<i64>,
}

/// A JSON merge patch of a section: members left out stay as they are, `null` clears `heading`,
/// `start` and `end` (which go together); `position` and `body` cannot be null.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"heading": "A Pattern of Failure"}))]
pub struct SectionPatch {
    #[serde(default, deserialize_with = "required_field")]
    #[schema(value_type = i32)]
    #[validate(range(min = 0, max = 10000))]
    pub position: Option<i32>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    #[validate(length(min = 1, max = 500), custom(function = "not_blank"))]
    pub heading: Option<Option<String>>,
    #[serde(default, deserialize_with = "required_field")]
    #[schema(value_type = String)]
    #[validate(length(min = 1, max = 200000), custom(function = "not_blank"))]
    pub body: Option<String>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<i64>)]
    #[validate(range(min = 0))]
    pub start: Option<Option<i64>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<i64>)]
    #[validate(range(min = 0))]
    pub end: Option<Option<i64>>,
    /// `true` once a person has checked an extracted section (`false` marks it unchecked again).
    #[serde(default, deserialize_with = "required_field")]
    #[schema(value_type = bool)]
    pub verified: Option<bool>,
}

impl crate::api::http::CrossFieldRules for SectionCreate {
    fn cross_field_errors(&self) -> Vec<crate::error::FieldError> {
        let mut errors = Vec::new();
        crate::domain::check_span("", self.start, self.end, i64::MAX, &mut errors);
        errors
    }
}

impl crate::api::http::CrossFieldRules for SectionPatch {}
