//! Provenance of the structure records, and a content hash of article bodies.
//!
//! Sections, quotes, mentions (`article_entities`) and entities get:
//! - `extractor_version`: the extractor that made the row, `NULL` when a person entered it;
//! - `confidence`: how sure the extractor was (0 to 1), `NULL` for manual rows;
//! - `verified`: whether a person has checked the row: true for rows a person entered, false for
//!   extracted rows until a PATCH says otherwise. Rows that exist already were entered by people,
//!   so they migrate as verified manual rows (the column's default).
//!
//! `articles.content_hash` (SHA-256 of the body, hex) lets `newsmeta import` recognise a text it
//! has stored before. It is indexed, not unique: two articles may share a body. Existing articles
//! are hashed here, in Rust, since SQLite has no SHA-256 function.
//!
//! SQLite alters one column per statement, so each column is added on its own.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;
use sha2::{Digest, Sha256};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables whose rows carry provenance.
const TABLES: [Tables; 4] = [
    Tables::Sections,
    Tables::Quotes,
    Tables::ArticleEntities,
    Tables::Entities,
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            for column in [
                ColumnDef::new(Provenance::ExtractorVersion)
                    .string_len(100)
                    .null()
                    .to_owned(),
                ColumnDef::new(Provenance::Confidence)
                    .double()
                    .null()
                    .to_owned(),
                ColumnDef::new(Provenance::Verified)
                    .boolean()
                    .not_null()
                    .default(true)
                    .to_owned(),
            ] {
                manager
                    .alter_table(Table::alter().table(table).add_column(column).to_owned())
                    .await?;
            }
        }

        manager
            .alter_table(
                Table::alter()
                    .table(Articles::Table)
                    .add_column(ColumnDef::new(Articles::ContentHash).string_len(64).null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_articles_content_hash")
                    .table(Articles::Table)
                    .col(Articles::ContentHash)
                    .to_owned(),
            )
            .await?;
        backfill_content_hashes(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_articles_content_hash")
                    .table(Articles::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Articles::Table)
                    .drop_column(Articles::ContentHash)
                    .to_owned(),
            )
            .await?;
        for table in TABLES {
            for column in [
                Provenance::ExtractorVersion,
                Provenance::Confidence,
                Provenance::Verified,
            ] {
                manager
                    .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                    .await?;
            }
        }
        Ok(())
    }
}

/// Hashes the body of every stored article, one body in memory at a time. The change feed records
/// each as an article update (its triggers see every update of `articles`).
async fn backfill_content_hashes(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    let select = Query::select()
        .column(Articles::Id)
        .from(Articles::Table)
        .and_where(Expr::col(Articles::ContentHash).is_null())
        .to_owned();
    let ids = db.query_all_raw(backend.build(&select)).await?;
    for row in ids {
        let id: sea_orm_migration::sea_orm::prelude::Uuid = row.try_get("", "id")?;
        let body_query = Query::select()
            .column(Articles::Body)
            .from(Articles::Table)
            .and_where(Expr::col(Articles::Id).eq(id))
            .to_owned();
        let Some(body_row) = db.query_one_raw(backend.build(&body_query)).await? else {
            continue;
        };
        let body: String = body_row.try_get("", "body")?;
        let update = Query::update()
            .table(Articles::Table)
            .value(Articles::ContentHash, content_hash(&body))
            .and_where(Expr::col(Articles::Id).eq(id))
            .to_owned();
        db.execute_raw(backend.build(&update)).await?;
    }
    Ok(())
}

/// SHA-256 of `body`, lowercase hex: the same function as `newsmeta::domain::content_hash`.
fn content_hash(body: &str) -> String {
    Sha256::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(DeriveIden, Clone, Copy)]
enum Tables {
    Sections,
    Quotes,
    ArticleEntities,
    Entities,
}

#[derive(DeriveIden)]
enum Provenance {
    ExtractorVersion,
    Confidence,
    Verified,
}

#[derive(DeriveIden)]
enum Articles {
    Table,
    Id,
    Body,
    ContentHash,
}
