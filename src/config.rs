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
    /// Largest request body `POST /v1/extract` takes, in bytes (413 beyond).
    #[arg(long, env = "EXTRACT_MAX_BYTES", default_value_t = DEFAULT_EXTRACT_MAX_BYTES)]
    pub extract_max_bytes: usize,
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

/// Settings every subcommand that touches the database shares.
#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseSettings {
    /// `postgres://user@host/db` or `sqlite://path?mode=rwc`; the embedded SQLite file
    /// `./data/newsmeta.db` when unset.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Most database connections in the pool.
    #[arg(
        long,
        env = "DATABASE_MAX_CONNECTIONS",
        default_value_t = 16,
        global = true
    )]
    pub database_max_connections: u32,
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
