//! Settings from the environment (or the matching command-line flags), validated once at start.

use std::path::PathBuf;

/// Where the embedded SQLite database lives when `DATABASE_URL` is not set.
pub const DEFAULT_SQLITE_PATH: &str = "./data/newsmeta.db";

/// The database to use: `DATABASE_URL`, or the embedded SQLite file (its directory created).
pub fn database_url(configured: Option<&str>) -> std::io::Result<String> {
    match configured.filter(|url| !url.trim().is_empty()) {
        Some(url) => Ok(url.to_owned()),
        None => {
            let path = PathBuf::from(DEFAULT_SQLITE_PATH);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            Ok(format!("sqlite://{}?mode=rwc", path.display()))
        }
    }
}

/// Settings of `newsmeta serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeSettings {
    /// Address to listen on.
    #[arg(long, env = "HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on.
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,
    /// Require an API key (any scope) for reads too.
    #[arg(long, env = "READS_REQUIRE_KEY", default_value_t = false)]
    pub reads_require_key: bool,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "BODY_LIMIT", default_value_t = 1024 * 1024)]
    pub body_limit: usize,
    /// Most articles one `POST /v1/articles:batch` takes (413 beyond).
    #[arg(long, env = "BATCH_MAX_ITEMS", default_value_t = DEFAULT_BATCH_MAX_ITEMS)]
    pub batch_max_items: usize,
    /// Largest request body `POST /v1/articles:batch` takes, in bytes (413 beyond); `BODY_LIMIT`
    /// is for one article and too small for a batch.
    #[arg(long, env = "BATCH_BODY_LIMIT", default_value_t = DEFAULT_BATCH_BODY_LIMIT)]
    pub batch_body_limit: usize,
    /// How many `POST /v1/articles:batch` requests are read, checked and written at once; the
    /// rest wait their turn (within `REQUEST_TIMEOUT`) before their bodies are read. This bounds
    /// the memory batches hold: each one in flight holds its body, its parsed articles and their
    /// rows. Writes queue at the database anyway, so more at once would not be faster.
    #[arg(long, env = "BATCH_CONCURRENCY", default_value_t = DEFAULT_BATCH_CONCURRENCY,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub batch_concurrency: u32,
    /// Largest request body `POST /v1/extract` takes, in bytes (413 beyond).
    #[arg(long, env = "EXTRACT_MAX_BYTES", default_value_t = DEFAULT_EXTRACT_MAX_BYTES)]
    pub extract_max_bytes: usize,
    /// A read replica of `DATABASE_URL` (`postgres://user@replica-host/db`): read-only requests
    /// read there; writes, the answers that read back a write, and API keys stay on the primary.
    /// Unset: everything uses `DATABASE_URL`. Migrations never run here.
    #[arg(long, env = "DATABASE_READ_URL")]
    pub database_read_url: Option<String>,
    /// Most connections in the read replica's pool; `DATABASE_MAX_CONNECTIONS` when unset.
    #[arg(long, env = "DATABASE_READ_MAX_CONNECTIONS")]
    pub database_read_max_connections: Option<u32>,
    /// Do not load `seeds/` into an empty database at start.
    #[arg(long, env = "NO_SEED", default_value_t = false)]
    pub no_seed: bool,
    /// Browser origins allowed to call the API from another site: a comma-separated list
    /// (`https://dash.example.com,http://localhost:3000`), `*` for any, or empty for none (no CORS
    /// headers at all).
    #[arg(long, env = "CORS_ALLOWED_ORIGINS", default_value = "", value_parser = AllowedOrigins::parse)]
    pub cors_allowed_origins: AllowedOrigins,
    /// Seconds a browser or shared cache may reuse a read before it revalidates with its ETag.
    #[arg(long, env = "CACHE_MAX_AGE", default_value_t = DEFAULT_CACHE_MAX_AGE)]
    pub cache_max_age: u32,
    /// Require an API key (any scope) for `GET /metrics`; open by default, for scrapers on the
    /// internal network.
    #[arg(long, env = "METRICS_REQUIRE_KEY", default_value_t = false)]
    pub metrics_require_key: bool,
    /// Seconds a graceful shutdown (SIGTERM, SIGINT) gives requests in flight before it cuts them.
    #[arg(long, env = "SHUTDOWN_TIMEOUT", default_value_t = 30)]
    pub shutdown_timeout: u64,
    /// Seconds a request may take (fractions allowed, `0.5`); longer ones are dropped, their
    /// writes rolled back, and answered 503. 0 turns the limit off.
    #[arg(long, env = "REQUEST_TIMEOUT", default_value = "30", value_parser = parse_timeout)]
    pub request_timeout: Timeout,
    /// Requests a minute per client IP address for requests without a valid key (0 = no limit).
    #[arg(long, env = "RATE_LIMIT_IP_PER_MINUTE", default_value_t = DEFAULT_RATE_LIMIT_IP_PER_MINUTE)]
    pub rate_limit_ip_per_minute: u32,
    /// Requests a minute per API key (0 = no limit).
    #[arg(long, env = "RATE_LIMIT_KEY_PER_MINUTE", default_value_t = DEFAULT_RATE_LIMIT_KEY_PER_MINUTE)]
    pub rate_limit_key_per_minute: u32,
    /// How many matches of an article search `sort=relevance` ranks: the newest this many
    /// (`-published_at` order), best first. Ranking costs the database a little for each match, so
    /// the cap keeps a search for a common word about as fast as one for a rare word. 0 ranks every
    /// match.
    #[arg(long, env = "SEARCH_RANK_CANDIDATES", default_value_t = DEFAULT_SEARCH_RANK_CANDIDATES)]
    pub search_rank_candidates: u64,
    /// Megabytes of stats answers (`/v1/stats/...`) and search pages (`q=` on the article and
    /// quote lists) kept in memory and served again until the next write, which the change feed
    /// tells; 0 computes every one afresh.
    #[arg(long, env = "STATS_CACHE_MB", default_value_t = DEFAULT_STATS_CACHE_MB)]
    pub stats_cache_mb: usize,
    /// Where the client's IP address comes from: `peer` (the TCP connection), or
    /// `x-forwarded-for:N` / `forwarded:N` behind N proxies of your own that append to that header.
    #[arg(long, env = "CLIENT_IP_SOURCE", default_value = "peer", value_parser = ClientIpSource::parse)]
    pub client_ip_source: ClientIpSource,
}

/// The default of `BATCH_MAX_ITEMS`.
pub const DEFAULT_BATCH_MAX_ITEMS: usize = 1000;
/// The default of `BATCH_CONCURRENCY`.
pub const DEFAULT_BATCH_CONCURRENCY: u32 = 4;
/// The default of `BATCH_BODY_LIMIT`: 16 MiB.
pub const DEFAULT_BATCH_BODY_LIMIT: usize = 16 * 1024 * 1024;
/// The default of `RATE_LIMIT_IP_PER_MINUTE`: twenty a second, enough for a newsroom of dashboards
/// behind one NAT address.
pub const DEFAULT_RATE_LIMIT_IP_PER_MINUTE: u32 = 1200;
/// The default of `RATE_LIMIT_KEY_PER_MINUTE`: a hundred a second per key.
pub const DEFAULT_RATE_LIMIT_KEY_PER_MINUTE: u32 = 6000;
/// The default of `SEARCH_RANK_CANDIDATES`: the newest 200 matches, ten pages of twenty. On the
/// 100,000-article benchmark corpus a ranked page then costs Postgres 3 to 8 ms whatever the word
/// (1,000 candidates: 20 to 45 ms; every match of a common word: 1 to 2 s).
pub const DEFAULT_SEARCH_RANK_CANDIDATES: u64 = 200;
/// The default of `STATS_CACHE_MB`: a timeline of a year by week is about 6 KB and a page of 20
/// searched articles with their bodies about 50 KB, so hundreds of saved searches beside
/// thousands of distinct dashboard panels.
pub const DEFAULT_STATS_CACHE_MB: usize = 32;
/// The default of `REQUEST_TIMEOUT`, in seconds.
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;

/// How long a request may take; `None` is no limit (`REQUEST_TIMEOUT=0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout(pub Option<std::time::Duration>);

/// Reads `REQUEST_TIMEOUT`: seconds, fractions allowed, 0 for none.
pub fn parse_timeout(value: &str) -> Result<Timeout, String> {
    let seconds: f64 = value
        .trim()
        .parse()
        .map_err(|_| format!("`{value}` is not a number of seconds (like `30` or `0.5`)"))?;
    if !seconds.is_finite() || !(0.0..=86_400.0).contains(&seconds) {
        return Err(format!(
            "`{value}` must be from 0 (no timeout) to 86400 seconds"
        ));
    }
    Ok(Timeout(
        (seconds > 0.0).then(|| std::time::Duration::from_secs_f64(seconds)),
    ))
}

/// Where a request's client IP address is read from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ClientIpSource {
    /// The address of the TCP peer: right when clients connect directly.
    #[default]
    Peer,
    /// `X-Forwarded-For`, as appended by this many trusted proxies in front of the service.
    XForwardedFor(usize),
    /// `Forwarded` (RFC 7239) `for=`, as appended by this many trusted proxies.
    Forwarded(usize),
}

impl ClientIpSource {
    /// Reads `CLIENT_IP_SOURCE`: `peer`, `x-forwarded-for:N` or `forwarded:N` (N from 1 to 10).
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim().to_ascii_lowercase();
        if value == "peer" || value.is_empty() {
            return Ok(ClientIpSource::Peer);
        }
        let usage = || {
            format!(
                "`{value}` is not a client IP source; use `peer`, `x-forwarded-for:N` or \
                 `forwarded:N`, N being the number of proxies of yours in front (1 to 10)"
            )
        };
        let (header, hops) = value.split_once(':').ok_or_else(usage)?;
        let hops: usize = hops
            .trim()
            .parse()
            .ok()
            .filter(|n| (1..=10).contains(n))
            .ok_or_else(usage)?;
        match header.trim() {
            "x-forwarded-for" => Ok(ClientIpSource::XForwardedFor(hops)),
            "forwarded" => Ok(ClientIpSource::Forwarded(hops)),
            _ => Err(usage()),
        }
    }
}

impl ServeSettings {
    /// The settings from the environment alone (defaults for what is unset), as `newsmeta` run
    /// without a subcommand reads them; exits with clap's message when a value is invalid.
    pub fn from_env() -> Self {
        #[derive(clap::Parser)]
        struct Only {
            #[command(flatten)]
            settings: ServeSettings,
        }
        <Only as clap::Parser>::parse_from(["newsmeta"]).settings
    }
}

/// The default of `EXTRACT_MAX_BYTES`: 1 MiB.
pub const DEFAULT_EXTRACT_MAX_BYTES: usize = 1024 * 1024;

/// How long, by default, a cache may reuse a read without asking again: short, because dashboards
/// poll, and a revalidation costs little (an ETag match answers 304 without a body).
pub const DEFAULT_CACHE_MAX_AGE: u32 = 5;

/// Which browser origins may call the API from pages of their own (CORS).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AllowedOrigins {
    /// No cross-origin access: no CORS headers are sent.
    #[default]
    None,
    /// Any origin (`*`).
    Any,
    /// These origins, each serialised as `scheme://host[:port]`.
    List(Vec<String>),
}

impl AllowedOrigins {
    /// Reads `CORS_ALLOWED_ORIGINS`: empty, `*`, or comma-separated origins such as
    /// `https://dash.example.com`. An entry with a path, a query or another scheme than http(s) is
    /// an error, so a typo stops the start instead of silently refusing a dashboard.
    pub fn parse(value: &str) -> Result<Self, String> {
        let entries: Vec<&str> = value
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        if entries.is_empty() {
            return Ok(AllowedOrigins::None);
        }
        if entries.contains(&"*") {
            return if entries.len() == 1 {
                Ok(AllowedOrigins::Any)
            } else {
                Err("`*` allows every origin; give it alone, not in a list".to_owned())
            };
        }
        let mut origins = Vec::with_capacity(entries.len());
        for entry in entries {
            let origin = serialize_origin(entry).ok_or_else(|| {
                format!("`{entry}` is not an origin; write it as scheme://host[:port], like `https://dash.example.com`")
            })?;
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        Ok(AllowedOrigins::List(origins))
    }

    /// The value of `Access-Control-Allow-Origin` for a request from `origin`, when it is allowed.
    pub fn allow(&self, origin: &str) -> Option<String> {
        match self {
            AllowedOrigins::None => None,
            AllowedOrigins::Any => Some("*".to_owned()),
            AllowedOrigins::List(origins) => {
                let origin = serialize_origin(origin)?;
                origins.contains(&origin).then_some(origin)
            }
        }
    }
}

/// The ASCII serialisation of an http(s) origin (`https://example.com`, default port left out),
/// or `None` when `value` is not exactly an origin.
fn serialize_origin(value: &str) -> Option<String> {
    let url = url::Url::parse(value).ok()?;
    let bare = matches!(url.path(), "" | "/")
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    if !bare || !matches!(url.scheme(), "http" | "https") || !url.has_host() {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

/// The HTTP worker threads `newsmeta serve` runs: one a core, as actix would choose.
pub fn http_workers() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// Database connections an instance holds unless `DATABASE_MAX_CONNECTIONS` says otherwise: 4
/// for each HTTP worker (8 on 2 cores). Each worker has a pool of its own on Postgres, and more
/// busy connections than the database has cores only take turns: on the 2-core bench machine
/// 8 served as many requests a second as 16, with half the p99 (bench/README.md, seventh run).
pub const CONNECTIONS_PER_WORKER: u32 = 4;

/// Settings every subcommand that touches the database shares.
#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseSettings {
    /// `postgres://user@host/db` or `sqlite://path?mode=rwc`; the embedded SQLite file
    /// `./data/newsmeta.db` when unset.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Most database connections the instance holds, split evenly among its HTTP workers (one
    /// a core); 4 a worker when unset.
    #[arg(
        long,
        env = "DATABASE_MAX_CONNECTIONS",
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub database_max_connections: Option<u32>,
    /// Seconds to wait for a free database connection before answering 503.
    #[arg(
        long,
        env = "DATABASE_ACQUIRE_TIMEOUT",
        default_value_t = 5,
        global = true
    )]
    pub database_acquire_timeout: u64,
    /// Directory of the seed article (`seed-article.json`).
    #[arg(long, env = "SEEDS_DIR", default_value = "seeds", global = true)]
    pub seeds_dir: PathBuf,
}

impl DatabaseSettings {
    /// `DATABASE_MAX_CONNECTIONS`, or [`CONNECTIONS_PER_WORKER`] for each HTTP worker.
    pub fn max_connections(&self) -> u32 {
        self.database_max_connections
            .unwrap_or_else(default_max_connections)
    }
}

/// [`CONNECTIONS_PER_WORKER`] for each of the [`http_workers`].
pub fn default_max_connections() -> u32 {
    let workers = u32::try_from(http_workers()).unwrap_or(u32::MAX);
    CONNECTIONS_PER_WORKER.saturating_mul(workers)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::time::Duration;

    use super::*;

    #[test]
    fn request_timeout_takes_fractional_seconds_and_zero_for_none() {
        assert_eq!(
            parse_timeout("0.5").unwrap(),
            Timeout(Some(Duration::from_millis(500)))
        );
        assert_eq!(
            parse_timeout("30").unwrap(),
            Timeout(Some(Duration::from_secs(30)))
        );
        assert_eq!(parse_timeout("0").unwrap(), Timeout(None));
        for bad in ["-1", "soon", "NaN", "inf", "1e9"] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn client_ip_source_names_a_header_and_its_trusted_hops() {
        assert_eq!(ClientIpSource::parse("peer").unwrap(), ClientIpSource::Peer);
        assert_eq!(
            ClientIpSource::parse("X-Forwarded-For:1").unwrap(),
            ClientIpSource::XForwardedFor(1)
        );
        assert_eq!(
            ClientIpSource::parse("forwarded:2").unwrap(),
            ClientIpSource::Forwarded(2)
        );
        for bad in [
            "x-forwarded-for",
            "x-forwarded-for:0",
            "x-real-ip:1",
            "forwarded:x",
        ] {
            assert!(ClientIpSource::parse(bad).is_err(), "{bad}");
        }
    }
}
