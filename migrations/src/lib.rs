//! Database migrations for newsmeta. One migration set serves Postgres and SQLite: every statement is
//! built with SeaQuery's backend-neutral builders, so no SQL in here is written per backend.

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_create_schema;

/// Applies newsmeta's migrations in order; `Migrator::up(&db, None)` brings a database up to date.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m20261127_000001_create_schema::Migration)]
    }
}
