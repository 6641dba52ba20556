//! The `newsmeta` command: serve the API, or run one of its maintenance tasks.

use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use migration::{Migrator, MigratorTrait};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use newsmeta::api::http::AppState;
use newsmeta::config::{self, DatabaseSettings, ServeSettings};
use newsmeta::store::keys::{self, Scope};
use newsmeta::store::{self, PoolSettings};
use newsmeta::{app, import, seed, synthetic};

/// mimalloc instead of the C library's allocator: an answer allocates and frees many short-lived
/// strings across the runtime's threads, where glibc's malloc, free and consolidation took about
/// 9 % of the service's time under load (bench/README.md, sixth run). Built without transparent
/// huge pages (`no_thp`): with them, memory is taken in 2 MiB pages and the peak RSS under list
/// load was 67 MB instead of 42.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// newsmeta: structured news-article metadata over REST.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(flatten)]
    database: DatabaseSettings,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default): migrate, seed an empty database, listen.
    Serve(ServeSettings),
    /// Bring the database schema up to date.
    Migrate,
    /// Load the seed articles in `seeds/` (articles already stored are left alone), or, with
    /// `--synthetic N`, generate N synthetic articles for tests and benchmarks.
    Seed(SeedArgs),
    /// Import article files: plain text (structured by the extractor) or JSON (a `POST
    /// /v1/articles` body, `extract` defaulting to true). A directory stands for the files in it.
    /// Files already stored (same `source_url`, or the same text) are skipped.
    Import {
        /// Files or directories to import.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<std::path::PathBuf>,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Manage API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(clap::Args)]
struct SeedArgs {
    /// Instead of the seed files, generate this many synthetic articles (with sections, quotes
    /// and entity mentions), written in batches.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    synthetic: Option<u64>,
    /// The random seed of `--synthetic`: the same N and seed make the same articles.
    #[arg(long, value_name = "S", default_value_t = 1, requires = "synthetic")]
    seed: u64,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Make a key; it is printed once, as the last line.
    Create {
        /// Who or what the key is for.
        #[arg(long)]
        name: String,
        #[arg(long, value_enum, default_value = "write")]
        scope: Scope,
    },
    /// List keys (never the keys themselves).
    List,
    /// Revoke a key by id or prefix; it stops working at once.
    Revoke {
        /// The key's id or its prefix (`nm_xxxxxxxx`).
        key: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging();
    match cli.command {
        Some(Command::Openapi) => {
            println!("{}", serde_json::to_string_pretty(&app::openapi())?);
            Ok(())
        }
        Some(Command::Migrate) => {
            let db = open(&cli.database).await?;
            Migrator::up(&db, None).await.context("migration failed")?;
            println!("database is up to date");
            Ok(())
        }
        Some(Command::Seed(SeedArgs {
            synthetic: Some(count),
            seed,
        })) => {
            let db = open(&cli.database).await?;
            Migrator::up(&db, None).await.context("migration failed")?;
            seed_synthetic(&db, count, seed).await
        }
        Some(Command::Seed(_)) => {
            let db = open(&cli.database).await?;
            Migrator::up(&db, None).await.context("migration failed")?;
            let report = seed::load(&db, &cli.database.seeds_dir).await?;
            println!(
                "seeded {} article(s), {} already present",
                report.created.len(),
                report.skipped.len()
            );
            Ok(())
        }
        Some(Command::Import { files }) => {
            let db = open(&cli.database).await?;
            Migrator::up(&db, None).await.context("migration failed")?;
            import_files(&db, &files).await
        }
        Some(Command::Keys(command)) => keys_command(&cli.database, command).await,
        Some(Command::Serve(settings)) => serve(&cli.database, settings).await,
        None => {
            let settings = ServeSettings::from_env();
            serve(&cli.database, settings).await
        }
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("info,sqlx=warn,sea_orm=warn,sqlx::postgres::notice=warn")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("LOG_FORMAT").is_ok_and(|f| f == "json") {
        // The current span (with the request id) is enough; the list would repeat it.
        builder.json().with_span_list(false).init();
    } else {
        builder.init();
    }
}

async fn open(settings: &DatabaseSettings) -> anyhow::Result<DatabaseConnection> {
    let url = config::database_url(settings.database_url.as_deref())
        .context("cannot create the data directory")?;
    let pool = PoolSettings {
        max_connections: settings.max_connections(),
        acquire_timeout: Duration::from_secs(settings.database_acquire_timeout),
    };
    store::connect(&url, &pool)
        .await
        .with_context(|| format!("cannot open the database at {}", redact(&url)))
}

/// The read replica's pool, when `DATABASE_READ_URL` names one. It is not migrated: a streaming
/// replica follows the primary's schema.
async fn open_replica(
    database: &DatabaseSettings,
    settings: &ServeSettings,
) -> anyhow::Result<Option<DatabaseConnection>> {
    let Some(url) = settings.database_read_url.as_deref() else {
        return Ok(None);
    };
    let pool = PoolSettings {
        max_connections: settings
            .database_read_max_connections
            .unwrap_or_else(|| database.max_connections()),
        acquire_timeout: Duration::from_secs(database.database_acquire_timeout),
    };
    let replica = store::connect(url, &pool)
        .await
        .with_context(|| format!("cannot open the read replica at {}", redact(url)))?;
    tracing::info!(url = %redact(url), "read-only requests read the replica");
    Ok(Some(replica))
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

async fn keys_command(database: &DatabaseSettings, command: KeysCommand) -> anyhow::Result<()> {
    let db = open(database).await?;
    Migrator::up(&db, None).await.context("migration failed")?;
    match command {
        KeysCommand::Create { name, scope } => {
            let key = keys::create(&db, &name, scope)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            println!(
                "created {} key `{}` (id {}, prefix {})",
                scope.as_str(),
                name,
                key.record.id,
                key.record.prefix
            );
            println!("store it now; it is not shown again:");
            println!("{}", key.secret);
        }
        KeysCommand::List => {
            println!(
                "{:<36}  {:<12}  {:<6}  {:<20}  {:<20}  name",
                "id", "prefix", "scope", "created", "revoked"
            );
            for key in keys::list(&db)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?
            {
                println!(
                    "{:<36}  {:<12}  {:<6}  {:<20}  {:<20}  {}",
                    key.id,
                    key.prefix,
                    key.scope,
                    key.created_at.format("%Y-%m-%d %H:%M:%S"),
                    key.revoked_at.map_or("-".to_owned(), |t| t
                        .format("%Y-%m-%d %H:%M:%S")
                        .to_string()),
                    key.name
                );
            }
        }
        KeysCommand::Revoke { key } => {
            let revoked = keys::revoke(&db, &key)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("revoked key {} ({})", revoked.prefix, revoked.name);
        }
    }
    Ok(())
}

/// `import`: a progress bar on stderr when it is a terminal, then a summary of every file that
/// was not created; fails (exit code 1) when any file failed.
async fn import_files(db: &DatabaseConnection, paths: &[std::path::PathBuf]) -> anyhow::Result<()> {
    use std::io::{IsTerminal, Write};
    let files = import::expand(paths).context("cannot list the files to import")?;
    let terminal = std::io::stderr().is_terminal();
    let report = import::run(db, &files, |done, total, file| {
        if terminal {
            const WIDTH: usize = 30;
            let filled = done * WIDTH / total.max(1);
            let name = file
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let mut stderr = std::io::stderr();
            let _ = write!(
                stderr,
                "\r\x1b[2K[{}{}] {done}/{total} {name}",
                "#".repeat(filled),
                "-".repeat(WIDTH - filled)
            );
            if done == total {
                let _ = writeln!(stderr);
            }
            let _ = stderr.flush();
        }
    })
    .await;
    for (file, outcome) in &report.files {
        match outcome {
            import::Outcome::Created(slug) => println!("created  {}  as `{slug}`", file.display()),
            import::Outcome::Skipped(reason) => println!("skipped  {}  {reason}", file.display()),
            import::Outcome::Failed(reason) => println!("failed   {}  {reason}", file.display()),
        }
    }
    println!(
        "imported {} file(s): {} created, {} skipped, {} failed",
        report.files.len(),
        report.created(),
        report.skipped(),
        report.failed()
    );
    anyhow::ensure!(report.failed() == 0, "{} file(s) failed", report.failed());
    Ok(())
}

/// `seed --synthetic`: progress on stderr about every tenth, then a summary with the rate.
async fn seed_synthetic(db: &DatabaseConnection, count: u64, seed: u64) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let mut next_tenth = 1;
    let report = synthetic::generate(db, count, seed, |report| {
        if report.articles * 10 >= next_tenth * report.target {
            eprintln!(
                "{:>3}%  {} of {} articles  {:.1} s",
                report.articles * 100 / report.target,
                report.articles,
                report.target,
                started.elapsed().as_secs_f64()
            );
            next_tenth = report.articles * 10 / report.target + 1;
        }
    })
    .await?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "generated {} synthetic articles (seed {seed}) in {seconds:.1} s, {:.0} articles/s: \
         {} sections, {} quotes, {} mentions, {} keywords, {} new entities ({} already stored)",
        report.articles,
        report.articles as f64 / seconds.max(1e-9),
        report.sections,
        report.quotes,
        report.mentions,
        report.keywords,
        report.entities_created,
        report.entities_reused
    );
    Ok(())
}

async fn serve(database: &DatabaseSettings, settings: ServeSettings) -> anyhow::Result<()> {
    let db = open(database).await?;
    Migrator::up(&db, None).await.context("migration failed")?;

    let empty = newsmeta::entity::article::Entity::find().count(&db).await? == 0;
    if empty && !settings.no_seed {
        let report = seed::load(&db, &database.seeds_dir).await?;
        tracing::info!(
            created = report.created.len(),
            "loaded the seed into the empty database"
        );
    }
    let first_key = if keys::count_active(&db)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?
        == 0
    {
        Some(
            keys::create(&db, "initial admin key", Scope::Admin)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?,
        )
    } else {
        None
    };

    let replica = open_replica(database, &settings).await?;
    let state = AppState {
        replica: replica.clone(),
        ..AppState::new(db.clone(), &settings)
    };
    let listener = std::net::TcpListener::bind((settings.host.as_str(), settings.port))
        .with_context(|| format!("cannot listen on {}:{}", settings.host, settings.port))?;
    let worker_pools = state.worker_pools.clone();
    let server = app::serve_with(
        listener,
        state,
        app::Pools::PerWorker,
        Duration::from_secs(settings.shutdown_timeout),
    )?;
    // Where the workers open pools of their own, the connections opened for the work above are
    // not used again: closing them keeps the instance within its DATABASE_MAX_CONNECTIONS.
    for pool in std::iter::once(&db).chain(replica.as_ref()) {
        if store::has_worker_pools(pool) {
            pool.close_by_ref().await?;
        }
    }
    let signals = ShutdownSignals::watch().context("cannot watch for shutdown signals")?;
    tokio::spawn(stop_on_signal(server.handle(), signals));
    let base = format!("http://{}:{}", settings.host, settings.port);
    println!("newsmeta is serving {base}");
    println!("  API         {base}/v1/articles");
    println!("  Swagger UI  {base}/swagger-ui/");
    println!("  OpenAPI     {base}/openapi.json");
    if let Some(key) = first_key {
        println!("  An admin API key was created; it is shown only this once:");
        println!("  {}", key.secret);
    }
    server.await?;
    tracing::info!("server stopped; closing the database pool");
    worker_pools.close().await;
    if let Some(replica) = replica {
        if let Err(error) = replica.close().await {
            tracing::warn!(
                error = %newsmeta::error::loggable(&error),
                "closing the read replica's pool failed"
            );
        }
    }
    match db.close().await {
        Ok(()) => tracing::info!("database pool closed; exiting"),
        Err(error) => tracing::warn!(
            error = %newsmeta::error::loggable(&error),
            "closing the database pool failed; exiting"
        ),
    }
    Ok(())
}

/// Waits for SIGTERM or SIGINT (Ctrl-C), then stops `server` gracefully: it stops accepting
/// connections and gives requests in flight the shutdown timeout to finish. A second signal
/// ends the process at once.
async fn stop_on_signal(server: actix_web::dev::ServerHandle, mut signals: ShutdownSignals) {
    let signal = signals.next().await;
    tracing::info!(
        signal,
        "shutdown started: no new connections, finishing requests in flight"
    );
    tokio::spawn(async move { server.stop(true).await });
    let again = signals.next().await;
    tracing::warn!(signal = again, "second signal: exiting without waiting");
    std::process::exit(1);
}

/// SIGTERM and SIGINT, watched from the moment this is made (so that a signal that comes early
/// is not lost to the default action, which ends the process with no graceful stop).
struct ShutdownSignals {
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
}

impl ShutdownSignals {
    fn watch() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Self {
                terminate: signal(SignalKind::terminate())?,
                interrupt: signal(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// The name of the next signal to arrive.
    async fn next(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.terminate.recv() => "SIGTERM",
                _ = self.interrupt.recv() => "SIGINT",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}
