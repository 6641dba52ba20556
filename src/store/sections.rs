//! Sections of an article.

use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::{articles, check, offset, Precondition, StoreError, StoreResult};
use crate::api::types::{SectionCreate, SectionPatch};
use crate::domain;
use crate::entity::{article, section};

/// The sections of an article, in order.
pub async fn of_article(
    conn: &impl ConnectionTrait,
    article_id: Uuid,
) -> StoreResult<Vec<section::Model>> {
    Ok(section::Entity::find()
        .filter(section::Column::ArticleId.eq(article_id))
        .order_by_asc(section::Column::Position)
        .all(conn)
        .await?)
}

pub async fn get(conn: &impl ConnectionTrait, id: Uuid) -> StoreResult<section::Model> {
    section::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("section `{id}`")))
}

/// The section and its article, locked in that order for the rest of the write transaction
/// `txn` (see [`articles::lock`]).
async fn locked(
    txn: &DatabaseTransaction,
    id: Uuid,
) -> StoreResult<(article::Model, section::Model)> {
    let article = articles::lock(txn, get(txn, id).await?.article_id).await?;
    let section =
        super::lock_by_id::<section::Entity>(txn, section::Column::Id, &[id], LockType::Update)
            .await?
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("section `{id}`")))?;
    Ok((article, section))
}

fn position_taken(position: i32) -> StoreError {
    StoreError::Conflict(crate::error::FieldError::new(
        "position",
        format!("{position} is used by another section of this article"),
    ))
}

/// Adds a section to an article; without a position it goes after the last one.
pub async fn create(
    db: &DatabaseConnection,
    article_key: &str,
    input: &SectionCreate,
) -> StoreResult<section::Model> {
    let txn = super::begin_write(db).await?;
    let article = articles::find_locked(&txn, article_key).await?;
    check_span(&article, input.start, input.end)?;
    let position = match input.position {
        Some(position) => position,
        None => {
            super::next_position::<section::Entity>(
                &txn,
                section::Column::Position,
                section::Column::ArticleId,
                article.id,
            )
            .await?
        }
    };
    let created = section::ActiveModel {
        id: Set(Uuid::now_v7()),
        article_id: Set(article.id),
        position: Set(position),
        heading: Set(input.heading.clone()),
        body: Set(input.body.clone()),
        start_offset: Set(offset(input.start)),
        end_offset: Set(offset(input.end)),
        ..manual_section()
    }
    .insert(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => position_taken(position),
        _ => StoreError::Db(e),
    })?;
    articles::touch(&txn, article.id).await?;
    txn.commit().await?;
    Ok(created)
}

/// The provenance columns of a section a person enters.
fn manual_section() -> section::ActiveModel {
    section::ActiveModel {
        extractor_version: Set(None),
        confidence: Set(None),
        verified: Set(true),
        ..Default::default()
    }
}

fn check_span(article: &article::Model, start: Option<i64>, end: Option<i64>) -> StoreResult<()> {
    let mut errors = Vec::new();
    domain::check_span("", start, end, domain::char_len(&article.body), &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errors))
    }
}

/// Applies a merge patch to a section, if `precondition` holds for it. A patch that changes
/// nothing writes nothing (see [`articles::update`]).
pub async fn update(
    db: &DatabaseConnection,
    id: Uuid,
    patch: &SectionPatch,
    precondition: Precondition<section::Model>,
) -> StoreResult<section::Model> {
    let txn = super::begin_write(db).await?;
    let (article, current) = locked(&txn, id).await?;
    check(&precondition, &current)?;
    let start = patch.start.unwrap_or(current.start_offset.map(i64::from));
    let end = patch.end.unwrap_or(current.end_offset.map(i64::from));
    check_span(&article, start, end)?;
    let mut model: section::ActiveModel = current.clone().into();
    if let Some(position) = patch.position {
        model.position.set_if_not_equals(position);
    }
    if let Some(heading) = &patch.heading {
        model.heading.set_if_not_equals(heading.clone());
    }
    if let Some(body) = &patch.body {
        model.body.set_if_not_equals(body.clone());
    }
    if let Some(verified) = patch.verified {
        model.verified.set_if_not_equals(verified);
    }
    model.start_offset.set_if_not_equals(offset(start));
    model.end_offset.set_if_not_equals(offset(end));
    if !model.is_changed() {
        // Nothing to write: the article's version stays, and so do the ETags.
        txn.commit().await?;
        return Ok(current);
    }
    let updated = model.update(&txn).await.map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            position_taken(patch.position.unwrap_or_default())
        }
        _ => StoreError::Db(e),
    })?;
    articles::touch(&txn, article.id).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a section, if `precondition` holds for it; its quotes stay, no longer tied to a section.
pub async fn delete(
    db: &DatabaseConnection,
    id: Uuid,
    precondition: Precondition<section::Model>,
) -> StoreResult<()> {
    let txn = super::begin_write(db).await?;
    let (_, current) = locked(&txn, id).await?;
    check(&precondition, &current)?;
    section::Entity::delete_by_id(id).exec(&txn).await?;
    articles::touch(&txn, current.article_id).await?;
    txn.commit().await?;
    Ok(())
}
