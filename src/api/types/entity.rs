//! Entities (people, organisations, locations, events) and the mentions that tie them to articles.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::common::{
    aliases_valid, not_blank, patch_field, required_field, valid_slug, valid_wikidata_id,
    EntityKind, EntityRef, EntitySummary, Provenance,
};

/// A person, organisation, location or event that articles mention.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c51",
    "slug": "donald-trump",
    "name": "Donald Trump",
    "kind": "person",
    "aliases": ["Mr Trump", "Trump"],
    "description": "45th and 47th President of the United States",
    "wikidata_id": "Q22686",
    "article_count": 1,
    "mention_count": 4,
    "created_at": "2026-11-27T09:00:00Z",
    "updated_at": "2026-11-27T09:00:00Z",
    "provenance": {"extractor_version": null, "confidence": null, "verified": true}
}))]
pub struct Entity {
    pub id: Uuid,
    /// URL-safe unique name, usable wherever an id is.
    pub slug: String,
    /// Canonical name.
    pub name: String,
    pub kind: EntityKind,
    /// Other names the entity goes by, sorted.
    pub aliases: Vec<String>,
    pub description: Option<String>,
    /// Wikidata item id (`Q...`).
    pub wikidata_id: Option<String>,
    /// Number of articles that mention it.
    pub article_count: i64,
    /// Mentions summed over all articles.
    pub mention_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Who made it: a person, or the extractor (and whether a person has checked it since).
    pub provenance: Provenance,
}

/// A new entity.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Keir Starmer", "kind": "person", "aliases": ["Sir Keir Starmer", "Starmer"], "description": "Prime Minister of the United Kingdom since 2024"}))]
pub struct EntityCreate {
    /// Defaults to the slug of `name`.
    #[validate(custom(function = "valid_slug"))]
    pub slug: Option<String>,
    #[validate(length(min = 1, max = 300), custom(function = "not_blank"))]
    pub name: String,
    pub kind: EntityKind,
    #[serde(default)]
    #[validate(length(max = 50), custom(function = "aliases_valid"))]
    pub aliases: Vec<String>,
    #[validate(length(max = 2000))]
    pub description: Option<String>,
    #[validate(custom(function = "valid_wikidata_id"))]
    pub wikidata_id: Option<String>,
}

/// A JSON merge patch of an entity: members left out stay as they are, `null` clears. `aliases`
/// replaces the whole list.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"description": "Prime Minister of the United Kingdom", "aliases": ["Sir Keir Starmer", "Starmer", "Sir Keir"]}))]
pub struct EntityPatch {
    #[validate(custom(function = "valid_slug"))]
    #[serde(default, deserialize_with = "required_field")]
    #[schema(value_type = String)]
    pub slug: Option<String>,
    #[validate(length(min = 1, max = 300), custom(function = "not_blank"))]
    #[serde(default, deserialize_with = "required_field")]
    #[schema(value_type = String)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "required_field")]
    #[schema(value_type = EntityKind)]
    pub kind: Option<EntityKind>,
    #[validate(length(max = 50), custom(function = "aliases_valid"))]
    #[serde(default, deserialize_with = "required_field")]
    #[schema(value_type = Vec<String>)]
    pub aliases: Option<Vec<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    #[validate(length(max = 2000))]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>)]
    #[validate(custom(function = "valid_wikidata_id"))]
    pub wikidata_id: Option<Option<String>>,
    /// `true` once a person has checked an extracted entity (`false` marks it unchecked again).
    #[serde(default, deserialize_with = "required_field")]
    #[schema(value_type = bool)]
    pub verified: Option<bool>,
}

/// Folds a duplicate entity into this one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"duplicate": "trump"}))]
pub struct EntityMerge {
    /// Id or slug of the duplicate. Its mentions and quotes move to this entity, its name and
    /// aliases become aliases here, and then it is deleted.
    #[validate(length(min = 1, max = 200))]
    pub duplicate: String,
}

/// An entity mentioned in an article.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "entity": {"id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c52", "slug": "united-kingdom", "name": "United Kingdom", "kind": "location"},
    "mention_count": 7, "first_offset": 60, "salience": null,
    "provenance": {"extractor_version": null, "confidence": null, "verified": true}
}))]
pub struct Mention {
    pub entity: EntitySummary,
    /// How many times the article mentions it (names, aliases and surnames; not pronouns).
    pub mention_count: i32,
    /// Char offset of the first mention in the article body.
    pub first_offset: Option<i32>,
    /// How central the entity is to the article, from 0 to 1.
    pub salience: Option<f64>,
    /// Who made it: a person, or the extractor (and whether a person has checked it since).
    pub provenance: Provenance,
}

/// A mention in a nested article create: which entity, and how often.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"entity": {"name": "United Kingdom", "kind": "location", "aliases": ["UK", "Britain", "British"]}, "mention_count": 7, "first_offset": 60}))]
pub struct MentionCreate {
    #[validate(nested)]
    pub entity: EntityRef,
    #[serde(default = "one")]
    #[validate(range(min = 1, max = 100000))]
    pub mention_count: i32,
    #[validate(range(min = 0))]
    pub first_offset: Option<i64>,
    #[validate(range(min = 0.0, max = 1.0))]
    pub salience: Option<f64>,
}

/// Sets how an article mentions an entity (creates the mention or replaces it).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"mention_count": 2, "first_offset": 1980, "verified": true}))]
pub struct MentionPut {
    #[serde(default = "one")]
    #[validate(range(min = 1, max = 100000))]
    pub mention_count: i32,
    #[validate(range(min = 0))]
    pub first_offset: Option<i64>,
    #[validate(range(min = 0.0, max = 1.0))]
    pub salience: Option<f64>,
    /// Whether a person has checked the mention. Left out: a new mention is a person's (`true`)
    /// and a replaced one keeps its value, so an extracted mention stays unchecked until this
    /// says `true`. The extractor version and confidence of an extracted mention are kept.
    pub verified: Option<bool>,
}

fn one() -> i32 {
    1
}

impl From<crate::store::entities::EntityRow> for Entity {
    fn from(row: crate::store::entities::EntityRow) -> Self {
        let e = row.entity;
        Self {
            id: e.id,
            kind: EntityKind::from_stored(&e.kind),
            slug: e.slug,
            name: e.name,
            aliases: row.aliases,
            description: e.description,
            wikidata_id: e.wikidata_id,
            article_count: row.article_count,
            mention_count: row.mention_count,
            created_at: e.created_at,
            updated_at: e.updated_at,
            provenance: Provenance::from_columns(e.extractor_version, e.confidence, e.verified),
        }
    }
}

impl From<crate::store::mentions::MentionRow> for Mention {
    fn from(row: crate::store::mentions::MentionRow) -> Self {
        Self {
            entity: EntitySummary::from(&row.entity),
            mention_count: row.mention.mention_count,
            first_offset: row.mention.first_offset,
            salience: row.mention.salience,
            provenance: Provenance::from_columns(
                row.mention.extractor_version,
                row.mention.confidence,
                row.mention.verified,
            ),
        }
    }
}

impl crate::api::http::CrossFieldRules for EntityCreate {}
impl crate::api::http::CrossFieldRules for EntityPatch {}
impl crate::api::http::CrossFieldRules for EntityMerge {}
impl crate::api::http::CrossFieldRules for MentionPut {}
