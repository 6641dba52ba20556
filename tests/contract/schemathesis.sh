#!/usr/bin/env bash
# Contract fuzzing: run schemathesis against a real newsmeta from the COMMITTED openapi/openapi.json.
#
# Usage (from anywhere in the clone; .ci/run calls it):
#
#     tests/contract/schemathesis.sh target/debug/newsmeta
#
# Starts the given binary (`serve`, a fresh SQLite database in a temporary directory, the seed loaded,
# a free port, rate limits off), creates an admin key with `newsmeta keys create` against the same
# database and sends it as `Authorization: Bearer` on every request, then runs every operation of the
# document through schemathesis's phases (examples, coverage, fuzzing, stateful sequences through the
# document's OpenAPI links: create → get / patch / delete). Exit status 0 only with zero failures.
#
# Environment:
#   SCHEMATHESIS   the schemathesis executable (default: `schemathesis` on PATH)
#   DATABASE_URL   run against this database instead of a fresh SQLite file (e.g. a Postgres
#                  database you created for the run; it must be empty)
#   MAX_EXAMPLES   examples per operation in the fuzzing phase (default 40)
#   SEED           schemathesis's random seed (default: a fixed one, so CI runs are reproducible)
#   Any further arguments are passed on to `schemathesis run` (e.g. --include-path-regex articles).
set -euo pipefail

binary=$(realpath "${1:?usage: tests/contract/schemathesis.sh path/to/newsmeta [schemathesis args...]}")
shift
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
st="${SCHEMATHESIS:-schemathesis}"

work=$(mktemp -d)
server=""
cleanup() {
    if [[ -n $server ]]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DATABASE_URL="${DATABASE_URL:-sqlite://$work/contract.db?mode=rwc}"
export PORT="$port" HOST=127.0.0.1
# Rate limiting would turn a fuzzing run into a stream of 429s; 0 switches both limits off.
export RATE_LIMIT_IP_PER_MINUTE=0 RATE_LIMIT_KEY_PER_MINUTE=0

key=$("$binary" keys create --name contract-fuzzing --scope admin | tail -n 1)

"$binary" serve >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 60); do
    curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
    sleep 0.5
done
if ! curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null; then
    echo "ERROR: newsmeta did not become ready" >&2
    cat "$work/serve.log" >&2
    exit 1
fi

# Checks, chosen (see `schemathesis run --help` for the list):
#   not_a_server_error            no 5xx, for any input
#   status_code_conformance       every status is one the operation documents
#   content_type_conformance      every body's media type is the documented one (problem+json for errors)
#   response_schema_conformance   every body matches the documented schema for its status
#   response_headers_conformance  documented response headers (ETag, Location, Allow, ...) are present
#   negative_data_rejection       input that breaks the schema is refused with a 4xx
#   use_after_free                a deleted resource answers 404 afterwards (stateful)
#   ensure_resource_availability  a created resource can be fetched right away (stateful)
#   unsupported_method            a method the path does not have answers 405 (with Allow)
#   allow_header_conformance      that 405's Allow lists exactly the documented methods
#   ignored_auth                  a write operation refuses a request without the key or with a wrong one
# Left out:
#   positive_data_acceptance      it expects every schema-valid request to succeed, but some refusals are
#                                 the contract, not a bug: an `If-Match` that is a well-formed but stale
#                                 ETag is a 412, a slug taken by another article a 409, a section
#                                 position past the end a 422 — rules a JSON schema cannot state
#   missing_required_header       no operation has a required request header (If-Match is optional:
#                                 without it a write is unconditional), so it has nothing to test
#   object_level_authorization    keys are per service, not per object: there are no owners to confuse
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
checks+=,response_headers_conformance,negative_data_rejection,use_after_free
checks+=,ensure_resource_availability,unsupported_method,allow_header_conformance,ignored_auth

# tests/contract/baseline.json accepts one known false positive of schemathesis 4.32.5, so that
# everything else fails the run: its coverage phase sometimes reports a merge-patch or create body
# "missing required property: X" as invalid data that was accepted — for `POST /v1/articles`
# (standfirst) and `PATCH /v1/quotes/{id}` (text) — but ArticleCreate requires only `body`, and
# QuotePatch nothing (a merge patch leaves out what it does not change), so the bodies were valid and
# 201/200 were right. It is schemathesis misreading object schemas with many optional properties
# (upstream fixed close relatives: schemathesis PRs #3742, #3767). The entries match by operation,
# check and status, so they also let through a really invalid body these two operations accept —
# tests/api/articles.rs and quotes.rs cover their validation. Drop the entries when a newer
# schemathesis stops reporting them (`--baseline-prune`).
repo=$(pwd)
status=0
# From the temporary directory: schemathesis keeps a cache (.schemathesis/) in the working directory.
cd "$work"
# One worker: with two, hypothesis (under schemathesis 4.32.5) sometimes fails in its own code
# ("AST constructor recursion depth mismatch" while describing a filter), a race in the tool, not
# a finding about the API. tests/contract/hooks.py: the NDJSON serializer for the batch route.
export SCHEMATHESIS_HOOKS=hooks
export PYTHONPATH="$repo/tests/contract${PYTHONPATH:+:$PYTHONPATH}"
"$st" run "$repo/openapi/openapi.json" \
    --url "http://127.0.0.1:$port" \
    --header "Authorization: Bearer $key" \
    --checks "$checks" \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "${MAX_EXAMPLES:-40}" \
    --seed "${SEED:-20261127}" \
    --workers 1 \
    --request-timeout 10 \
    --baseline "$repo/tests/contract/baseline.json" \
    --generation-database none \
    --no-color \
    "$@" || status=$?

if grep -q 'panicked' "$work/serve.log"; then
    echo "ERROR: the service panicked during the run:" >&2
    grep -A5 'panicked' "$work/serve.log" >&2
    status=1
fi
exit "$status"
