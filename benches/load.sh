#!/usr/bin/env bash
# HTTP load benchmark of cyberdir: the public search against the liveness probe.
#
# What it does, in one run:
#   1. builds the release binary (`cargo build --release`; honours CARGO_TARGET_DIR);
#   2. starts `cyberdir serve` on a fresh SQLite database in a temporary directory; on an empty
#      database the server imports the reference geography (../shared/geo) and seeds the
#      1,200 demo providers by itself; waits until GET /readyz answers 200;
#   3. warms both endpoints up (this also builds the in-memory directory index), then runs wrk
#      with the same settings against
#        GET /healthz                                            (the floor: no database, no work)
#        GET /api/v1/providers?postcode=35000&incident=rancongiciel  (the public search)
#      and a third run, `varied`, whose every request is a different search drawn at random from
#      the 101 prefectures' postcodes × the incident types that providers handle × 3 audiences ×
#      pages 1–3 (some 27,000 distinct queries, far more than the answer cache keeps), and
#      prints requests/s, latency percentiles and non-2xx counts, and the ratios search/healthz
#      and varied/healthz (target: at least 0.5);
#   4. stops the server and removes the temporary directory (also on error or Ctrl-C).
#
# All traffic goes to 127.0.0.1 only, and every wrk run is bounded in time.
#
# Usage (from anywhere):
#   CARGO_TARGET_DIR=/work/target-bench bash benches/load.sh
#
# Settings (environment, all optional):
#   DURATION=10s      length of each measured wrk run
#   WARMUP=3s         length of the warm-up run before each measured run (0 to skip)
#   THREADS=2         wrk threads
#   CONNECTIONS=50    wrk connections (kept open, HTTP/1.1 keep-alive)
#   PORT=             port on 127.0.0.1 (default: a free port picked at random)
#   GEO_DIR=          geography folder (default: <project>/../shared/geo)
#   READY_TIMEOUT=600 seconds to wait for /readyz (the first start imports ~39,000 rows)
#   SKIP_BUILD=1      use the existing release binary
#
# Needs: cargo, curl, awk and wrk. wrk is installed with apt-get when missing (Debian package
# `wrk`, needs root). Note that wrk and the server share the machine: on a 2-core machine the
# load generator takes CPU from the server, which lowers both figures alike.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-3s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-50}"
READY_TIMEOUT="${READY_TIMEOUT:-600}"
GEO_DIR="${GEO_DIR:-$ROOT/../shared/geo}"
HOST=127.0.0.1
SEARCH_PATH='/api/v1/providers?postcode=35000&incident=rancongiciel'
HEALTH_PATH='/healthz'

log() { printf '[load] %s\n' "$*" >&2; }
die() { printf '[load] error: %s\n' "$*" >&2; exit 1; }

# --- tools ---------------------------------------------------------------------------------
command -v cargo >/dev/null || die "cargo not found"
command -v curl >/dev/null || die "curl not found"
if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "wrk missing: installing the Debian package"
        apt-get install -y -qq wrk >/dev/null 2>&1 || {
            apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
        } || die "could not install wrk"
    else
        die "wrk not found: install it (Debian: apt-get install -y wrk)"
    fi
fi
[ -d "$GEO_DIR" ] || die "geography folder not found: $GEO_DIR (set GEO_DIR)"
GEO_DIR="$(cd "$GEO_DIR" && pwd)"

# --- build ---------------------------------------------------------------------------------
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET_DIR/release/cyberdir"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building the release binary (target dir: $TARGET_DIR)"
    (cd "$ROOT" && cargo build --release --quiet)
fi
[ -x "$BIN" ] || die "no binary at $BIN"

# --- temporary directory, port, clean-up ---------------------------------------------------
TMP="$(mktemp -d -t cyberdir-load.XXXXXX)"
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
if [ -z "${PORT:-}" ]; then
    for _ in $(seq 50); do
        PORT=$((20000 + RANDOM % 20000))
        port_in_use "$PORT" || break
    done
fi
port_in_use "$PORT" && die "port $PORT is already in use"
BASE="http://$HOST:$PORT"

# --- server --------------------------------------------------------------------------------
log "starting cyberdir on $BASE (database $TMP/bench.db)"
(
    cd "$ROOT"
    exec env DATABASE_URL="sqlite://$TMP/bench.db" CYBERDIR_BIND="$HOST:$PORT" \
        CYBERDIR_GEO_DIR="$GEO_DIR" RUST_LOG=warn "$BIN" serve
) >"$TMP/server.log" 2>&1 &
SERVER_PID=$!

started=$SECONDS
until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/readyz" || true)" = 200 ]; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        cat "$TMP/server.log" >&2
        die "the server exited before being ready"
    fi
    if [ $((SECONDS - started)) -ge "$READY_TIMEOUT" ]; then
        tail -20 "$TMP/server.log" >&2
        die "/readyz did not answer 200 within ${READY_TIMEOUT}s"
    fi
    sleep 0.5
done
log "ready after $((SECONDS - started))s: $(curl -s --max-time 5 "$BASE/readyz")"

# A sanity check of the search (and the first call builds the directory index).
status=$(curl -s -o "$TMP/search.json" -w '%{http_code}' --max-time 30 "$BASE$SEARCH_PATH")
[ "$status" = 200 ] || { cat "$TMP/search.json" >&2; die "search answered $status"; }
total=$(grep -o '"total":[0-9]*' "$TMP/search.json" | head -1 | cut -d: -f2)
log "search answers 200: $total matching providers, $(wc -c <"$TMP/search.json") bytes for the first page"

# --- the varied searches -------------------------------------------------------------------
# Postcodes and incident codes come from the repository's fixtures; wrk's Lua picks one of each,
# an audience and a page for every request (seeded, so two runs draw the same sequence).
source "$ROOT/benches/varied_search.sh"
varied_search_lua "$TMP/varied.lua" 20261201

# --- load ----------------------------------------------------------------------------------
# wrk's Lua hook prints exact figures on one line (latencies in microseconds).
cat >"$TMP/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.1f mean=%.1f p50=%d p90=%d p99=%d max=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.requests / secs, latency.mean,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect + e.read + e.write + e.timeout))
end
LUA

run_wrk() { # $1 = path, $2 = duration, $3 = extra Lua script (optional)
    local script="$TMP/report.lua"
    if [ -n "${3:-}" ]; then
        cat "$3" "$TMP/report.lua" >"$TMP/combined.lua"
        script="$TMP/combined.lua"
    fi
    wrk --threads "$THREADS" --connections "$CONNECTIONS" --duration "$2" --timeout 10s \
        --script "$script" "$BASE$1"
}

declare -A RESULT
for name in healthz search varied; do
    extra=
    case $name in
        healthz) path=$HEALTH_PATH ;;
        search) path=$SEARCH_PATH ;;
        varied) path=/ extra="$TMP/varied.lua" ;;
    esac
    if [ "$WARMUP" != 0 ]; then
        log "warm-up $name ($WARMUP)"
        run_wrk "$path" "$WARMUP" "$extra" >/dev/null
    fi
    log "measuring $name: wrk -t$THREADS -c$CONNECTIONS -d$DURATION $BASE$path"
    out=$(run_wrk "$path" "$DURATION" "$extra")
    printf '%s\n' "$out" >"$TMP/wrk-$name.txt"
    line=$(grep '^RESULT ' <<<"$out") || { printf '%s\n' "$out" >&2; die "no result from wrk"; }
    RESULT[$name]=${line#RESULT }
done

field() { tr ' ' '\n' <<<"${RESULT[$1]}" | awk -F= -v k="$2" '$1 == k { print $2 }'; }
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }

echo
echo "cyberdir load benchmark — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores," \
    "$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION (after a ${WARMUP} warm-up), server and wrk on the same machine"
printf '%-8s %10s %10s %9s %9s %9s %9s %8s %8s\n' \
    endpoint req/s requests 'p50 ms' 'p90 ms' 'p99 ms' 'max ms' non2xx 'sock err'
for name in healthz search varied; do
    printf '%-8s %10s %10s %9s %9s %9s %9s %8s %8s\n' "$name" \
        "$(field "$name" rps)" "$(field "$name" requests)" \
        "$(ms "$(field "$name" p50)")" "$(ms "$(field "$name" p90)")" \
        "$(ms "$(field "$name" p99)")" "$(ms "$(field "$name" max)")" \
        "$(field "$name" non2xx)" "$(field "$name" socket_errors)"
done
ratio=$(awk -v s="$(field search rps)" -v h="$(field healthz rps)" 'BEGIN { printf "%.3f", s / h }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.5 ? "MET" : "MISSED") }')
echo "search/healthz throughput ratio: $ratio (target >= 0.5: $verdict)"
varied_ratio=$(awk -v s="$(field varied rps)" -v h="$(field healthz rps)" 'BEGIN { printf "%.3f", s / h }')
varied_verdict=$(awk -v r="$varied_ratio" 'BEGIN { print (r >= 0.5 ? "MET" : "MISSED") }')
echo "varied/healthz throughput ratio: $varied_ratio (target >= 0.5: $varied_verdict)"
echo "search URL: $BASE$SEARCH_PATH ($total matching providers)"
echo "varied: $VARIED_QUERIES distinct queries drawn at random (postcode × incident × audience × page)"
for name in healthz search varied; do
    if [ "$(field "$name" non2xx)" != 0 ] || [ "$(field "$name" socket_errors)" != 0 ]; then
        echo "warning: $name had errors, see the wrk output below"
        cat "$TMP/wrk-$name.txt"
    fi
done
