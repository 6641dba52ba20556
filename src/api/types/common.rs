//! Types shared by several resources.

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::domain;
use crate::entity::named_entity;
use crate::error::FieldError;

/// A page of results. Pass `next_cursor` back as `cursor` for the next page; it is `null` on the
/// last page. The same link is in the `Link: <...>; rel="next"` header.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    /// The items of this page, in the order asked for.
    pub data: Vec<T>,
    /// Opaque cursor for the next page, or `null` when this is the last one.
    pub next_cursor: Option<String>,
    /// How many items match in all; only present when `count=true` was asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

/// What kind of thing an entity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Organization,
    Location,
    Event,
    Other,
}

impl EntityKind {
    pub const ALL: [EntityKind; 5] = [
        EntityKind::Person,
        EntityKind::Organization,
        EntityKind::Location,
        EntityKind::Event,
        EntityKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Organization => "organization",
            EntityKind::Location => "location",
            EntityKind::Event => "event",
            EntityKind::Other => "other",
        }
    }

    /// Reads a stored kind; an unknown value (which the API never writes) reads as `other`.
    pub fn from_stored(value: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == value)
            .unwrap_or(EntityKind::Other)
    }
}

/// Whether a quote is a whole quoted statement or a few words embedded in the reporter's sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum QuoteKind {
    /// A whole statement in quotation marks.
    #[default]
    Direct,
    /// A fragment quoted inside the reporter's own sentence, like "let down".
    Partial,
}

impl QuoteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteKind::Direct => "direct",
            QuoteKind::Partial => "partial",
        }
    }

    pub fn from_stored(value: &str) -> Self {
        if value == "partial" {
            QuoteKind::Partial
        } else {
            QuoteKind::Direct
        }
    }
}

/// Who made a record: a person, or the extractor (`POST /v1/articles` with `"extract": true`,
/// `newsmeta import`). Dashboards use it to tell machine output from edited output.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"extractor_version": "newsmeta-extract/0.1.0", "confidence": 0.9, "verified": false}))]
pub struct Provenance {
    /// The extractor release that made the record, or `null` when a person entered it.
    pub extractor_version: Option<String>,
    /// How sure the extractor was, from 0 to 1; `null` for a record a person entered.
    pub confidence: Option<f64>,
    /// Whether a person has checked the record: `true` for records people enter, `false` for
    /// extracted ones until a PATCH (or the mention PUT) sets it.
    pub verified: bool,
}

impl Provenance {
    /// A record a person entered.
    pub fn manual() -> Self {
        Self {
            extractor_version: None,
            confidence: None,
            verified: true,
        }
    }

    /// A record this build's extractor made, not yet checked by a person.
    pub fn extracted(confidence: f64) -> Self {
        Self {
            extractor_version: Some(crate::extract::EXTRACTOR_VERSION.to_owned()),
            confidence: Some(confidence.clamp(0.0, 1.0)),
            verified: false,
        }
    }

    /// Reads the three stored columns.
    pub fn from_columns(
        extractor_version: Option<String>,
        confidence: Option<f64>,
        verified: bool,
    ) -> Self {
        Self {
            extractor_version,
            confidence,
            verified,
        }
    }
}

/// An entity as it appears inside other resources: enough to show and to link it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c4d", "slug": "donald-trump", "name": "Donald Trump", "kind": "person"}))]
pub struct EntitySummary {
    pub id: Uuid,
    /// URL-safe unique name, usable wherever an id is.
    pub slug: String,
    /// Canonical name.
    pub name: String,
    pub kind: EntityKind,
}

impl From<&named_entity::Model> for EntitySummary {
    fn from(entity: &named_entity::Model) -> Self {
        Self {
            id: entity.id,
            slug: entity.slug.clone(),
            name: entity.name.clone(),
            kind: EntityKind::from_stored(&entity.kind),
        }
    }
}

/// Names an entity in a write: an existing one by `id` or `slug`, or inline by `name` and `kind`,
/// in which case an entity with that name (or alias, or slug) is reused and otherwise created with
/// the `aliases`, `description` and `wikidata_id` given here.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Donald Trump", "kind": "person", "aliases": ["Trump", "Mr Trump"]}))]
pub struct EntityRef {
    /// Id of an existing entity.
    pub id: Option<Uuid>,
    /// Slug of an existing entity; with `name`, the slug a newly created entity gets.
    #[validate(custom(function = "valid_slug"))]
    pub slug: Option<String>,
    /// Canonical name: matched against existing names and aliases (case- and accent-insensitive)
    /// before a new entity is made.
    #[validate(length(min = 1, max = 300), custom(function = "not_blank"))]
    pub name: Option<String>,
    /// Required with `name`.
    pub kind: Option<EntityKind>,
    /// Other names, used only when the entity is created here.
    #[serde(default)]
    #[validate(length(max = 50), custom(function = "aliases_valid"))]
    pub aliases: Vec<String>,
    /// Used only when the entity is created here.
    #[validate(length(max = 2000))]
    pub description: Option<String>,
    /// Used only when the entity is created here.
    #[validate(custom(function = "valid_wikidata_id"))]
    pub wikidata_id: Option<String>,
}

impl EntityRef {
    /// Cross-field rules: exactly one way of naming the entity.
    pub fn shape_errors(&self, prefix: &str) -> Vec<FieldError> {
        let mut errors = Vec::new();
        match (&self.id, &self.slug, &self.name) {
            (Some(_), None, None) | (None, Some(_), None) => {}
            (None, _, Some(_)) => {
                if self.kind.is_none() {
                    errors.push(FieldError::new(
                        format!("{prefix}kind"),
                        "is required when an entity is given by `name`",
                    ));
                }
            }
            (None, None, None) => errors.push(FieldError::new(
                prefix.trim_end_matches('.'),
                "needs one of `id`, `slug` or `name`",
            )),
            (Some(_), _, _) => errors.push(FieldError::new(
                format!("{prefix}id"),
                "cannot be combined with `slug` or `name`",
            )),
        }
        errors
    }
}

/// Deserialises a JSON merge-patch member: absent → `None`, `null` → `Some(None)`, value → `Some(Some(v))`.
pub fn patch_field<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Deserialises a merge-patch member that cannot be cleared: absent → `None`, value → `Some(v)`,
/// and `null` is an error naming the member (a 422), not a silent no-op.
pub fn required_field<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer)?
        .map(Some)
        .ok_or_else(|| {
            serde::de::Error::custom("cannot be null; leave the member out to keep its value")
        })
}

pub fn not_blank(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::new("blank").with_message("must not be blank".into()));
    }
    Ok(())
}

pub fn valid_slug(value: &str) -> Result<(), ValidationError> {
    if domain::is_valid_slug(value) {
        return Ok(());
    }
    Err(ValidationError::new("slug").with_message(
        format!(
            "must be lowercase letters and digits joined by single hyphens, at most {} characters (like `{}`)",
            domain::MAX_SLUG_LEN,
            domain::slugify(value).chars().take(60).collect::<String>()
        )
        .into(),
    ))
}

pub fn valid_wikidata_id(value: &str) -> Result<(), ValidationError> {
    let digits = value.strip_prefix('Q').unwrap_or("");
    if !digits.is_empty() && digits.len() <= 12 && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    Err(ValidationError::new("wikidata_id")
        .with_message("must be a Wikidata item id like `Q22686`".into()))
}

pub fn aliases_valid(aliases: &[String]) -> Result<(), ValidationError> {
    if aliases
        .iter()
        .any(|alias| alias.trim().is_empty() || alias.chars().count() > 300)
    {
        return Err(ValidationError::new("aliases")
            .with_message("each alias must be 1 to 300 characters and not blank".into()));
    }
    Ok(())
}

/// Tags for `authors` and `keywords`: each 1 to 200 characters, not blank.
pub fn short_strings_valid(values: &[String]) -> Result<(), ValidationError> {
    if values
        .iter()
        .any(|value| value.trim().is_empty() || value.chars().count() > 200)
    {
        return Err(ValidationError::new("strings")
            .with_message("each entry must be 1 to 200 characters and not blank".into()));
    }
    Ok(())
}

/// A BCP 47 language tag such as `en`, `en-GB` or `zh-Hant-TW`.
pub fn valid_language(value: &str) -> Result<(), ValidationError> {
    let mut parts = value.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if primary_ok && rest_ok && value.len() <= 35 {
        return Ok(());
    }
    Err(ValidationError::new("language")
        .with_message("must be a BCP 47 language tag like `en` or `en-GB`".into()))
}

/// An absolute http(s) URL.
pub fn valid_http_url(value: &str) -> Result<(), ValidationError> {
    match url::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => Ok(()),
        _ => {
            Err(ValidationError::new("url").with_message("must be an absolute http(s) URL".into()))
        }
    }
}
