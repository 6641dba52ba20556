//! Mentions: which entities an article mentions, and how often.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::{articles, entities, offset, StoreError, StoreResult};
use crate::api::types::MentionPut;
use crate::domain;
use crate::entity::{mention, named_entity};
use crate::error::FieldError;

/// A mention with its entity (read from JSON as `[mention, entity]` too, see [`super::nested`]).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct MentionRow {
    pub mention: mention::Model,
    pub entity: named_entity::Model,
}

/// The entities an article mentions, most mentioned first, then by name: one statement, the
/// entities joined to their mentions.
pub async fn of_article(
    conn: &impl ConnectionTrait,
    article_id: Uuid,
) -> StoreResult<Vec<MentionRow>> {
    let mut rows: Vec<MentionRow> = mention::Entity::find()
        .find_also_related(named_entity::Entity)
        .filter(mention::Column::ArticleId.eq(article_id))
        .all(conn)
        .await?
        .into_iter()
        // The foreign key keeps every mention's entity; a row without one is skipped, not guessed.
        .filter_map(|(mention, entity)| {
            Some(MentionRow {
                mention,
                entity: entity?,
            })
        })
        .collect();
    by_prominence(&mut rows);
    Ok(rows)
}

/// Orders an article's mentions as it lists them: most mentioned first, then by name.
pub(crate) fn by_prominence(rows: &mut [MentionRow]) {
    rows.sort_by(|a, b| {
        b.mention
            .mention_count
            .cmp(&a.mention.mention_count)
            .then_with(|| a.entity.name.cmp(&b.entity.name))
    });
}

/// One mention of an entity in an article.
pub async fn get(
    conn: &impl ConnectionTrait,
    article_key: &str,
    entity_key: &str,
) -> StoreResult<MentionRow> {
    let article = articles::find(conn, article_key).await?;
    let entity = entities::find(conn, entity_key).await?;
    let mention = mention::Entity::find_by_id((article.id, entity.id))
        .one(conn)
        .await?
        .ok_or_else(|| {
            StoreError::NotFound(format!(
                "a mention of `{entity_key}` in article `{article_key}`"
            ))
        })?;
    Ok(MentionRow { mention, entity })
}

/// Creates or replaces how an article mentions an entity. Answers the row and whether it is new.
pub async fn put(
    db: &DatabaseConnection,
    article_key: &str,
    entity_key: &str,
    input: &MentionPut,
) -> StoreResult<(MentionRow, bool)> {
    let txn = super::begin_write(db).await?;
    // The entity is held before the article is locked: merges and deletes lock entities first
    // and then the articles they touch, and the same order here keeps the two from deadlocking.
    // The article is looked up first all the same, so that a missing one is the 404 named.
    articles::find(&txn, article_key).await?;
    let entity = entities::find_held(&txn, entity_key).await?;
    let article = articles::find_locked(&txn, article_key).await?;
    let mut errors: Vec<FieldError> = Vec::new();
    domain::check_offset(
        "first_offset",
        input.first_offset,
        domain::char_len(&article.body),
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let existed = mention::Entity::find_by_id((article.id, entity.id))
        .one(&txn)
        .await?
        .is_some();
    // A replaced mention keeps its provenance, and its `verified` unless the request sets it.
    let mut replaced = vec![
        mention::Column::MentionCount,
        mention::Column::FirstOffset,
        mention::Column::Salience,
    ];
    if input.verified.is_some() {
        replaced.push(mention::Column::Verified);
    }
    mention::Entity::insert(mention::ActiveModel {
        article_id: Set(article.id),
        entity_id: Set(entity.id),
        mention_count: Set(input.mention_count),
        first_offset: Set(offset(input.first_offset)),
        salience: Set(input.salience),
        extractor_version: Set(None),
        confidence: Set(None),
        verified: Set(input.verified.unwrap_or(true)),
    })
    .on_conflict(
        OnConflict::columns([mention::Column::ArticleId, mention::Column::EntityId])
            .update_columns(replaced)
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    articles::touch(&txn, article.id).await?;
    let row = get(&txn, &article.id.to_string(), &entity.id.to_string()).await?;
    txn.commit().await?;
    Ok((row, !existed))
}

/// Removes an entity from an article's mentions.
pub async fn delete(
    db: &DatabaseConnection,
    article_key: &str,
    entity_key: &str,
) -> StoreResult<()> {
    let txn = super::begin_write(db).await?;
    let row = get(&txn, article_key, entity_key).await?;
    mention::Entity::delete_by_id((row.mention.article_id, row.mention.entity_id))
        .exec(&txn)
        .await?;
    articles::touch(&txn, row.mention.article_id).await?;
    txn.commit().await?;
    Ok(())
}
