//! The change feed: one row in `changes` for every insert, update and delete of an article, a
//! quote or an entity, written by the database itself (triggers), so no write path can forget it
//! — the API's, the bulk loader's, or a cascade's. `GET /v1/changes` reads it in `seq` order.
//!
//! `seq` order is commit order, which is what lets a client poll with "everything after the last
//! `seq` I saw" and never miss a change:
//! - SQLite has one writer at a time, so rows are numbered in the order transactions commit.
//! - On Postgres, transactions run concurrently and a plain sequence would number rows in the order
//!   they were written, not committed: a reader could see seq 11 committed while seq 10 is still
//!   in flight, move past it, and never see it. So the triggers are deferred constraint triggers:
//!   they run when the transaction commits, take a transaction-scoped advisory lock first (held
//!   until the commit is done and visible), and only then draw their numbers. Transactions still
//!   write concurrently; only the last instant of their commits is serialised. The lock is taken
//!   after all of a transaction's row locks, by a step that waits for no row lock, so it cannot
//!   deadlock.
//!
//! Sections, keywords and mentions are parts of an article: changing them bumps the article's
//! `version`, which is an article update here. Rows carry what a consumer needs without a read:
//! the slug (articles, entities), the article a quote belongs to, an article's version.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The advisory lock key that serialises commits of changes (Postgres); any constant unlikely to
/// collide with another application's keys on a shared server.
const CHANGE_LOCK_KEY: i64 = 0x6e6d_6368_616e_6765; // "nmchange"

const POSTGRES_TRIGGERS: &str = r#"
CREATE FUNCTION newsmeta_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    action text := CASE TG_OP WHEN 'INSERT' THEN 'created' WHEN 'UPDATE' THEN 'updated' ELSE 'deleted' END;
    r record;
BEGIN
    PERFORM pg_advisory_xact_lock(__LOCK__);
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    IF TG_TABLE_NAME = 'articles' THEN
        INSERT INTO changes (resource, resource_id, action, slug, article_id, version, changed_at)
        VALUES ('article', r.id, action, r.slug, NULL, r.version, clock_timestamp());
    ELSIF TG_TABLE_NAME = 'quotes' THEN
        INSERT INTO changes (resource, resource_id, action, slug, article_id, version, changed_at)
        VALUES ('quote', r.id, action, NULL, r.article_id, NULL, clock_timestamp());
    ELSE
        INSERT INTO changes (resource, resource_id, action, slug, article_id, version, changed_at)
        VALUES ('entity', r.id, action, r.slug, NULL, NULL, clock_timestamp());
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER articles_changes AFTER INSERT OR UPDATE OR DELETE ON articles
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION newsmeta_record_change();
CREATE CONSTRAINT TRIGGER quotes_changes AFTER INSERT OR UPDATE OR DELETE ON quotes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION newsmeta_record_change();
CREATE CONSTRAINT TRIGGER entities_changes AFTER INSERT OR UPDATE OR DELETE ON entities
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION newsmeta_record_change();
"#;

const POSTGRES_DOWN: &str = r#"
DROP TRIGGER IF EXISTS entities_changes ON entities;
DROP TRIGGER IF EXISTS quotes_changes ON quotes;
DROP TRIGGER IF EXISTS articles_changes ON articles;
DROP FUNCTION IF EXISTS newsmeta_record_change();
"#;

/// SQLite's `'now'` has millisecond precision; written as RFC 3339 like the other timestamps.
const SQLITE_NOW: &str = "strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')";

/// One trigger per table and operation: (table, resource, slug, article_id, version), as
/// expressions over the row (`r` stands for `new` or `old`).
const SQLITE_TABLES: &[(&str, &str, &str, &str, &str)] = &[
    ("articles", "article", "r.slug", "NULL", "r.version"),
    ("quotes", "quote", "NULL", "r.article_id", "NULL"),
    ("entities", "entity", "r.slug", "NULL", "NULL"),
];

const OPERATIONS: &[(&str, &str, &str)] = &[
    ("INSERT", "created", "new"),
    ("UPDATE", "updated", "new"),
    ("DELETE", "deleted", "old"),
];

fn sqlite_triggers() -> Vec<String> {
    let mut statements = Vec::new();
    for (table, resource, slug, article_id, version) in SQLITE_TABLES {
        for (operation, action, row) in OPERATIONS {
            let values =
                [*slug, *article_id, *version].map(|e| e.replace("r.", &format!("{row}.")));
            statements.push(format!(
                "CREATE TRIGGER {table}_changes_{action} AFTER {operation} ON {table} BEGIN
                    INSERT INTO changes (resource, resource_id, action, slug, article_id, version, changed_at)
                    VALUES ('{resource}', {row}.id, '{action}', {}, {}, {}, {SQLITE_NOW});
                 END",
                values[0], values[1], values[2]
            ));
        }
    }
    statements
}

fn sqlite_drop_triggers() -> Vec<String> {
    SQLITE_TABLES
        .iter()
        .flat_map(|(table, ..)| {
            OPERATIONS.iter().map(move |(_, action, _)| {
                format!("DROP TRIGGER IF EXISTS {table}_changes_{action}")
            })
        })
        .collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Changes::Table)
                    .col(
                        ColumnDef::new(Changes::Seq)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Changes::Resource).string_len(16).not_null())
                    .col(ColumnDef::new(Changes::ResourceId).uuid().not_null())
                    .col(ColumnDef::new(Changes::Action).string_len(16).not_null())
                    .col(ColumnDef::new(Changes::Slug).string_len(200).null())
                    .col(ColumnDef::new(Changes::ArticleId).uuid().null())
                    .col(ColumnDef::new(Changes::Version).big_integer().null())
                    .col(
                        ColumnDef::new(Changes::ChangedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        // `?resource=` reads one kind in seq order.
        manager
            .create_index(
                Index::create()
                    .name("idx_changes_resource_seq")
                    .table(Changes::Table)
                    .col(Changes::Resource)
                    .col(Changes::Seq)
                    .to_owned(),
            )
            .await?;

        match manager.get_database_backend() {
            DbBackend::Postgres => {
                let triggers = POSTGRES_TRIGGERS.replace("__LOCK__", &CHANGE_LOCK_KEY.to_string());
                crate::run_sql(manager, &[triggers]).await?;
            }
            DbBackend::Sqlite => crate::run_sql(manager, &sqlite_triggers()).await?,
            other => {
                return Err(DbErr::Migration(format!(
                    "the change feed is built for Postgres and SQLite, not {other:?}"
                )))
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DbBackend::Postgres => crate::run_sql(manager, &[POSTGRES_DOWN]).await?,
            _ => crate::run_sql(manager, &sqlite_drop_triggers()).await?,
        }
        manager
            .drop_table(Table::drop().table(Changes::Table).if_exists().to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Changes {
    Table,
    Seq,
    Resource,
    ResourceId,
    Action,
    Slug,
    ArticleId,
    Version,
    ChangedAt,
}
