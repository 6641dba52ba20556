//! The `article_entities` table: which entities an article mentions, and how often.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "article_entities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub article_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub entity_id: Uuid,
    pub mention_count: i32,
    pub first_offset: Option<i32>,
    pub salience: Option<f64>,
    /// The extractor that made the row (`newsmeta-extract/…`); `None` when a person entered it.
    pub extractor_version: Option<String>,
    /// How sure the extractor was, 0 to 1; `None` for a row a person entered.
    pub confidence: Option<f64>,
    /// Whether a person has checked the row: true for manual rows, false for extracted ones until
    /// a PATCH says otherwise.
    pub verified: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The entity mentioned: reads join it in rather than fetch it apart.
    #[sea_orm(
        belongs_to = "super::named_entity::Entity",
        from = "Column::EntityId",
        to = "super::named_entity::Column::Id"
    )]
    NamedEntity,
}

impl Related<super::named_entity::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::NamedEntity.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
