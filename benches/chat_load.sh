#!/usr/bin/env bash
# The chat under load, on two `cyberdir serve` nodes over one PostgreSQL on this machine:
# OPERATORS operators (default 100) and VICTIMS victims' event streams (default 1000), a line
# to each victim every INTERVAL seconds (default 3) for DURATION seconds (default 30); prints
# the delivery latency (same node and across nodes), lines lost or repeated, the time to route
# a new chat and the memory per idle stream (see benches/chat_load.rs).
# Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust) and psql.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
NAME=chat
OPERATORS="${OPERATORS:-100}"
VICTIMS="${VICTIMS:-1000}"
export OPERATORS VICTIMS DURATION="${DURATION:-30}" INTERVAL="${INTERVAL:-3}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET_DIR/release/cyberdir"
log() { printf '[%s] %s\n' "$NAME" "$*" >&2; }
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building the release binary and the load client"
    (cd "$ROOT" && cargo build --release --quiet --features postgres)
fi
(cd "$ROOT" && cargo bench --quiet --features postgres --bench chat_load --no-run >/dev/null 2>&1)
CLIENT="$(ls -t "$TARGET_DIR"/release/deps/chat_load-* | grep -v '\.d$' | head -1)"
ulimit -n 65536 2>/dev/null || true

DB=cyberdir_chat_bench
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB" postgres
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB" postgres
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
TMP="$(mktemp -d -t cyberdir-chat.XXXXXX)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT

start_node() {
    local port=$1
    env CYBERDIR_BIND="127.0.0.1:$port" CYBERDIR_BASE_URL="http://127.0.0.1:$port" \
        CYBERDIR_DEMO=0 JOURNEY_RATE_LIMIT=0 CYBERDIR_TRUSTED_PROXIES=127.0.0.1/32 \
        CYBERDIR_DB_POOL_SIZE=30 RUST_LOG=warn "$BIN" serve >"$TMP/node-$port.log" 2>&1 &
    PIDS+=($!)
    local started=$SECONDS
    until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/readyz" || true)" = 200 ]; do
        [ $((SECONDS - started)) -lt 300 ] || { cat "$TMP/node-$port.log" >&2; exit 1; }
        sleep 0.5
    done
    log "node on $port ready after $((SECONDS - started)) s"
}
A=$((20000 + RANDOM % 10000)); B=$((A + 1))
start_node "$A"
start_node "$B"

PASSWORD="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
log "creating $OPERATORS operators"
for i in $(seq 0 $((OPERATORS - 1))); do
    printf '%s\n' "$PASSWORD" | "$BIN" users create --email "op$i@bench.example" --role operator >/dev/null
done
log "running: $VICTIMS victims, a line every ${INTERVAL}s each, for ${DURATION}s"
NODE_A="http://127.0.0.1:$A" NODE_B="http://127.0.0.1:$B" PID_A="${PIDS[0]}" PID_B="${PIDS[1]}" \
    PASSWORD="$PASSWORD" "$CLIENT"
