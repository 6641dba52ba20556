//! Quotes: who said what, in which article.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::common::{
    not_blank, patch_field, required_field, EntityRef, EntitySummary, Provenance, QuoteKind,
};

/// A quotation in an article, with its speaker.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c50",
    "article_id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c4d",
    "section_id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c4f",
    "position": 6,
    "text": "I would stop it, and it doesn't matter if you call out the military.",
    "kind": "direct",
    "speaker": {"id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c51", "slug": "donald-trump", "name": "Donald Trump", "kind": "person"},
    "speaker_label": "Mr Trump",
    "cue": "told",
    "start": 2177,
    "end": 2245,
    "provenance": {"extractor_version": null, "confidence": null, "verified": true}
}))]
pub struct Quote {
    pub id: Uuid,
    pub article_id: Uuid,
    /// The section the quote is in, if known.
    pub section_id: Option<Uuid>,
    /// Order of the quote within its article, unique per article.
    pub position: i32,
    /// The quoted words, without quotation marks.
    pub text: String,
    pub kind: QuoteKind,
    /// The entity who said it, when known.
    pub speaker: Option<EntitySummary>,
    /// The speaker as the article names them ("a US State Department spokesperson").
    pub speaker_label: Option<String>,
    /// The verb that introduces the quote ("said", "told", "warned").
    pub cue: Option<String>,
    /// Char offset of the quoted text in the article body.
    pub start: Option<i32>,
    /// Char offset where the quoted text ends (exclusive).
    pub end: Option<i32>,
    /// Who made it: a person, or the extractor (and whether a person has checked it since).
    pub provenance: Provenance,
    /// In a list with `q` and `highlight=true`: where the search matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlights: Option<QuoteHighlights>,
}

/// Where a search matched in a quote, as HTML: the text escaped, every match in `<mark>…</mark>`.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[schema(example = json!({
    "text": "I would stop it, and it doesn't matter if you call out the <mark>military</mark>."
}))]
pub struct QuoteHighlights {
    /// The whole text, when the search matched in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl From<crate::search::QuoteSnippets> for QuoteHighlights {
    fn from(snippets: crate::search::QuoteSnippets) -> Self {
        Self {
            text: snippets.text,
        }
    }
}

/// A new quote.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "text": "destroy", "kind": "partial", "section_position": 3,
    "speaker": {"slug": "donald-trump"}, "speaker_label": "Mr Trump", "cue": "warned",
    "start": 2105, "end": 2112
}))]
pub struct QuoteCreate {
    /// Order within the article; defaults to the quote's index in a nested create, on its own to
    /// one past the last quote.
    #[validate(range(min = 0, max = 100000))]
    pub position: Option<i32>,
    #[validate(length(min = 1, max = 20000), custom(function = "not_blank"))]
    pub text: String,
    #[serde(default)]
    pub kind: QuoteKind,
    /// The section the quote is in, by id; it must belong to the same article.
    pub section_id: Option<Uuid>,
    /// The section the quote is in, by its position in the same article (in a nested create, the
    /// position of a section in the same request).
    #[validate(range(min = 0))]
    pub section_position: Option<i32>,
    /// Who said it: an existing entity, or one named inline and matched or created.
    #[validate(nested)]
    pub speaker: Option<EntityRef>,
    #[validate(length(min = 1, max = 300), custom(function = "not_blank"))]
    pub speaker_label: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = "not_blank"))]
    pub cue: Option<String>,
    #[validate(range(min = 0))]
    pub start: Option<i64>,
    #[validate(range(min = 0))]
    pub end: Option<i64>,
}

/// A JSON merge patch of a quote: members left out stay as they are, `null` clears.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"speaker": {"slug": "keir-starmer"}, "cue": "said"}))]
pub struct QuotePatch {
    #[validate(range(min = 0, max = 100000))]
    #[serde(default, deserialize_with = "required_field")]
    #[schema(value_type = i32)]
    pub position: Option<i32>,
    #[validate(length(min = 1, max = 20000), custom(function = "not_blank"))]
    #[serde(default, deserialize_with = "required_field")]
    #[schema(value_type = String)]
    pub text: Option<String>,
    #[serde(default, deserialize_with = "required_field")]
    #[schema(value_type = QuoteKind)]
    pub kind: Option<QuoteKind>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<Uuid>)]
    pub section_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<EntityRef>)]
    #[validate(nested)]
    pub speaker: Option<Option<EntityRef>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    #[validate(length(min = 1, max = 300), custom(function = "not_blank"))]
    pub speaker_label: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    #[validate(length(min = 1, max = 100), custom(function = "not_blank"))]
    pub cue: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<i64>)]
    #[validate(range(min = 0))]
    pub start: Option<Option<i64>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<i64>)]
    #[validate(range(min = 0))]
    pub end: Option<Option<i64>>,
    /// `true` once a person has checked an extracted quote (`false` marks it unchecked again).
    #[serde(default, deserialize_with = "required_field")]
    #[schema(value_type = bool)]
    pub verified: Option<bool>,
}

impl From<crate::store::quotes::QuoteRow> for Quote {
    fn from(row: crate::store::quotes::QuoteRow) -> Self {
        let q = row.quote;
        Self {
            id: q.id,
            article_id: q.article_id,
            section_id: q.section_id,
            position: q.position,
            text: q.text,
            kind: QuoteKind::from_stored(&q.kind),
            speaker: row.speaker.as_ref().map(EntitySummary::from),
            speaker_label: q.speaker_label,
            cue: q.cue,
            start: q.start_offset,
            end: q.end_offset,
            provenance: Provenance::from_columns(q.extractor_version, q.confidence, q.verified),
            highlights: None,
        }
    }
}

impl crate::api::http::CrossFieldRules for QuoteCreate {
    fn cross_field_errors(&self) -> Vec<crate::error::FieldError> {
        let mut errors = Vec::new();
        crate::domain::check_span("", self.start, self.end, i64::MAX, &mut errors);
        if let Some(speaker) = &self.speaker {
            errors.extend(speaker.shape_errors("speaker."));
        }
        errors
    }
}

impl crate::api::http::CrossFieldRules for QuotePatch {
    fn cross_field_errors(&self) -> Vec<crate::error::FieldError> {
        match &self.speaker {
            Some(Some(speaker)) => speaker.shape_errors("speaker."),
            _ => Vec::new(),
        }
    }
}
