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
    /// Do not load `seeds/` into an empty database at start.
    #[arg(long, env = "NO_SEED", default_value_t = false)]
    pub no_seed: bool,
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
