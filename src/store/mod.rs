//! Queries and transactions over sea-orm. Nothing in here knows about HTTP: functions take plain
//! inputs and a connection (or a transaction), and answer rows or a [`StoreError`].

pub mod articles;
pub mod bulk;
pub mod changes;
pub mod entities;
mod json;
pub mod keys;
pub mod mentions;
pub mod nested;
pub mod page;
pub mod quotes;
pub mod sections;
pub mod stats;

use std::time::Duration;

use sea_orm::sqlx::sqlite::SqliteJournalMode;
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbErr, SqlErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::error::FieldError;

/// What a store operation can fail with, in the newsroom's terms.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The named thing does not exist ("article `x`").
    #[error("{0} was not found")]
    NotFound(String),
    /// The input breaks a rule that needs the database to check.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// A unique value is taken.
    #[error("conflict on {}", .0.field)]
    Conflict(FieldError),
    /// The caller's version is not the current one.
    #[error("stale version")]
    Stale,
    /// A cursor whose sort key is not of the kind the list sorts by: one of another list or
    /// order, or no cursor this service made.
    #[error("a cursor of another list")]
    ForeignCursor,
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl StoreError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        StoreError::Invalid(vec![FieldError::new(field, message)])
    }

    /// Turns a unique-constraint violation into a conflict on `field`, leaving other errors as they are.
    pub fn unique_as_conflict(error: DbErr, field: &str, message: &str) -> Self {
        match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                StoreError::Conflict(FieldError::new(field, message))
            }
            _ => StoreError::Db(error),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A condition the caller puts on the current state of what a write changes (an HTTP
/// `If-Match`), or `None`. The store checks it inside the write transaction once the row is
/// locked, so no other write can come between the check and the change; when it does not hold,
/// the write fails with [`StoreError::Stale`].
pub type Precondition<T> = Option<Box<dyn Fn(&T) -> bool + Send + Sync>>;

/// Fails with [`StoreError::Stale`] when `precondition` does not hold for `current`.
pub(crate) fn check<T>(precondition: &Precondition<T>, current: &T) -> StoreResult<()> {
    match precondition {
        Some(holds) if !holds(current) => Err(StoreError::Stale),
        _ => Ok(()),
    }
}

/// Locks the rows of `E` whose `id` column is in `ids` for the rest of the write transaction with
/// `lock`, and answers them as they are now (a row deleted meanwhile is missing). On Postgres the
/// rows are locked in id order, so that two writers locking overlapping rows cannot deadlock; on
/// SQLite the write transaction (`BEGIN IMMEDIATE`, [`begin_write`]) holds the database's only
/// write lock already, and the statement is a plain read.
pub(crate) async fn lock_by_id<E: sea_orm::EntityTrait>(
    conn: &impl sea_orm::ConnectionTrait,
    id: E::Column,
    ids: &[uuid::Uuid],
    lock: sea_orm::sea_query::LockType,
) -> StoreResult<Vec<E::Model>> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    Ok(E::find()
        .filter(id.is_in(ids))
        .order_by_asc(id)
        .lock(lock)
        .all(conn)
        .await?)
}

/// How to open the database pool.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: crate::config::default_max_connections(),
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// How long a pooled connection may sit idle before it is pinged on its way out of the pool. A
/// connection in steady use goes out unpinged: a ping on every checkout was a round trip per
/// statement, which doubled the round trips of every read. A connection that a server, proxy or
/// firewall dropped while idle is still found before a request uses it.
const PING_AFTER_IDLE: Duration = Duration::from_secs(5);

/// Opens a pool on `url` (`postgres://…` or `sqlite://…`). SQLite gets WAL, a busy timeout and
/// foreign keys, so concurrent writers wait instead of failing and cascades work.
pub async fn connect(url: &str, settings: &PoolSettings) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(settings.max_connections)
        .acquire_timeout(settings.acquire_timeout)
        .connect_timeout(settings.acquire_timeout)
        .test_before_acquire_if_idle_for(PING_AFTER_IDLE)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .create_if_missing(true)
        });
    Database::connect(options).await
}

/// The pools the HTTP workers open for themselves, by role (`primary`, `replica`).
///
/// Tokio drives a socket from the runtime that opened it, and each actix worker thread runs a
/// runtime of its own. With one pool for all workers, a connection opened by one worker and
/// checked out by another has every reply woken through the first worker's thread: two threads
/// woken instead of one, and a reply left waiting while that thread is busy. Under the entity
/// list that kept 11–14 % of the 2-core bench machine idle with Postgres as the limit; pools of
/// the workers' own used all of it and served 15–30 % more requests a second (bench/README.md,
/// seventh run). SQLite's connections each run on a thread of their own whatever the caller, so
/// a SQLite pool is shared as it is.
///
/// `GET /metrics`, answered by one worker, reports the connections of all from here.
#[derive(Clone, Default)]
pub struct WorkerPools(std::sync::Arc<std::sync::Mutex<Vec<(&'static str, DatabaseConnection)>>>);

impl WorkerPools {
    /// For the calling HTTP worker, one of `workers`: a pool of its own on the database of `db`,
    /// with `db`'s options and an even share of its connections (at least one), opened lazily on
    /// the worker that uses them. `None` when the workers share `db` (SQLite).
    pub fn open(
        &self,
        role: &'static str,
        db: &DatabaseConnection,
        workers: u32,
    ) -> Option<DatabaseConnection> {
        if !has_worker_pools(db) {
            return None;
        }
        // Its options (and the connect options) are still there once `db` is closed.
        let shared = db.get_postgres_connection_pool();
        let mut pools = self.lock();
        let index = pools.iter().filter(|(name, _)| *name == role).count();
        let (total, workers) = (shared.options().get_max_connections(), workers.max(1));
        let first_ones = usize::try_from(total % workers).unwrap_or(usize::MAX);
        let share = (total / workers + u32::from(index < first_ones)).max(1);
        let pool = shared
            .options()
            .clone()
            .max_connections(share)
            .connect_lazy_with(shared.connect_options().as_ref().clone());
        let pool = sea_orm::SqlxPostgresConnector::from_sqlx_postgres_pool(pool);
        pools.push((role, pool.clone()));
        Some(pool)
    }

    /// Closes every worker's pools, waiting for the connections in use to come back.
    pub async fn close(&self) {
        let pools = std::mem::take(&mut *self.lock());
        for (role, db) in pools {
            if let Err(error) = db.close().await {
                tracing::warn!(
                    role,
                    error = %crate::error::loggable(&error),
                    "closing a worker's pool failed"
                );
            }
        }
    }

    /// The workers' pools of `role` taken together; `None` when no worker has one of its own.
    pub fn stats(&self, role: &str) -> Option<crate::metrics::PoolStats> {
        self.lock()
            .iter()
            .filter(|(name, _)| *name == role)
            .filter_map(|(_, db)| pool_stats(db))
            .reduce(|all, one| crate::metrics::PoolStats {
                size: all.size + one.size,
                idle: all.idle + one.idle,
                max: all.max + one.max,
            })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(&'static str, DatabaseConnection)>> {
        // Nothing panics while holding it; a poisoned list is still a list.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Whether the HTTP workers open pools of their own on `db` ([`WorkerPools`]): on Postgres.
pub fn has_worker_pools(db: &DatabaseConnection) -> bool {
    matches!(
        db.inner,
        sea_orm::DatabaseConnectionType::SqlxPostgresPoolConnection(_)
    )
}

/// The pool's connections right now, for `GET /metrics`; `None` for a connection that is no pool.
pub fn pool_stats(db: &DatabaseConnection) -> Option<crate::metrics::PoolStats> {
    use sea_orm::DatabaseConnectionType;
    fn stats<DB: sea_orm::sqlx::Database>(
        pool: &sea_orm::sqlx::Pool<DB>,
    ) -> crate::metrics::PoolStats {
        crate::metrics::PoolStats {
            size: pool.size(),
            idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
            max: pool.options().get_max_connections(),
        }
    }
    match &db.inner {
        DatabaseConnectionType::SqlxPostgresPoolConnection(_) => {
            Some(stats(db.get_postgres_connection_pool()))
        }
        DatabaseConnectionType::SqlxSqlitePoolConnection(_) => {
            Some(stats(db.get_sqlite_connection_pool()))
        }
        _ => None,
    }
}

/// Starts a transaction that writes. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`): a transaction that reads first and writes later cannot wait for a writer that
/// committed in between (SQLite answers "database is locked" at once instead), while one that
/// starts as a writer queues under the busy timeout. Postgres has no such mode and ignores it.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Truncates to microseconds, the precision both backends store, so what is written reads back equal.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

/// Offsets are stored as i32; the API takes i64 so that absurd values are rejected as out of range
/// rather than failing to parse. Callers have checked them against the body length already.
pub(crate) fn offset(value: Option<i64>) -> Option<i32> {
    value.map(|v| i32::try_from(v).unwrap_or(i32::MAX))
}

/// One past the highest `position` among an article's rows of `E` (0 when it has none): where a
/// section or quote goes when the request gives no position.
pub(crate) async fn next_position<E: sea_orm::EntityTrait>(
    conn: &impl sea_orm::ConnectionTrait,
    position: E::Column,
    article: E::Column,
    article_id: uuid::Uuid,
) -> StoreResult<i32> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
    let max: Option<Option<i32>> = E::find()
        .select_only()
        .column_as(Expr::col(position).max(), "max")
        .filter(article.eq(article_id))
        .into_tuple()
        .one(conn)
        .await?;
    Ok(max.flatten().map_or(0, |m| m.saturating_add(1)))
}
