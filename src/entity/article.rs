//! The `articles` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "articles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub slug: String,
    pub headline: String,
    pub standfirst: Option<String>,
    pub body: String,
    /// A JSON array of strings.
    pub authors: Json,
    pub publisher: Option<String>,
    pub source_url: Option<String>,
    pub language: String,
    pub category: Option<String>,
    pub published_at: Option<DateTimeUtc>,
    pub word_count: i32,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// SHA-256 of `body` (hex), so that an import recognises a text stored before.
    pub content_hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
