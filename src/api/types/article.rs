//! Articles and the nested create that writes one with all of its structure at once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::common::{
    not_blank, patch_field, required_field, short_strings_valid, valid_http_url, valid_language,
    valid_slug,
};
use super::entity::{Mention, MentionCreate};
use super::quote::{Quote, QuoteCreate};
use super::section::{Section, SectionCreate};
use crate::domain;
use crate::error::FieldError;

/// A news article. `sections`, `quotes` and `entities` are present only when asked for with
/// `include=`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c4d",
    "slug": "us-officials-condemn-uk-immigration-approach",
    "headline": "US officials accuse UK governments of having 'let down' the British people on immigration",
    "standfirst": null,
    "body": "Senior US officials have issued a stark condemnation of the United Kingdom's approach to immigration, ...",
    "authors": [],
    "publisher": null,
    "source_url": null,
    "language": "en",
    "category": "politics",
    "keywords": ["immigration", "diplomacy", "united-kingdom", "united-states"],
    "published_at": null,
    "word_count": 416,
    "version": 1,
    "created_at": "2026-11-27T09:00:00Z",
    "updated_at": "2026-11-27T09:00:00Z"
}))]
pub struct Article {
    pub id: Uuid,
    /// URL-safe unique name, usable wherever an id is.
    pub slug: String,
    pub headline: String,
    /// The summary under the headline.
    pub standfirst: Option<String>,
    /// The full text; every offset counts Unicode characters into it.
    pub body: String,
    pub authors: Vec<String>,
    pub publisher: Option<String>,
    /// Where the article was published; unique, so re-ingesting it is detected.
    pub source_url: Option<String>,
    /// BCP 47 language tag.
    pub language: String,
    pub category: Option<String>,
    pub keywords: Vec<String>,
    pub published_at: Option<DateTime<Utc>>,
    /// Words in `body`, derived.
    pub word_count: i32,
    /// Bumped on every change to the article or its sections, quotes and mentions.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// With `include=sections`: the sections in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sections: Option<Vec<Section>>,
    /// With `include=quotes`: the quotes in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quotes: Option<Vec<Quote>>,
    /// With `include=entities`: the entities mentioned, most mentioned first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<Mention>>,
    /// In a list with `q` and `highlight=true`: where the search matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlights: Option<ArticleHighlights>,
}

/// Where a search matched in an article, as HTML: the article's text is escaped (`&lt;`, `&amp;`,
/// `&quot;`) and every match is wrapped in `<mark>…</mark>`, so a page can show it as it is. Only
/// the fields in which the search matched are present.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[schema(example = json!({
    "headline": "US officials accuse UK governments of having 'let down' the British people on <mark>immigration</mark>",
    "body": "Senior US officials have issued a stark condemnation of the United Kingdom's approach to <mark>immigration</mark>, accusing successive governments of having &quot;let down&quot; the British people"
}))]
pub struct ArticleHighlights {
    /// The whole headline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// The whole standfirst.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standfirst: Option<String>,
    /// Up to two fragments of the body around matches (about 30 words).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl From<crate::search::ArticleSnippets> for ArticleHighlights {
    fn from(snippets: crate::search::ArticleSnippets) -> Self {
        Self {
            headline: snippets.headline,
            standfirst: snippets.standfirst,
            body: snippets.body,
        }
    }
}

/// A new article, optionally with its sections, quotes and mentions, written in one transaction:
/// either all of it is stored or none of it.
///
/// With `"extract": true` the extractor structures `body` and fills in what the request left out:
/// `headline` (from a headline line at the top of the text, else the lede's first sentence),
/// `standfirst`, and each of `sections`, `quotes` and `entities` that the request gave none of.
/// With a `headline` in the request the body is stored as given; without one, a headline (and
/// standfirst) the extractor finds at the top of the text is taken out of it, and offsets given in
/// the request must count in the body that is left. Extracted records carry their
/// `provenance` (extractor version, confidence, `verified: false`); extracted entities are matched
/// to stored ones by name or alias before new ones are made.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "headline": "Minister quits over housing plan",
    "body": "The housing minister resigned on Monday.\nDisputed Targets\n\"I cannot defend this plan,\" she said.",
    "category": "politics",
    "keywords": ["housing"],
    "published_at": "2026-11-23T08:00:00Z",
    "sections": [
        {"body": "The housing minister resigned on Monday.", "start": 0, "end": 40},
        {"heading": "Disputed Targets", "body": "\"I cannot defend this plan,\" she said.", "start": 41, "end": 96}
    ],
    "quotes": [
        {"text": "I cannot defend this plan,", "section_position": 1, "speaker": {"name": "Jane Doe", "kind": "person"}, "cue": "said", "start": 59, "end": 85}
    ],
    "entities": [
        {"entity": {"name": "Jane Doe", "kind": "person"}, "mention_count": 1}
    ]
}))]
pub struct ArticleCreate {
    /// Defaults to the slug of the headline.
    #[validate(custom(function = "valid_slug"))]
    pub slug: Option<String>,
    /// Required, unless `extract` is true: then a headline left out is taken from the text.
    #[validate(length(min = 1, max = 500), custom(function = "not_blank"))]
    pub headline: Option<String>,
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    pub standfirst: Option<String>,
    #[validate(length(min = 1, max = 1000000), custom(function = "not_blank"))]
    pub body: String,
    /// Run the extractor on `body` and fill in what the request leaves out (see above).
    #[serde(default)]
    pub extract: bool,
    #[serde(default)]
    #[validate(length(max = 50), custom(function = "short_strings_valid"))]
    pub authors: Vec<String>,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub publisher: Option<String>,
    #[validate(length(max = 2048), custom(function = "valid_http_url"))]
    pub source_url: Option<String>,
    /// BCP 47 language tag; defaults to `en`.
    #[validate(custom(function = "valid_language"))]
    pub language: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = "not_blank"))]
    pub category: Option<String>,
    #[serde(default)]
    #[validate(length(max = 50), custom(function = "short_strings_valid"))]
    pub keywords: Vec<String>,
    pub published_at: Option<DateTime<Utc>>,
    #[serde(default)]
    #[validate(length(max = 500), nested)]
    pub sections: Vec<SectionCreate>,
    #[serde(default)]
    #[validate(length(max = 2000), nested)]
    pub quotes: Vec<QuoteCreate>,
    /// The entities the article mentions.
    #[serde(default)]
    #[validate(length(max = 1000), nested)]
    pub entities: Vec<MentionCreate>,
}

impl ArticleCreate {
    /// Every rule the body breaks: its fields' own and [`Self::integrity_errors`].
    pub fn problems(&self) -> Vec<FieldError> {
        let mut errors = match validator::Validate::validate(self) {
            Ok(()) => Vec::new(),
            Err(e) => crate::error::field_errors(&e),
        };
        errors.extend(self.integrity_errors());
        errors
    }

    /// The rules that span fields: offsets inside the body, unique positions, quote sections that
    /// exist in this request, entities named one way each.
    pub fn integrity_errors(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let body_len = domain::char_len(&self.body);
        if self.headline.is_none() && !self.extract {
            errors.push(FieldError::new("headline", "is required"));
        }

        let mut section_positions = std::collections::HashSet::new();
        for (index, section) in self.sections.iter().enumerate() {
            let prefix = format!("sections[{index}].");
            domain::check_span(&prefix, section.start, section.end, body_len, &mut errors);
            let position = section.position.unwrap_or(index as i32);
            if !section_positions.insert(position) {
                errors.push(FieldError::new(
                    format!("{prefix}position"),
                    format!("{position} is used by another section"),
                ));
            }
        }

        let mut quote_positions = std::collections::HashSet::new();
        for (index, quote) in self.quotes.iter().enumerate() {
            let prefix = format!("quotes[{index}].");
            domain::check_span(&prefix, quote.start, quote.end, body_len, &mut errors);
            let position = quote.position.unwrap_or(index as i32);
            if !quote_positions.insert(position) {
                errors.push(FieldError::new(
                    format!("{prefix}position"),
                    format!("{position} is used by another quote"),
                ));
            }
            if quote.section_id.is_some() {
                errors.push(FieldError::new(
                    format!("{prefix}section_id"),
                    "cannot name a section in a nested create; use `section_position`",
                ));
            }
            if let Some(position) = quote.section_position {
                if !section_positions.contains(&position) {
                    errors.push(FieldError::new(
                        format!("{prefix}section_position"),
                        format!("no section in this request has position {position}"),
                    ));
                }
            }
            if let Some(speaker) = &quote.speaker {
                errors.extend(speaker.shape_errors(&format!("{prefix}speaker.")));
            }
        }

        for (index, mention) in self.entities.iter().enumerate() {
            let prefix = format!("entities[{index}].");
            domain::check_offset(
                &format!("{prefix}first_offset"),
                mention.first_offset,
                body_len,
                &mut errors,
            );
            errors.extend(mention.entity.shape_errors(&format!("{prefix}entity.")));
        }
        errors
    }
}

/// A JSON merge patch (RFC 7396) of an article's own fields: members left out stay as they are,
/// `null` clears an optional one (`standfirst`, `publisher`, `source_url`, `category`,
/// `published_at`); the others cannot be null. Sections, quotes and mentions have routes of their own.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"category": "immigration", "keywords": ["immigration", "diplomacy"]}))]
pub struct ArticlePatch {
    #[serde(default, deserialize_with = "required_field")]
    #[schema(value_type = String)]
    #[validate(custom(function = "valid_slug"))]
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "required_field")]
    #[schema(value_type = String)]
    #[validate(length(min = 1, max = 500), custom(function = "not_blank"))]
    pub headline: Option<String>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    pub standfirst: Option<Option<String>>,
    /// A new body must still contain every section, quote and mention offset.
    #[serde(default, deserialize_with = "required_field")]
    #[schema(value_type = String)]
    #[validate(length(min = 1, max = 1000000), custom(function = "not_blank"))]
    pub body: Option<String>,
    /// Replaces the authors; `[]` removes them all.
    #[serde(default, deserialize_with = "required_field")]
    #[schema(value_type = Vec<String>)]
    #[validate(length(max = 50), custom(function = "short_strings_valid"))]
    pub authors: Option<Vec<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub publisher: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    #[validate(length(max = 2048), custom(function = "valid_http_url"))]
    pub source_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "required_field")]
    #[schema(value_type = String)]
    #[validate(custom(function = "valid_language"))]
    pub language: Option<String>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    #[validate(length(min = 1, max = 100), custom(function = "not_blank"))]
    pub category: Option<Option<String>>,
    /// Replaces the keywords; `[]` removes them all.
    #[serde(default, deserialize_with = "required_field")]
    #[schema(value_type = Vec<String>)]
    #[validate(length(max = 50), custom(function = "short_strings_valid"))]
    pub keywords: Option<Vec<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub published_at: Option<Option<DateTime<Utc>>>,
}

impl From<crate::store::nested::ArticleWithParts> for Article {
    fn from(parts: crate::store::nested::ArticleWithParts) -> Self {
        fn each<T, U: From<T>>(items: Option<Vec<T>>) -> Option<Vec<U>> {
            items.map(|items| items.into_iter().map(U::from).collect())
        }
        Self {
            sections: each(parts.sections),
            quotes: each(parts.quotes),
            entities: each(parts.entities),
            ..Self::from(parts.row)
        }
    }
}

impl From<crate::store::articles::ArticleRow> for Article {
    fn from(row: crate::store::articles::ArticleRow) -> Self {
        let a = row.article;
        Self {
            id: a.id,
            slug: a.slug,
            headline: a.headline,
            standfirst: a.standfirst,
            body: a.body,
            authors: serde_json::from_value(a.authors).unwrap_or_default(),
            publisher: a.publisher,
            source_url: a.source_url,
            language: a.language,
            category: a.category,
            keywords: row.keywords,
            published_at: a.published_at,
            word_count: a.word_count,
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
            sections: None,
            quotes: None,
            entities: None,
            highlights: None,
        }
    }
}

impl crate::api::http::CrossFieldRules for ArticleCreate {
    fn cross_field_errors(&self) -> Vec<FieldError> {
        self.integrity_errors()
    }
}

impl crate::api::http::CrossFieldRules for ArticlePatch {}

/// Where one article of a batch was stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchItem {
    pub id: Uuid,
    #[schema(example = "minister-quits-over-housing-plan")]
    pub slug: String,
    /// The article's URL in this API.
    #[schema(example = "/v1/articles/0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")]
    pub href: String,
}

/// The answer to a batch create: each article of the batch, in the order sent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchCreated {
    /// How many articles were stored (all of them).
    pub created: usize,
    /// Where each article went, in the order of the request.
    pub items: Vec<BatchItem>,
}
