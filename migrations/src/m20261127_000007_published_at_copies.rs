//! A copy of the article's `published_at` on each of its mentions (`article_entities`) and quotes,
//! kept by the database, so that the timeline of one entity's mentions or one speaker's quotes is
//! a single range read of an index: `article_entities (entity_id, published_at, mention_count)`
//! and `quotes (speaker_entity_id, published_at)`. Before, each of the entity's mentions had to
//! be joined to its article for the date: for an entity mentioned in tens of thousands of
//! articles, a random read of the article table per mention, on every dashboard poll.
//!
//! The copies are the database's, never the service's: the service neither reads nor writes them
//! through its entities, and triggers keep them equal to the article's on both backends, whoever
//! writes (the API, the bulk loader, a merge):
//! - a new mention or quote takes its article's `published_at` (on Postgres in a `BEFORE` trigger;
//!   SQLite cannot change a row before it is written, so there an `AFTER` trigger updates it);
//! - a row whose `article_id` or copy is written takes its article's again, so the copy cannot be
//!   set to anything else;
//! - an article whose `published_at` changes passes the new value to its mentions and quotes.
//!
//! Every writer that adds a mention or a quote to an existing article locks the article first
//! (`articles::lock`, or the version bump of a merge), and a change of `published_at` locks it
//! too, so the copy a new row takes cannot be one that a concurrent change is replacing.
//!
//! The change feed (migration 000003) lists every update of a quote. Passing an article's new
//! `published_at` on to its quotes is not a change of the quotes (the quote's answer has no date):
//! the feed's update trigger on `quotes` is made to skip an update that changes the copy and not
//! the article (an app update never changes the copy; moving a quote to another article, which
//! changes both, is still listed). The article's own change is listed as always.
//!
//! Existing rows are filled in from their articles (undated articles leave the copy `NULL`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_UP: &[&str] = &[
    // The feed's quote trigger, split: updates that only pass on the article's date are skipped.
    // A WHEN clause cannot read OLD on inserts nor NEW on deletes, hence two triggers.
    "DROP TRIGGER IF EXISTS quotes_changes ON quotes",
    "CREATE CONSTRAINT TRIGGER quotes_changes AFTER INSERT OR DELETE ON quotes \
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION newsmeta_record_change()",
    "CREATE CONSTRAINT TRIGGER quotes_changes_updated AFTER UPDATE ON quotes \
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW \
     WHEN (OLD.published_at IS NOT DISTINCT FROM NEW.published_at \
           OR OLD.article_id IS DISTINCT FROM NEW.article_id) \
     EXECUTE FUNCTION newsmeta_record_change()",
    r#"CREATE FUNCTION newsmeta_copy_published_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.published_at := (SELECT a.published_at FROM articles a WHERE a.id = NEW.article_id);
    RETURN NEW;
END $$"#,
    "CREATE TRIGGER article_entities_published_at \
     BEFORE INSERT OR UPDATE OF article_id, published_at ON article_entities \
     FOR EACH ROW EXECUTE FUNCTION newsmeta_copy_published_at()",
    "CREATE TRIGGER quotes_published_at \
     BEFORE INSERT OR UPDATE OF article_id, published_at ON quotes \
     FOR EACH ROW EXECUTE FUNCTION newsmeta_copy_published_at()",
    // Only the rows that differ are written: the BEFORE triggers above read the value again.
    r#"CREATE FUNCTION newsmeta_pass_on_published_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE article_entities SET published_at = NEW.published_at
        WHERE article_id = NEW.id AND published_at IS DISTINCT FROM NEW.published_at;
    UPDATE quotes SET published_at = NEW.published_at
        WHERE article_id = NEW.id AND published_at IS DISTINCT FROM NEW.published_at;
    RETURN NULL;
END $$"#,
    "CREATE TRIGGER articles_published_at AFTER UPDATE OF published_at ON articles \
     FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at) \
     EXECUTE FUNCTION newsmeta_pass_on_published_at()",
    // The backfill (after the triggers, so no write in between is missed).
    "UPDATE article_entities m SET published_at = a.published_at FROM articles a \
     WHERE a.id = m.article_id AND a.published_at IS NOT NULL",
    "UPDATE quotes q SET published_at = a.published_at FROM articles a \
     WHERE a.id = q.article_id AND a.published_at IS NOT NULL",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS articles_published_at ON articles",
    "DROP FUNCTION IF EXISTS newsmeta_pass_on_published_at()",
    "DROP TRIGGER IF EXISTS quotes_published_at ON quotes",
    "DROP TRIGGER IF EXISTS article_entities_published_at ON article_entities",
    "DROP FUNCTION IF EXISTS newsmeta_copy_published_at()",
    "DROP TRIGGER IF EXISTS quotes_changes_updated ON quotes",
    "DROP TRIGGER IF EXISTS quotes_changes ON quotes",
    "CREATE CONSTRAINT TRIGGER quotes_changes AFTER INSERT OR UPDATE OR DELETE ON quotes \
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION newsmeta_record_change()",
];

/// The article's `published_at`, for a row `r` (`new`) of a table with `article_id`.
const SQLITE_ARTICLE_DATE: &str =
    "(SELECT a.published_at FROM articles a WHERE a.id = new.article_id)";

/// The change feed's quote update trigger as migration 000003 made it, and as this one remakes
/// it: the same statement with a `WHEN` (see the module comment).
fn sqlite_quote_change_trigger(when: &str) -> String {
    format!(
        "CREATE TRIGGER quotes_changes_updated AFTER UPDATE ON quotes {when} BEGIN
            INSERT INTO changes (resource, resource_id, action, slug, article_id, version, changed_at)
            VALUES ('quote', new.id, 'updated', NULL, new.article_id, NULL, \
         strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'));
         END"
    )
}

/// Drops the feed's quote update trigger and makes it again with `when`, in one call: one
/// connection of the pool must see both, since another one may still hold the old schema, and
/// SQLite decides that a trigger exists already from the schema the connection holds.
fn replace_quote_change_trigger(when: &str) -> String {
    format!(
        "DROP TRIGGER IF EXISTS quotes_changes_updated;\n{}",
        sqlite_quote_change_trigger(when)
    )
}

fn sqlite_up() -> Vec<String> {
    let mut statements = vec![replace_quote_change_trigger(
        "WHEN old.published_at IS new.published_at OR old.article_id IS NOT new.article_id",
    )];
    // (table, the row's key as a condition on `new`)
    let tables = [
        (
            "article_entities",
            "article_id = new.article_id AND entity_id = new.entity_id",
        ),
        ("quotes", "id = new.id"),
    ];
    for (table, key) in tables {
        for (name, event) in [
            ("insert", "INSERT"),
            ("update", "UPDATE OF article_id, published_at"),
        ] {
            statements.push(format!(
                "CREATE TRIGGER {table}_published_at_{name} AFTER {event} ON {table} \
                 WHEN new.published_at IS NOT {SQLITE_ARTICLE_DATE} BEGIN
                    UPDATE {table} SET published_at = {SQLITE_ARTICLE_DATE} WHERE {key};
                 END"
            ));
        }
    }
    statements.push(
        "CREATE TRIGGER articles_published_at AFTER UPDATE OF published_at ON articles \
         WHEN old.published_at IS NOT new.published_at BEGIN
            UPDATE article_entities SET published_at = new.published_at
                WHERE article_id = new.id AND published_at IS NOT new.published_at;
            UPDATE quotes SET published_at = new.published_at
                WHERE article_id = new.id AND published_at IS NOT new.published_at;
         END"
        .to_owned(),
    );
    for table in ["article_entities", "quotes"] {
        statements.push(format!(
            "UPDATE {table} SET published_at = \
             (SELECT a.published_at FROM articles a WHERE a.id = {table}.article_id) \
             WHERE EXISTS (SELECT 1 FROM articles a WHERE a.id = {table}.article_id \
             AND a.published_at IS NOT NULL)"
        ));
    }
    statements
}

fn sqlite_down() -> Vec<String> {
    vec![
        "DROP TRIGGER IF EXISTS articles_published_at".to_owned(),
        "DROP TRIGGER IF EXISTS quotes_published_at_update".to_owned(),
        "DROP TRIGGER IF EXISTS quotes_published_at_insert".to_owned(),
        "DROP TRIGGER IF EXISTS article_entities_published_at_update".to_owned(),
        "DROP TRIGGER IF EXISTS article_entities_published_at_insert".to_owned(),
        replace_quote_change_trigger(""),
    ]
}

/// The timeline indexes: (name, table, columns).
const INDEXES: [(&str, Tables, &[Columns]); 2] = [
    (
        "idx_article_entities_entity_published",
        Tables::ArticleEntities,
        &[
            Columns::EntityId,
            Columns::PublishedAt,
            Columns::MentionCount,
        ],
    ),
    (
        "idx_quotes_speaker_published",
        Tables::Quotes,
        &[Columns::SpeakerEntityId, Columns::PublishedAt],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Tables::ArticleEntities, Tables::Quotes] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(
                            ColumnDef::new(Columns::PublishedAt)
                                .timestamp_with_time_zone()
                                .null(),
                        )
                        .to_owned(),
                )
                .await?;
        }
        match manager.get_database_backend() {
            DbBackend::Postgres => crate::run_sql(manager, POSTGRES_UP).await?,
            DbBackend::Sqlite => crate::run_sql(manager, &sqlite_up()).await?,
            other => {
                return Err(DbErr::Migration(format!(
                    "newsmeta runs on Postgres and SQLite, not {other:?}"
                )))
            }
        }
        for (name, table, columns) in INDEXES {
            let mut index = Index::create();
            index.name(name).table(table);
            for column in columns {
                index.col(*column);
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        match manager.get_database_backend() {
            DbBackend::Postgres => crate::run_sql(manager, POSTGRES_DOWN).await?,
            _ => crate::run_sql(manager, &sqlite_down()).await?,
        }
        for table in [Tables::ArticleEntities, Tables::Quotes] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column(Columns::PublishedAt)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Tables {
    ArticleEntities,
    Quotes,
}

#[derive(DeriveIden, Clone, Copy)]
enum Columns {
    EntityId,
    SpeakerEntityId,
    PublishedAt,
    MentionCount,
}
