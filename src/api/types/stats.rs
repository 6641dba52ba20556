//! Dashboard answers: top entities and speakers, co-mentions, time series and totals.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::common::{EntityKind, EntitySummary};

/// What a ranking of entities is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EntityRanking {
    /// Mentions summed over the articles (`mention_count`).
    Mentions,
    /// Articles that mention the entity (`article_count`).
    Articles,
}

impl EntityRanking {
    pub const KEYS: [(&'static str, EntityRanking); 2] = [
        ("mentions", EntityRanking::Mentions),
        ("articles", EntityRanking::Articles),
    ];
}

/// The length of a timeline bucket, in the calendar of the timeline's `tz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    /// From one local midnight to the next (23 or 25 hours on a DST change).
    Day,
    /// An ISO week: from local midnight on Monday to local midnight on the next Monday.
    Week,
    /// From local midnight on the 1st to local midnight on the 1st of the next month.
    Month,
}

impl Interval {
    pub const KEYS: [(&'static str, Interval); 3] = [
        ("day", Interval::Day),
        ("week", Interval::Week),
        ("month", Interval::Month),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Interval::Day => "day",
            Interval::Week => "week",
            Interval::Month => "month",
        }
    }
}

/// What a timeline counts in each bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Articles published in the bucket.
    Articles,
    /// Entity mentions (`mention_count` summed) in the articles published in the bucket.
    Mentions,
    /// Quotes in the articles published in the bucket.
    Quotes,
}

impl Metric {
    pub const KEYS: [(&'static str, Metric); 3] = [
        ("articles", Metric::Articles),
        ("mentions", Metric::Mentions),
        ("quotes", Metric::Quotes),
    ];
}

/// An entity with how often it is mentioned.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "entity": {"id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c52", "slug": "united-kingdom", "name": "United Kingdom", "kind": "location"},
    "mention_count": 7, "article_count": 1
}))]
pub struct EntityCount {
    pub entity: EntitySummary,
    /// Mentions summed over the articles counted.
    pub mention_count: i64,
    /// Articles counted that mention the entity.
    pub article_count: i64,
}

/// The most mentioned entities in a window of publication time.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "by": "mentions", "kind": null, "from": null, "to": null,
    "data": [
        {"entity": {"id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c52", "slug": "united-kingdom", "name": "United Kingdom", "kind": "location"}, "mention_count": 7, "article_count": 1},
        {"entity": {"id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c51", "slug": "united-states", "name": "United States", "kind": "location"}, "mention_count": 5, "article_count": 1},
        {"entity": {"id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c5b", "slug": "donald-trump", "name": "Donald Trump", "kind": "person"}, "mention_count": 4, "article_count": 1}
    ]
}))]
pub struct TopEntities {
    /// What the entities are ranked by.
    pub by: EntityRanking,
    /// The kind asked for, or `null` for every kind.
    pub kind: Option<EntityKind>,
    /// Start of the window (inclusive), or `null` when open.
    pub from: Option<DateTime<Utc>>,
    /// End of the window (exclusive), or `null` when open.
    pub to: Option<DateTime<Utc>>,
    /// Best first; ties go to the other count, then to the entity created first.
    pub data: Vec<EntityCount>,
}

/// A speaker with how often it is quoted.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "speaker": {"id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c51", "slug": "united-states", "name": "United States", "kind": "location"},
    "quote_count": 5, "article_count": 1
}))]
pub struct SpeakerCount {
    pub speaker: EntitySummary,
    /// Quotes attributed to the speaker.
    pub quote_count: i64,
    /// Articles that quote the speaker.
    pub article_count: i64,
}

/// The most quoted speakers in a window of publication time.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "kind": null, "from": null, "to": null,
    "data": [
        {"speaker": {"id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c51", "slug": "united-states", "name": "United States", "kind": "location"}, "quote_count": 5, "article_count": 1},
        {"speaker": {"id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c5b", "slug": "donald-trump", "name": "Donald Trump", "kind": "person"}, "quote_count": 2, "article_count": 1},
        {"speaker": {"id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c5c", "slug": "keir-starmer", "name": "Keir Starmer", "kind": "person"}, "quote_count": 1, "article_count": 1},
        {"speaker": {"id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c5d", "slug": "us-state-department", "name": "US State Department", "kind": "organization"}, "quote_count": 1, "article_count": 1}
    ]
}))]
pub struct TopSpeakers {
    /// The kind asked for, or `null` for every kind.
    pub kind: Option<EntityKind>,
    /// Start of the window (inclusive), or `null` when open.
    pub from: Option<DateTime<Utc>>,
    /// End of the window (exclusive), or `null` when open.
    pub to: Option<DateTime<Utc>>,
    /// Most quoted first; ties go to the most articles, then to the entity created first.
    pub data: Vec<SpeakerCount>,
}

/// The entities mentioned in the same articles as one entity.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "entity": {"id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c52", "slug": "united-kingdom", "name": "United Kingdom", "kind": "location"},
    "by": "articles", "kind": "person", "from": null, "to": null,
    "data": [
        {"entity": {"id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c5b", "slug": "donald-trump", "name": "Donald Trump", "kind": "person"}, "mention_count": 4, "article_count": 1},
        {"entity": {"id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c5c", "slug": "keir-starmer", "name": "Keir Starmer", "kind": "person"}, "mention_count": 2, "article_count": 1}
    ]
}))]
pub struct CoMentions {
    /// The entity asked about.
    pub entity: EntitySummary,
    /// What the other entities are ranked by.
    pub by: EntityRanking,
    /// The kind of the other entities asked for, or `null` for every kind.
    pub kind: Option<EntityKind>,
    /// Start of the window (inclusive), or `null` when open.
    pub from: Option<DateTime<Utc>>,
    /// End of the window (exclusive), or `null` when open.
    pub to: Option<DateTime<Utc>>,
    /// The other entities, best first. `article_count` is the number of articles that mention
    /// both; `mention_count` sums the other entity's mentions in those articles.
    pub data: Vec<EntityCount>,
}

/// One bucket of a timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"date": "2026-03-29", "start": "2026-03-29T00:00:00Z", "end": "2026-03-29T23:00:00Z", "count": 1}))]
pub struct TimelineBucket {
    /// The local date the period begins on in `tz`: the day, the Monday of the week, or the
    /// 1st of the month. Use it as the bucket's label.
    pub date: NaiveDate,
    /// The first instant counted (UTC): the period's local midnight, or `from` for a first
    /// period that began earlier.
    pub start: DateTime<Utc>,
    /// The instant counting stops, exclusive (UTC): the next period's local midnight, or `to`
    /// for a last period that ends later.
    pub end: DateTime<Utc>,
    /// What was counted in `[start, end)`; 0 when nothing was.
    pub count: i64,
}

/// Counts per day, week or month: every bucket in the window, zero-filled.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "interval": "day", "metric": "articles", "tz": "Europe/London",
    "from": "2026-03-28T00:00:00Z", "to": "2026-03-31T23:00:00Z", "total": 2,
    "data": [
        {"date": "2026-03-28", "start": "2026-03-28T00:00:00Z", "end": "2026-03-29T00:00:00Z", "count": 1},
        {"date": "2026-03-29", "start": "2026-03-29T00:00:00Z", "end": "2026-03-29T23:00:00Z", "count": 0},
        {"date": "2026-03-30", "start": "2026-03-29T23:00:00Z", "end": "2026-03-30T23:00:00Z", "count": 1},
        {"date": "2026-03-31", "start": "2026-03-30T23:00:00Z", "end": "2026-03-31T23:00:00Z", "count": 0}
    ]
}))]
pub struct Timeline {
    pub interval: Interval,
    pub metric: Metric,
    /// The IANA time zone whose midnights bound the buckets.
    pub tz: String,
    /// Start of the window (inclusive, UTC).
    pub from: DateTime<Utc>,
    /// End of the window (exclusive, UTC).
    pub to: DateTime<Utc>,
    /// The counts summed.
    pub total: i64,
    /// Every bucket from `from` to `to`, oldest first.
    pub data: Vec<TimelineBucket>,
}

/// What the service holds, in totals.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "articles": 1, "sections": 4, "quotes": 9, "entities": 13, "mentions": 29, "speakers": 4,
    "newest_published_at": null, "newest_created_at": "2026-11-27T09:00:00Z"
}))]
pub struct Overview {
    pub articles: i64,
    pub sections: i64,
    pub quotes: i64,
    pub entities: i64,
    /// Mentions summed over every article (`mention_count`), not the number of mention rows.
    pub mentions: i64,
    /// Distinct entities quoted at least once.
    pub speakers: i64,
    /// The latest `published_at` of any article; `null` when none has one.
    pub newest_published_at: Option<DateTime<Utc>>,
    /// When the most recently stored article was stored; `null` when there are none.
    pub newest_created_at: Option<DateTime<Utc>>,
}
