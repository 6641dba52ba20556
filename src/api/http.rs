//! The HTTP edge shared by every handler: reading and validating bodies and query strings,
//! API-key checks, and JSON answers with ETags, `Link` headers and conditional requests.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::DatabaseConnection;
use serde::de::DeserializeOwned;
use serde::Serialize;
use validator::Validate;
use xxhash_rust::xxh3::xxh3_128;

use super::fields::Fields;
use crate::config::{AllowedOrigins, ClientIpSource};
use crate::error::{field_errors, ApiError, FieldError};
use crate::rate_limit::RateLimits;
use crate::search::SearchQuery;
use crate::store::keys::{self, KeyHolder, Scope};
use crate::store::page::Cursor;
use crate::store::Precondition;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The primary database (`DATABASE_URL`): every write, the reads inside a write and right
    /// after it, and API keys. Handlers that only read use [`AppState::reader`] instead.
    pub db: DatabaseConnection,
    /// The read replica (`DATABASE_READ_URL`), when one is configured.
    pub replica: Option<DatabaseConnection>,
    /// When set, reads need a key too (any scope).
    pub reads_require_key: bool,
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    /// Most articles one `POST /v1/articles:batch` takes.
    pub batch_max_items: usize,
    /// Largest body `POST /v1/articles:batch` takes, in bytes.
    pub batch_body_limit: usize,
    /// Turns to run a batch (`BATCH_CONCURRENCY`): one is held from before the body is read
    /// until the answer, so at most that many batches are in memory at once.
    pub batch_turns: std::sync::Arc<tokio::sync::Semaphore>,
    /// Largest text `POST /v1/extract` takes, in bytes.
    pub extract_max_bytes: usize,
    /// Browser origins allowed to call the API (CORS).
    pub cors: AllowedOrigins,
    /// Seconds a cache may reuse a successful read (`Cache-Control: max-age`).
    pub cache_max_age: u32,
    /// The counters behind `GET /metrics`, shared by every worker.
    pub metrics: crate::metrics::Metrics,
    /// When set, `GET /metrics` needs a key (any scope).
    pub metrics_require_key: bool,
    /// How long a request may take (`REQUEST_TIMEOUT`); `None` is no limit.
    pub request_timeout: Option<std::time::Duration>,
    /// Requests a minute per client IP and per API key; shared by every worker.
    pub rate_limits: RateLimits,
    /// Where the client's IP address is read from (`CLIENT_IP_SOURCE`).
    pub client_ip: ClientIpSource,
    /// How many of an article search's newest matches `sort=relevance` ranks
    /// (`SEARCH_RANK_CANDIDATES`); 0 ranks them all.
    pub search_rank_candidates: u64,
    /// Stats answers and search pages kept until the next write (`STATS_CACHE_MB`).
    pub stats_cache: super::stats_cache::StatsCache,
    /// The pools each HTTP worker opened for itself ([`AppState::for_worker`]), for `GET /metrics`.
    pub worker_pools: crate::store::WorkerPools,
}

impl AppState {
    /// The state `newsmeta serve` runs with: `settings` over the database `db` (no replica; set
    /// `replica` for `DATABASE_READ_URL`).
    pub fn new(db: DatabaseConnection, settings: &crate::config::ServeSettings) -> Self {
        AppState {
            db,
            replica: None,
            reads_require_key: settings.reads_require_key,
            body_limit: settings.body_limit,
            batch_max_items: settings.batch_max_items,
            batch_body_limit: settings.batch_body_limit,
            batch_turns: batch_turns(settings.batch_concurrency),
            extract_max_bytes: settings.extract_max_bytes,
            cors: settings.cors_allowed_origins.clone(),
            cache_max_age: settings.cache_max_age,
            metrics: crate::metrics::Metrics::default(),
            metrics_require_key: settings.metrics_require_key,
            request_timeout: settings.request_timeout.0,
            rate_limits: RateLimits::new(
                settings.rate_limit_ip_per_minute,
                settings.rate_limit_key_per_minute,
            ),
            client_ip: settings.client_ip_source,
            search_rank_candidates: settings.search_rank_candidates,
            stats_cache: super::stats_cache::StatsCache::new(settings.stats_cache_mb),
            worker_pools: crate::store::WorkerPools::default(),
        }
    }

    /// This state for one of `workers` HTTP worker threads, called on that thread: the primary
    /// and the replica each get a pool of the worker's own, with its share of their connections
    /// ([`crate::store::WorkerPools`]). What cannot have one (SQLite) stays shared.
    pub fn for_worker(&self, workers: u32) -> Self {
        let own = |role, db: &DatabaseConnection| {
            (self.worker_pools.open(role, db, workers)).unwrap_or_else(|| db.clone())
        };
        AppState {
            db: own("primary", &self.db),
            replica: self.replica.as_ref().map(|replica| own("replica", replica)),
            ..self.clone()
        }
    }

    /// Where read-only requests read: the replica when `DATABASE_READ_URL` is set, else the
    /// primary. A replica may lag the primary by a moment, so a handler that writes, and reads
    /// back what it wrote (or checks `If-Match` before writing), uses `db` throughout.
    pub fn reader(&self) -> &DatabaseConnection {
        self.replica.as_ref().unwrap_or(&self.db)
    }
}

/// `concurrency` turns for `POST /v1/articles:batch` (at least one).
pub fn batch_turns(concurrency: u32) -> std::sync::Arc<tokio::sync::Semaphore> {
    let turns = usize::try_from(concurrency.max(1)).unwrap_or(1);
    std::sync::Arc::new(tokio::sync::Semaphore::new(turns))
}

/// Rules a request body must follow beyond its fields' own: offsets inside the body, references
/// named one way, and so on. Most bodies have none.
pub trait CrossFieldRules {
    fn cross_field_errors(&self) -> Vec<FieldError> {
        Vec::new()
    }
}

/// A JSON request body, parsed (unknown fields rejected) and validated. Malformed JSON is a 400;
/// a body of the wrong shape or breaking a rule is a 422 naming every offending field.
pub struct Body<T>(pub T);

impl<T> FromRequest for Body<T>
where
    T: DeserializeOwned + Validate + CrossFieldRules + 'static,
{
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let limit = req
                .app_data::<web::Data<AppState>>()
                .map_or(1024 * 1024, |state| state.body_limit);
            check_json_content_type(&req)?;
            let bytes = read_body(&mut payload, limit).await?;
            let value = parse_json::<T>(&bytes)?;
            check_body(&value)?;
            Ok(Body(value))
        })
    }
}

/// Validates a body: its fields' rules and the rules across fields; a 422 naming every offending
/// field when any fails.
pub fn check_body<T: Validate + CrossFieldRules>(value: &T) -> Result<(), ApiError> {
    let mut errors = match value.validate() {
        Ok(()) => Vec::new(),
        Err(e) => field_errors(&e),
    };
    errors.extend(value.cross_field_errors());
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// The request's `Content-Type` as sent (`"nothing"` when absent, for messages), and its essence:
/// the media type alone, lower-cased, without parameters (`application/json`).
pub(crate) fn content_type(req: &HttpRequest) -> (String, String) {
    let sent = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = sent
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let sent = if sent.is_empty() { "nothing" } else { sent };
    (sent.to_owned(), essence)
}

fn check_json_content_type(req: &HttpRequest) -> Result<(), ApiError> {
    let (sent, essence) = content_type(req);
    if essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
    {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(format!(
            "send the body as `Content-Type: application/json` (got `{sent}`)"
        )))
    }
}

/// Reads a request body of at most `limit` bytes (413 beyond).
pub(crate) async fn read_body<S>(payload: &mut S, limit: usize) -> Result<web::BytesMut, ApiError>
where
    S: futures_util::Stream<Item = Result<web::Bytes, actix_web::error::PayloadError>> + Unpin,
{
    use futures_util::StreamExt;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::bad_request("body", format!("could not be read: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge(format!(
                "the body is larger than {limit} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let (field, message) = describe_data_error(&path, &inner.to_string());
                ApiError::Validation(vec![FieldError::new(field, message)])
            }
            _ => ApiError::BadRequest {
                detail: format!("the body is not valid JSON: {inner}"),
                errors: vec![FieldError::new(
                    "body",
                    format!("is not valid JSON: {inner}"),
                )],
            },
        }
    })?;
    check_no_nul(bytes)?;
    Ok(value)
}

/// Text with a NUL character (`\u0000` in JSON) is refused with a 422 naming each such member:
/// Postgres cannot store it in a text column, and no article, name or quote needs it.
fn check_no_nul(bytes: &[u8]) -> Result<(), ApiError> {
    // Raw control characters are not valid JSON, so a NUL can only come as this escape. Most
    // bodies do not hold it, and only those are walked to name the members.
    if !bytes.windows(6).any(|window| window == b"\\u0000") {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Ok(());
    };
    let mut errors = Vec::new();
    find_nul(&value, String::new(), &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn find_nul(value: &serde_json::Value, path: String, errors: &mut Vec<FieldError>) {
    let message = "must not contain the NUL character (U+0000)";
    let join = |name: &str| {
        if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    match value {
        serde_json::Value::String(text) if text.contains('\0') => {
            let field = if path.is_empty() {
                "body".to_owned()
            } else {
                path.clone()
            };
            errors.push(FieldError::new(field, message));
        }
        serde_json::Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                find_nul(item, format!("{path}[{index}]"), errors);
            }
        }
        serde_json::Value::Object(members) => {
            for (name, member) in members {
                if name.contains('\0') {
                    errors.push(FieldError::new(join(name), message));
                }
                find_nul(member, join(name), errors);
            }
        }
        _ => {}
    }
}

/// Names the field a serde data error is about. serde reports a missing or unknown field at the
/// path of the object that holds it, so the field's name is appended from the message.
fn describe_data_error(path: &str, message: &str) -> (String, String) {
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned();
    let named = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned)
    };
    // serde_path_to_error ends an unknown field's path with its name already; a missing field is
    // reported at the path of the object that lacks it.
    let join = |name: String| {
        if path == "." || path.is_empty() {
            name
        } else if path == name || path.ends_with(&format!(".{name}")) {
            path.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    if let Some(name) = named("missing field `") {
        return (join(name), "is required".to_owned());
    }
    if let Some(name) = named("unknown field `") {
        let expected = message.split(", expected ").nth(1).unwrap_or("");
        return (
            join(name),
            format!("is not a known field (expected {expected})"),
        );
    }
    let field = if path == "." {
        "body".to_owned()
    } else {
        path.to_owned()
    };
    (field, message)
}

/// Parses a query string into `T` (unknown parameters rejected). Repeated keys fill `Vec` fields.
pub fn query<T: DeserializeOwned>(req: &HttpRequest) -> Result<T, ApiError> {
    // A NUL cannot be searched for or stored (Postgres refuses it in text): a 400, not a 500.
    if let Some((name, _)) = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(name, value)| name.contains('\0') || value.contains('\0'))
    {
        return Err(ApiError::bad_request(
            &name.replace('\0', "\\0"),
            "must not contain the NUL character (U+0000)",
        ));
    }
    serde_html_form::from_str(req.query_string()).map_err(|error| {
        let message = error.to_string();
        let unknown = message
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split('`').next());
        let (field, message) = match (unknown, message.split_once(", expected ")) {
            (Some(name), Some((_, expected))) => (
                name.to_owned(),
                format!("is not a known parameter; the parameters are {expected}"),
            ),
            // serde names no field when a parameter that takes one value is given twice.
            _ => match repeated_key(req.query_string()) {
                Some(name) => (
                    name,
                    "is given more than once; it takes one value".to_owned(),
                ),
                None => ("query".to_owned(), message),
            },
        };
        ApiError::BadRequest {
            detail: format!("`{field}` {message}"),
            errors: vec![FieldError::new(field, message)],
        }
    })
}

/// The first query parameter that appears more than once, if any.
fn repeated_key(query: &str) -> Option<String> {
    let mut seen = std::collections::HashSet::new();
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(key, _)| key.into_owned())
        .find(|key| !seen.insert(key.clone()))
}

/// Largest and default page sizes.
pub const MAX_LIMIT: u64 = 100;
pub const DEFAULT_LIMIT: u64 = 20;

/// Reads `limit` (1..=100, default 20).
pub fn limit(value: Option<&str>) -> Result<u64, ApiError> {
    limit_within(value, DEFAULT_LIMIT, MAX_LIMIT)
}

/// Reads `limit` as a whole number from 1 to `max`, `default` when absent.
pub fn limit_within(value: Option<&str>, default: u64, max: u64) -> Result<u64, ApiError> {
    match value {
        None => Ok(default),
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request("limit", format!("must be a whole number from 1 to {max}"))
            }),
    }
}

/// Reads `cursor`, which must be one this service gave out.
pub fn cursor(value: Option<&str>) -> Result<Option<Cursor>, ApiError> {
    value
        .map(|text| {
            Cursor::decode(text).ok_or_else(|| {
                ApiError::bad_request(
                    "cursor",
                    "is not a cursor this service gave out; use `next_cursor` from a previous page",
                )
            })
        })
        .transpose()
}

/// Reads a boolean flag such as `count`.
pub fn flag(name: &str, value: Option<&str>) -> Result<bool, ApiError> {
    match value {
        // Exactly the document's boolean: `?count` alone or `count=1` would be a second spelling
        // that the contract does not promise.
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(ApiError::bad_request(name, "must be `true` or `false`")),
    }
}

/// Reads a sort key from its resource's whitelist; the error lists the valid keys.
pub fn sort<S: Copy>(value: Option<&str>, keys: &[(&str, S)]) -> Result<S, ApiError> {
    choice("sort", value, keys)
}

/// Reads one of parameter `name`'s fixed values (the first when absent); the error lists them.
pub fn choice<T: Copy>(name: &str, value: Option<&str>, keys: &[(&str, T)]) -> Result<T, ApiError> {
    let wanted = value.unwrap_or(keys[0].0);
    keys.iter()
        .find(|(key, _)| *key == wanted)
        .map(|(_, value)| *value)
        .ok_or_else(|| {
            let valid: Vec<&str> = keys.iter().map(|(key, _)| *key).collect();
            ApiError::bad_request(name, format!("must be one of {}", valid.join(", ")))
        })
}

/// Reads a date filter: RFC 3339, or `YYYY-MM-DD` meaning midnight UTC that day.
pub fn date(name: &str, value: Option<&str>) -> Result<Option<DateTime<Utc>>, ApiError> {
    let Some(text) = value else { return Ok(None) };
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(Some(time.with_timezone(&Utc)));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map(|midnight| Some(midnight.and_utc()))
        .ok_or_else(|| {
            ApiError::bad_request(
                name,
                "must be an RFC 3339 time (2025-09-17T10:00:00Z) or a date (2025-09-17)",
            )
        })
}

/// Reads a full-text search (see [`crate::search`]): `None` when blank, so an empty search box
/// lists everything; a search that cannot be run is a 400 naming `name`.
pub fn search(name: &str, value: Option<&str>) -> Result<Option<SearchQuery>, ApiError> {
    match value {
        Some(text) if !text.trim().is_empty() => crate::search::parse(text)
            .map(Some)
            .map_err(|error| ApiError::bad_request(name, error.to_string())),
        _ => Ok(None),
    }
}

/// Reads a sort key like [`sort`], with `relevance` as the default when there is a search and an
/// error without one.
pub fn sort_with_relevance<S: Copy + PartialEq>(
    value: Option<&str>,
    keys: &[(&str, S)],
    relevance: S,
    searching: bool,
) -> Result<S, ApiError> {
    let sort = match value {
        None if searching => relevance,
        value => sort(value, keys)?,
    };
    if sort == relevance && !searching {
        return Err(ApiError::bad_request(
            "sort",
            "`relevance` ranks the matches of a search; give one in `q`",
        ));
    }
    Ok(sort)
}

/// Reads a uuid path segment.
pub fn uuid(name: &str, value: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(value).map_err(|_| ApiError::bad_request(name, "must be a UUID"))
}

/// Checks that a request may read: open unless the service is configured to need a key.
pub async fn require_read(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    if state.reads_require_key {
        require_scope(req, state, Scope::Read).await?;
    }
    Ok(())
}

/// Checks that the request carries a valid key, whatever its scope.
pub async fn require_any_key(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    require_scope(req, state, Scope::Read).await
}

/// Who sent a request, as its `Authorization` header says. The rate limiter finds it once per
/// request and leaves it in the request's extensions, where the scope checks take it from; the
/// key is looked up afresh for every request, so a revoked key stops working at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// No bearer key was sent.
    Anonymous,
    /// A key that is unknown or revoked was sent.
    InvalidKey,
    /// A valid key was sent.
    Key(KeyHolder),
}

/// The bearer key in `Authorization`, if any.
pub fn presented_key(headers: &header::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim())
}

/// Looks up the key a request presents. Callers pass the primary (`state.db`), never the
/// replica: a key revoked on the primary must stop working at once, whatever the replica's lag,
/// and the lookup may record the key's use (a write).
pub async fn identify(
    headers: &header::HeaderMap,
    db: &DatabaseConnection,
) -> Result<Caller, ApiError> {
    let Some(presented) = presented_key(headers) else {
        return Ok(Caller::Anonymous);
    };
    Ok(match keys::authenticate(db, presented).await? {
        Some(holder) => Caller::Key(holder),
        None => Caller::InvalidKey,
    })
}

async fn require_scope(req: &HttpRequest, state: &AppState, needed: Scope) -> Result<(), ApiError> {
    let known = req.extensions().get::<Caller>().copied();
    let caller = match known {
        Some(caller) => caller,
        None => identify(req.headers(), &state.db).await?,
    };
    match caller {
        Caller::Anonymous => Err(ApiError::Unauthorized(format!(
            "send a {} key as `Authorization: Bearer <key>`",
            needed.as_str()
        ))),
        Caller::InvalidKey => Err(ApiError::Unauthorized(
            "the API key is not valid or has been revoked".to_owned(),
        )),
        Caller::Key(holder) if holder.scope < needed => Err(ApiError::Forbidden(format!(
            "this key has the `{}` scope; this needs `{}` or higher",
            holder.scope.as_str(),
            needed.as_str()
        ))),
        Caller::Key(_) => Ok(()),
    }
}

/// A JSON answer: serialised once, with a strong `ETag` of its bytes. The ETag is that of the
/// representation before any content coding (gzip, brotli): a compressed answer keeps it, so
/// `If-None-Match` and `If-Match` work the same whatever the client accepts. A page of a list
/// also carries the cursor of the next one, for its `Link` header.
///
/// The ETag is the 128-bit XXH3 of the bytes: an ETag only has to change when the bytes do, and
/// XXH3 does that at memory speed, where SHA-256 cost a list page (about 50 KB) 8 % of the
/// service's time under load (bench/README.md, sixth run). It is no secret and needs no
/// resistance to forgery: whoever could craft two answers with one ETag writes the data anyway.
#[derive(Clone)]
pub struct Json {
    bytes: actix_web::web::Bytes,
    etag: String,
    content_type: &'static str,
    next_cursor: Option<String>,
}

impl Json {
    pub fn new(value: &impl Serialize) -> Result<Self, ApiError> {
        // Not into a larger buffer made up front: `Bytes` keeps the whole allocation, and kept
        // answers (the stats cache) are counted by their length.
        let bytes = serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.into()))?;
        let etag = format!("\"{:032x}\"", xxh3_128(&bytes));
        Ok(Self {
            bytes: bytes.into(),
            etag,
            content_type: "application/json",
            next_cursor: None,
        })
    }

    /// A page whose next page starts at `cursor` (`?cursor=…`, in the `Link` header of [`Json::ok`]).
    pub fn with_next_cursor(mut self, cursor: Option<String>) -> Self {
        self.next_cursor = cursor;
        self
    }

    /// The same JSON served as another JSON media type (`application/ld+json`, ninjs).
    pub fn with_content_type(mut self, content_type: &'static str) -> Self {
        self.content_type = content_type;
        self
    }

    pub fn etag(&self) -> &str {
        &self.etag
    }

    /// The size of the answer, in bytes.
    pub fn size(&self) -> usize {
        self.bytes.len() + self.next_cursor.as_ref().map_or(0, String::len)
    }

    /// 200 with the body (and, for a page with a next one, its RFC 8288 `Link`), or 304 when
    /// `If-None-Match` already names this ETag.
    pub fn ok(mut self, req: &HttpRequest) -> HttpResponse {
        if if_none_match(req, &self.etag) {
            return HttpResponse::NotModified()
                .insert_header((header::ETAG, self.etag))
                .finish();
        }
        let next_cursor = self.next_cursor.take();
        let mut response = self.respond(StatusCode::OK);
        if let Some(cursor) = next_cursor {
            add_next_link(req, &mut response, "cursor", &cursor);
        }
        response
    }

    /// 201 with the body and the new resource's `Location`.
    pub fn created(self, location: &str) -> HttpResponse {
        let mut response = self.respond(StatusCode::CREATED);
        if let Ok(value) = header::HeaderValue::from_str(location) {
            response.headers_mut().insert(header::LOCATION, value);
        }
        response
    }

    pub fn respond(self, status: StatusCode) -> HttpResponse {
        HttpResponse::build(status)
            .insert_header((header::ETAG, self.etag))
            .content_type(self.content_type)
            .body(self.bytes)
    }
}

fn if_none_match(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*")
}

/// The ETags of a request's `If-Match` header (empty when it has none).
pub struct IfMatch(Vec<String>);

impl IfMatch {
    pub fn of(req: &HttpRequest) -> Self {
        IfMatch(
            req.headers()
                .get_all(header::IF_MATCH)
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }

    /// Whether `current` (the resource as a GET answers it now) has one of the ETags, or `*`.
    pub fn holds_for(&self, current: &impl Serialize) -> Result<bool, ApiError> {
        let current = Json::new(current)?;
        Ok(self.0.iter().any(|tag| tag == "*" || tag == current.etag()))
    }

    /// The precondition a store write checks inside its transaction, with the row locked: none
    /// without `If-Match`; otherwise that `represent(row)`, the row as a GET answers it, has one
    /// of the ETags. Checked there rather than here, a concurrent write cannot come in between.
    pub fn precondition<T, R: Serialize>(
        self,
        represent: impl Fn(&T) -> R + Send + Sync + 'static,
    ) -> Precondition<T> {
        if self.0.is_empty() {
            return None;
        }
        Some(Box::new(move |row: &T| {
            self.holds_for(&represent(row)).unwrap_or(false)
        }))
    }
}

/// Honours `If-Match` on a write to `current` (the resource as a GET answers it now): fine when
/// absent, 412 when it names no current ETag. Answers whether the write is conditional.
pub fn check_if_match(req: &HttpRequest, current: &impl Serialize) -> Result<bool, ApiError> {
    let if_match = IfMatch::of(req);
    if if_match.0.is_empty() {
        return Ok(false);
    }
    if if_match.holds_for(current)? {
        Ok(true)
    } else {
        Err(ApiError::PreconditionFailed(
            "the If-Match ETag is not the current one; GET the resource again and retry".to_owned(),
        ))
    }
}

/// A page of a list as JSON, each item narrowed to `fields`, with its ETag and an RFC 8288
/// `Link: <…>; rel="next"` header.
pub fn page_response<T: Serialize + utoipa::ToSchema>(
    req: &HttpRequest,
    data: Vec<T>,
    next: Option<Cursor>,
    total: Option<u64>,
    fields: &Fields,
) -> Result<HttpResponse, ApiError> {
    Ok(page_json(data, next, total, fields)?.ok(req))
}

/// The answer of [`page_response`], to keep or to serve.
pub fn page_json<T: Serialize + utoipa::ToSchema>(
    data: Vec<T>,
    next: Option<Cursor>,
    total: Option<u64>,
    fields: &Fields,
) -> Result<Json, ApiError> {
    let next_cursor = next.map(|c| c.encode());
    let page = crate::api::types::Page {
        data,
        next_cursor,
        total,
    };
    let json = fields.json_at(&page, "/data")?;
    Ok(json.with_next_cursor(page.next_cursor))
}

/// Serves a page of a list, which `page` computes. A search's page is kept until the next write,
/// as the stats' answers are ([`crate::api::stats_cache`]): a search reads all of its matches,
/// thousands for a common word, where a page of a plain list reads its own rows through an index,
/// and dashboards poll a saved search as they poll a chart. Every input of the answer is in the
/// request's path and query string, its key.
pub async fn list_answer<F, Fut>(
    req: &HttpRequest,
    state: &AppState,
    searched: bool,
    page: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Json, ApiError>>,
{
    let answer = match searched {
        true => {
            let key = format!("{}?{}", req.path(), req.query_string());
            state.stats_cache.answer(state.reader(), key, page).await?
        }
        false => page().await?,
    };
    Ok(answer.ok(req))
}

/// Adds the RFC 8288 `Link: <…>; rel="next"` header: this request's URL with `param` set to `value`.
pub fn add_next_link(req: &HttpRequest, response: &mut HttpResponse, param: &str, value: &str) {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, existing) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        if key != param {
            query.append_pair(&key, &existing);
        }
    }
    query.append_pair(param, value);
    let link = format!("<{}?{}>; rel=\"next\"", req.path(), query.finish());
    if let Ok(value) = header::HeaderValue::from_str(&link) {
        response.headers_mut().insert(header::LINK, value);
    }
}

/// 204 No Content.
pub fn no_content() -> HttpResponse {
    HttpResponse::NoContent().finish()
}

/// Extractor that admits a request with a `write` or `admin` key (401/403 otherwise). Put it
/// before the body in a handler's arguments so that the key is checked first.
pub struct Writer;

impl FromRequest for Writer {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        admit(req, Scope::Write, Writer)
    }
}

/// Extractor that admits a read: always, unless reads are configured to need a key.
pub struct Reader;

impl FromRequest for Reader {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        admit(req, Scope::Read, Reader)
    }
}

/// Checks the request's key for `needed` (reads only when configured) and answers `admitted`.
fn admit<T: 'static>(
    req: &HttpRequest,
    needed: Scope,
    admitted: T,
) -> Pin<Box<dyn Future<Output = Result<T, ApiError>>>> {
    let req = req.clone();
    Box::pin(async move {
        let state = state_of(&req)?;
        match needed {
            Scope::Read => require_read(&req, &state).await?,
            _ => require_scope(&req, &state, needed).await?,
        }
        Ok(admitted)
    })
}

fn state_of(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state is missing")))
}
