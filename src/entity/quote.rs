//! The `quotes` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "quotes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub article_id: Uuid,
    pub section_id: Option<Uuid>,
    pub position: i32,
    pub text: String,
    pub kind: String,
    pub speaker_entity_id: Option<Uuid>,
    pub speaker_label: Option<String>,
    pub cue: Option<String>,
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
pub enum Relation {
    /// The entity who said it, when known: reads join it in rather than fetch it apart.
    #[sea_orm(
        belongs_to = "super::named_entity::Entity",
        from = "Column::SpeakerEntityId",
        to = "super::named_entity::Column::Id"
    )]
    Speaker,
}

impl Related<super::named_entity::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Speaker.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
