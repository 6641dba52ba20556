//! What an operator sees of each request: its id (`X-Request-Id`, taken from the client when sane,
//! made otherwise, echoed on every answer), one log line when it is answered, and the counters
//! behind `GET /metrics`.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{get, web, HttpMessage, HttpRequest, HttpResponse};
use tracing::Instrument;

use super::http::{self, AppState};
use super::problems::*;
use crate::error::ApiError;
use crate::metrics::UNMATCHED_ROUTE;

/// The header that carries a request's id, both ways.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id taken from a client.
pub const MAX_REQUEST_ID_LEN: usize = 128;

/// The media type of `GET /metrics`: the Prometheus text format.
pub const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The id of the request being served, in its extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// The id of `req`, once [`observe`] has given it one.
pub fn request_id(req: &impl HttpMessage) -> Option<String> {
    req.extensions().get::<RequestId>().map(|id| id.0.clone())
}

/// A client's `X-Request-Id` when it can go into logs and headers as it is: 1 to 128 visible
/// ASCII characters (no spaces, no control characters).
fn accepted_request_id(value: &HeaderValue) -> Option<String> {
    let bytes = value.as_bytes();
    let sane = (1..=MAX_REQUEST_ID_LEN).contains(&bytes.len())
        && bytes.iter().all(|b| b.is_ascii_graphic());
    sane.then(|| String::from_utf8_lossy(bytes).into_owned())
}

/// The outermost middleware. Gives the request its id (the client's when sane, a new UUIDv7
/// otherwise), runs it inside a `request` span that carries the id (so that every log line it
/// causes names it), and once it is answered: echoes the id in `X-Request-Id`, logs one line
/// (id, method, route pattern, path without the query, status, latency) and counts it.
///
/// Neither headers nor bodies are logged: keys and article text never reach the log from here.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(accepted_request_id)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let _in_flight = state.as_ref().map(|s| s.metrics.start_request());

    let span = tracing::info_span!("request", request_id = %id);
    let header_value = HeaderValue::from_str(&id).ok();
    match next.call(req).instrument(span.clone()).await {
        Ok(response) => {
            let mut response = response.map_into_boxed_body();
            if let Some(value) = header_value {
                response.headers_mut().insert(REQUEST_ID, value);
            }
            let route = response.request().match_pattern();
            let answered = Answered {
                id: &id,
                method: &method,
                path: &path,
                route: route.as_deref(),
                status: response.status().as_u16(),
                started,
            };
            answered.record(&span, state.as_ref().map(|s| s.get_ref()));
            Ok(response)
        }
        // An error no inner layer turned into an answer (handlers' and extractors' errors are
        // answers already): answer it here, so that it gets the id, a log line and a count too.
        Err(error) => {
            let mut response = error.error_response();
            if let Some(value) = header_value {
                response.headers_mut().insert(REQUEST_ID, value);
            }
            let answered = Answered {
                id: &id,
                method: &method,
                path: &path,
                route: None,
                status: response.status().as_u16(),
                started,
            };
            answered.record(&span, state.as_ref().map(|s| s.get_ref()));
            Err(InternalError::from_response(error, response).into())
        }
    }
}

/// A request as it is answered, for its log line and its count.
struct Answered<'a> {
    id: &'a str,
    method: &'a str,
    path: &'a str,
    route: Option<&'a str>,
    status: u16,
    started: Instant,
}

impl Answered<'_> {
    fn record(&self, span: &tracing::Span, state: Option<&AppState>) {
        let elapsed = self.started.elapsed();
        if let Some(state) = state {
            state.metrics.record_request(
                self.route,
                self.method,
                self.status,
                elapsed.as_secs_f64(),
            );
        }
        let (request_id, method, path, status) = (self.id, self.method, self.path, self.status);
        let route = self.route.unwrap_or(UNMATCHED_ROUTE);
        // Milliseconds, to the microsecond.
        let latency_ms = (elapsed.as_secs_f64() * 1_000_000.0).round() / 1000.0;
        let _entered = span.enter();
        // A tracing level is fixed where the event is written: one line, three levels.
        macro_rules! log_at {
            ($level:ident) => {
                tracing::$level!(
                    request_id,
                    method,
                    route,
                    path,
                    status,
                    latency_ms,
                    "request answered"
                )
            };
        }
        // A load balancer's probes and Prometheus' scrapes come every few seconds from every
        // instance: when they go well they would drown the requests in the log.
        let routine = super::middleware::is_probe_path(path) || route == "/metrics";
        if routine && status < 400 {
            log_at!(debug);
        } else if status >= 500 {
            log_at!(warn);
        } else {
            log_at!(info);
        }
    }
}

/// The service's metrics, in the Prometheus text format.
///
/// Requests in flight (`newsmeta_http_requests_in_flight`), requests by route pattern, method and status (`newsmeta_http_requests_total`), latency histograms by route pattern
/// (`newsmeta_http_request_duration_seconds`), the database pools (`newsmeta_db_pool_connections`
/// by `pool`: `primary`, `replica` (when `DATABASE_READ_URL` is set), and `state`: `in_use`,
/// `idle`; `newsmeta_db_pool_max_connections` by `pool`) and the extractor's work
/// (`newsmeta_extractions_total`, `newsmeta_extracted_quotes_total`,
/// `newsmeta_extracted_entities_total`, by `source`: `extract`, `article`), and the stats answers
/// kept until the next write (`newsmeta_stats_cache_hits_total`,
/// `newsmeta_stats_cache_misses_total`, `newsmeta_stats_cache_bytes`).
///
/// Requests no route took are counted under the route `unmatched`. Open to every client unless
/// `METRICS_REQUIRE_KEY` is set; then any key will do.
#[utoipa::path(
    tag = "health",
    security((), ("api_key" = [])),
    responses(
        (status = 200, description = "The metrics, in the Prometheus text format",
            content_type = "text/plain; version=0.0.4", body = String,
            example = "# TYPE newsmeta_http_requests_total counter\nnewsmeta_http_requests_total{route=\"/v1/articles\",method=\"GET\",status=\"200\"} 42\n"),
        (status = 401, response = Unauthorized),
        (status = 503, response = Unavailable),
    )
)]
#[get("/metrics")]
pub async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if state.metrics_require_key {
        http::require_any_key(&req, &state).await?;
    }
    let pools: Vec<(&str, crate::metrics::PoolStats)> = [
        ("primary", Some(&state.db)),
        ("replica", state.replica.as_ref()),
    ]
    .into_iter()
    .filter_map(|(name, db)| {
        let stats = state.worker_pools.stats(name);
        Some((name, stats.or_else(|| crate::store::pool_stats(db?))?))
    })
    .collect();
    let mut text = state.metrics.render(&pools);
    state.stats_cache.render(&mut text);
    Ok(HttpResponse::Ok()
        .content_type(METRICS_CONTENT_TYPE)
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(text))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_request_id_is_taken_only_when_it_is_visible_ascii_of_sane_length() {
        let take = |v: &[u8]| accepted_request_id(&HeaderValue::from_bytes(v).unwrap());
        assert_eq!(take(b"abc-123_X.Y"), Some("abc-123_X.Y".to_owned()));
        assert_eq!(take(&[b'a'; 128]), Some("a".repeat(128)));
        assert_eq!(take(&[b'a'; 129]), None);
        assert_eq!(take(b""), None);
        assert_eq!(take(b"has space"), None);
        assert_eq!(take(b"tab\there"), None);
        assert_eq!(take("caf\u{e9}".as_bytes()), None);
    }
}
