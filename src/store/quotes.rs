//! Quotes: who said what, with their speakers.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};
use uuid::Uuid;

use super::page::{rank_cursor, ranked_rows, split_page, Cursor, Ordering};
use super::{articles, check, entities, offset, Precondition, StoreError, StoreResult};
use crate::api::types::{QuoteCreate, QuoteKind, QuotePatch};
use crate::domain;
use crate::entity::{article, named_entity, quote, section};
use crate::error::FieldError;
use crate::search::{self, SearchQuery};

/// A quote with its speaker entity, when it has one (read from JSON as `[quote, speaker or null]`
/// too, see [`super::nested`]).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct QuoteRow {
    pub quote: quote::Model,
    pub speaker: Option<named_entity::Model>,
}

/// Filters of the quote list; all that are set must hold.
#[derive(Debug, Clone, Default)]
pub struct QuoteFilter {
    /// Entity id or slug of the speaker.
    pub speaker: Option<String>,
    /// Article id or slug.
    pub article: Option<String>,
    /// Full-text search over the quote's text.
    pub q: Option<SearchQuery>,
    pub kind: Option<QuoteKind>,
    /// On the publication time of the quote's article.
    pub published_after: Option<DateTime<Utc>>,
    pub published_before: Option<DateTime<Utc>>,
}

/// Orders of the quote list: by creation, newest or oldest first, or by relevance to `q`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteSort {
    CreatedDesc,
    Created,
    /// Best match of `q` first (then newest first); without `q`, as `CreatedDesc`.
    Relevance,
}

impl QuoteSort {
    /// The keys clients use; the first is the default without `q`.
    pub const KEYS: [(&'static str, QuoteSort); 3] = [
        ("-created_at", QuoteSort::CreatedDesc),
        ("created_at", QuoteSort::Created),
        ("relevance", QuoteSort::Relevance),
    ];

    fn ordering(self) -> Ordering {
        // Ids are UUIDv7, so ordering by id is ordering by creation time.
        Ordering {
            key: Expr::col((quote::Entity, quote::Column::Id)),
            id: Expr::col((quote::Entity, quote::Column::Id)),
            descending: self != QuoteSort::Created,
            nullable: false,
        }
    }
}

/// Attaches speakers to quotes (one query for any number of quotes).
async fn with_speakers(
    conn: &impl ConnectionTrait,
    quotes: Vec<quote::Model>,
) -> StoreResult<Vec<QuoteRow>> {
    let ids: Vec<Uuid> = quotes.iter().filter_map(|q| q.speaker_entity_id).collect();
    let speakers = entities::by_ids(conn, ids).await?;
    Ok(quotes
        .into_iter()
        .map(|quote| QuoteRow {
            speaker: quote
                .speaker_entity_id
                .and_then(|id| speakers.get(&id).cloned()),
            quote,
        })
        .collect())
}

/// The quotes of an article, in order, with their speakers joined in (one statement).
pub async fn of_article(
    conn: &impl ConnectionTrait,
    article_id: Uuid,
) -> StoreResult<Vec<QuoteRow>> {
    Ok(quote::Entity::find()
        .find_also_related(named_entity::Entity)
        .filter(quote::Column::ArticleId.eq(article_id))
        .order_by_asc(quote::Column::Position)
        .all(conn)
        .await?
        .into_iter()
        .map(|(quote, speaker)| QuoteRow { quote, speaker })
        .collect())
}

pub async fn get(conn: &impl ConnectionTrait, id: Uuid) -> StoreResult<QuoteRow> {
    let quote = quote::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("quote `{id}`")))?;
    let mut rows = with_speakers(conn, vec![quote]).await?;
    rows.pop()
        .ok_or_else(|| StoreError::NotFound(format!("quote `{id}`")))
}

/// The quote (with its speaker) and its article, locked in that order for the rest of the write
/// transaction `txn` (see [`articles::lock`]).
async fn locked(
    txn: &sea_orm::DatabaseTransaction,
    id: Uuid,
) -> StoreResult<(article::Model, QuoteRow)> {
    let article_id = get(txn, id).await?.quote.article_id;
    let article = articles::lock(txn, article_id).await?;
    let quote = super::lock_by_id::<quote::Entity>(
        txn,
        quote::Column::Id,
        &[id],
        sea_orm::sea_query::LockType::Update,
    )
    .await?;
    let row = with_speakers(txn, quote)
        .await?
        .pop()
        .ok_or_else(|| StoreError::NotFound(format!("quote `{id}`")))?;
    Ok((article, row))
}

/// A page of quotes. With [`QuoteSort::Relevance`] and a search, best matches first.
pub async fn list(
    conn: &impl ConnectionTrait,
    filter: &QuoteFilter,
    sort: QuoteSort,
    limit: u64,
    cursor: Option<&Cursor>,
) -> StoreResult<(Vec<QuoteRow>, Option<Cursor>)> {
    if let (QuoteSort::Relevance, Some(q)) = (sort, &filter.q) {
        return ranked_list(conn, filter, q, limit, cursor).await;
    }
    let Some(condition) = conditions(conn, filter).await? else {
        return Ok((Vec::new(), None));
    };
    let ordering = sort.ordering();
    let mut select = quote::Entity::find().filter(condition);
    if let Some(cursor) = cursor {
        select = select.filter(ordering.after(Some(cursor.id.into()), cursor.id));
    }
    ordering.apply(QueryTrait::query(&mut select));
    let quotes = select.limit(limit + 1).all(conn).await?;
    let rows = with_speakers(conn, quotes).await?;
    Ok(split_page(rows, limit, |row| Cursor {
        key: serde_json::Value::Null,
        id: row.quote.id,
    }))
}

/// A page of the quotes matching `q`, best first; the cursor carries the rank of the last one.
async fn ranked_list(
    conn: &impl ConnectionTrait,
    filter: &QuoteFilter,
    q: &SearchQuery,
    limit: u64,
    cursor: Option<&Cursor>,
) -> StoreResult<(Vec<QuoteRow>, Option<Cursor>)> {
    let Some(condition) = conditions(conn, filter).await? else {
        return Ok((Vec::new(), None));
    };
    let (models, ranks) = ranked_rows::<quote::Entity>(
        conn,
        condition,
        |backend, query, rowids| search::rank_quotes(backend, q, query, rowids),
        quote::Column::Id,
        |model| model.id,
        limit,
        cursor,
        None,
    )
    .await?;
    let rows = with_speakers(conn, models).await?;
    Ok(split_page(rows, limit, |row| {
        let rank = ranks.get(&row.quote.id).copied().unwrap_or_default();
        rank_cursor(rank, row.quote.id)
    }))
}

/// Where `q` matches in the quotes `ids`, highlighted.
pub async fn highlights(
    conn: &impl ConnectionTrait,
    q: &SearchQuery,
    ids: &[Uuid],
) -> StoreResult<HashMap<Uuid, search::QuoteSnippets>> {
    Ok(search::quote_highlights(conn, q, ids).await?)
}

pub async fn count(conn: &impl ConnectionTrait, filter: &QuoteFilter) -> StoreResult<u64> {
    match conditions(conn, filter).await? {
        Some(condition) => Ok(quote::Entity::find().filter(condition).count(conn).await?),
        None => Ok(0),
    }
}

async fn conditions(
    conn: &impl ConnectionTrait,
    filter: &QuoteFilter,
) -> StoreResult<Option<Condition>> {
    let mut all = Condition::all();
    if let Some(speaker) = &filter.speaker {
        all = all.add(Expr::col(quote::Column::SpeakerEntityId).eq(entities::id_named(speaker)));
    }
    if let Some(key) = &filter.article {
        match articles::find(conn, key).await {
            Ok(article) => all = all.add(quote::Column::ArticleId.eq(article.id)),
            Err(StoreError::NotFound(_)) => return Ok(None),
            Err(other) => return Err(other),
        }
    }
    if let Some(kind) = filter.kind {
        all = all.add(quote::Column::Kind.eq(kind.as_str()));
    }
    if filter.published_after.is_some() || filter.published_before.is_some() {
        let mut published = Query::select()
            .column(article::Column::Id)
            .from(article::Entity)
            .to_owned();
        if let Some(after) = filter.published_after {
            published.and_where(article::Column::PublishedAt.gte(after));
        }
        if let Some(before) = filter.published_before {
            published.and_where(article::Column::PublishedAt.lt(before));
        }
        all = all.add(Expr::col((quote::Entity, quote::Column::ArticleId)).in_subquery(published));
    }
    if let Some(q) = &filter.q {
        if q.is_empty() {
            return Ok(None);
        }
        all = all.add(search::quotes_matching(conn.get_database_backend(), q));
    }
    Ok(Some(all))
}

/// Checks a quote's span and section against its article; problems are reported at `prefix`.
async fn check_placement(
    conn: &impl ConnectionTrait,
    article: &article::Model,
    start: Option<i64>,
    end: Option<i64>,
    section_id: Option<Uuid>,
) -> StoreResult<()> {
    let mut errors: Vec<FieldError> = Vec::new();
    domain::check_span("", start, end, domain::char_len(&article.body), &mut errors);
    if let Some(section_id) = section_id {
        match section::Entity::find_by_id(section_id).one(conn).await? {
            Some(section) if section.article_id == article.id => {}
            Some(_) => errors.push(FieldError::new(
                "section_id",
                "belongs to another article; a quote's section must be in the quote's article",
            )),
            None => errors.push(FieldError::new(
                "section_id",
                format!("no section `{section_id}` exists"),
            )),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errors))
    }
}

fn position_taken(position: i32) -> StoreError {
    StoreError::Conflict(FieldError::new(
        "position",
        format!("{position} is used by another quote of this article"),
    ))
}

/// Adds a quote to an article; without a position it goes after the last one.
pub async fn create(
    db: &DatabaseConnection,
    article_key: &str,
    input: &QuoteCreate,
) -> StoreResult<QuoteRow> {
    let txn = super::begin_write(db).await?;
    // The speaker is held before the article is locked: merges and deletes lock entities first
    // and then the articles they touch, and taking the two in the same order keeps a quote
    // written meanwhile from deadlocking with them. The article is looked up first all the same,
    // so that a missing one is a 404 whatever the speaker.
    articles::find(&txn, article_key).await?;
    let speaker = match &input.speaker {
        Some(reference) => Some(entities::resolve(&txn, reference, "speaker").await?.id),
        None => None,
    };
    let article = articles::find_locked(&txn, article_key).await?;
    let section_id = match (input.section_id, input.section_position) {
        (Some(_), Some(_)) => {
            return Err(StoreError::invalid(
                "section_position",
                "cannot be combined with `section_id`",
            ))
        }
        (Some(id), None) => Some(id),
        (None, Some(position)) => Some(
            section::Entity::find()
                .filter(section::Column::ArticleId.eq(article.id))
                .filter(section::Column::Position.eq(position))
                .one(&txn)
                .await?
                .ok_or_else(|| {
                    StoreError::invalid(
                        "section_position",
                        format!("the article has no section at position {position}"),
                    )
                })?
                .id,
        ),
        (None, None) => None,
    };
    check_placement(&txn, &article, input.start, input.end, section_id).await?;
    let position = match input.position {
        Some(position) => position,
        None => {
            super::next_position::<quote::Entity>(
                &txn,
                quote::Column::Position,
                quote::Column::ArticleId,
                article.id,
            )
            .await?
        }
    };
    let created = quote::ActiveModel {
        id: Set(Uuid::now_v7()),
        article_id: Set(article.id),
        section_id: Set(section_id),
        position: Set(position),
        text: Set(input.text.clone()),
        kind: Set(input.kind.as_str().to_owned()),
        speaker_entity_id: Set(speaker),
        speaker_label: Set(input.speaker_label.clone()),
        cue: Set(input.cue.clone()),
        start_offset: Set(offset(input.start)),
        end_offset: Set(offset(input.end)),
        extractor_version: Set(None),
        confidence: Set(None),
        verified: Set(true),
    }
    .insert(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => position_taken(position),
        _ => StoreError::Db(e),
    })?;
    articles::touch(&txn, article.id).await?;
    let row = with_speakers(&txn, vec![created]).await?.pop();
    txn.commit().await?;
    row.ok_or_else(|| StoreError::NotFound("the new quote".to_owned()))
}

/// Applies a merge patch to a quote, if `precondition` holds for it. A patch that changes
/// nothing writes nothing (see [`articles::update`]).
pub async fn update(
    db: &DatabaseConnection,
    id: Uuid,
    patch: &QuotePatch,
    precondition: Precondition<QuoteRow>,
) -> StoreResult<QuoteRow> {
    let txn = super::begin_write(db).await?;
    // A new speaker is held before the quote's article is locked, as in `create`.
    let speaker = match &patch.speaker {
        Some(Some(reference)) => {
            get(&txn, id).await?;
            Some(Some(
                entities::resolve(&txn, reference, "speaker").await?.id,
            ))
        }
        Some(None) => Some(None),
        None => None,
    };
    let (article, current) = locked(&txn, id).await?;
    check(&precondition, &current)?;
    let current = current.quote;
    let start = patch.start.unwrap_or(current.start_offset.map(i64::from));
    let end = patch.end.unwrap_or(current.end_offset.map(i64::from));
    let section_id = patch.section_id.unwrap_or(current.section_id);
    check_placement(&txn, &article, start, end, section_id).await?;
    let mut model: quote::ActiveModel = current.clone().into();
    if let Some(speaker) = speaker {
        model.speaker_entity_id.set_if_not_equals(speaker);
    }
    if let Some(position) = patch.position {
        model.position.set_if_not_equals(position);
    }
    if let Some(text) = &patch.text {
        model.text.set_if_not_equals(text.clone());
    }
    if let Some(kind) = patch.kind {
        model.kind.set_if_not_equals(kind.as_str().to_owned());
    }
    if let Some(label) = &patch.speaker_label {
        model.speaker_label.set_if_not_equals(label.clone());
    }
    if let Some(cue) = &patch.cue {
        model.cue.set_if_not_equals(cue.clone());
    }
    if let Some(verified) = patch.verified {
        model.verified.set_if_not_equals(verified);
    }
    model.section_id.set_if_not_equals(section_id);
    model.start_offset.set_if_not_equals(offset(start));
    model.end_offset.set_if_not_equals(offset(end));
    if !model.is_changed() {
        // Nothing to write: the article's version stays, and so do the ETags.
        let row = with_speakers(&txn, vec![current]).await?.pop();
        txn.commit().await?;
        return row.ok_or_else(|| StoreError::NotFound(format!("quote `{id}`")));
    }
    let updated = model.update(&txn).await.map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            position_taken(patch.position.unwrap_or_default())
        }
        _ => StoreError::Db(e),
    })?;
    articles::touch(&txn, article.id).await?;
    let row = with_speakers(&txn, vec![updated]).await?.pop();
    txn.commit().await?;
    row.ok_or_else(|| StoreError::NotFound(format!("quote `{id}`")))
}

/// Deletes a quote, if `precondition` holds for it.
pub async fn delete(
    db: &DatabaseConnection,
    id: Uuid,
    precondition: Precondition<QuoteRow>,
) -> StoreResult<()> {
    let txn = super::begin_write(db).await?;
    let (_, current) = locked(&txn, id).await?;
    check(&precondition, &current)?;
    let current = current.quote;
    quote::Entity::delete_by_id(id).exec(&txn).await?;
    articles::touch(&txn, current.article_id).await?;
    txn.commit().await?;
    Ok(())
}
