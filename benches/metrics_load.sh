#!/usr/bin/env bash
# The cost of the metrics: two `cyberdir serve` nodes from the same release binary, each on its
# own fresh SQLite database with the demo set, one with the HTTP instrumentation on (the
# default) and one with CYBERDIR_METRICS=off, measured by wrk in turns (on, off, on, off…) so
# that the machine's drift touches both alike: GET /healthz (the floor: the instrumentation's
# share is largest there) and GET /api/v1/providers (one search, whose answer is cached, and
# a varied one drawn from some 27,000 searches). Prints req/s per endpoint, the median of ROUNDS
# runs for each node, and the cost of the instrumentation.
#
# Usage: SKIP_BUILD=1 bash benches/metrics_load.sh   (ROUNDS=3, DURATION=10s, CONNECTIONS=64)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME=metrics
ROUNDS="${ROUNDS:-3}"
source "$ROOT/benches/wrk_common.sh"

declare -A PORTS=([on]=$((PORT + 1)) [off]=$((PORT + 2)))
PIDS=()
cleanup_nodes() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; cleanup; }
trap cleanup_nodes EXIT

start_node() { # $1 on|off
    local port=${PORTS[$1]}
    mkdir -p "$TMP/$1"
    (cd "$TMP/$1" && exec env DATABASE_URL="sqlite://$TMP/$1/bench.db" CYBERDIR_BIND="$HOST:$port" \
        JOURNEY_RATE_LIMIT=0 CYBERDIR_METRICS="$1" RUST_LOG=warn "$BIN" serve) >"$TMP/$1.log" 2>&1 &
    PIDS+=($!)
    local started=$SECONDS
    until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://$HOST:$port/readyz" || true)" = 200 ]; do
        [ $((SECONDS - started)) -lt 600 ] || die "node $1 not ready after 600 s"
        sleep 0.5
    done
    log "node $1 ready on $port after $((SECONDS - started)) s"
}
start_node on
start_node off
curl -sf "http://$HOST:${PORTS[on]}/metrics" | grep -q '^cyberdir_http_requests_total' \
    || die "the node with metrics on exposes no HTTP counter"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$HOST:${PORTS[off]}/metrics")" = 404 ] \
    || die "the node with metrics off still answers /metrics"

# The varied search: every request a different query, drawn as benches/load.sh draws them
# (the fixtures' prefecture postcodes × the incidents providers handle × 3 audiences × 3 pages).
postcodes=$(grep -o '"prefecture_postcode": *"[0-9AB]*"' "$ROOT/fixtures/departements.json" \
    | grep -o '[0-9AB]\{5\}' | sed 's/.*/"&"/' | paste -sd, -)
incidents=$(awk '/"code":/ { code = $2 } /"provider_can_help": *true/ { print code }' \
    "$ROOT/fixtures/incident_types.json" | tr -d '",' | sed 's/.*/"&"/' | paste -sd, -)
[ -n "$postcodes" ] && [ -n "$incidents" ] || die "could not read the fixtures' postcodes and incidents"
cat >"$TMP/varied.lua" <<LUA
local postcodes = {$postcodes}
local incidents = {$incidents}
local audiences = {"particulier", "entreprise", "collectivite"}
math.randomseed(20261205)
request = function()
  local path = string.format("/api/v1/providers?postcode=%s&incident=%s&audience=%s&page=%d",
    postcodes[math.random(#postcodes)], incidents[math.random(#incidents)],
    audiences[math.random(#audiences)], math.random(3))
  return wrk.format("GET", path)
end
LUA

declare -A RPS
measure() { # $1 endpoint name, $2 node, $3 path, $4 extra lua
    BASE="http://$HOST:${PORTS[$2]}"
    [ "$WARMUP" = 0 ] || run_wrk "$3" "$WARMUP" "$4" >/dev/null
    local out
    out=$(run_wrk "$3" "$DURATION" "$4")
    RPS[$1/$2]="${RPS[$1/$2]:-} $(grep '^RESULT ' <<<"$out" | tr ' ' '\n' | awk -F= '$1 == "rps" { print $2 }')"
}
for round in $(seq 1 "$ROUNDS"); do
    log "round $round of $ROUNDS"
    for node in on off; do
        measure healthz "$node" /healthz ""
        measure search "$node" '/api/v1/providers?postcode=35000&incident=rancongiciel' ""
        measure varied "$node" / "$TMP/varied.lua"
    done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "cyberdir metrics on/off — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores; wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds (median req/s)"
printf '%-10s %12s %12s %8s   %s\n' endpoint 'on req/s' 'off req/s' cost 'runs on | off'
for name in healthz search varied; do
    on=$(median <<<"${RPS[$name/on]}"); off=$(median <<<"${RPS[$name/off]}")
    printf '%-10s %12s %12s %7s%%   %s |%s\n' "$name" "$on" "$off" \
        "$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.1f", (b - a) / b * 100 }')" "${RPS[$name/on]}" "${RPS[$name/off]}"
done
