//! Full-text search indexes on articles (headline, standfirst, body) and quotes (text), kept
//! current by the database itself. The two backends index text in different ways, so this
//! migration is the one written in SQL per backend; `src/search/` in the service queries it.
//!
//! - Postgres: a generated `search_vector` tsvector column with a GIN index on each table. It
//!   holds the text through two configurations: `newsmeta_english` (`english` with accents
//!   removed: stemmed words) and `newsmeta_simple` (accents removed, no stemming: for prefix
//!   searches). Headline is weighted A, standfirst B, body C. Only the first 100,000 characters
//!   of a body are indexed, which keeps the vector under Postgres' 1 MB tsvector limit whatever
//!   the body holds. Needs the `unaccent` extension (in Postgres' contrib; trusted, so a database
//!   owner can create it).
//! - SQLite: FTS5 tables `articles_fts` and `quotes_fts` over the tables' rowids (external
//!   content: the text is not stored twice), tokenized by `unicode61 remove_diacritics 2`, kept in
//!   sync by INSERT/UPDATE/DELETE triggers and filled from existing rows here.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_UP: &[&str] = &[
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION newsmeta_english (COPY = english)",
    "ALTER TEXT SEARCH CONFIGURATION newsmeta_english \
     ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem",
    "CREATE TEXT SEARCH CONFIGURATION newsmeta_simple (COPY = simple)",
    "ALTER TEXT SEARCH CONFIGURATION newsmeta_simple \
     ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple",
    "ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('newsmeta_english'::regconfig, headline), 'A')
        || setweight(to_tsvector('newsmeta_english'::regconfig, coalesce(standfirst, '')), 'B')
        || setweight(to_tsvector('newsmeta_english'::regconfig, left(body, 100000)), 'C')
        || setweight(to_tsvector('newsmeta_simple'::regconfig, headline), 'A')
        || setweight(to_tsvector('newsmeta_simple'::regconfig, coalesce(standfirst, '')), 'B')
        || setweight(to_tsvector('newsmeta_simple'::regconfig, left(body, 100000)), 'C')
     ) STORED",
    "CREATE INDEX idx_articles_search_vector ON articles USING GIN (search_vector)",
    "ALTER TABLE quotes ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        to_tsvector('newsmeta_english'::regconfig, text)
        || to_tsvector('newsmeta_simple'::regconfig, text)
     ) STORED",
    "CREATE INDEX idx_quotes_search_vector ON quotes USING GIN (search_vector)",
];

/// The extension stays: it may have been there before, and other things may use it.
const POSTGRES_DOWN: &[&str] = &[
    "ALTER TABLE quotes DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE articles DROP COLUMN IF EXISTS search_vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS newsmeta_simple",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS newsmeta_english",
];

/// The FTS5 side. An UPDATE re-indexes only when an indexed column changes, so the version bumps
/// that edits of sections, quotes and mentions make cost nothing here. A rowid is kept by
/// VACUUM on a table like these (the copy keeps rowids); `INSERT INTO articles_fts(articles_fts)
/// VALUES('rebuild')` re-reads everything should the index ever be in doubt.
const SQLITE_UP: &[&str] = &[
    "CREATE VIRTUAL TABLE articles_fts USING fts5(
        headline, standfirst, body,
        content = 'articles', content_rowid = 'rowid',
        tokenize = 'unicode61 remove_diacritics 2'
     )",
    "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (rowid, headline, standfirst, body)
        VALUES (new.rowid, new.headline, new.standfirst, new.body);
     END",
    "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, headline, standfirst, body)
        VALUES ('delete', old.rowid, old.headline, old.standfirst, old.body);
     END",
    "CREATE TRIGGER articles_fts_update AFTER UPDATE OF headline, standfirst, body ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, headline, standfirst, body)
        VALUES ('delete', old.rowid, old.headline, old.standfirst, old.body);
        INSERT INTO articles_fts (rowid, headline, standfirst, body)
        VALUES (new.rowid, new.headline, new.standfirst, new.body);
     END",
    "INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')",
    "CREATE VIRTUAL TABLE quotes_fts USING fts5(
        text,
        content = 'quotes', content_rowid = 'rowid',
        tokenize = 'unicode61 remove_diacritics 2'
     )",
    "CREATE TRIGGER quotes_fts_insert AFTER INSERT ON quotes BEGIN
        INSERT INTO quotes_fts (rowid, text) VALUES (new.rowid, new.text);
     END",
    "CREATE TRIGGER quotes_fts_delete AFTER DELETE ON quotes BEGIN
        INSERT INTO quotes_fts (quotes_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
     END",
    "CREATE TRIGGER quotes_fts_update AFTER UPDATE OF text ON quotes BEGIN
        INSERT INTO quotes_fts (quotes_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
        INSERT INTO quotes_fts (rowid, text) VALUES (new.rowid, new.text);
     END",
    "INSERT INTO quotes_fts (quotes_fts) VALUES ('rebuild')",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS quotes_fts_update",
    "DROP TRIGGER IF EXISTS quotes_fts_delete",
    "DROP TRIGGER IF EXISTS quotes_fts_insert",
    "DROP TABLE IF EXISTS quotes_fts",
    "DROP TRIGGER IF EXISTS articles_fts_update",
    "DROP TRIGGER IF EXISTS articles_fts_delete",
    "DROP TRIGGER IF EXISTS articles_fts_insert",
    "DROP TABLE IF EXISTS articles_fts",
];

/// The statements for this backend; MySQL is not a newsmeta backend.
fn statements(backend: DbBackend, up: bool) -> Result<&'static [&'static str], DbErr> {
    match (backend, up) {
        (DbBackend::Postgres, true) => Ok(POSTGRES_UP),
        (DbBackend::Postgres, false) => Ok(POSTGRES_DOWN),
        (DbBackend::Sqlite, true) => Ok(SQLITE_UP),
        (DbBackend::Sqlite, false) => Ok(SQLITE_DOWN),
        (other, _) => Err(DbErr::Migration(format!(
            "full-text search is built for Postgres and SQLite, not {other:?}"
        ))),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, statements(manager.get_database_backend(), true)?).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, statements(manager.get_database_backend(), false)?).await
    }
}
