//! Dashboard statistics: rankings, co-mentions, timelines and totals. Each answer is one
//! aggregate query (a GROUP BY, or for the totals one statement of counts), never a query per row;
//! the same SQL runs on Postgres and SQLite.
//!
//! Windows are on the articles' `published_at`, `[from, to)`. An article without `published_at`
//! counts only when the window is open at both ends: it has no place in a window or on a timeline.
//!
//! Timelines are bucketed by the calendar of a time zone. The bucket edges are computed in Rust
//! ([`crate::calendar`]: local midnights, found with the zone's rules, so a DST day is 23 or 25
//! hours long) and sent with the query as parameters that each row's publication time is compared
//! with: no backend's date functions are involved, so both backends agree to the microsecond.
//! The timelines of one entity or one speaker read the copy of the article's `published_at` that
//! mentions and quotes carry (see [`counted_rows`]).
//! Buckets nothing fell into are filled with 0 here.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, FromQueryResult, Statement, StatementBuilder};
use uuid::Uuid;

use super::StoreResult;
use crate::api::types::{EntityKind, EntityRanking, Metric};
use crate::calendar::Bucket;
use crate::entity::{article, mention, named_entity, quote};
use crate::search;

/// A window of publication time, `[from, to)`; either end may be open.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl Window {
    fn is_open(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }

    /// Restricts `query`, which must have `articles` joined, to articles published in the window.
    fn apply(&self, query: &mut SelectStatement) {
        self.apply_to(
            query,
            &Expr::col((article::Entity, article::Column::PublishedAt)),
        );
    }

    /// Restricts `query` to rows whose publication time, `published`, is in the window.
    fn apply_to(&self, query: &mut SelectStatement, published: &Expr) {
        if let Some(from) = self.from {
            query.and_where(published.clone().gte(from));
        }
        if let Some(to) = self.to {
            query.and_where(published.clone().lt(to));
        }
    }
}

/// An entity's summary columns and two counts, as the ranking queries answer them.
#[derive(Debug, Clone, FromQueryResult)]
pub struct EntityCountRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub kind: String,
    /// Summed `mention_count` for entity rankings and co-mentions, the quote count for speakers.
    pub count: i64,
    pub article_count: i64,
}

/// Selects an entity's summary columns and groups by them.
fn select_entity(query: &mut SelectStatement) {
    let columns = [
        named_entity::Column::Id,
        named_entity::Column::Slug,
        named_entity::Column::Name,
        named_entity::Column::Kind,
    ];
    for column in columns {
        query.column((named_entity::Entity, column));
    }
    query.group_by_columns(columns.map(|column| (named_entity::Entity, column)));
}

fn bigint(expr: impl Into<Expr>) -> Expr {
    Expr::from(Func::cast_as(expr.into(), Alias::new("BIGINT")))
}

/// Orders by the two counts, the ranked one first, then by entity id: ids are UUIDv7, so ties go
/// to the entity created first, and uuids compare byte by byte alike on both backends (names
/// would not: their collation is the database's).
fn rank(query: &mut SelectStatement, first: &str, second: &str) {
    query
        .order_by(Alias::new(first), Order::Desc)
        .order_by(Alias::new(second), Order::Desc)
        .order_by((named_entity::Entity, named_entity::Column::Id), Order::Asc);
}

async fn entity_counts(
    conn: &impl ConnectionTrait,
    query: &SelectStatement,
) -> StoreResult<Vec<EntityCountRow>> {
    let statement = StatementBuilder::build(query, &conn.get_database_backend());
    Ok(EntityCountRow::find_by_statement(statement)
        .all(conn)
        .await?)
}

/// The `limit` most mentioned entities of `kind` in the window, ranked `by` mentions or articles.
pub async fn top_entities(
    conn: &impl ConnectionTrait,
    window: Window,
    kind: Option<EntityKind>,
    by: EntityRanking,
    limit: u64,
) -> StoreResult<Vec<EntityCountRow>> {
    let mention = |column| Expr::col((mention::Entity, column));
    let mut query = Query::select();
    select_entity(&mut query);
    query
        .expr_as(
            bigint(Func::sum(mention(mention::Column::MentionCount))),
            "count",
        )
        .expr_as(
            bigint(Func::count(mention(mention::Column::ArticleId))),
            "article_count",
        )
        .from(mention::Entity)
        .inner_join(
            named_entity::Entity,
            Expr::col((named_entity::Entity, named_entity::Column::Id))
                .equals((mention::Entity, mention::Column::EntityId)),
        );
    if !window.is_open() {
        query.inner_join(
            article::Entity,
            Expr::col((article::Entity, article::Column::Id))
                .equals((mention::Entity, mention::Column::ArticleId)),
        );
        window.apply(&mut query);
    }
    if let Some(kind) = kind {
        query.and_where(
            Expr::col((named_entity::Entity, named_entity::Column::Kind)).eq(kind.as_str()),
        );
    }
    match by {
        EntityRanking::Mentions => rank(&mut query, "count", "article_count"),
        EntityRanking::Articles => rank(&mut query, "article_count", "count"),
    }
    query.limit(limit);
    entity_counts(conn, &query).await
}

/// The `limit` most quoted speakers of `kind` in the window: quotes, then articles quoting them.
pub async fn top_speakers(
    conn: &impl ConnectionTrait,
    window: Window,
    kind: Option<EntityKind>,
    limit: u64,
) -> StoreResult<Vec<EntityCountRow>> {
    let mut query = Query::select();
    select_entity(&mut query);
    query
        .expr_as(
            bigint(Func::count(Expr::col((quote::Entity, quote::Column::Id)))),
            "count",
        )
        .expr_as(
            bigint(Func::count_distinct(Expr::col((
                quote::Entity,
                quote::Column::ArticleId,
            )))),
            "article_count",
        )
        .from(quote::Entity)
        .inner_join(
            named_entity::Entity,
            Expr::col((named_entity::Entity, named_entity::Column::Id))
                .equals((quote::Entity, quote::Column::SpeakerEntityId)),
        );
    if !window.is_open() {
        query.inner_join(
            article::Entity,
            Expr::col((article::Entity, article::Column::Id))
                .equals((quote::Entity, quote::Column::ArticleId)),
        );
        window.apply(&mut query);
    }
    if let Some(kind) = kind {
        query.and_where(
            Expr::col((named_entity::Entity, named_entity::Column::Kind)).eq(kind.as_str()),
        );
    }
    rank(&mut query, "count", "article_count");
    query.limit(limit);
    entity_counts(conn, &query).await
}

/// The `limit` entities (of `kind`) most often mentioned in the same articles as `subject`, in
/// the window: the articles they share with it, and their mentions summed over those articles.
pub async fn co_mentions(
    conn: &impl ConnectionTrait,
    subject: Uuid,
    window: Window,
    kind: Option<EntityKind>,
    by: EntityRanking,
    limit: u64,
) -> StoreResult<Vec<EntityCountRow>> {
    let subject_mention = Alias::new("subject");
    let mut query = Query::select();
    select_entity(&mut query);
    query
        .expr_as(
            bigint(Func::sum(Expr::col((
                mention::Entity,
                mention::Column::MentionCount,
            )))),
            "count",
        )
        .expr_as(
            bigint(Func::count(Expr::col((
                mention::Entity,
                mention::Column::ArticleId,
            )))),
            "article_count",
        )
        .from_as(mention::Entity, subject_mention.clone())
        .inner_join(
            mention::Entity,
            Expr::col((mention::Entity, mention::Column::ArticleId))
                .equals((subject_mention.clone(), mention::Column::ArticleId))
                .and(
                    Expr::col((mention::Entity, mention::Column::EntityId)).ne(Expr::col((
                        subject_mention.clone(),
                        mention::Column::EntityId,
                    ))),
                ),
        )
        .inner_join(
            named_entity::Entity,
            Expr::col((named_entity::Entity, named_entity::Column::Id))
                .equals((mention::Entity, mention::Column::EntityId)),
        )
        .and_where(Expr::col((subject_mention.clone(), mention::Column::EntityId)).eq(subject));
    if !window.is_open() {
        query.inner_join(
            article::Entity,
            Expr::col((article::Entity, article::Column::Id))
                .equals((subject_mention, mention::Column::ArticleId)),
        );
        window.apply(&mut query);
    }
    if let Some(kind) = kind {
        query.and_where(
            Expr::col((named_entity::Entity, named_entity::Column::Kind)).eq(kind.as_str()),
        );
    }
    match by {
        EntityRanking::Mentions => rank(&mut query, "count", "article_count"),
        EntityRanking::Articles => rank(&mut query, "article_count", "count"),
    }
    query.limit(limit);
    entity_counts(conn, &query).await
}

/// What a timeline is restricted to; every one that is set must hold.
///
/// `entity` and `speaker` restrict the articles (to those mentioning the entity, or quoting the
/// speaker), and also narrow what is counted when the metric is about them: with `entity`,
/// `mentions` counts only that entity's mentions; with `speaker`, `quotes` counts only that
/// speaker's quotes.
#[derive(Debug, Clone, Default)]
pub struct TimelineFilter {
    pub entity: Option<Uuid>,
    pub speaker: Option<Uuid>,
    /// A full-text search the articles must match, as the article search reads it.
    pub q: Option<search::SearchQuery>,
}

#[derive(Debug, FromQueryResult)]
struct BucketCount {
    bucket: i32,
    count: i64,
}

/// The table whose rows a timeline counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counted {
    Articles,
    Mentions,
    Quotes,
}

/// The copy of its article's `published_at` that each mention and quote carries, kept equal to
/// the article's by the database's triggers (migration 000006). The service never writes it, so
/// it is not a column of the entities.
fn published_copy(table: impl sea_orm::sea_query::IntoIden) -> Expr {
    Expr::col((table, Alias::new("published_at")))
}

/// The rows a timeline counts in `window`, each with its weight (`weight`): 1 per article or
/// quote, the mention count per mention. Answers the query and the publication time each row
/// counts at.
///
/// The timeline of one entity's mentions, or of one speaker's quotes, reads the mentions or
/// quotes alone, by their copy of the article's `published_at`: one range of the index
/// `(entity_id, published_at, mention_count)` or `(speaker_entity_id, published_at)`, with no
/// article read per row. Articles that mention an entity are counted the same way, by the
/// entity's mentions: an article mentions an entity at most once (the table's key). The other
/// timelines start from the window's articles (the `published_at` index) and join their mentions
/// or quotes, and so does a search `q`, which is a condition on the articles.
fn counted_rows(
    backend: sea_orm::DbBackend,
    metric: Metric,
    window: Window,
    filter: &TimelineFilter,
) -> (SelectStatement, Expr) {
    let counted = match metric {
        Metric::Articles if filter.entity.is_some() => Counted::Mentions,
        Metric::Articles => Counted::Articles,
        Metric::Mentions => Counted::Mentions,
        Metric::Quotes => Counted::Quotes,
    };
    let narrowed = match counted {
        Counted::Articles => false,
        Counted::Mentions => filter.entity.is_some(),
        Counted::Quotes => filter.speaker.is_some(),
    };
    let join_articles = counted != Counted::Articles && (!narrowed || filter.q.is_some());
    let weight: Expr = if metric == Metric::Mentions {
        Expr::col((mention::Entity, mention::Column::MentionCount))
    } else {
        Expr::val(1)
    };
    let article_id = match counted {
        Counted::Articles => Expr::col((article::Entity, article::Column::Id)),
        Counted::Mentions => Expr::col((mention::Entity, mention::Column::ArticleId)),
        Counted::Quotes => Expr::col((quote::Entity, quote::Column::ArticleId)),
    };
    let mut query = Query::select();
    query.expr_as(weight, "weight");
    match counted {
        Counted::Articles => query.from(article::Entity),
        Counted::Mentions => query.from(mention::Entity),
        Counted::Quotes => query.from(quote::Entity),
    };
    if join_articles {
        query.inner_join(
            article::Entity,
            Expr::col((article::Entity, article::Column::Id)).eq(article_id.clone()),
        );
    }
    let published = match counted {
        Counted::Mentions if !join_articles => published_copy(mention::Entity),
        Counted::Quotes if !join_articles => published_copy(quote::Entity),
        _ => Expr::col((article::Entity, article::Column::PublishedAt)),
    };
    window.apply_to(&mut query, &published);
    if let Some(entity) = filter.entity {
        if counted == Counted::Mentions {
            query.and_where(Expr::col((mention::Entity, mention::Column::EntityId)).eq(entity));
        } else {
            let mentioning = Query::select()
                .column(mention::Column::ArticleId)
                .from(mention::Entity)
                .and_where(Expr::col(mention::Column::EntityId).eq(entity))
                .to_owned();
            query.and_where(article_id.clone().in_subquery(mentioning));
        }
    }
    if let Some(speaker) = filter.speaker {
        if counted == Counted::Quotes {
            query.and_where(Expr::col((quote::Entity, quote::Column::SpeakerEntityId)).eq(speaker));
        } else {
            let quoting = Query::select()
                .column(quote::Column::ArticleId)
                .from(quote::Entity)
                .and_where(Expr::col(quote::Column::SpeakerEntityId).eq(speaker))
                .to_owned();
            query.and_where(article_id.in_subquery(quoting));
        }
    }
    if let Some(q) = &filter.q {
        query.cond_where(search::articles_matching(backend, q));
    }
    (query, published)
}

/// The bucket index of the row whose publication time is `published`, among `buckets[lo..=hi]`:
/// a balanced tree of `CASE` expressions over the bucket edges, so each row is placed with about
/// log2(buckets) comparisons (a join against the list of buckets would compare each row with
/// every bucket).
fn bucket_of(published: &Expr, buckets: &[Bucket], lo: usize, hi: usize) -> Expr {
    if lo >= hi {
        return Expr::val(i32::try_from(lo).unwrap_or(i32::MAX));
    }
    let mid = lo + (hi - lo).div_ceil(2);
    Expr::case(
        published.clone().lt(buckets[mid].start),
        bucket_of(published, buckets, lo, mid - 1),
    )
    .finally(bucket_of(published, buckets, mid, hi))
    .into()
}

/// The bucket index of the row whose publication time is `published`. Postgres has it built in:
/// `width_bucket` over the buckets' starts (after the first) is a binary search in native code,
/// half the database's time of the `CASE` tree ([`bucket_of`]) on a year of a much-mentioned
/// entity's mentions. Both compare the same instants, so both place every row alike.
fn bucket_index(backend: sea_orm::DbBackend, published: Expr, buckets: &[Bucket]) -> Expr {
    if backend == sea_orm::DbBackend::Postgres && buckets.len() > 1 {
        // The edges go into the statement as one constant array, not as bound parameters: with
        // parameters, the generic plan a prepared statement settles on after five runs builds the
        // array again for every row and sorts to group, five times the time of the plan over
        // constants (100 ms against 19 ms for a year of a much-mentioned entity's mentions). They
        // are instants the service computed, in RFC 3339 (digits and `-:T+`), never client text.
        let edges: Vec<String> = buckets[1..]
            .iter()
            .map(|bucket| bucket.start.to_rfc3339())
            .collect();
        return Expr::cust_with_exprs(
            format!("width_bucket($1, '{{{}}}'::timestamptz[])", edges.join(",")),
            [published],
        );
    }
    bucket_of(&published, buckets, 0, buckets.len().saturating_sub(1))
}

/// The count of `metric` in each of `buckets` (contiguous, oldest first), zero-filled, in one
/// query: the rows in the window are read once through an index on their publication time (see
/// [`counted_rows`]), each is given its bucket's index, and the query groups by it.
pub async fn timeline(
    conn: &impl ConnectionTrait,
    metric: Metric,
    buckets: &[Bucket],
    filter: &TimelineFilter,
) -> StoreResult<Vec<i64>> {
    let (Some(first), Some(last)) = (buckets.first(), buckets.last()) else {
        return Ok(Vec::new());
    };
    let backend = conn.get_database_backend();
    let window = Window {
        from: Some(first.start),
        to: Some(last.end),
    };
    let (mut counted, published) = counted_rows(backend, metric, window, filter);
    counted.expr_as(bucket_index(backend, published, buckets), "bucket");
    let placed = Alias::new("placed");
    let query = Query::select()
        .column((placed.clone(), Alias::new("bucket")))
        .expr_as(
            bigint(Func::sum(Expr::col((placed.clone(), Alias::new("weight"))))),
            "count",
        )
        .from_subquery(counted, placed.clone())
        .group_by_col((placed, Alias::new("bucket")))
        .to_owned();
    let rows = BucketCount::find_by_statement(StatementBuilder::build(&query, &backend))
        .all(conn)
        .await?;
    let mut counts = vec![0; buckets.len()];
    for row in rows {
        if let Some(count) = usize::try_from(row.bucket)
            .ok()
            .and_then(|i| counts.get_mut(i))
        {
            *count = row.count;
        }
    }
    Ok(counts)
}

/// Totals of what the service holds.
#[derive(Debug, Clone, FromQueryResult)]
pub struct OverviewRow {
    pub articles: i64,
    pub sections: i64,
    pub quotes: i64,
    pub entities: i64,
    pub mentions: i64,
    pub speakers: i64,
    pub newest_published_at: Option<DateTime<Utc>>,
    pub newest_created_at: Option<DateTime<Utc>>,
}

/// Every total in one statement of scalar subqueries, so that they are read together.
pub async fn overview(conn: &impl ConnectionTrait) -> StoreResult<OverviewRow> {
    const SQL: &str = "SELECT \
        (SELECT COUNT(*) FROM articles) AS articles, \
        (SELECT COUNT(*) FROM sections) AS sections, \
        (SELECT COUNT(*) FROM quotes) AS quotes, \
        (SELECT COUNT(*) FROM entities) AS entities, \
        (SELECT CAST(COALESCE(SUM(mention_count), 0) AS BIGINT) FROM article_entities) AS mentions, \
        (SELECT COUNT(DISTINCT speaker_entity_id) FROM quotes) AS speakers, \
        (SELECT MAX(published_at) FROM articles) AS newest_published_at, \
        (SELECT MAX(created_at) FROM articles) AS newest_created_at";
    let statement = Statement::from_string(conn.get_database_backend(), SQL);
    OverviewRow::find_by_statement(statement)
        .one(conn)
        .await?
        .ok_or_else(|| {
            sea_orm::DbErr::RecordNotFound("the overview query answered no row".into()).into()
        })
}
