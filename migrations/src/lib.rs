//! Database migrations for newsmeta. One migration set serves Postgres and SQLite: statements are
//! built with SeaQuery's backend-neutral builders, except full-text search, the change feed's
//! triggers and the triggers that copy an article's `published_at` to its mentions and quotes,
//! which the backends do in their own ways, the few indexes and the compression of long values
//! that only Postgres has, and the filter indexes that SQLite has in its own shape; their
//! migrations say so.

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_create_schema;
mod m20261127_000002_full_text_search;
mod m20261127_000003_change_feed;
mod m20261127_000004_plan_indexes;
mod m20261127_000005_provenance;
mod m20261127_000006_search_rank_vector;
mod m20261127_000007_published_at_copies;
mod m20261127_000008_entity_newest_index;
mod m20261127_000009_lz4_compression;
mod m20261128_000010_sqlite_filter_order_indexes;

/// Runs `statements`, SQL written for the backend of `manager`, in order.
pub(crate) async fn run_sql(
    manager: &SchemaManager<'_>,
    statements: &[impl AsRef<str>],
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for sql in statements {
        db.execute_unprepared(sql.as_ref()).await?;
    }
    Ok(())
}

/// The statements of a migration that only Postgres runs (`up` or `down`); none on SQLite, an
/// error on any other backend.
pub(crate) fn postgres_only(
    backend: sea_orm_migration::sea_orm::DbBackend,
    statements: &'static [&'static str],
) -> Result<&'static [&'static str], DbErr> {
    only_on(
        sea_orm_migration::sea_orm::DbBackend::Postgres,
        backend,
        statements,
    )
}

/// The statements of a migration that only `wanted` runs; none on the other backend newsmeta runs
/// on, an error on any other.
pub(crate) fn only_on(
    wanted: sea_orm_migration::sea_orm::DbBackend,
    backend: sea_orm_migration::sea_orm::DbBackend,
    statements: &'static [&'static str],
) -> Result<&'static [&'static str], DbErr> {
    use sea_orm_migration::sea_orm::DbBackend;
    match backend {
        DbBackend::Postgres | DbBackend::Sqlite if backend == wanted => Ok(statements),
        DbBackend::Postgres | DbBackend::Sqlite => Ok(&[]),
        other => Err(DbErr::Migration(format!(
            "newsmeta runs on Postgres and SQLite, not {other:?}"
        ))),
    }
}

/// Applies newsmeta's migrations in order; `Migrator::up(&db, None)` brings a database up to date.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_create_schema::Migration),
            Box::new(m20261127_000002_full_text_search::Migration),
            Box::new(m20261127_000003_change_feed::Migration),
            Box::new(m20261127_000004_plan_indexes::Migration),
            Box::new(m20261127_000005_provenance::Migration),
            Box::new(m20261127_000006_search_rank_vector::Migration),
            Box::new(m20261127_000007_published_at_copies::Migration),
            Box::new(m20261127_000008_entity_newest_index::Migration),
            Box::new(m20261127_000009_lz4_compression::Migration),
            Box::new(m20261128_000010_sqlite_filter_order_indexes::Migration),
        ]
    }
}
