//! The `changes` table: the change feed, written by triggers (see migration 000003), read only.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// `article`, `quote` or `entity`.
    pub resource: String,
    pub resource_id: Uuid,
    /// `created`, `updated` or `deleted`.
    pub action: String,
    pub slug: Option<String>,
    pub article_id: Option<Uuid>,
    pub version: Option<i64>,
    pub changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
