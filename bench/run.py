#!/usr/bin/env python3
"""The load benchmark: one command, every scenario, the service beside the database alone.

    python3 bench/run.py                      # Postgres and SQLite, 100,000 articles, 20 s a scenario
    python3 bench/run.py --backend postgres --duration 10 --articles 20000

What it does, in order:
  1. builds the release binary and the statement recorder (`cargo build --release`, and the
     `bench-capture` example);
  2. fills a pristine database with the synthetic corpus (`newsmeta seed --synthetic N`) once:
     the Postgres database `newsmeta_bench_corpus` on PG_URL's server, or bench/.data/corpus.db;
     a corpus already there with the same size is reused (`--fresh` to rebuild it); every run then
     works on a fresh copy of it (`newsmeta_bench`, bench/.data/bench.db), so the articles the
     write scenarios add never carry over to the next run;
  3. records the SQL the service runs for each read scenario, with its bound values, by serving
     the scenario's requests once through a recording connection (bench/capture.rs), and writes
     them as pgbench scripts;
  4. starts the service (rate limits off, its own default pool of 4 database connections per
     core unless --pool says otherwise) and drives each scenario with wrk for a fixed time, 32 connections, reading
     the service's peak RSS from /proc (reset between scenarios);
  5. runs pgbench (prepared statements, the same connections and time) with the recorded scripts:
     the rate at which Postgres alone answers the statements behind one request, the ceiling,
     and its latencies at that concurrency (pgbench's per-transaction log); for the article with
     includes also with the four plain reads behind it (recorded from the service's functions
     for each part), the yardstick of its target;
  6. prints the results table (markdown) and writes it to bench/.out/<backend>-<date>.md.

Needs: root or the tools already installed (wrk from Debian's packages is installed when missing),
a Postgres server (PG_URL, default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable:
the service and pgbench both talk to it without TLS, as on one host) for the Postgres run, with
pgbench beside psql.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SCENARIOS = BENCH / "scenarios"


def log(message):
    print(f"==> {message}", file=sys.stderr, flush=True)


def run(cmd, **kwargs):
    return subprocess.run(cmd, check=True, **kwargs)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def target_dir():
    return Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def ensure_tools(backend):
    if shutil.which("wrk") is None:
        log("installing wrk (Debian package)")
        run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"],
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if backend == "postgres" and pgbench() is None:
        sys.exit("pgbench not found: install the PostgreSQL server or client package")


def pgbench():
    found = shutil.which("pgbench")
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"), reverse=True):
        return str(candidate)
    return None


def build():
    log("building the release binary and the statement recorder")
    run(["cargo", "build", "--release", "--locked", "--bin", "newsmeta",
         "--example", "bench-capture"], cwd=ROOT)
    release = target_dir() / "release"
    return release / "newsmeta", release / "examples" / "bench-capture"


# The corpus is seeded once into a pristine database that no run writes to, and every run works
# on a fresh copy of it: the write scenarios add thousands of articles, and the next run still
# starts from the same 100,000 (and without seeding them again).
PG_CORPUS, PG_WORKING = "newsmeta_bench_corpus", "newsmeta_bench"


def sqlite_path(name):
    data = BENCH / ".data"
    data.mkdir(parents=True, exist_ok=True)
    return data / name


def sqlite_url(path):
    return f"sqlite://{path}?mode=rwc"


def corpus_url(backend, pg_url):
    if backend == "postgres":
        return at_database(pg_url, PG_CORPUS)
    return sqlite_url(sqlite_path("corpus.db"))


def database_url(backend, pg_url):
    if backend == "postgres":
        return at_database(pg_url, PG_WORKING)
    return sqlite_url(sqlite_path("bench.db"))


def at_database(pg_url, database):
    """`pg_url` with its database replaced by `database`, keeping its options (`?sslmode=…`)."""
    parts = urllib.parse.urlsplit(pg_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{database}"))


def psql(pg_url, sql, database=None):
    url = pg_url if database is None else at_database(pg_url, database)
    out = run(["psql", url, "-Atqc", sql], capture_output=True, text=True)
    return out.stdout.strip()


def file_of(url):
    return Path(url[len("sqlite://"):].split("?")[0])


def remove_sqlite(url):
    for suffix in ("", "-wal", "-shm"):
        Path(str(file_of(url)) + suffix).unlink(missing_ok=True)


def article_count(backend, url):
    try:
        if backend == "postgres":
            return int(psql(url, "SELECT count(*) FROM articles") or 0)
        import sqlite3
        with sqlite3.connect(file_of(url)) as db:
            return db.execute("SELECT count(*) FROM articles").fetchone()[0]
    except Exception:  # no database or no table yet
        return 0


def prepare_corpus(binary, backend, pg_url, articles, fresh):
    """Seeds the pristine corpus unless one of this size is there, and answers the URL of a fresh
    working copy of it for this run."""
    corpus = corpus_url(backend, pg_url)
    if article_count(backend, corpus) == articles and not fresh:
        log(f"reusing the corpus of {articles} articles at {corpus}")
    else:
        log(f"filling a fresh {backend} corpus with {articles} synthetic articles")
        if backend == "postgres":
            psql(pg_url, f"DROP DATABASE IF EXISTS {PG_CORPUS} WITH (FORCE)")
            psql(pg_url, f"CREATE DATABASE {PG_CORPUS}")
        else:
            remove_sqlite(corpus)
        run([str(binary), "seed", "--synthetic", str(articles), "--seed", "1"],
            env={**os.environ, "DATABASE_URL": corpus})
        if backend == "postgres":
            psql(pg_url, "VACUUM ANALYZE", PG_CORPUS)
        else:
            import sqlite3
            with sqlite3.connect(file_of(corpus)) as db:
                db.execute("ANALYZE")
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    working = database_url(backend, pg_url)
    log(f"copying the corpus to {working}")
    if backend == "postgres":
        psql(pg_url, f"DROP DATABASE IF EXISTS {PG_WORKING} WITH (FORCE)")
        # The copy has the corpus' statistics too (pg_statistic is copied with it).
        psql(pg_url, f"CREATE DATABASE {PG_WORKING} TEMPLATE {PG_CORPUS}")
    else:
        remove_sqlite(working)
        shutil.copyfile(file_of(corpus), file_of(working))
    return working


def capture(recorder, url, out):
    """Runs bench/capture.rs: request paths per scenario and the statements behind them."""
    log("recording the statements each read scenario runs")
    out.mkdir(parents=True, exist_ok=True)
    run([str(recorder), str(out)], env={**os.environ, "DATABASE_URL": url})
    return json.loads((out / "scenarios.json").read_text())


class Service:
    def __init__(self, binary, url, pool=None):
        self.port = free_port()
        self.address = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "PORT": str(self.port),
            "NO_SEED": "true",
            "RATE_LIMIT_IP_PER_MINUTE": "0",
            "RATE_LIMIT_KEY_PER_MINUTE": "0",
            "RUST_LOG": "warn",
        }
        if pool:
            env["DATABASE_MAX_CONNECTIONS"] = str(pool)
        self.log = tempfile.NamedTemporaryFile(prefix="newsmeta-bench-", suffix=".log", delete=False)
        self.process = subprocess.Popen([str(binary), "serve"], env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"{self.address}/health/ready", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        sys.exit(f"the service did not become ready; see {self.log.name}")

    def pool_size(self):
        """The service's database connections, as its /metrics reports them."""
        with urllib.request.urlopen(f"{self.address}/metrics", timeout=5) as response:
            text = response.read().decode()
        found = re.search(r'newsmeta_db_pool_max_connections\{pool="primary"\} (\d+)', text)
        return int(found.group(1)) if found else None

    def reset_peak_rss(self):
        # Writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS.
        Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")

    def peak_rss_mb(self):
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kb = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
        return kb / 1024

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def wrk(service, scenario, paths_file, duration, connections, threads, key):
    script = SCENARIOS / f"{scenario['kind']}.lua"
    env = {**os.environ, "BENCH_PATHS": str(paths_file), "BENCH_KEY": key or ""}
    env["BENCH_ITEMS"] = str(scenario.get("items", 1))
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s",
           "-s", str(script), service.address]
    out = run(cmd, capture_output=True, text=True, env=env).stdout
    result = json.loads(out[out.index("BENCH-JSON ") + len("BENCH-JSON "):].splitlines()[0])
    return result


def pgbench_ceiling(pg_url, scripts, defines, duration, connections, threads):
    """Postgres alone running `scripts` (one picked at random for each transaction): each script
    is the statements behind one request, so its transactions a second are the rate at which the
    database could answer the scenario's requests if the service cost nothing, and their
    latencies (from pgbench's per-transaction log) the shortest the requests could take at this
    concurrency. Answers {"tps", "p95_ms", "p99_ms"}, or None when pgbench fails."""
    url = at_database(pg_url, PG_WORKING)
    with tempfile.TemporaryDirectory(prefix="newsmeta-pgbench-") as logs:
        cmd = [pgbench(), "-n", "-M", "prepared", f"-c{connections}", f"-j{threads}",
               f"-T{duration}", "-l", f"--log-prefix={Path(logs) / 'txn'}", url]
        for script in scripts:
            cmd += ["-f", str(script)]
        for name, value in defines.items():
            cmd += ["-D", f"{name}={value}"]
        try:
            out = run(cmd, capture_output=True, text=True).stdout
        except subprocess.CalledProcessError as failed:
            errors = [line for line in failed.stderr.splitlines() if "error" in line]
            log(f"pgbench failed, no ceiling for this scenario: "
                f"{errors[:1] or failed.stderr[-300:]}")
            return None
        # Each line of the log is one transaction; its third field is the latency in µs.
        latencies = sorted(int(line.split()[2]) for log_file in Path(logs).glob("txn*")
                           for line in log_file.read_text().splitlines())
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    if match is None:
        match = re.search(r"tps = ([\d.]+)", out)

    def percentile(p):
        return latencies[max(0, int(p * len(latencies)) - 1)] / 1000 if latencies else None
    return {"tps": float(match.group(1)), "p95_ms": percentile(0.95), "p99_ms": percentile(0.99)}


def machine():
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.system()} {platform.release()}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=20, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk and pgbench threads")
    parser.add_argument("--pool", type=int, help="the service's database connections "
                                                 "(DATABASE_MAX_CONNECTIONS; default: the "
                                                 "service's own, 4 per core)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the corpus even if present")
    parser.add_argument("--only", action="append", metavar="SCENARIO",
                        help="run only this scenario (article, list-entity, search, timeline, "
                             "entities, write, batch); repeat for several")
    parser.add_argument("--pg-url", default=os.environ.get(
        "PG_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"))
    args = parser.parse_args()

    backends = ["postgres", "sqlite"] if args.backend == "both" else [args.backend]
    for backend in backends:
        ensure_tools(backend)
    binary, recorder = build()
    results_dir = BENCH / ".out"
    results_dir.mkdir(exist_ok=True)
    for backend in backends:
        url = prepare_corpus(binary, backend, args.pg_url, args.articles, args.fresh)
        out = BENCH / ".out" / backend
        scenarios = capture(recorder, url, out)
        service = Service(binary, url, args.pool)
        pool = service.pool_size()
        rows = []
        try:
            for scenario in scenarios:
                if args.only and scenario["id"] not in args.only:
                    continue
                log(f"{backend}: {scenario['name']} for {args.duration} s")
                service.reset_peak_rss()
                result = wrk(service, scenario, out / scenario["paths"], args.duration,
                             args.connections, args.threads, scenario.get("key"))
                result["rss_mb"] = service.peak_rss_mb()
                if backend == "postgres" and scenario.get("scripts"):
                    log(f"{backend}: {scenario['name']}, the database alone (pgbench)")
                    scripts = [out / s for s in scenario["scripts"]]
                    result["ceiling"] = pgbench_ceiling(args.pg_url, scripts,
                                                        scenario.get("defines", {}),
                                                        args.duration, args.connections,
                                                        args.threads)
                plain = scenario.get("plain")
                if backend == "postgres" and plain:
                    log(f"{backend}: {scenario['name']}, the plain reads behind it alone (pgbench)")
                    result["plain"] = pgbench_ceiling(
                        args.pg_url, [out / s for s in plain["scripts"]], plain["defines"],
                        args.duration, args.connections, args.threads)
                rows.append((scenario, result))
        finally:
            service.stop()
        table = render(backend, args, pool, rows)
        print(table)
        stamp = datetime.date.today().isoformat()
        (results_dir / f"{backend}-{stamp}.md").write_text(table)


def render(backend, args, pool, rows):
    lines = [
        f"### {backend}, {args.articles:,} articles, {args.connections} connections, "
        f"{args.duration} s per scenario",
        "",
        f"The service's pool: {pool} database connections.",
        "",
        f"Machine: {machine()}; load generator (wrk, {args.threads} threads) on the same machine.",
        "",
        "| scenario | req/s | articles written/s | p50 ms | p95 ms | p99 ms | errors | peak RSS MB "
        "| statements a request | database alone req/s | database alone p95 / p99 ms "
        "| service ÷ database |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def ms(value):
        return f"{value:.1f}" if value is not None else "–"
    for scenario, r in rows:
        ceiling = r.get("ceiling")
        written = f"{r['items_per_s']:,.0f}" if scenario["kind"] == "post" else "–"
        alone = f"{ceiling['tps']:,.0f}" if ceiling else "–"
        alone_ms = f"{ms(ceiling['p95_ms'])} / {ms(ceiling['p99_ms'])}" if ceiling else "–"
        ratio = f"{r['rps'] / ceiling['tps']:.2f}" if ceiling else "–"
        lines.append(
            f"| {scenario['name']} | {r['rps']:,.0f} | {written} | {r['p50_ms']:.1f} | "
            f"{r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} | {r['rss_mb']:.0f} | "
            f"{scenario.get('statements', '–')} | {alone} | {alone_ms} | {ratio} |")
    for scenario, r in rows:
        plain = r.get("plain")
        if plain:
            lines += [
                "",
                f"{scenario['name']}, against the {scenario['plain']['statements']} plain reads "
                f"behind it (the article, its sections, its quotes, its entities through the "
                f"mentions): Postgres alone answers them {plain['tps']:,.0f} times a second "
                f"(p95 {ms(plain['p95_ms'])} ms, p99 {ms(plain['p99_ms'])} ms); the service "
                f"answers {r['rps']:,.0f} a second, {r['rps'] / plain['tps']:.2f} × that.",
            ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
