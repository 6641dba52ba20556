//! Indexes that the query plans of the list and stats routes showed missing on a 100,000-article
//! corpus (`tests/api/plans.rs` checks the plans on Postgres).
//!
//! On both backends:
//! - `article_entities (article_id, entity_id, mention_count)`: the rankings and co-mentions in a
//!   window go from the window's articles (the `published_at` index) to their mentions; with the
//!   count in the index that is an index-only read, where the primary key alone made the planner
//!   prefer reading all 1.25 million mentions.
//! - `article_entities (entity_id, article_id, mention_count)` replaces `(entity_id, article_id)`:
//!   an entity's article and mention counts (entity lists, `sort=-mentions`, timelines of one
//!   entity's mentions) are read from the index alone.
//! - `quotes (article_id, speaker_entity_id, id)`: the speaker ranking and the quote timeline in a
//!   window go from the window's articles to their quotes, index-only.
//!
//! On Postgres only:
//! - `articles (published_at DESC NULLS LAST, id DESC)`: the article list's default order, newest
//!   first with undated articles last. Postgres sorts NULLs as the largest value, so the index on
//!   `(published_at, id)` read backwards gives NULLs first and cannot serve it (read forwards it
//!   serves the oldest-first order). SQLite sorts NULLs as the smallest value: its index read
//!   backwards is already in this order (and SQLite cannot declare an index `NULLS LAST`).
//! - a trigram index (`pg_trgm`, in Postgres' contrib and trusted, like `unaccent`) on the alias
//!   keys, which hold every entity's name too: the entity search `q` matches anywhere in a name
//!   (`LIKE '%…%'`), which no B-tree serves. SQLite has no such index and scans the aliases.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_UP: &[&str] = &[
    "CREATE INDEX idx_articles_published_at_desc \
     ON articles (published_at DESC NULLS LAST, id DESC)",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX idx_entity_aliases_alias_key_trgm \
     ON entity_aliases USING GIN (alias_key gin_trgm_ops)",
];

/// The extension stays: it may have been there before, and other things may use it.
const POSTGRES_DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS idx_entity_aliases_alias_key_trgm",
    "DROP INDEX IF EXISTS idx_articles_published_at_desc",
];

/// The indexes both backends get: name, table, columns.
const COVERING: [(&str, &str, [&str; 3]); 3] = [
    (
        "idx_article_entities_article_counts",
        "article_entities",
        ["article_id", "entity_id", "mention_count"],
    ),
    (
        "idx_article_entities_entity_counts",
        "article_entities",
        ["entity_id", "article_id", "mention_count"],
    ),
    (
        "idx_quotes_article_speaker",
        "quotes",
        ["article_id", "speaker_entity_id", "id"],
    ),
];

/// The index that `(entity_id, article_id, mention_count)` makes redundant, with its columns.
const REPLACED: (&str, &str, [&str; 2]) = (
    "idx_article_entities_entity",
    "article_entities",
    ["entity_id", "article_id"],
);

fn create_index(name: &str, table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(Alias::new(table));
    for column in columns {
        index.col(Alias::new(*column));
    }
    index
}

fn drop_index(name: &str, table: &str) -> IndexDropStatement {
    Index::drop().name(name).table(Alias::new(table)).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = crate::postgres_only(manager.get_database_backend(), POSTGRES_UP)?;
        for (name, table, columns) in COVERING {
            manager
                .create_index(create_index(name, table, &columns))
                .await?;
        }
        let (name, table, _) = REPLACED;
        manager.drop_index(drop_index(name, table)).await?;
        crate::run_sql(manager, statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = crate::postgres_only(manager.get_database_backend(), POSTGRES_DOWN)?;
        crate::run_sql(manager, statements).await?;
        let (name, table, columns) = REPLACED;
        manager
            .create_index(create_index(name, table, &columns))
            .await?;
        for (name, table, _) in COVERING {
            manager.drop_index(drop_index(name, table)).await?;
        }
        Ok(())
    }
}
