#!/usr/bin/env bash
# Load benchmark of assistance request creation: POST /api/v1/assistance-requests under 32
# concurrent clients, each request assigned to a provider (or sent to staff) with its emails
# enqueued in the same transaction. Then checks that nothing was lost or duplicated.
#
#   CARGO_TARGET_DIR=/work/target-bench bash benches/assistance_load.sh sqlite
#   CARGO_TARGET_DIR=/work/target-bench bash benches/assistance_load.sh postgres
#
# What it does:
#   1. builds the release binary with the postgres feature (SKIP_BUILD=1 to reuse it);
#   2. starts `cyberdir serve` on a fresh database (a SQLite file in a temporary folder, or a
#      new PostgreSQL database at 127.0.0.1:5432 that is dropped at the end) with the demo
#      directory and the official geography, the rate limit off and the email worker idle
#      (delivery is not part of the measure; messages stay in the outbox table);
#   3. runs wrk with a Lua script: every request has its own Idempotency-Key and a postcode
#      drawn from the 96 metropolitan prefectures, after a warm-up on other keys;
#   4. prints requests/s, p50/p99 latency and non-2xx answers, then counts, in the database,
#      the requests created, the distinct idempotency keys, and the outbox rows, and compares
#      them with the 201 answers wrk saw.
#
# With OFFERS=1, every provider's capacity is raised first, so that each request is offered to a
# provider (choice, capacity update, assignment, provider email) rather than soon sent to staff
# once the nearest providers are full.
#
# Settings: DURATION=10s CONNECTIONS=32 THREADS=2 PORT= GEO_DIR=../shared/geo SKIP_BUILD=1 OFFERS=1
set -euo pipefail

BACKEND="${1:-sqlite}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
GEO_DIR="${GEO_DIR:-$ROOT/../shared/geo}"
HOST=127.0.0.1
PG_ADMIN="${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/test}"

log() { printf '[assistance-load] %s\n' "$*" >&2; }
die() { printf '[assistance-load] error: %s\n' "$*" >&2; exit 1; }

case "$BACKEND" in sqlite|postgres) ;; *) die "backend: sqlite or postgres" ;; esac
command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null 2>&1; } || true
command -v wrk >/dev/null || die "wrk not found (apt-get install -y wrk)"
[ -d "$GEO_DIR" ] || die "geography folder not found: $GEO_DIR"
GEO_DIR="$(cd "$GEO_DIR" && pwd)"

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET_DIR/release/cyberdir"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building the release binary"
    (cd "$ROOT" && cargo build --release --features postgres --quiet)
fi
[ -x "$BIN" ] || die "no binary at $BIN"

TMP="$(mktemp -d -t cyberdir-assist.XXXXXX)"
DB_NAME="cyberdir_bench_$$"
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ "$BACKEND" = postgres ]; then
        psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $DB_NAME" >/dev/null 2>&1 || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

if [ "$BACKEND" = postgres ]; then
    psql -q "$PG_ADMIN" -c "CREATE DATABASE $DB_NAME" >/dev/null
    DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB_NAME"
    sql() { psql -qtA "$DATABASE_URL" -c "$1"; }
    sql_exec() { psql -q "$DATABASE_URL" -c "$1" >/dev/null; }
else
    DATABASE_URL="sqlite://$TMP/bench.db"
    sql() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$TMP/bench.db" "$1"; }
    sql_exec() { python3 -c 'import sqlite3,sys; c = sqlite3.connect(sys.argv[1], timeout=30); c.execute(sys.argv[2]); c.commit()' "$TMP/bench.db" "$1"; }
fi

PORT="${PORT:-$((20000 + RANDOM % 20000))}"
BASE="http://$HOST:$PORT"
log "starting cyberdir on $BASE ($BACKEND)"
(
    cd "$ROOT"
    exec env DATABASE_URL="$DATABASE_URL" CYBERDIR_BIND="$HOST:$PORT" CYBERDIR_GEO_DIR="$GEO_DIR" \
        ASSISTANCE_RATE_LIMIT=0 CYBERDIR_OUTBOX_POLL_MS=600000 CYBERDIR_OUTBOX_DIR="$TMP/outbox" \
        CYBERDIR_DB_POOL_SIZE="${POOL:-16}" RUST_LOG=warn "$BIN" serve
) >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/readyz" || true)" = 200 ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/server.log" >&2; die "server exited"; }
    sleep 0.5
done

if [ "${OFFERS:-0}" = 1 ]; then
    log "raising every provider's capacity: each request gets an offer"
    sql_exec "INSERT INTO provider_capacity (provider_id, capacity, open_requests) SELECT id, 1000000, 0 FROM providers WHERE true ON CONFLICT (provider_id) DO UPDATE SET capacity = 1000000"
fi

cat >"$TMP/post.lua" <<'LUA'
-- Each connection thread numbers its requests; keys never repeat within a run.
local postcodes = {"01000","02000","03000","04000","05000","06000","07000","08000","09000","10000",
  "11000","12000","13001","14000","15000","16000","17000","18000","19000","21000","22000","23000",
  "24000","25000","26000","27000","28000","29000","30000","31000","32000","33000","34000","35000",
  "36000","37000","38000","39000","40000","41000","42000","43000","44000","45000","46000","47000",
  "48000","49000","50000","51000","52000","53000","54000","55000","56000","57000","58000","59000",
  "60000","61000","62000","63000","64000","65000","66000","67000","68000","69001","70000","71000",
  "72000","73000","74000","75001","76000","77000","78000","79000","80000","81000","82000","83000",
  "84000","85000","86000","87000","88000","89000","90000","91000","92000","93000","94000","95000"}
local threads = {}
local counter = 0
local prefix = os.getenv("KEY_PREFIX") or "run"
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(id * 7919)
end
function request()
  counter = counter + 1
  local body = string.format('{"postcode":"%s","audience":"particulier","incident_type":"rancongiciel",' ..
    '"description":"Mes fichiers sont chiffres et une rancon est demandee.",' ..
    '"contact":{"name":"Victime %d","email":"victime%d.%d@exemple.fr"},"consent":true}',
    postcodes[math.random(#postcodes)], counter, id, counter)
  local headers = {["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("%s-%d-%d", prefix, id, counter)}
  return wrk.format("POST", "/api/v1/assistance-requests", headers, body)
end
done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d rps=%.1f p50=%d p99=%d non2xx=%d errors=%d\n",
    summary.requests, summary.requests / secs, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA

log "warm-up (3s)"
KEY_PREFIX=warm wrk -t"$THREADS" -c"$CONNECTIONS" -d3s --timeout 10s -s "$TMP/post.lua" "$BASE" >/dev/null
# Let the warm-up's last requests finish before counting.
sleep 2
before_requests=$(sql "SELECT count(*) FROM assistance_requests")
before_outbox=$(sql "SELECT count(*) FROM outbox")
log "measuring: wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
out=$(KEY_PREFIX=measure wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s -s "$TMP/post.lua" "$BASE")
line=$(grep '^RESULT ' <<<"$out") || { echo "$out" >&2; die "no result"; }
field() { tr ' ' '\n' <<<"${line#RESULT }" | awk -F= -v k="$1" '$1 == k { print $2 }'; }
# Requests still in flight when wrk stops finish on their own: count once the outbox stops
# growing, so that a request is never counted in one table and not yet in the other.
last=-1
until [ "$last" = "$(sql "SELECT count(*) FROM outbox")" ]; do
    last=$(sql "SELECT count(*) FROM outbox"); sleep 1
done
created=$(( $(sql "SELECT count(*) FROM assistance_requests") - before_requests ))
keys=$(sql "SELECT count(DISTINCT idempotency_key) FROM assistance_requests WHERE idempotency_key LIKE '%:measure-%'")
outbox=$(( $(sql "SELECT count(*) FROM outbox") - before_outbox ))
assigned=$(sql "SELECT count(*) FROM assistance_requests WHERE idempotency_key LIKE '%:measure-%' AND status = 'assigned'")
escalated=$(sql "SELECT count(*) FROM assistance_requests WHERE idempotency_key LIKE '%:measure-%' AND status = 'escalated'")
ok=$(( $(field requests) - $(field non2xx) - $(field errors) ))

echo
echo "assistance requests on $BACKEND — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
printf 'requests/s %s   p50 %.2f ms   p99 %.2f ms   non-2xx %s   socket errors %s\n' \
    "$(field rps)" "$(awk -v u="$(field p50)" 'BEGIN{print u/1000}')" "$(awk -v u="$(field p99)" 'BEGIN{print u/1000}')" \
    "$(field non2xx)" "$(field errors)"
echo "answered 2xx: $ok; created in the database: $created (distinct keys: $keys); assigned $assigned, sent to staff $escalated"
# Requests still in flight when wrk stops are created but not counted by wrk: at most one per
# connection.
in_flight=$((created - ok))
# Each request: a confirmation to the victim, then either an offer to the provider's contact
# address (demo providers have no members) or, sent to staff, a message to the victim and one to
# each staff account (the demo creates a staff and an admin account).
staff_accounts=$(sql "SELECT count(*) FROM users WHERE role IN ('staff', 'admin') AND disabled = false")
expected_outbox=$((created + assigned + escalated * (1 + staff_accounts)))
echo "outbox rows enqueued: $outbox (expected $expected_outbox); in flight at the end: $in_flight"
if [ "$created" = "$keys" ] && [ "$in_flight" -ge 0 ] && [ "$in_flight" -le "$CONNECTIONS" ] \
    && [ "$outbox" = "$expected_outbox" ]; then
    echo "nothing lost, nothing duplicated"
else
    echo "MISMATCH: see the counts above"
fi
