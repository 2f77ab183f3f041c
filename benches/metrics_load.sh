#!/usr/bin/env bash
# The cost of the metrics: two `cyberdir serve` nodes from the same release binary, each on its
# own fresh SQLite database with the demo set, one with the HTTP instrumentation on (the
# default) and one with CYBERDIR_METRICS=off, measured by wrk in turns (on, off, on, off…) so
# that the machine's drift touches both alike: GET /healthz (the floor: the instrumentation's
# share is largest there) and GET /api/v1/providers (one search, whose answer is cached, and
# a varied one drawn from some 27,000 searches). Prints req/s per endpoint, the median of ROUNDS
# runs for each node, and the cost of the instrumentation.
#
# Usage: SKIP_BUILD=1 bash benches/metrics_load.sh   (ROUNDS=6, DURATION=10s, CONNECTIONS=64)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME=metrics
ROUNDS="${ROUNDS:-6}"
ENDPOINTS="${ENDPOINTS:-healthz search varied}"
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

# The varied search: every request a different query, as benches/load.sh draws them.
source "$ROOT/benches/varied_search.sh"
varied_search_lua "$TMP/varied.lua" 20261205

declare -A RPS
measure() { # $1 endpoint name, $2 node, $3 path, $4 extra lua
    BASE="http://$HOST:${PORTS[$2]}"
    [ "$WARMUP" = 0 ] || run_wrk "$3" "$WARMUP" "$4" >/dev/null
    local out
    out=$(run_wrk "$3" "$DURATION" "$4")
    RPS[$1/$2]="${RPS[$1/$2]:-} $(grep '^RESULT ' <<<"$out" | tr ' ' '\n' | awk -F= '$1 == "rps" { print $2 }')"
}
# Each endpoint is measured on both nodes back to back, the order swapped at every round, so
# that neither node always runs first (a machine warming up or slowing down favours neither).
for round in $(seq 1 "$ROUNDS"); do
    log "round $round of $ROUNDS"
    if [ $((round % 2)) = 1 ]; then order="on off"; else order="off on"; fi
    for name in $ENDPOINTS; do
        case $name in
            healthz) path=/healthz extra= ;;
            search) path='/api/v1/providers?postcode=35000&incident=rancongiciel' extra= ;;
            varied) path=/ extra="$TMP/varied.lua" ;;
        esac
        for node in $order; do measure "$name" "$node" "$path" "$extra"; done
    done
done
# The mean of the runs and its standard error, and the cost with its own (the two errors
# combined): a cost inside about two standard errors is noise.
stats() { tr ' ' '\n' | grep -v '^$' | awk '{ s += $1; q += $1 * $1; n++ } END { m = s / n; v = (q - n * m * m) / (n - 1); printf "%.1f %.1f", m, sqrt(v / n) }'; }
echo "cyberdir metrics on/off — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores; wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds (mean req/s ± standard error)"
printf '%-10s %20s %20s %16s   %s\n' endpoint 'on req/s' 'off req/s' 'cost' 'runs on | off'
for name in $ENDPOINTS; do
    read -r on on_se <<<"$(stats <<<"${RPS[$name/on]}")"
    read -r off off_se <<<"$(stats <<<"${RPS[$name/off]}")"
    printf '%-10s %20s %20s %16s   %s |%s\n' "$name" "$on ± $on_se" "$off ± $off_se" \
        "$(awk -v a="$on" -v b="$off" -v sa="$on_se" -v sb="$off_se" 'BEGIN { printf "%.1f%% ± %.1f%%", (b - a) / b * 100, sqrt(sa * sa + sb * sb) / b * 100 }')" \
        "${RPS[$name/on]}" "${RPS[$name/off]}"
done
