//! `/v1/stats/*`: what a newsroom dashboard polls. Each answer is one aggregate query (after the
//! lookup of the entity a route is about, when it names one).
//!
//! Windows are `[from, to)` on the articles' `published_at`, given as RFC 3339 or `YYYY-MM-DD`.
//! Articles without `published_at` count only when no window is given.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use utoipa::IntoParams;

use super::entities::kind as entity_kind;
use super::http::{self, AppState, Json, Reader};
use super::problems::*;
use super::types::{
    CoMentions, EntityCount, EntityKind, EntityRanking, EntitySummary, Interval, Metric, Overview,
    SpeakerCount, Timeline, TimelineBucket, TopEntities, TopSpeakers,
};
use crate::calendar::{self, BucketError};
use crate::error::ApiError;
use crate::store::entities;
use crate::store::stats::{self, EntityCountRow, TimelineFilter, Window};

/// Rows a ranking answers when `limit` is not given.
const DEFAULT_LIMIT: u64 = 10;

/// Most buckets a timeline answers: 1000 days is nearly three years.
pub const MAX_BUCKETS: usize = 1000;

/// Top entities: what to rank, of which kind, in which window.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TopEntitiesParams {
    /// `mentions` (default): mentions summed over the articles; `articles`: articles mentioning it.
    #[param(value_type = Option<EntityRanking>)]
    by: Option<String>,
    /// Only entities of this kind: `person`, `organization`, `location`, `event` or `other`.
    #[param(value_type = Option<EntityKind>)]
    kind: Option<String>,
    /// Articles published at or after this time (RFC 3339, or `YYYY-MM-DD` for midnight UTC).
    #[param(value_type = Option<String>, example = "2026-11-01")]
    from: Option<String>,
    /// Articles published before this time (RFC 3339, or `YYYY-MM-DD` for midnight UTC).
    #[param(value_type = Option<String>, example = "2026-12-01")]
    to: Option<String>,
    /// How many entities, 1 to 100 (default 10).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 10)]
    limit: Option<String>,
}

/// Top speakers: of which kind, in which window.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TopSpeakersParams {
    /// Only speakers of this kind: `person`, `organization`, `location`, `event` or `other`.
    #[param(value_type = Option<EntityKind>)]
    kind: Option<String>,
    /// Articles published at or after this time (RFC 3339, or `YYYY-MM-DD` for midnight UTC).
    #[param(value_type = Option<String>, example = "2026-11-01")]
    from: Option<String>,
    /// Articles published before this time (RFC 3339, or `YYYY-MM-DD` for midnight UTC).
    #[param(value_type = Option<String>, example = "2026-12-01")]
    to: Option<String>,
    /// How many speakers, 1 to 100 (default 10).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 10)]
    limit: Option<String>,
}

/// Co-mentions: of which entity, ranked how, in which window.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CoMentionsParams {
    /// The entity (id or slug) whose companions are wanted. Required.
    #[param(value_type = String, example = "united-kingdom")]
    entity: Option<String>,
    /// `articles` (default): articles shared with the entity; `mentions`: the other entity's
    /// mentions summed over those articles.
    #[param(value_type = Option<EntityRanking>)]
    by: Option<String>,
    /// Only companions of this kind.
    #[param(value_type = Option<EntityKind>)]
    kind: Option<String>,
    /// Articles published at or after this time (RFC 3339, or `YYYY-MM-DD` for midnight UTC).
    #[param(value_type = Option<String>)]
    from: Option<String>,
    /// Articles published before this time (RFC 3339, or `YYYY-MM-DD` for midnight UTC).
    #[param(value_type = Option<String>)]
    to: Option<String>,
    /// How many entities, 1 to 100 (default 10).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 10)]
    limit: Option<String>,
}

/// Timeline: what to count, per which period, in which time zone and window, about what.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TimelineParams {
    /// `day` (default), `week` (ISO, from Monday) or `month`.
    #[param(value_type = Option<Interval>)]
    interval: Option<String>,
    /// `articles` (default), `mentions` (mention counts summed) or `quotes`.
    #[param(value_type = Option<Metric>)]
    metric: Option<String>,
    /// Start of the window, inclusive: RFC 3339, or `YYYY-MM-DD` for local midnight in `tz`.
    /// Defaults to the start of the 30 days, 12 weeks or 12 months (by `interval`) ending at `to`.
    #[param(value_type = Option<String>, example = "2026-03-28")]
    from: Option<String>,
    /// End of the window, exclusive: RFC 3339, or `YYYY-MM-DD` for local midnight in `tz`.
    /// Defaults to the end of the current day, week or month in `tz`.
    #[param(value_type = Option<String>, example = "2026-04-01")]
    to: Option<String>,
    /// IANA time zone whose local midnights bound the buckets (default `UTC`).
    #[param(value_type = Option<String>, example = "Europe/London")]
    tz: Option<String>,
    /// Only articles mentioning this entity (id or slug); with `metric=mentions`, only its mentions.
    entity: Option<String>,
    /// Only articles quoting this entity (id or slug); with `metric=quotes`, only its quotes.
    speaker: Option<String>,
    /// Only articles containing these words, as the article list's `q` reads them.
    q: Option<String>,
}

fn limit(value: Option<&str>) -> Result<u64, ApiError> {
    http::limit_within(value, DEFAULT_LIMIT, http::MAX_LIMIT)
}

fn check_order(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<(), ApiError> {
    if from < to {
        Ok(())
    } else {
        Err(ApiError::bad_request("to", "must be after `from`"))
    }
}

/// Reads `from` and `to` (midnight UTC for a bare date); `to` must come after `from`.
fn window(from: Option<&str>, to: Option<&str>) -> Result<Window, ApiError> {
    let window = Window {
        from: http::date("from", from)?,
        to: http::date("to", to)?,
    };
    if let (Some(from), Some(to)) = (window.from, window.to) {
        check_order(from, to)?;
    }
    Ok(window)
}

fn summary(row: &EntityCountRow) -> EntitySummary {
    EntitySummary {
        id: row.id,
        slug: row.slug.clone(),
        name: row.name.clone(),
        kind: EntityKind::from_stored(&row.kind),
    }
}

fn entity_counts(rows: Vec<EntityCountRow>) -> Vec<EntityCount> {
    rows.into_iter()
        .map(|row| EntityCount {
            entity: summary(&row),
            mention_count: row.count,
            article_count: row.article_count,
        })
        .collect()
}

/// The most mentioned entities, by mentions or by articles, in a window of publication time.
///
/// One row per entity: `mention_count` sums its mentions over the articles in the window and
/// `article_count` counts those articles. Ties go to the other count, then to the entity created
/// first.
#[utoipa::path(
    tag = "stats",
    params(TopEntitiesParams),
    responses(
        (status = 200, description = "The top entities, best first", body = TopEntities,
            headers(("ETag" = String, description = "Validator for If-None-Match"))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 503, response = Unavailable),
    )
)]
#[get("/stats/entities")]
pub async fn get_top_entities(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Reader,
) -> Result<HttpResponse, ApiError> {
    let params: TopEntitiesParams = http::query(&req)?;
    let by = http::choice("by", params.by.as_deref(), &EntityRanking::KEYS)?;
    let kind = entity_kind(params.kind.as_deref())?;
    let window = window(params.from.as_deref(), params.to.as_deref())?;
    let limit = limit(params.limit.as_deref())?;
    let key = cache_key("entities", &(by, kind, window.from, window.to, limit));
    let answer = state.stats_cache.answer(state.reader(), key, || async {
        let rows = stats::top_entities(state.reader(), window, kind, by, limit).await?;
        Json::new(&TopEntities {
            by,
            kind,
            from: window.from,
            to: window.to,
            data: entity_counts(rows),
        })
    });
    Ok(answer.await?.ok(&req))
}

/// The most quoted speakers in a window of publication time.
///
/// One row per entity quoted: `quote_count` counts its quotes in the articles in the window and
/// `article_count` those articles. Quotes with no speaker entity (only a `speaker_label`) are not
/// counted.
#[utoipa::path(
    tag = "stats",
    params(TopSpeakersParams),
    responses(
        (status = 200, description = "The top speakers, most quoted first", body = TopSpeakers,
            headers(("ETag" = String, description = "Validator for If-None-Match"))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 503, response = Unavailable),
    )
)]
#[get("/stats/speakers")]
pub async fn get_top_speakers(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Reader,
) -> Result<HttpResponse, ApiError> {
    let params: TopSpeakersParams = http::query(&req)?;
    let kind = entity_kind(params.kind.as_deref())?;
    let window = window(params.from.as_deref(), params.to.as_deref())?;
    let limit = limit(params.limit.as_deref())?;
    let key = cache_key("speakers", &(kind, window.from, window.to, limit));
    let answer = state.stats_cache.answer(state.reader(), key, || async {
        let rows = stats::top_speakers(state.reader(), window, kind, limit).await?;
        Json::new(&TopSpeakers {
            kind,
            from: window.from,
            to: window.to,
            data: rows
                .into_iter()
                .map(|row| SpeakerCount {
                    speaker: summary(&row),
                    quote_count: row.count,
                    article_count: row.article_count,
                })
                .collect(),
        })
    });
    Ok(answer.await?.ok(&req))
}

/// The entities most often mentioned in the same articles as `entity`.
///
/// `article_count` counts the articles (in the window) that mention both; `mention_count` sums the
/// other entity's mentions in those articles. The entity itself is not listed. An unknown
/// `entity` is a 404.
#[utoipa::path(
    tag = "stats",
    params(CoMentionsParams),
    responses(
        (status = 200, description = "The entity's companions, best first", body = CoMentions,
            headers(("ETag" = String, description = "Validator for If-None-Match"))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
#[get("/stats/co-mentions")]
pub async fn get_co_mentions(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Reader,
) -> Result<HttpResponse, ApiError> {
    let params: CoMentionsParams = http::query(&req)?;
    let Some(key) = params.entity.as_deref() else {
        return Err(ApiError::bad_request(
            "entity",
            "is required: the id or slug of the entity whose companions you want",
        ));
    };
    let by = http::choice(
        "by",
        params.by.as_deref(),
        &[
            ("articles", EntityRanking::Articles),
            ("mentions", EntityRanking::Mentions),
        ],
    )?;
    let kind = entity_kind(params.kind.as_deref())?;
    let window = window(params.from.as_deref(), params.to.as_deref())?;
    let limit = limit(params.limit.as_deref())?;
    let cached = cache_key(
        "co-mentions",
        &(key, by, kind, window.from, window.to, limit),
    );
    let answer = state.stats_cache.answer(state.reader(), cached, || async {
        let entity = entities::find(state.reader(), key).await?;
        let rows = stats::co_mentions(state.reader(), entity.id, window, kind, by, limit).await?;
        Json::new(&CoMentions {
            entity: EntitySummary::from(&entity),
            by,
            kind,
            from: window.from,
            to: window.to,
            data: entity_counts(rows),
        })
    });
    Ok(answer.await?.ok(&req))
}

/// How many periods a timeline covers when `from` is not given.
fn default_periods(interval: Interval) -> i32 {
    match interval {
        Interval::Day => 30,
        Interval::Week | Interval::Month => 12,
    }
}

fn out_of_range(name: &str) -> ApiError {
    ApiError::bad_request(
        name,
        "lies beyond the range of dates this service can count in",
    )
}

/// Reads a timeline bound: RFC 3339 as it is, a bare date as local midnight in `tz`.
fn local_bound(name: &str, value: Option<&str>, tz: Tz) -> Result<Option<DateTime<Utc>>, ApiError> {
    match value.map(|text| (text, NaiveDate::parse_from_str(text, "%Y-%m-%d"))) {
        Some((_, Ok(day))) => calendar::start_of_day(tz, day)
            .map(Some)
            .ok_or_else(|| out_of_range(name)),
        _ => http::date(name, value),
    }
}

/// The timeline's window: the bounds given, or the defaults `interval` implies.
fn timeline_window(
    params: &TimelineParams,
    interval: Interval,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), ApiError> {
    let from = local_bound("from", params.from.as_deref(), tz)?;
    let to = match local_bound("to", params.to.as_deref(), tz)? {
        Some(to) => to,
        None => {
            let current = calendar::period_of(interval, calendar::local_date(tz, now));
            calendar::shift_period(interval, current, 1)
                .and_then(|next| calendar::start_of_day(tz, next))
                .ok_or_else(|| out_of_range("to"))?
        }
    };
    let from = match from {
        Some(from) => from,
        None => {
            let last_instant = to
                .checked_sub_signed(chrono::Duration::microseconds(1))
                .ok_or_else(|| out_of_range("to"))?;
            let last = calendar::period_of(interval, calendar::local_date(tz, last_instant));
            calendar::shift_period(interval, last, 1 - default_periods(interval))
                .and_then(|first| calendar::start_of_day(tz, first))
                .ok_or_else(|| out_of_range("from"))?
        }
    };
    check_order(from, to)?;
    Ok((from, to))
}

/// Counts per day, week or month in a time zone, with every bucket present (0 when empty).
///
/// Buckets are bounded by local midnights in `tz`, so on a DST change a day is 23 or 25 hours
/// long; weeks are ISO weeks from Monday. Each bucket's `date` is the local date its period begins
/// on; `start` and `end` are the instants counted, `[start, end)`, clipped to the window. Articles
/// count in the bucket of their `published_at` (undated articles never count); mentions and quotes
/// count in the bucket of their article's `published_at`.
///
/// `entity`, `speaker` and `q` restrict the articles (mentioning the entity, quoting the speaker,
/// containing the words); they combine. With `entity`, `metric=mentions` counts that entity's
/// mentions only; with `speaker`, `metric=quotes` counts that speaker's quotes only. An unknown
/// `entity` or `speaker` is a 404. A window of more than 1000 buckets is a 400.
#[utoipa::path(
    tag = "stats",
    params(TimelineParams),
    responses(
        (status = 200, description = "Every bucket of the window, oldest first", body = Timeline,
            headers(("ETag" = String, description = "Validator for If-None-Match"))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
#[get("/stats/timeline")]
pub async fn get_timeline(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Reader,
) -> Result<HttpResponse, ApiError> {
    let params: TimelineParams = http::query(&req)?;
    let interval = http::choice("interval", params.interval.as_deref(), &Interval::KEYS)?;
    let metric = http::choice("metric", params.metric.as_deref(), &Metric::KEYS)?;
    let tz: Tz = match params.tz.as_deref() {
        None => Tz::UTC,
        Some(name) => name.parse().map_err(|_| {
            ApiError::bad_request(
                "tz",
                "must be an IANA time zone name such as `UTC`, `Europe/London` or `America/New_York`",
            )
        })?,
    };
    let (from, to) = timeline_window(&params, interval, tz, Utc::now())?;
    let buckets = calendar::buckets(interval, tz, from, to, MAX_BUCKETS).map_err(|e| match e {
        BucketError::TooMany => ApiError::bad_request(
            "from",
            format!(
                "makes a window of more than {MAX_BUCKETS} buckets of one {}; narrow the window \
                 or use a longer `interval`",
                interval.as_str()
            ),
        ),
        BucketError::OutOfRange => out_of_range("from"),
    })?;
    let mut filter = TimelineFilter {
        q: http::search("q", params.q.as_deref())?,
        ..TimelineFilter::default()
    };
    let key = cache_key(
        "timeline",
        &(
            interval,
            metric,
            tz,
            from,
            to,
            &params.q,
            &params.entity,
            &params.speaker,
        ),
    );
    let answer = state.stats_cache.answer(state.reader(), key, || async {
        if let Some(key) = params.entity.as_deref() {
            filter.entity = Some(entities::find(state.reader(), key).await?.id);
        }
        if let Some(key) = params.speaker.as_deref() {
            filter.speaker = Some(entities::find(state.reader(), key).await?.id);
        }
        let counts = stats::timeline(state.reader(), metric, &buckets, &filter).await?;
        let data: Vec<TimelineBucket> = buckets
            .iter()
            .zip(counts)
            .map(|(bucket, count)| TimelineBucket {
                date: bucket.date,
                start: bucket.start,
                end: bucket.end,
                count,
            })
            .collect();
        Json::new(&Timeline {
            interval,
            metric,
            tz: tz.name().to_owned(),
            from,
            to,
            total: data.iter().map(|bucket| bucket.count).sum(),
            data,
        })
    });
    Ok(answer.await?.ok(&req))
}

/// Totals: articles, sections, quotes, entities, mentions and speakers, and the newest times.
///
/// `mentions` sums every article's mention counts; `speakers` counts the distinct entities quoted.
#[utoipa::path(
    tag = "stats",
    responses(
        (status = 200, description = "The totals", body = Overview,
            headers(("ETag" = String, description = "Validator for If-None-Match"))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 503, response = Unavailable),
    )
)]
#[get("/stats/overview")]
pub async fn get_overview(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Reader,
) -> Result<HttpResponse, ApiError> {
    if let Some((name, _)) = url::form_urlencoded::parse(req.query_string().as_bytes()).next() {
        return Err(ApiError::bad_request(
            &name,
            "is not a known parameter; this route takes none",
        ));
    }
    let key = cache_key("overview", &());
    let answer = state.stats_cache.answer(state.reader(), key, || async {
        let row = stats::overview(state.reader()).await?;
        Json::new(&Overview {
            articles: row.articles,
            sections: row.sections,
            quotes: row.quotes,
            entities: row.entities,
            mentions: row.mentions,
            speakers: row.speakers,
            newest_published_at: row.newest_published_at,
            newest_created_at: row.newest_created_at,
        })
    });
    Ok(answer.await?.ok(&req))
}

/// The key of a stats answer in [`crate::api::stats_cache`]: the route and every input it is
/// computed from, as read from the request (windows resolved, so a default window that moves with
/// the clock makes a new key).
fn cache_key(route: &str, inputs: &impl std::fmt::Debug) -> String {
    format!("{route}{inputs:?}")
}
