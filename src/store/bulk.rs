//! Bulk writes for generated corpora: many rows per statement instead of one request per article.
//! The callers run them inside a transaction of their own.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, Iterable, QueryFilter,
    QuerySelect,
};
use uuid::Uuid;

use crate::entity::named_entity;

/// Bind parameters one statement may carry: SQLite's limit (`SQLITE_MAX_VARIABLE_NUMBER`, 32766
/// since 3.32); Postgres allows 65535.
pub(crate) const MAX_PARAMETERS: usize = 32_766;

/// How many rows of a table with `columns` columns fit in one statement.
fn rows_per_statement(columns: usize) -> usize {
    (MAX_PARAMETERS / columns.max(1)).max(1)
}

/// Inserts `rows` into `E`'s table with multi-row INSERTs, as many rows per statement as the
/// parameter limit allows. Answers the number of rows inserted.
pub async fn insert_all<E>(conn: &impl ConnectionTrait, rows: Vec<E::Model>) -> Result<u64, DbErr>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
{
    let per_statement = rows_per_statement(E::Column::iter().count());
    let mut inserted = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<E::ActiveModel> = rows
            .by_ref()
            .take(per_statement)
            .map(IntoActiveModel::into_active_model)
            .collect();
        inserted += E::insert_many(chunk).exec_without_returning(conn).await?;
    }
    Ok(inserted)
}

/// The ids of the stored entities among `slugs`, by slug.
pub async fn entity_ids_by_slug(
    conn: &impl ConnectionTrait,
    slugs: &[String],
) -> Result<HashMap<String, Uuid>, DbErr> {
    let mut found = HashMap::new();
    for chunk in slugs.chunks(rows_per_statement(1)) {
        let rows: Vec<(Uuid, String)> = named_entity::Entity::find()
            .select_only()
            .column(named_entity::Column::Id)
            .column(named_entity::Column::Slug)
            .filter(named_entity::Column::Slug.is_in(chunk.iter().map(String::as_str)))
            .into_tuple()
            .all(conn)
            .await?;
        found.extend(rows.into_iter().map(|(id, slug)| (slug, id)));
    }
    Ok(found)
}
