//! The service's own counters, rendered in the Prometheus text format (version 0.0.4) for
//! `GET /metrics`: requests by route pattern, method and status, a latency histogram per route,
//! the database pool, and what the extractor proposed.
//!
//! Every label value comes from a fixed set (route patterns of the app, HTTP methods, status
//! codes, extraction sources), never from a raw path or any other client input, so the number of
//! series stays bounded however the service is called.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// The route label of requests that no route took (404s, and anything else unrouted).
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Upper bounds of the latency histogram's buckets, in seconds (Prometheus' defaults).
pub const LATENCY_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Where an extraction ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExtractionSource {
    /// `POST /v1/extract`: a proposal, nothing stored.
    Extract,
    /// `POST /v1/articles` with `"extract": true`: what the extractor filled in was stored.
    Article,
}

impl ExtractionSource {
    fn label(self) -> &'static str {
        match self {
            ExtractionSource::Extract => "extract",
            ExtractionSource::Article => "article",
        }
    }
}

/// The database pool at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Connections open, in use or idle.
    pub size: u32,
    /// Open connections waiting for work.
    pub idle: u32,
    /// The most connections the pool opens.
    pub max: u32,
}

/// The registry: cheap to clone, shared by every worker.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    in_flight: AtomicI64,
    requests: Mutex<BTreeMap<RequestKey, u64>>,
    latencies: Mutex<BTreeMap<String, Histogram>>,
    extractions: Mutex<BTreeMap<ExtractionSource, Extractions>>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RequestKey {
    route: String,
    method: &'static str,
    status: u16,
}

#[derive(Debug, Default)]
struct Histogram {
    /// Observations per bucket (not cumulative); the last one is `+Inf`.
    buckets: [u64; LATENCY_BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

/// A counter of [`Extractions`]: its name, its help text, and how to read it.
type Series = (&'static str, &'static str, fn(&Extractions) -> u64);

#[derive(Debug, Default)]
struct Extractions {
    runs: u64,
    quotes: u64,
    entities: u64,
}

/// A poisoned lock still holds valid counters: a panic elsewhere must not stop the metrics.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The method label: the standard methods by name, anything else (extension methods a client
/// may invent) as `OTHER`.
pub fn method_label(method: &str) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT",
    ];
    KNOWN
        .iter()
        .find(|known| **known == method)
        .copied()
        .unwrap_or("OTHER")
}

/// A request being served: counted in `newsmeta_http_requests_in_flight` until dropped (answered,
/// or cut by a shutdown).
#[derive(Debug)]
pub struct InFlight(Metrics);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.inner.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    /// Counts a request as in flight until the answer is dropped.
    pub fn start_request(&self) -> InFlight {
        self.inner.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self.clone())
    }

    /// Counts one answered request. `route` is the matched route pattern
    /// (`/v1/articles/{article}`), or `None` when no route took it.
    pub fn record_request(&self, route: Option<&str>, method: &str, status: u16, seconds: f64) {
        let route = route.unwrap_or(UNMATCHED_ROUTE);
        let key = RequestKey {
            route: route.to_owned(),
            method: method_label(method),
            status,
        };
        *lock(&self.inner.requests).entry(key).or_default() += 1;
        let mut latencies = lock(&self.inner.latencies);
        let histogram = match latencies.get_mut(route) {
            Some(histogram) => histogram,
            None => latencies.entry(route.to_owned()).or_default(),
        };
        let bucket = LATENCY_BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(LATENCY_BUCKETS.len());
        histogram.buckets[bucket] += 1;
        histogram.sum += seconds;
        histogram.count += 1;
    }

    /// Counts one extraction and what it proposed.
    pub fn record_extraction(&self, source: ExtractionSource, quotes: usize, entities: usize) {
        let mut extractions = lock(&self.inner.extractions);
        let counts = extractions.entry(source).or_default();
        counts.runs += 1;
        counts.quotes += quotes as u64;
        counts.entities += entities as u64;
    }

    /// Everything, in the Prometheus text format, with the database pools that can be read, each
    /// by its `pool` label (`primary`, `replica`).
    pub fn render(&self, pools: &[(&str, PoolStats)]) -> String {
        let mut out = String::new();
        header(
            &mut out,
            "newsmeta_http_requests_in_flight",
            "gauge",
            "Requests being served right now (this scrape included).",
        );
        let _ = writeln!(
            out,
            "newsmeta_http_requests_in_flight {}",
            self.inner.in_flight.load(Ordering::Relaxed)
        );
        self.render_requests(&mut out);
        self.render_latencies(&mut out);
        if !pools.is_empty() {
            render_pools(&mut out, pools);
        }
        self.render_extractions(&mut out);
        out
    }

    fn render_requests(&self, out: &mut String) {
        header(
            out,
            "newsmeta_http_requests_total",
            "counter",
            "HTTP requests answered, by route pattern, method and status.",
        );
        for (key, count) in lock(&self.inner.requests).iter() {
            let _ = writeln!(
                out,
                "newsmeta_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {count}",
                escape(&key.route),
                key.method,
                key.status
            );
        }
    }

    fn render_latencies(&self, out: &mut String) {
        let name = "newsmeta_http_request_duration_seconds";
        header(
            out,
            name,
            "histogram",
            "Time from a request's arrival to its answer's head, by route pattern.",
        );
        for (route, histogram) in lock(&self.inner.latencies).iter() {
            let route = escape(route);
            let mut cumulative = 0;
            for (bound, count) in LATENCY_BUCKETS.iter().zip(histogram.buckets.iter()) {
                cumulative += count;
                let _ = writeln!(
                    out,
                    "{name}_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "{name}_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                histogram.count
            );
            let _ = writeln!(
                out,
                "{name}_sum{{route=\"{route}\"}} {}",
                float(histogram.sum)
            );
            let _ = writeln!(out, "{name}_count{{route=\"{route}\"}} {}", histogram.count);
        }
    }

    fn render_extractions(&self, out: &mut String) {
        let extractions = lock(&self.inner.extractions);
        let series: [Series; 3] = [
            (
                "newsmeta_extractions_total",
                "Extractions run, by where they ran (extract: POST /v1/extract; article: a create with extract: true).",
                |e| e.runs,
            ),
            (
                "newsmeta_extracted_quotes_total",
                "Quotes the extractor proposed (extract) or filled in (article).",
                |e| e.quotes,
            ),
            (
                "newsmeta_extracted_entities_total",
                "Entities the extractor proposed (extract) or filled in (article).",
                |e| e.entities,
            ),
        ];
        for (name, help, value) in series {
            header(out, name, "counter", help);
            // Both sources always appear, so a dashboard's rate() has a series from the start.
            for source in [ExtractionSource::Extract, ExtractionSource::Article] {
                let count = extractions.get(&source).map_or(0, value);
                let _ = writeln!(out, "{name}{{source=\"{}\"}} {count}", source.label());
            }
        }
    }
}

fn render_pools(out: &mut String, pools: &[(&str, PoolStats)]) {
    header(
        out,
        "newsmeta_db_pool_connections",
        "gauge",
        "Open database connections, in use by a request or idle, by pool (primary, replica).",
    );
    for (name, pool) in pools {
        let name = escape(name);
        let idle = pool.idle.min(pool.size);
        let _ = writeln!(
            out,
            "newsmeta_db_pool_connections{{pool=\"{name}\",state=\"in_use\"}} {}",
            pool.size - idle
        );
        let _ = writeln!(
            out,
            "newsmeta_db_pool_connections{{pool=\"{name}\",state=\"idle\"}} {idle}"
        );
    }
    header(
        out,
        "newsmeta_db_pool_max_connections",
        "gauge",
        "The most connections each pool opens (DATABASE_MAX_CONNECTIONS, DATABASE_READ_MAX_CONNECTIONS).",
    );
    for (name, pool) in pools {
        let _ = writeln!(
            out,
            "newsmeta_db_pool_max_connections{{pool=\"{}\"}} {}",
            escape(name),
            pool.max
        );
    }
}

pub(crate) fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value as the text format wants it: backslash, double quote and newline escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A sample value: Rust's shortest round-trip form, which Prometheus parses.
fn float(value: f64) -> String {
    if value.is_finite() {
        format!("{value}")
    } else if value.is_nan() {
        "NaN".to_owned()
    } else if value > 0.0 {
        "+Inf".to_owned()
    } else {
        "-Inf".to_owned()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn buckets_are_cumulative_and_count_matches_the_requests() {
        let metrics = Metrics::default();
        metrics.record_request(Some("/v1/articles"), "GET", 200, 0.003);
        metrics.record_request(Some("/v1/articles"), "GET", 200, 0.2);
        metrics.record_request(Some("/v1/articles"), "POST", 422, 30.0);
        let text = metrics.render(&[]);
        assert!(text.contains(
            "newsmeta_http_requests_total{route=\"/v1/articles\",method=\"GET\",status=\"200\"} 2\n"
        ));
        assert!(text.contains(
            "newsmeta_http_request_duration_seconds_bucket{route=\"/v1/articles\",le=\"0.005\"} 1\n"
        ));
        assert!(text.contains(
            "newsmeta_http_request_duration_seconds_bucket{route=\"/v1/articles\",le=\"0.25\"} 2\n"
        ));
        assert!(text.contains(
            "newsmeta_http_request_duration_seconds_bucket{route=\"/v1/articles\",le=\"10\"} 2\n"
        ));
        assert!(text.contains(
            "newsmeta_http_request_duration_seconds_bucket{route=\"/v1/articles\",le=\"+Inf\"} 3\n"
        ));
        assert!(text
            .contains("newsmeta_http_request_duration_seconds_count{route=\"/v1/articles\"} 3\n"));
    }

    #[test]
    fn unknown_methods_and_unrouted_paths_share_one_label_each() {
        let metrics = Metrics::default();
        metrics.record_request(None, "BREW", 404, 0.001);
        metrics.record_request(None, "MKCOL", 404, 0.001);
        let text = metrics.render(&[]);
        assert!(text.contains(
            "newsmeta_http_requests_total{route=\"unmatched\",method=\"OTHER\",status=\"404\"} 2\n"
        ));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
