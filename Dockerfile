# newsmeta: multi-stage build.
#   docker build -t newsmeta .
#   docker run -p 8080:8080 -v newsmeta-data:/app/data newsmeta            # embedded SQLite
#   docker run -p 8080:8080 -e DATABASE_URL=postgres://... newsmeta        # Postgres
# Subcommands replace CMD: `docker run --rm newsmeta migrate`, `... keys create --name N --scope admin`.

# ---- builder ---------------------------------------------------------------
FROM rust:1.95-bookworm AS builder
WORKDIR /src

# 1. Dependencies only: the manifests, the lock file and stub sources for both workspace
#    members, so this layer is rebuilt only when Cargo.toml / Cargo.lock change. The benchmarks
#    are not built here, but Cargo.toml declares them, and cargo wants their files to exist.
COPY Cargo.toml Cargo.lock ./
COPY migrations/Cargo.toml migrations/Cargo.toml
COPY benches benches
COPY bench/capture.rs bench/capture.rs
RUN mkdir -p src migrations/src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs migrations/src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src migrations/src

# 2. The real sources. COPY keeps the files' own modification times, which can be older than
#    the stub build above; touch them so cargo rebuilds both workspace crates.
COPY src src
COPY migrations/src migrations/src
RUN touch src/main.rs src/lib.rs migrations/src/lib.rs \
    && cargo build --release --locked \
    && install -D -m 0755 target/release/newsmeta /out/newsmeta

# ---- runtime ---------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

# ca-certificates for TLS to a remote database; curl for the HEALTHCHECK.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 newsmeta \
    && useradd --system --uid 10001 --gid newsmeta --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin newsmeta

WORKDIR /app
COPY --from=builder /out/newsmeta /usr/local/bin/newsmeta
COPY seeds /app/seeds
# The default DATABASE_URL is the SQLite file ./data/newsmeta.db, i.e. /app/data.
RUN mkdir -p /app/data && chown newsmeta:newsmeta /app/data

# RUST_LOG is left unset so the binary's own default filter (info, database chatter at warn) applies.
ENV HOST=0.0.0.0 \
    PORT=8080 \
    SEEDS_DIR=/app/seeds

USER newsmeta
VOLUME ["/app/data"]
EXPOSE 8080

HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${PORT}/health/ready" > /dev/null || exit 1

ENTRYPOINT ["/usr/local/bin/newsmeta"]
CMD ["serve"]
