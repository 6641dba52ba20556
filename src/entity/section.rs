//! The `sections` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "sections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub article_id: Uuid,
    pub position: i32,
    pub heading: Option<String>,
    pub body: String,
    pub start_offset: Option<i32>,
    pub end_offset: Option<i32>,
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
