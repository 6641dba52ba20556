//! The `entity_aliases` table: the names an entity goes by, each with a normalised key for
//! matching. It holds the canonical name too, so that names and aliases match alike (case- and
//! accent-insensitively); `store::entities::aliases_of` leaves that row out of `aliases`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "entity_aliases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub entity_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub alias_key: String,
    pub alias: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
