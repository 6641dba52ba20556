//! Long text stored with LZ4 instead of Postgres' own pglz (Postgres only).
//!
//! Postgres compresses a value that makes its row longer than about 2 KB, and decompresses it on
//! every read. An article's body is that long, so a list page of 20 articles decompresses 20
//! bodies; under the load benchmark's entity lists, `pglz_decompress` was 14 % of Postgres' time.
//! LZ4 decompresses several times as fast for about the same size on disk: Postgres alone answered
//! the entity list 4,400 → 5,500 times a second once the bodies were LZ4 (bench/README.md, sixth
//! run). The full-text vectors, read back by every search and every write of the article, are
//! the other long values.
//!
//! `SET COMPRESSION` changes only how values written from now on are compressed: the stored ones
//! stay pglz until they are written again, and both are read alike, so the migration is a change
//! of the catalog, not a rewrite of the tables. A server built without LZ4 (`--without-lz4`; the
//! PGDG and Debian packages have it) keeps pglz: the migration then does nothing.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns whose values are long enough to be compressed: `(table, column)`.
const LONG_COLUMNS: &[(&str, &str)] = &[
    ("articles", "body"),
    ("articles", "search_vector"),
    ("articles", "rank_vector"),
    ("sections", "body"),
    ("quotes", "text"),
    ("quotes", "search_vector"),
];

/// One `DO` block setting `method` on every long column; a server that does not offer the method
/// (`feature_not_supported`) is left as it is.
fn set_compression(method: &str) -> String {
    let statements: String = LONG_COLUMNS
        .iter()
        .map(|(table, column)| {
            format!("    EXECUTE 'ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}';\n")
        })
        .collect();
    format!(
        "DO $$\nBEGIN\n{statements}EXCEPTION WHEN feature_not_supported THEN\n    \
         RAISE NOTICE 'this server has no {method} compression; long values stay as they are';\nEND $$"
    )
}

/// Sets `method` on Postgres; nothing to do on SQLite, which compresses nothing.
async fn apply(manager: &SchemaManager<'_>, method: &str) -> Result<(), DbErr> {
    match manager.get_database_backend() {
        DbBackend::Postgres => crate::run_sql(manager, &[set_compression(method)]).await,
        other => crate::postgres_only(other, &[]).map(drop),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        apply(manager, "lz4").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        apply(manager, "pglz").await
    }
}
