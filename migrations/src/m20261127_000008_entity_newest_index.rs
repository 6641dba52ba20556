//! The articles that mention an entity, newest first, as the first entries of one index.
//!
//! `GET /v1/articles?entity=…` (and `/v1/entities/{entity}/articles`) lists an entity's articles
//! by publication time. Read through the article table, that is a walk of all articles newest
//! first that tests each for a mention (cheap for an entity in most articles, a walk of the whole
//! table for a rare one), or every article of the entity fetched and sorted. The list now reads
//! the entity's mentions in the order of their copy of `published_at` (migration 000007) and stops
//! when the page is full: 21 index entries and 21 articles, whatever the entity.
//!
//! The index replaces 000007's `(entity_id, published_at, mention_count)`: with the article id
//! between the date and the count it still serves the timeline of one entity's mentions (a range
//! of dates, read from the index alone) and now also the list's order, `(published_at, id)`, so
//! writes keep one index up to date, not two.
//! - Postgres sorts NULLs as the largest value, and the list puts undated articles last in both
//!   directions, so the index is declared `published_at DESC NULLS LAST, article_id DESC`: read
//!   forwards, the newest-first order. (The oldest-first order, `ASC NULLS LAST`, is that of
//!   neither direction; Postgres reads the index backwards and sorts only what shares a date.)
//! - SQLite sorts NULLs as the smallest value and cannot declare `NULLS LAST`: its index in
//!   ascending order, read backwards, is the newest-first order with undated articles last.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_UP: &[&str] = &[
    "CREATE INDEX idx_article_entities_entity_newest ON article_entities \
     (entity_id, published_at DESC NULLS LAST, article_id DESC, mention_count)",
    "DROP INDEX idx_article_entities_entity_published",
];

const SQLITE_UP: &[&str] = &[
    "CREATE INDEX idx_article_entities_entity_newest ON article_entities \
     (entity_id, published_at, article_id, mention_count)",
    "DROP INDEX idx_article_entities_entity_published",
];

/// 000007's index, as it made it (the same on both backends).
const DOWN: &[&str] = &[
    "CREATE INDEX idx_article_entities_entity_published ON article_entities \
     (entity_id, published_at, mention_count)",
    "DROP INDEX idx_article_entities_entity_newest",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => POSTGRES_UP,
            DbBackend::Sqlite => SQLITE_UP,
            other => {
                return Err(DbErr::Migration(format!(
                    "newsmeta runs on Postgres and SQLite, not {other:?}"
                )))
            }
        };
        crate::run_sql(manager, statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, DOWN).await
    }
}
