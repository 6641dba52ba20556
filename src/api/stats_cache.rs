//! Answers of the stats routes and pages of searches, kept in memory while the data under them is
//! unchanged.
//!
//! Dashboards poll the same counts, time series and saved searches over and over, and each one
//! reads thousands of rows (an entity's timeline reads every one of its mentions in the window; a
//! search of a common word tests thousands of articles to find its newest matches). Between two
//! writes the answer is the same, so it is computed once and served again until the next write.
//! A search's page is kept under its request's path and query string ([`super::http::list_answer`]).
//!
//! "Unchanged" is read off the change feed (migration 000003): every write to an article, its
//! sections, mentions or quotes, or an entity writes a change row in the same transaction (parts
//! of an article bump its version), and the feed's `seq` grows in commit order. So an answer
//! computed after reading head `seq` N is still right while the head is N. Each request reads the
//! head first (one index read), then serves the kept answer or computes a new one. The order
//! matters: an answer computed after reading N has seen at least everything up to N, and if
//! anything committed after N, the head has moved on and the answer is never served.
//!
//! This is exact, not a time-to-live: an answer is never older than the database it is read
//! from, on every instance (each keeps its own and checks the same feed), and a replica's head is
//! its own replay position. What it does not see is a change made by hand in SQL that writes no
//! change row (a row of `article_entities` edited without touching its article).
//!
//! One computation at a time per answer: requests that miss the same answer while it is being
//! computed wait for it instead of computing it too, so a write followed by a hundred dashboards
//! polling one panel costs one computation of it (per instance), not a hundred.
//!
//! Memory is bounded by `STATS_CACHE_MB`; when an answer does not fit, others are dropped
//! (whichever come first, in no particular order). 0 turns the cache off.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sea_orm::DatabaseConnection;

use super::http::Json;
use crate::error::ApiError;
use crate::metrics::{header, lock};
use crate::store::changes;

/// Bytes an entry costs besides its key and body (the map's slot, the ETag, the pointers).
const ENTRY_OVERHEAD: usize = 128;

/// The bytes an answer kept under `key` counts against the budget.
fn cost(key: &str, answer: &Json) -> usize {
    key.len() + answer.size() + ENTRY_OVERHEAD
}

/// The kept answers; cheap to clone (every worker shares one).
#[derive(Clone, Default)]
pub struct StatsCache {
    budget: usize,
    inner: Arc<Mutex<Kept>>,
    counts: Arc<Counts>,
    computing: Arc<Mutex<Turns>>,
}

/// The answers being computed, by head and key, each with the turn its computation holds.
type Turns = HashMap<(i64, String), Arc<tokio::sync::Mutex<()>>>;

/// What `/metrics` reports of the cache.
#[derive(Default)]
struct Counts {
    hits: AtomicU64,
    misses: AtomicU64,
}

/// Answers kept for one head of the change feed.
#[derive(Default)]
struct Kept {
    head: i64,
    bytes: usize,
    answers: HashMap<String, Json>,
}

impl StatsCache {
    /// A cache holding up to `megabytes` of answers; 0 keeps none.
    pub fn new(megabytes: usize) -> Self {
        StatsCache {
            budget: megabytes.saturating_mul(1024 * 1024),
            inner: Arc::default(),
            counts: Arc::default(),
            computing: Arc::default(),
        }
    }

    /// The answer for `key`: the kept one if nothing has been written since it was computed,
    /// else `compute`'s, which is then kept. Errors are never kept.
    pub async fn answer<F, Fut>(
        &self,
        conn: &DatabaseConnection,
        key: String,
        compute: F,
    ) -> Result<Json, ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Json, ApiError>>,
    {
        if self.budget == 0 {
            return compute().await;
        }
        let head = changes::head(conn).await?;
        self.answer_at(head, key, compute).await
    }

    /// [`StatsCache::answer`] once the feed's head is known.
    async fn answer_at<F, Fut>(&self, head: i64, key: String, compute: F) -> Result<Json, ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Json, ApiError>>,
    {
        if let Some(kept) = self.hit(head, &key) {
            return Ok(kept);
        }
        // Whoever takes the turn first computes; the others find its answer kept when they get
        // the turn (or, if it failed, compute in turn).
        let turn = self.turn(head, &key);
        let _held = turn.lock().await;
        if let Some(kept) = self.hit(head, &key) {
            return Ok(kept);
        }
        // Forgets the turn when this computation ends, answered or cancelled.
        let _computing = Computing {
            cache: self,
            slot: (head, key.clone()),
        };
        self.counts.misses.fetch_add(1, Ordering::Relaxed);
        let answer = compute().await?;
        self.keep(head, key, &answer);
        Ok(answer)
    }

    fn hit(&self, head: i64, key: &str) -> Option<Json> {
        let kept = self.get(head, key)?;
        self.counts.hits.fetch_add(1, Ordering::Relaxed);
        Some(kept)
    }

    /// The turn to compute the answer for `key` at `head`.
    fn turn(&self, head: i64, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        Arc::clone(
            lock(&self.computing)
                .entry((head, key.to_owned()))
                .or_default(),
        )
    }

    /// The cache's counters and size, in the Prometheus text format, for `GET /metrics`.
    pub fn render(&self, out: &mut String) {
        let series = [
            (
                "newsmeta_stats_cache_hits_total",
                "counter",
                "Stats answers and search pages served from the cache (nothing written since they were computed).",
                self.counts.hits.load(Ordering::Relaxed),
            ),
            (
                "newsmeta_stats_cache_misses_total",
                "counter",
                "Stats answers and search pages computed, because none was kept or a write came after it.",
                self.counts.misses.load(Ordering::Relaxed),
            ),
            (
                "newsmeta_stats_cache_bytes",
                "gauge",
                "Memory the kept stats answers and search pages take (STATS_CACHE_MB bounds it).",
                lock(&self.inner).bytes as u64,
            ),
        ];
        for (name, kind, help, value) in series {
            header(out, name, kind, help);
            let _ = writeln!(out, "{name} {value}");
        }
    }

    fn get(&self, head: i64, key: &str) -> Option<Json> {
        let kept = lock(&self.inner);
        if kept.head != head {
            return None;
        }
        kept.answers.get(key).cloned()
    }

    fn keep(&self, head: i64, key: String, answer: &Json) {
        let size = cost(&key, answer);
        if size > self.budget {
            return;
        }
        let mut kept = lock(&self.inner);
        if kept.head != head {
            // Answers of another head are stale (or, for an older head, this one would be).
            *kept = Kept {
                head,
                ..Kept::default()
            };
        }
        while kept.bytes + size > self.budget {
            let Some(victim) = kept.answers.keys().next().cloned() else {
                break;
            };
            if let Some(dropped) = kept.answers.remove(&victim) {
                kept.bytes -= cost(&victim, &dropped);
            }
        }
        if let Some(replaced) = kept.answers.insert(key.clone(), answer.clone()) {
            kept.bytes -= cost(&key, &replaced);
        }
        kept.bytes += size;
    }
}

/// A computation in progress: its turn is forgotten when it ends, however it ends (a request
/// cut by its timeout or by the client drops it half-way).
struct Computing<'a> {
    cache: &'a StatsCache,
    slot: (i64, String),
}

impl Drop for Computing<'_> {
    fn drop(&mut self) {
        lock(&self.cache.computing).remove(&self.slot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Json {
        Json::new(&text).unwrap()
    }

    fn cache_of(budget: usize) -> StatsCache {
        StatsCache {
            budget,
            ..StatsCache::default()
        }
    }

    #[test]
    fn an_answer_is_served_only_for_the_head_it_was_computed_at() {
        let cache = cache_of(1 << 20);
        cache.keep(7, "a".into(), &json("seven"));
        assert_eq!(cache.get(7, "a").unwrap().etag(), json("seven").etag());
        assert!(cache.get(8, "a").is_none(), "a later head must miss");
        assert!(cache.get(7, "b").is_none());
        cache.keep(8, "b".into(), &json("eight"));
        assert!(
            cache.get(8, "a").is_none(),
            "a new head drops the old answers"
        );
        assert!(cache.get(8, "b").is_some());
    }

    #[test]
    fn the_budget_bounds_what_is_kept() {
        let one = cost("k0", &json("x".repeat(100).as_str()));
        let cache = cache_of(one * 3);
        for n in 0..10 {
            cache.keep(1, format!("k{n}"), &json("x".repeat(100).as_str()));
            let kept = lock(&cache.inner);
            assert!(
                kept.bytes <= one * 3,
                "over budget after {n}: {}",
                kept.bytes
            );
            assert_eq!(
                kept.bytes,
                kept.answers.len() * one,
                "the running total drifted from what is kept"
            );
        }
        assert_eq!(lock(&cache.inner).answers.len(), 3);
        cache.keep(1, "big".into(), &json("x".repeat(one * 3).as_str()));
        assert!(
            cache.get(1, "big").is_none(),
            "an answer over the budget is not kept"
        );
    }

    #[tokio::test]
    async fn requests_that_miss_one_answer_at_once_compute_it_once() {
        let cache = cache_of(1 << 20);
        let computed = AtomicU64::new(0);
        let requests = (0..16).map(|_| {
            cache.answer_at(1, "k".into(), || async {
                computed.fetch_add(1, Ordering::SeqCst);
                // Long enough for every other request to arrive and miss.
                for _ in 0..16 {
                    tokio::task::yield_now().await;
                }
                Ok(json("answer"))
            })
        });
        let answers = futures_util::future::join_all(requests).await;
        assert_eq!(computed.load(Ordering::SeqCst), 1);
        for answer in answers {
            assert_eq!(answer.unwrap().etag(), json("answer").etag());
        }
        assert_eq!(cache.counts.hits.load(Ordering::SeqCst), 15);
        assert!(lock(&cache.computing).is_empty(), "the turn is forgotten");
    }

    #[tokio::test]
    async fn a_failed_computation_is_not_kept_and_leaves_no_turn_behind() {
        let cache = cache_of(1 << 20);
        let failed = cache
            .answer_at(1, "k".into(), || async {
                Err(ApiError::bad_request("x", "refused"))
            })
            .await;
        assert!(failed.is_err());
        assert!(cache.get(1, "k").is_none());
        assert!(lock(&cache.computing).is_empty());
        let answered = cache
            .answer_at(1, "k".into(), || async { Ok(json("now")) })
            .await;
        assert_eq!(answered.unwrap().etag(), json("now").etag());
    }

    #[test]
    fn keeping_the_same_key_again_replaces_it() {
        let cache = cache_of(1 << 20);
        cache.keep(1, "a".into(), &json("first"));
        cache.keep(1, "a".into(), &json("second, longer"));
        let kept = lock(&cache.inner);
        assert_eq!(kept.answers.len(), 1);
        assert_eq!(kept.bytes, cost("a", &json("second, longer")));
    }
}
