//! Articles: the nested create, lists with filters, merge-patch updates and deletes.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend,
    EntityTrait, FromQueryResult, Iterable, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select, Set,
};
use uuid::Uuid;

use super::json::{json_array, Json};
use super::page::{
    limit_in_sql, rank_cursor, ranked_rows, split_page, Candidates, Cursor, Ordering,
};
use super::{entities, now, offset, StoreError, StoreResult};
use crate::api::types::{ArticleCreate, ArticlePatch, MentionCreate, Provenance};
use crate::domain;
use crate::entity::{article, article_keyword, mention, named_entity, quote, section};
use crate::error::FieldError;
use crate::ingest::Origins;
use crate::search::{self, SearchQuery};

/// An article with its keywords.
#[derive(Debug, Clone)]
pub struct ArticleRow {
    pub article: article::Model,
    pub keywords: Vec<String>,
}

/// Filters of the article list; all that are set must hold.
#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    /// Full-text search over headline, standfirst and body.
    pub q: Option<SearchQuery>,
    /// Entity ids or slugs; the article must mention every one.
    pub entities: Vec<String>,
    /// Entity id or slug of someone quoted in the article.
    pub speaker: Option<String>,
    pub category: Option<String>,
    pub keyword: Option<String>,
    pub language: Option<String>,
    pub publisher: Option<String>,
    pub published_after: Option<DateTime<Utc>>,
    pub published_before: Option<DateTime<Utc>>,
}

/// Orders of the article list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleSort {
    PublishedDesc,
    Published,
    CreatedDesc,
    Created,
    /// Best match of `q` first (then newest first); without `q`, as `PublishedDesc`.
    Relevance,
}

impl ArticleSort {
    /// The keys clients use; the first is the default without `q`.
    pub const KEYS: [(&'static str, ArticleSort); 5] = [
        ("-published_at", ArticleSort::PublishedDesc),
        ("published_at", ArticleSort::Published),
        ("-created_at", ArticleSort::CreatedDesc),
        ("created_at", ArticleSort::Created),
        ("relevance", ArticleSort::Relevance),
    ];

    fn ordering(self) -> Ordering {
        let (column, descending, nullable) = match self {
            ArticleSort::PublishedDesc | ArticleSort::Relevance => {
                (article::Column::PublishedAt, true, true)
            }
            ArticleSort::Published => (article::Column::PublishedAt, false, true),
            ArticleSort::CreatedDesc => (article::Column::CreatedAt, true, false),
            ArticleSort::Created => (article::Column::CreatedAt, false, false),
        };
        Ordering {
            key: Expr::col((article::Entity, column)),
            id: Expr::col((article::Entity, article::Column::Id)),
            descending,
            nullable,
        }
    }

    fn cursor(self, row: &ArticleRow) -> Cursor {
        let key = match self {
            ArticleSort::PublishedDesc | ArticleSort::Published | ArticleSort::Relevance => {
                serde_json::json!(row.article.published_at.map(|t| t.to_rfc3339()))
            }
            ArticleSort::CreatedDesc | ArticleSort::Created => {
                serde_json::json!(row.article.created_at.to_rfc3339())
            }
        };
        Cursor {
            key,
            id: row.article.id,
        }
    }

    fn cursor_value(cursor: &Cursor) -> StoreResult<Option<sea_orm::Value>> {
        super::page::cursor_key(cursor, |key| {
            let time = DateTime::parse_from_rfc3339(key.as_str()?).ok()?;
            Some(time.with_timezone(&Utc).into())
        })
    }
}

/// Finds an article by id, or by slug. A valid slug can also read as a uuid
/// (`0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b`, or 32 hex digits), so a uuid that names no article is
/// tried as a slug before the answer is "not found".
pub async fn find(conn: &impl ConnectionTrait, key: &str) -> StoreResult<article::Model> {
    lookup(conn, key, article::Entity::find).await
}

/// [`find`], read as `M` from the statement `select` makes.
pub(super) async fn lookup<M: FromQueryResult + Send + Sync>(
    conn: &impl ConnectionTrait,
    key: &str,
    select: impl Fn() -> Select<article::Entity>,
) -> StoreResult<M> {
    let by_id = match Uuid::parse_str(key) {
        Ok(id) => {
            select()
                .filter(article::Column::Id.eq(id))
                .into_model::<M>()
                .one(conn)
                .await?
        }
        Err(_) => None,
    };
    let found = match by_id {
        Some(article) => Some(article),
        // No slug holds a NUL, and Postgres refuses one in a text parameter: not found, unasked.
        None if key.contains('\0') => None,
        None => {
            select()
                .filter(article::Column::Slug.eq(key))
                .into_model::<M>()
                .one(conn)
                .await?
        }
    };
    found.ok_or_else(|| StoreError::NotFound(format!("article `{key}`")))
}

/// An article with its keywords as a JSON array, read in one statement.
#[derive(Debug, FromQueryResult)]
pub(super) struct ArticleWithKeywords {
    #[sea_orm(nested)]
    article: article::Model,
    keywords: Option<String>,
}

/// The article's keywords in order, as a JSON array of strings (NULL or `[]` when it has none):
/// a subquery beside the article's columns, so a read of one article is one statement.
fn keywords_json(backend: DbBackend) -> Expr {
    Expr::cust(Json(backend).array(
        r#"k."keyword""#,
        r#""article_keywords" AS k WHERE k."article_id" = "articles"."id""#,
        Some(r#"k."position""#),
    ))
}

/// Whether a read of articles fetches their bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bodies {
    Read,
    /// Read as empty strings: for an answer that leaves `body` out (`fields=`). A page of 20
    /// articles is then a few KB instead of about 50, for Postgres to decompress and send and
    /// for the service to decode, check and escape.
    Skipped,
}

impl ArticleWithKeywords {
    /// Articles with their keywords, in one statement (see [`keywords_json`]).
    pub(super) fn select(backend: DbBackend) -> Select<article::Entity> {
        Self::select_with(backend, Bodies::Read)
    }

    fn select_with(backend: DbBackend, bodies: Bodies) -> Select<article::Entity> {
        let select = match bodies {
            Bodies::Read => article::Entity::find(),
            Bodies::Skipped => article::Entity::find()
                .select_only()
                .columns(article::Column::iter().filter(|c| !matches!(c, article::Column::Body)))
                .column_as(Expr::val(""), "body"),
        };
        select.column_as(keywords_json(backend), "keywords")
    }

    pub(super) fn into_row(self) -> StoreResult<ArticleRow> {
        let keywords = json_array(self.keywords.as_deref(), "keywords", self.article.id)?;
        Ok(ArticleRow {
            article: self.article,
            keywords,
        })
    }
}

/// One article with its keywords, in one statement.
pub async fn get(conn: &impl ConnectionTrait, key: &str) -> StoreResult<ArticleRow> {
    let backend = conn.get_database_backend();
    let row: ArticleWithKeywords =
        lookup(conn, key, || ArticleWithKeywords::select(backend)).await?;
    row.into_row()
}

async fn keywords_of(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<HashMap<Uuid, Vec<String>>> {
    let mut out: HashMap<Uuid, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = article_keyword::Entity::find()
        .filter(article_keyword::Column::ArticleId.is_in(ids.iter().copied()))
        .order_by_asc(article_keyword::Column::ArticleId)
        .order_by_asc(article_keyword::Column::Position)
        .all(conn)
        .await?;
    for row in rows {
        out.entry(row.article_id).or_default().push(row.keyword);
    }
    Ok(out)
}

/// A page of articles. With [`ArticleSort::Relevance`] and a search, best matches first, among
/// the newest `rank_candidates` matches (all of them when it is 0). With [`Bodies::Skipped`] the
/// bodies are empty (a ranked search reads them anyway).
pub async fn list(
    conn: &impl ConnectionTrait,
    filter: &ArticleFilter,
    sort: ArticleSort,
    limit: u64,
    cursor: Option<&Cursor>,
    rank_candidates: u64,
    bodies: Bodies,
) -> StoreResult<(Vec<ArticleRow>, Option<Cursor>)> {
    if let (ArticleSort::Relevance, Some(q)) = (sort, &filter.q) {
        return ranked_list(conn, filter, q, limit, cursor, rank_candidates).await;
    }
    let backend = conn.get_database_backend();
    let Some(selection) = conditions(backend, filter) else {
        return Ok((Vec::new(), None));
    };
    let mut select = ArticleWithKeywords::select_with(backend, bodies);
    let (ordering, driven) = match (sort, selection.entities.first()) {
        (ArticleSort::PublishedDesc | ArticleSort::Published, Some(entity)) => {
            let ordering = driven_by_mentions(QueryTrait::query(&mut select), entity, sort);
            select = select.filter(selection.except_first_entity());
            (ordering, true)
        }
        _ => {
            select = select.filter(selection.all());
            (sort.ordering(), false)
        }
    };
    if let Some(cursor) = cursor {
        select = select.filter(ordering.after(ArticleSort::cursor_value(cursor)?, cursor.id));
    }
    ordering.apply(QueryTrait::query(&mut select));
    let mut statement = select.limit(limit + 1).build(backend);
    if driven {
        // Its plan is the same for every entity (the index, in order): planned once.
        statement = limit_in_sql(statement);
    }
    let rows = ArticleWithKeywords::find_by_statement(statement)
        .all(conn)
        .await?
        .into_iter()
        .map(ArticleWithKeywords::into_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(split_page(rows, limit, |row| sort.cursor(row)))
}

/// A page of the articles matching `q`, best first; the cursor carries the rank of the last one.
/// Only the newest `rank_candidates` matches (in the list's default order, `-published_at`) are
/// ranked, unless it is 0: ranking costs the database something for every match it scores, and a
/// common word matches a large share of the corpus.
async fn ranked_list(
    conn: &impl ConnectionTrait,
    filter: &ArticleFilter,
    q: &SearchQuery,
    limit: u64,
    cursor: Option<&Cursor>,
    rank_candidates: u64,
) -> StoreResult<(Vec<ArticleRow>, Option<Cursor>)> {
    let Some(condition) = conditions(conn.get_database_backend(), filter).map(Selection::all)
    else {
        return Ok((Vec::new(), None));
    };
    let candidates = (rank_candidates > 0).then(|| Candidates {
        order: ArticleSort::PublishedDesc.ordering(),
        limit: rank_candidates,
    });
    let (models, ranks) = ranked_rows::<article::Entity>(
        conn,
        condition,
        |backend, query, rowids| search::rank_articles(backend, q, query, rowids),
        article::Column::Id,
        |model| model.id,
        limit,
        cursor,
        candidates,
    )
    .await?;
    let rows = with_keywords(conn, models).await?;
    Ok(split_page(rows, limit, |row| {
        let rank = ranks.get(&row.article.id).copied().unwrap_or_default();
        rank_cursor(rank, row.article.id)
    }))
}

async fn with_keywords(
    conn: &impl ConnectionTrait,
    articles: Vec<article::Model>,
) -> StoreResult<Vec<ArticleRow>> {
    let ids: Vec<Uuid> = articles.iter().map(|a| a.id).collect();
    let mut keywords = keywords_of(conn, &ids).await?;
    Ok(articles
        .into_iter()
        .map(|article| ArticleRow {
            keywords: keywords.remove(&article.id).unwrap_or_default(),
            article,
        })
        .collect())
}

/// Where `q` matches in the articles `ids`, highlighted.
pub async fn highlights(
    conn: &impl ConnectionTrait,
    q: &SearchQuery,
    ids: &[Uuid],
) -> StoreResult<HashMap<Uuid, search::ArticleSnippets>> {
    Ok(search::article_highlights(conn, q, ids).await?)
}

/// How many articles match `filter`.
pub async fn count(conn: &impl ConnectionTrait, filter: &ArticleFilter) -> StoreResult<u64> {
    match conditions(conn.get_database_backend(), filter) {
        Some(selection) => Ok(article::Entity::find()
            .filter(selection.all())
            .count(conn)
            .await?),
        None => Ok(0),
    }
}

/// What a filter selects: the WHERE clause of everything but its entities, and the entities (ids
/// or slugs), each once, in the order the filter names them. The entities are looked up within
/// the list's own statement ([`entities::id_named`]), not before it: one statement a page.
struct Selection {
    condition: Condition,
    entities: Vec<String>,
}

impl Selection {
    /// The WHERE clause of the whole filter.
    fn all(self) -> Condition {
        self.with_entities_from(0)
    }

    /// The WHERE clause of the whole filter but its first entity, for a statement that reads the
    /// articles through that entity's mentions ([`driven_by_mentions`]).
    fn except_first_entity(self) -> Condition {
        self.with_entities_from(1)
    }

    fn with_entities_from(self, first: usize) -> Condition {
        self.entities
            .iter()
            .skip(first)
            .fold(self.condition, |all, key| all.add(mentioning(key)))
    }
}

/// Articles that mention the entity named by `key`; none when no entity has that name.
fn mentioning(key: &str) -> Condition {
    let mentions = Query::select()
        .column(mention::Column::ArticleId)
        .from(mention::Entity)
        .and_where(Expr::col(mention::Column::EntityId).eq(entities::id_named(key)))
        .to_owned();
    Condition::all().add(Expr::col((article::Entity, article::Column::Id)).in_subquery(mentions))
}

/// The alias of the mentions that a list filtered by an entity is read through.
const DRIVER: &str = "driver";

/// Joins the mentions of `entity` to `query` (over `articles`) and answers the ordering of `sort`
/// (by publication time) on the mentions' copy of `published_at` (migration 000007), equal to the
/// article's own: the newest articles that mention an entity are then the first entries of the
/// index `(entity_id, published_at, article_id)` (migration 000008), read in order until the page
/// is full. Ordered by the article's own column, the database would have to find every article
/// of the entity (tens of thousands for a prominent one) and sort them, or walk all articles
/// newest first testing each for a mention.
fn driven_by_mentions(query: &mut SelectStatement, entity: &str, sort: ArticleSort) -> Ordering {
    let driver = Alias::new(DRIVER);
    query.join_as(
        JoinType::InnerJoin,
        mention::Entity,
        driver.clone(),
        Condition::all()
            .add(
                Expr::col((driver.clone(), mention::Column::ArticleId))
                    .equals((article::Entity, article::Column::Id)),
            )
            .add(
                Expr::col((driver.clone(), mention::Column::EntityId))
                    .eq(entities::id_named(entity)),
            ),
    );
    Ordering {
        key: Expr::col((driver.clone(), Alias::new("published_at"))),
        id: Expr::col((driver, mention::Column::ArticleId)),
        descending: sort == ArticleSort::PublishedDesc,
        nullable: true,
    }
}

/// The WHERE clause for `filter`, or `None` when nothing can match: its search has no words.
fn conditions(backend: DbBackend, filter: &ArticleFilter) -> Option<Selection> {
    let mut all = Condition::all();
    let article_id = || Expr::col((article::Entity, article::Column::Id));
    let mut entities: Vec<String> = Vec::new();
    for key in &filter.entities {
        if !entities.contains(key) {
            entities.push(key.clone());
        }
    }
    if let Some(speaker) = &filter.speaker {
        let quoting = Query::select()
            .column(quote::Column::ArticleId)
            .from(quote::Entity)
            .and_where(Expr::col(quote::Column::SpeakerEntityId).eq(entities::id_named(speaker)))
            .to_owned();
        all = all.add(article_id().in_subquery(quoting));
    }
    if let Some(keyword) = &filter.keyword {
        let tagged = Query::select()
            .column(article_keyword::Column::ArticleId)
            .from(article_keyword::Entity)
            .and_where(article_keyword::Column::Keyword.eq(keyword.as_str()))
            .to_owned();
        all = all.add(article_id().in_subquery(tagged));
    }
    if let Some(category) = &filter.category {
        all = all.add(article::Column::Category.eq(category.as_str()));
    }
    if let Some(language) = &filter.language {
        all = all.add(article::Column::Language.eq(language.as_str()));
    }
    if let Some(publisher) = &filter.publisher {
        all = all.add(article::Column::Publisher.eq(publisher.as_str()));
    }
    if let Some(after) = filter.published_after {
        all = all.add(article::Column::PublishedAt.gte(after));
    }
    if let Some(before) = filter.published_before {
        all = all.add(article::Column::PublishedAt.lt(before));
    }
    if let Some(q) = &filter.q {
        if q.is_empty() {
            return None;
        }
        all = all.add(search::articles_matching(backend, q));
    }
    Some(Selection {
        condition: all,
        entities,
    })
}

/// Bumps the version of an article whose sections, quotes or mentions changed.
pub async fn touch(conn: &impl ConnectionTrait, article_id: Uuid) -> StoreResult<()> {
    touch_many(conn, &[article_id]).await
}

/// The article, locked for the rest of the write transaction against changes to itself and
/// deletion (`FOR NO KEY UPDATE` on Postgres; see [`super::lock_by_id`]). A write to a section,
/// quote or mention locks its article first and the child row second, the order an article's
/// delete (which cascades to the children) takes them in, so the two cannot deadlock.
pub async fn lock(conn: &impl ConnectionTrait, id: Uuid) -> StoreResult<article::Model> {
    super::lock_by_id::<article::Entity>(
        conn,
        article::Column::Id,
        &[id],
        sea_orm::sea_query::LockType::NoKeyUpdate,
    )
    .await?
    .pop()
    .ok_or_else(|| StoreError::NotFound(format!("article `{id}`")))
}

/// [`find`] by id or slug, then [`lock`]: for a write that adds to or changes an article's
/// sections, quotes or mentions, so that the article cannot be deleted under it (which would
/// fail its insert with a foreign-key violation).
pub async fn find_locked(conn: &impl ConnectionTrait, key: &str) -> StoreResult<article::Model> {
    let found = find(conn, key).await?;
    match lock(conn, found.id).await {
        Err(StoreError::NotFound(_)) => Err(StoreError::NotFound(format!("article `{key}`"))),
        other => other,
    }
}

/// [`touch`] for several articles at once.
pub async fn touch_many(conn: &impl ConnectionTrait, ids: &[Uuid]) -> StoreResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    // Lock the rows in id order first: one UPDATE locks rows in whatever order it scans them, so
    // two writers touching overlapping articles could deadlock. FOR NO KEY UPDATE is the lock the
    // UPDATE takes anyway; it does not wait for writers that only reference these articles.
    let mut sorted = ids.to_vec();
    sorted.sort();
    sorted.dedup();
    let _locked: Vec<Uuid> = article::Entity::find()
        .select_only()
        .column(article::Column::Id)
        .filter(article::Column::Id.is_in(sorted))
        .order_by_asc(article::Column::Id)
        .lock(sea_orm::sea_query::LockType::NoKeyUpdate)
        .into_tuple()
        .all(conn)
        .await?;
    article::Entity::update_many()
        .col_expr(
            article::Column::Version,
            Expr::col(article::Column::Version).add(1),
        )
        .col_expr(article::Column::UpdatedAt, Expr::val(now()))
        .filter(article::Column::Id.is_in(ids.iter().copied()))
        .exec(conn)
        .await?;
    Ok(())
}

/// A taken slug or source URL, checked before writing so the answer names the field; the unique
/// constraints still hold under races.
async fn check_unique(
    conn: &impl ConnectionTrait,
    slug: Option<&str>,
    source_url: Option<&str>,
    except: Option<Uuid>,
) -> StoreResult<()> {
    let taken = |column: article::Column, value: &str| {
        let mut select = article::Entity::find().filter(column.eq(value));
        if let Some(id) = except {
            select = select.filter(article::Column::Id.ne(id));
        }
        select
    };
    if let Some(slug) = slug {
        if taken(article::Column::Slug, slug).count(conn).await? > 0 {
            return Err(StoreError::Conflict(FieldError::new(
                "slug",
                format!("`{slug}` is taken by another article"),
            )));
        }
    }
    if let Some(url) = source_url {
        if taken(article::Column::SourceUrl, url).count(conn).await? > 0 {
            return Err(StoreError::Conflict(FieldError::new(
                "source_url",
                "is already stored: this article has been ingested before",
            )));
        }
    }
    Ok(())
}

fn unique_violation(error: sea_orm::DbErr) -> StoreError {
    let field = if error.to_string().contains("source_url") {
        "source_url"
    } else {
        "slug"
    };
    StoreError::unique_as_conflict(error, field, "is taken by another article")
}

async fn replace_keywords(
    conn: &impl ConnectionTrait,
    article_id: Uuid,
    keywords: &[String],
) -> StoreResult<()> {
    article_keyword::Entity::delete_many()
        .filter(article_keyword::Column::ArticleId.eq(article_id))
        .exec(conn)
        .await?;
    super::bulk::insert_all::<article_keyword::Entity>(conn, keyword_rows(article_id, keywords))
        .await?;
    Ok(())
}

/// An article's keywords as rows: trimmed, the first of any repeats kept, in order.
fn keyword_rows(article_id: Uuid, keywords: &[String]) -> Vec<article_keyword::Model> {
    let mut seen = HashSet::new();
    keywords
        .iter()
        .map(|k| k.trim().to_owned())
        .filter(|k| seen.insert(k.clone()))
        .enumerate()
        .map(|(position, keyword)| article_keyword::Model {
            article_id,
            position: i32::try_from(position).unwrap_or(i32::MAX),
            keyword,
        })
        .collect()
}

/// Creates an article with its sections, mentions and quotes in one transaction: all or nothing.
/// Every record is a person's (see [`create_with`] for extracted ones).
pub async fn create(db: &DatabaseConnection, input: &ArticleCreate) -> StoreResult<ArticleRow> {
    create_with(db, input, &Origins::default()).await
}

/// The headline and slug an article will be stored with: the slug given, or the headline's.
pub fn headline_and_slug(input: &ArticleCreate) -> StoreResult<(&str, String)> {
    let Some(headline) = input.headline.as_deref().map(str::trim) else {
        return Err(StoreError::invalid(
            "headline",
            "could not be taken from the text; give a `headline`",
        ));
    };
    let slug = match &input.slug {
        Some(slug) => slug.clone(),
        None => domain::slugify(headline),
    };
    if !domain::is_valid_slug(&slug) {
        return Err(StoreError::invalid(
            "headline",
            "has no letters or digits to make a slug from; give a `slug`",
        ));
    }
    Ok((headline, slug))
}

/// [`create`], with the provenance of each section, quote and mention in `origins`. Extracted
/// entities (and speakers) are matched by name, then by alias, before new ones are made, and two
/// extracted mentions that turn out to name one stored entity are folded into one.
pub async fn create_with(
    db: &DatabaseConnection,
    input: &ArticleCreate,
    origins: &Origins,
) -> StoreResult<ArticleRow> {
    let (_, slug) = headline_and_slug(input)?;
    let txn = super::begin_write(db).await?;
    check_unique(&txn, Some(&slug), input.source_url.as_deref(), None).await?;
    let (head, section_ids) = article_rows(input, slug, origins);
    let id = head.article.id;
    insert_articles(&txn, vec![head]).await?;
    let mut resolved = Resolved::default();
    let parts = part_rows(&txn, id, &section_ids, input, origins, &mut resolved).await?;
    insert_parts(&txn, parts).await?;
    let row = get(&txn, &id.to_string()).await?;
    txn.commit().await?;
    Ok(row)
}

/// What went wrong with one article of a batch: its index, and the error with field paths
/// relative to that article.
#[derive(Debug)]
pub struct BatchFailure {
    /// `None` for a failure of the whole batch (the database, a race on a unique value).
    pub index: Option<usize>,
    pub error: StoreError,
}

/// Where an article of a batch was stored.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: Uuid,
    pub slug: String,
}

/// Creates many articles, each with its sections, mentions and quotes, in ONE transaction: all or
/// nothing. Slugs and source URLs are checked for the whole batch in one query (and against each
/// other) before anything is written, so a conflict names every item that has one. An entity
/// named the same way by several items is resolved once, and the rows of each table go in with
/// multi-row INSERTs, so the cost per article is little more than its entity lookups.
pub async fn create_many(
    db: &DatabaseConnection,
    inputs: &[ArticleCreate],
) -> Result<Vec<Created>, Vec<BatchFailure>> {
    let fail = |index: usize| {
        move |error: StoreError| {
            vec![BatchFailure {
                index: Some(index),
                error,
            }]
        }
    };
    let mut slugs = Vec::with_capacity(inputs.len());
    let mut invalid = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        match headline_and_slug(input) {
            Ok((_, slug)) => slugs.push(slug),
            Err(error) => invalid.push(BatchFailure {
                index: Some(index),
                error,
            }),
        }
    }
    if !invalid.is_empty() {
        return Err(invalid);
    }
    let whole = |error: StoreError| vec![BatchFailure { index: None, error }];
    let txn = super::begin_write(db).await.map_err(|e| whole(e.into()))?;
    let conflicts = batch_conflicts(&txn, inputs, &slugs).await.map_err(whole)?;
    if !conflicts.is_empty() {
        return Err(conflicts);
    }
    let origins = Origins::default();
    let mut heads = Vec::with_capacity(inputs.len());
    let mut section_ids = Vec::with_capacity(inputs.len());
    let mut created = Vec::with_capacity(inputs.len());
    for (input, slug) in inputs.iter().zip(slugs) {
        let (head, sections) = article_rows(input, slug, &origins);
        created.push(Created {
            id: head.article.id,
            slug: head.article.slug.clone(),
        });
        heads.push(head);
        section_ids.push(sections);
    }
    insert_articles(&txn, heads).await.map_err(whole)?;
    let mut resolved = Resolved::default();
    let mut parts = PartRows::default();
    for (index, (input, (article, sections))) in inputs
        .iter()
        .zip(created.iter().zip(&section_ids))
        .enumerate()
    {
        let rows = part_rows(&txn, article.id, sections, input, &origins, &mut resolved)
            .await
            .map_err(fail(index))?;
        parts.mentions.extend(rows.mentions);
        parts.quotes.extend(rows.quotes);
    }
    insert_parts(&txn, parts).await.map_err(whole)?;
    txn.commit().await.map_err(|e| whole(e.into()))?;
    Ok(created)
}

/// Every item of a batch whose slug or source URL is stored already or used by an earlier item.
async fn batch_conflicts(
    conn: &impl ConnectionTrait,
    inputs: &[ArticleCreate],
    slugs: &[String],
) -> StoreResult<Vec<BatchFailure>> {
    let urls: Vec<&str> = inputs
        .iter()
        .filter_map(|i| i.source_url.as_deref())
        .collect();
    let mut stored_slugs = HashSet::new();
    let mut stored_urls = HashSet::new();
    // Chunked to stay under the bind-parameter limit of one statement.
    for chunk in slugs.chunks(super::bulk::MAX_PARAMETERS / 2) {
        let taken: Vec<String> = article::Entity::find()
            .select_only()
            .column(article::Column::Slug)
            .filter(article::Column::Slug.is_in(chunk.iter().map(String::as_str)))
            .into_tuple()
            .all(conn)
            .await?;
        stored_slugs.extend(taken);
    }
    for chunk in urls.chunks(super::bulk::MAX_PARAMETERS / 2) {
        let taken: Vec<Option<String>> = article::Entity::find()
            .select_only()
            .column(article::Column::SourceUrl)
            .filter(article::Column::SourceUrl.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        stored_urls.extend(taken.into_iter().flatten());
    }
    let mut first_slug: HashMap<&str, usize> = HashMap::new();
    let mut first_url: HashMap<&str, usize> = HashMap::new();
    let mut failures = Vec::new();
    for (index, (input, slug)) in inputs.iter().zip(slugs).enumerate() {
        let conflict = |field: &str, message: String| BatchFailure {
            index: Some(index),
            error: StoreError::Conflict(FieldError::new(field, message)),
        };
        if stored_slugs.contains(slug) {
            failures.push(conflict(
                "slug",
                format!("`{slug}` is taken by another article"),
            ));
        } else if let Some(first) = first_slug.insert(slug, index) {
            first_slug.insert(slug, first);
            failures.push(conflict(
                "slug",
                format!("`{slug}` is the slug of `items[{first}]` too; give each article its own"),
            ));
        }
        if let Some(url) = input.source_url.as_deref() {
            if stored_urls.contains(url) {
                failures.push(conflict(
                    "source_url",
                    "is already stored: this article has been ingested before".to_owned(),
                ));
            } else if let Some(first) = first_url.insert(url, index) {
                first_url.insert(url, first);
                failures.push(conflict(
                    "source_url",
                    format!("is the source URL of `items[{first}]` too"),
                ));
            }
        }
    }
    Ok(failures)
}

/// The rows of a new article that need no lookup: the article, its keywords and its sections,
/// made in memory (ids and all) before any is written.
struct ArticleRows {
    article: article::Model,
    keywords: Vec<article_keyword::Model>,
    sections: Vec<section::Model>,
}

/// Section position → id in a new article, for the quotes that name a section.
type SectionIds = HashMap<i32, Uuid>;

/// The rows of a new article that name entities: its mentions and quotes.
#[derive(Default)]
struct PartRows {
    mentions: Vec<mention::Model>,
    quotes: Vec<quote::Model>,
}

/// Entities already resolved in this transaction, by the reference that named them (and whether
/// the extractor proposed it): a batch that names one entity in many articles looks it up once.
#[derive(Default)]
struct Resolved(HashMap<(bool, String), named_entity::Model>);

impl Resolved {
    /// [`resolve`], remembering the answer for the rest of the transaction.
    async fn entity(
        &mut self,
        conn: &impl ConnectionTrait,
        reference: &crate::api::types::EntityRef,
        field: &str,
        provenance: &Provenance,
    ) -> StoreResult<named_entity::Model> {
        // A reference that cannot be written as a key (it always can) is just not remembered.
        let key = serde_json::to_string(reference)
            .ok()
            .map(|json| (provenance.extractor_version.is_some(), json));
        if let Some(entity) = key.as_ref().and_then(|key| self.0.get(key)) {
            return Ok(entity.clone());
        }
        let entity = resolve(conn, reference, field, provenance).await?;
        if let Some(key) = key {
            self.0.insert(key, entity.clone());
        }
        Ok(entity)
    }
}

/// Builds the article, keyword and section rows of a new article; `slug` is the one
/// [`headline_and_slug`] answered.
fn article_rows(
    input: &ArticleCreate,
    slug: String,
    origins: &Origins,
) -> (ArticleRows, SectionIds) {
    let headline = input.headline.as_deref().map(str::trim).unwrap_or_default();
    let now = now();
    let article = article::Model {
        id: Uuid::now_v7(),
        slug,
        headline: headline.to_owned(),
        standfirst: input.standfirst.clone(),
        body: input.body.clone(),
        authors: serde_json::json!(input.authors),
        publisher: input.publisher.clone(),
        source_url: input.source_url.clone(),
        language: input.language.clone().unwrap_or_else(|| "en".to_owned()),
        category: input.category.clone(),
        published_at: input.published_at,
        word_count: domain::word_count(&input.body),
        version: 1,
        created_at: now,
        updated_at: now,
        content_hash: Some(domain::content_hash(&input.body)),
    };
    let keywords = keyword_rows(article.id, &input.keywords);
    let mut sections = Vec::with_capacity(input.sections.len());
    let mut section_ids = HashMap::new();
    for (index, section) in input.sections.iter().enumerate() {
        let position = section.position.unwrap_or(index as i32);
        let provenance = Origins::of(&origins.sections, index);
        let row = section::Model {
            id: Uuid::now_v7(),
            article_id: article.id,
            position,
            heading: section.heading.clone(),
            body: section.body.clone(),
            start_offset: offset(section.start),
            end_offset: offset(section.end),
            extractor_version: provenance.extractor_version,
            confidence: provenance.confidence,
            verified: provenance.verified,
        };
        section_ids.insert(position, row.id);
        sections.push(row);
    }
    let rows = ArticleRows {
        article,
        keywords,
        sections,
    };
    (rows, section_ids)
}

/// Builds the mention and quote rows of a new article, resolving (and making, when new) the
/// entities they name.
async fn part_rows(
    conn: &impl ConnectionTrait,
    article_id: Uuid,
    section_ids: &SectionIds,
    input: &ArticleCreate,
    origins: &Origins,
    resolved: &mut Resolved,
) -> StoreResult<PartRows> {
    let mentions = mention_rows(
        conn,
        article_id,
        &input.entities,
        &origins.entities,
        resolved,
    )
    .await?;
    let mut quotes = Vec::with_capacity(input.quotes.len());
    for (index, input) in input.quotes.iter().enumerate() {
        let provenance = Origins::of(&origins.quotes, index);
        let speaker = match &input.speaker {
            Some(reference) => Some(
                resolved
                    .entity(
                        conn,
                        reference,
                        &format!("quotes[{index}].speaker"),
                        &provenance,
                    )
                    .await?
                    .id,
            ),
            None => None,
        };
        quotes.push(quote::Model {
            id: Uuid::now_v7(),
            article_id,
            section_id: input
                .section_position
                .and_then(|p| section_ids.get(&p).copied()),
            position: input.position.unwrap_or(index as i32),
            text: input.text.clone(),
            kind: input.kind.as_str().to_owned(),
            speaker_entity_id: speaker,
            speaker_label: input.speaker_label.clone(),
            cue: input.cue.clone(),
            start_offset: offset(input.start),
            end_offset: offset(input.end),
            extractor_version: provenance.extractor_version,
            confidence: provenance.confidence,
            verified: provenance.verified,
        });
    }
    Ok(PartRows { mentions, quotes })
}

/// Writes the article, keyword and section rows of new articles with multi-row INSERTs, articles
/// first. Their entities are resolved after this, so the change feed lists each article before
/// the entities it introduces, as the single create always has.
async fn insert_articles(conn: &impl ConnectionTrait, heads: Vec<ArticleRows>) -> StoreResult<()> {
    use super::bulk::insert_all;
    let mut articles = Vec::with_capacity(heads.len());
    let (mut keywords, mut sections) = (Vec::new(), Vec::new());
    for head in heads {
        articles.push(head.article);
        keywords.extend(head.keywords);
        sections.extend(head.sections);
    }
    insert_all::<article::Entity>(conn, articles)
        .await
        .map_err(unique_violation)?;
    insert_all::<article_keyword::Entity>(conn, keywords).await?;
    insert_all::<section::Entity>(conn, sections).await?;
    Ok(())
}

/// Writes the mention and quote rows of new articles with multi-row INSERTs.
async fn insert_parts(conn: &impl ConnectionTrait, parts: PartRows) -> StoreResult<()> {
    use super::bulk::insert_all;
    insert_all::<mention::Entity>(conn, parts.mentions).await?;
    insert_all::<quote::Entity>(conn, parts.quotes).await?;
    Ok(())
}

/// Resolves an entity a record of `provenance` names: an extracted one is matched by its aliases
/// too, and made (when new) as extracted.
async fn resolve(
    conn: &impl ConnectionTrait,
    reference: &crate::api::types::EntityRef,
    field: &str,
    provenance: &Provenance,
) -> StoreResult<named_entity::Model> {
    if provenance.extractor_version.is_some() {
        entities::resolve_extracted(conn, reference, field, provenance).await
    } else {
        entities::resolve(conn, reference, field).await
    }
}

/// The mention rows of a new article. A person naming one entity twice is an error; the
/// extractor doing so (two proposals that match one stored entity) is folded into one mention.
async fn mention_rows(
    conn: &impl ConnectionTrait,
    article_id: Uuid,
    inputs: &[MentionCreate],
    origins: &[Provenance],
    resolved: &mut Resolved,
) -> StoreResult<Vec<mention::Model>> {
    let mut rows: Vec<mention::Model> = Vec::new();
    // Entity id → (its row, the index of the input that first named it).
    let mut mentioned: HashMap<Uuid, (usize, usize)> = HashMap::new();
    for (index, input) in inputs.iter().enumerate() {
        let field = format!("entities[{index}].entity");
        let provenance = Origins::of(origins, index);
        let entity = resolved
            .entity(conn, &input.entity, &field, &provenance)
            .await?;
        let first_offset = offset(input.first_offset);
        match mentioned.get(&entity.id) {
            Some(&(row, _)) if provenance.extractor_version.is_some() => {
                let kept = &mut rows[row];
                kept.mention_count = kept.mention_count.saturating_add(input.mention_count);
                kept.first_offset = match (kept.first_offset, first_offset) {
                    (Some(a), Some(b)) => Some(std::cmp::min(a, b)),
                    (a, b) => a.or(b),
                };
            }
            Some(&(_, first)) => {
                return Err(StoreError::invalid(
                    field,
                    format!("names the same entity as `entities[{first}]`; give each entity once"),
                ));
            }
            None => {
                mentioned.insert(entity.id, (rows.len(), index));
                rows.push(mention::Model {
                    article_id,
                    entity_id: entity.id,
                    mention_count: input.mention_count,
                    first_offset,
                    salience: input.salience,
                    extractor_version: provenance.extractor_version,
                    confidence: provenance.confidence,
                    verified: provenance.verified,
                });
            }
        }
    }
    Ok(rows)
}

/// Applies a merge patch to article `id`. With `expected_version`, the update happens only if the
/// article is still at that version ([`StoreError::Stale`] otherwise). A patch that changes
/// nothing (`{}`, or every value as it is) writes nothing: the version, `updated_at` and the
/// change feed stay as they were, as do the ETags clients hold.
pub async fn update(
    db: &DatabaseConnection,
    id: Uuid,
    expected_version: Option<i64>,
    patch: &ArticlePatch,
) -> StoreResult<ArticleRow> {
    let txn = super::begin_write(db).await?;
    let current = get(&txn, &id.to_string()).await?;
    let version = expected_version.unwrap_or(current.article.version);
    if current.article.version != version {
        return Err(StoreError::Stale);
    }
    let source_url = patch.source_url.as_ref().and_then(|u| u.as_deref());
    check_unique(&txn, patch.slug.as_deref(), source_url, Some(id)).await?;
    if let Some(body) = &patch.body {
        check_offsets_fit(&txn, id, domain::char_len(body)).await?;
    }

    let mut model: article::ActiveModel = current.article.clone().into();
    if let Some(slug) = &patch.slug {
        model.slug.set_if_not_equals(slug.clone());
    }
    if let Some(headline) = &patch.headline {
        model.headline.set_if_not_equals(headline.trim().to_owned());
    }
    if let Some(standfirst) = &patch.standfirst {
        model.standfirst.set_if_not_equals(standfirst.clone());
    }
    if let Some(body) = &patch.body {
        model.body.set_if_not_equals(body.clone());
        if model.body.is_set() {
            model.word_count = Set(domain::word_count(body));
            model.content_hash = Set(Some(domain::content_hash(body)));
        }
    }
    if let Some(authors) = &patch.authors {
        model.authors.set_if_not_equals(serde_json::json!(authors));
    }
    if let Some(publisher) = &patch.publisher {
        model.publisher.set_if_not_equals(publisher.clone());
    }
    if let Some(source_url) = &patch.source_url {
        model.source_url.set_if_not_equals(source_url.clone());
    }
    if let Some(language) = &patch.language {
        model.language.set_if_not_equals(language.clone());
    }
    if let Some(category) = &patch.category {
        model.category.set_if_not_equals(category.clone());
    }
    if let Some(published_at) = &patch.published_at {
        model.published_at.set_if_not_equals(*published_at);
    }
    let keywords = patch.keywords.as_ref().filter(|keywords| {
        let rows = keyword_rows(id, keywords);
        !rows
            .iter()
            .map(|row| &row.keyword)
            .eq(current.keywords.iter())
    });
    if !model.is_changed() && keywords.is_none() {
        txn.commit().await?;
        return Ok(current);
    }

    model.version = Set(version + 1);
    model.updated_at = Set(now());
    let updated = article::Entity::update_many()
        .set(model)
        .filter(article::Column::Id.eq(id))
        .filter(article::Column::Version.eq(version))
        .exec(&txn)
        .await
        .map_err(unique_violation)?;
    if updated.rows_affected == 0 {
        return Err(StoreError::Stale);
    }
    if let Some(keywords) = keywords {
        replace_keywords(&txn, id, keywords).await?;
    }
    let row = get(&txn, &id.to_string()).await?;
    txn.commit().await?;
    Ok(row)
}

/// A body edit must keep every stored offset inside the new body.
async fn check_offsets_fit(
    conn: &impl ConnectionTrait,
    article_id: Uuid,
    body_len: i64,
) -> StoreResult<()> {
    let limit = i32::try_from(body_len).unwrap_or(i32::MAX);
    let sections = section::Entity::find()
        .filter(section::Column::ArticleId.eq(article_id))
        .filter(section::Column::EndOffset.gt(limit))
        .count(conn)
        .await?;
    let quotes = quote::Entity::find()
        .filter(quote::Column::ArticleId.eq(article_id))
        .filter(quote::Column::EndOffset.gt(limit))
        .count(conn)
        .await?;
    let mentions = mention::Entity::find()
        .filter(mention::Column::ArticleId.eq(article_id))
        .filter(mention::Column::FirstOffset.gte(limit))
        .count(conn)
        .await?;
    if sections + quotes + mentions > 0 {
        return Err(StoreError::invalid(
            "body",
            format!(
                "is {body_len} characters long, but {sections} section(s), {quotes} quote(s) and \
                 {mentions} mention(s) have offsets beyond that; update or clear them first"
            ),
        ));
    }
    Ok(())
}

/// Deletes an article with its sections, quotes and mentions. With `expected_version`, only if
/// the article is still at that version.
pub async fn delete(
    db: &DatabaseConnection,
    id: Uuid,
    expected_version: Option<i64>,
) -> StoreResult<()> {
    let mut delete = article::Entity::delete_many().filter(article::Column::Id.eq(id));
    if let Some(version) = expected_version {
        delete = delete.filter(article::Column::Version.eq(version));
    }
    let result = delete.exec(db).await?;
    if result.rows_affected == 0 {
        return match article::Entity::find_by_id(id).one(db).await? {
            Some(_) => Err(StoreError::Stale),
            None => Err(StoreError::NotFound(format!("article `{id}`"))),
        };
    }
    Ok(())
}
