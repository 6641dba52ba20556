//! The `entities` table: people, organisations, locations and events that articles mention.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "entities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub description: Option<String>,
    pub wikidata_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The extractor that made the row (`newsmeta-extract/…`); `None` when a person entered it.
    pub extractor_version: Option<String>,
    /// How sure the extractor was, 0 to 1; `None` for a row a person entered.
    pub confidence: Option<f64>,
    /// Whether a person has checked the row: true for manual rows, false for extracted ones until
    /// a PATCH says otherwise.
    pub verified: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
