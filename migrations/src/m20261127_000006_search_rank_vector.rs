//! A small tsvector of each article's headline and standfirst, `rank_vector`, that the relevance
//! ranking reads instead of `search_vector` (Postgres only).
//!
//! `search_vector` holds the body too, so it is several kilobytes and stored out of line (TOAST):
//! ranking a match read it from the TOAST table, the largest part of a search's cost when a
//! common word matches tens of thousands of articles. `rank_vector` is a few hundred bytes and
//! stays in the row. It holds the headline (weight A) and standfirst (weight B) through both
//! configurations of `search_vector` (`newsmeta_english` and `newsmeta_simple`), so the search's
//! tsquery, prefixes included, scores it the same way. Matching still uses `search_vector` and its
//! GIN index; the body counts for a match, not for the rank (see `src/search/`).
//!
//! SQLite ranks with FTS5's `bm25`, weighted in the query; it needs nothing here.
//!
//! The column depends on the text search configurations of `m20261127_000002_full_text_search`,
//! so undoing that migration means undoing this one first.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_UP: &[&str] = &[
    "ALTER TABLE articles ADD COLUMN rank_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('newsmeta_english'::regconfig, headline), 'A')
        || setweight(to_tsvector('newsmeta_english'::regconfig, coalesce(standfirst, '')), 'B')
        || setweight(to_tsvector('newsmeta_simple'::regconfig, headline), 'A')
        || setweight(to_tsvector('newsmeta_simple'::regconfig, coalesce(standfirst, '')), 'B')
     ) STORED",
];

const POSTGRES_DOWN: &[&str] = &["ALTER TABLE articles DROP COLUMN IF EXISTS rank_vector"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(
            manager,
            crate::postgres_only(manager.get_database_backend(), POSTGRES_UP)?,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(
            manager,
            crate::postgres_only(manager.get_database_backend(), POSTGRES_DOWN)?,
        )
        .await
    }
}
