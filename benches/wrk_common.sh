# Shared by the load scripts (sourced): wrk installed if missing, the release binary built
# (unless SKIP_BUILD=1), `cyberdir serve` started on a fresh SQLite database with the demo set,
# wrk run with a report of requests/s, wrk's p50/p90/p99 (queues included) and the server's own
# p50/p99 (each answer's Server-Timing), and the table printed with the ratios to /healthz.
# Throughput and latency come from a run without a Lua `response` hook: with one, wrk copies
# every body into a Lua string, which costs the client more the bigger the answer. The server's
# own times come from a second, shorter run (TIMING_DURATION) that reads the header.
# The caller sets NAME (for messages), then calls `start_server`, `run_all NAMES...` with a
# `target NAME` function that sets `path` and `extra` (a Lua file or nothing), and `print_table`.

DURATION="${DURATION:-10s}"
TIMING_DURATION="${TIMING_DURATION:-5s}"
WARMUP="${WARMUP:-3s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
HOST=127.0.0.1

log() { printf '[%s] %s\n' "$NAME" "$*" >&2; }
die() { printf '[%s] error: %s\n' "$NAME" "$*" >&2; exit 1; }

if ! command -v wrk >/dev/null; then
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || die "wrk not found (apt-get install -y wrk)"
    apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; } >/dev/null
fi

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET_DIR/release/cyberdir"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building the release binary"
    (cd "$ROOT" && cargo build --release --quiet)
fi
[ -x "$BIN" ] || die "no binary at $BIN"

TMP="$(mktemp -d -t "cyberdir-$NAME.XXXXXX")"
SERVER_PID=
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
PORT="${PORT:-$((20000 + RANDOM % 20000))}"
BASE="http://$HOST:$PORT"

start_server() {
    (cd "$TMP" && exec env DATABASE_URL="sqlite://$TMP/bench.db" CYBERDIR_BIND="$HOST:$PORT" \
        JOURNEY_RATE_LIMIT=0 RUST_LOG=warn "$BIN" serve) >"$TMP/server.log" 2>&1 &
    SERVER_PID=$!
    local started=$SECONDS
    until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/readyz" || true)" = 200 ]; do
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/server.log" >&2; die "the server exited"; }
        [ $((SECONDS - started)) -lt 600 ] || die "not ready after 600 s"
        sleep 0.5
    done
    log "ready after $((SECONDS - started)) s"
}

cat >"$TMP/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f p50=%d p90=%d p99=%d non2xx=%d socket_errors=%d\n",
    summary.requests / secs, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
LUA

cat >"$TMP/timing.lua" <<'LUA'
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function() server = {} end
response = function(status, headers, body)
  local t = headers["server-timing"] or headers["Server-Timing"]
  if t then
    local d = string.match(t, "dur=([%d%.]+)")
    if d then server[#server + 1] = tonumber(d) end
  end
end
done = function(summary, latency, requests)
  local all = {}
  for _, thread in ipairs(threads) do
    local mine = thread:get("server")
    for i = 1, #mine do all[#all + 1] = mine[i] end
  end
  table.sort(all)
  local function pct(p)
    if #all == 0 then return 0 end
    return all[math.max(1, math.ceil(#all * p / 100))] * 1000
  end
  io.write(string.format("RESULT s50=%d s99=%d\n", pct(50), pct(99)))
end
LUA

run_wrk() { # $1 path, $2 duration, $3 extra script, $4 report (report or timing)
    local script="$TMP/${4:-report}.lua"
    if [ -n "${3:-}" ]; then cat "$3" "$script" >"$TMP/combined.lua"; script="$TMP/combined.lua"; fi
    wrk --threads "$THREADS" --connections "$CONNECTIONS" --duration "$2" --timeout 10s --script "$script" "$BASE$1"
}

declare -A RESULT
run_all() {
    NAMES="$*"
    for name in $NAMES; do
        path= extra=
        target "$name"
        [ "$WARMUP" = 0 ] || run_wrk "$path" "$WARMUP" "$extra" >/dev/null
        local out timing
        out=$(run_wrk "$path" "$DURATION" "$extra")
        timing=$(run_wrk "$path" "$TIMING_DURATION" "$extra" timing)
        RESULT[$name]="$(grep '^RESULT ' <<<"$out" | sed 's/^RESULT //') $(grep '^RESULT ' <<<"$timing" | sed 's/^RESULT //')" \
            || die "no result for $name: $out $timing"
    done
}

field() { tr ' ' '\n' <<<"${RESULT[$1]}" | awk -F= -v k="$2" '$1 == k { print $2 }'; }
ms() { awk -v us="$1" -v digits="${2:-2}" 'BEGIN { printf "%.*f", digits, us / 1000 }'; }
print_table() {
    echo "cyberdir $NAME — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores; wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
    printf '%-16s %10s %8s %8s %8s %11s %11s %7s %8s\n' endpoint req/s 'p50 ms' 'p90 ms' 'p99 ms' 'server p50' 'server p99' non2xx ratio
    for name in $NAMES; do
        printf '%-16s %10s %8s %8s %8s %11s %11s %7s %8s\n' "$name" "$(field "$name" rps)" \
            "$(ms "$(field "$name" p50)")" "$(ms "$(field "$name" p90)")" "$(ms "$(field "$name" p99)")" \
            "$(ms "$(field "$name" s50)" 3)" "$(ms "$(field "$name" s99)" 3)" \
            "$(field "$name" non2xx)" \
            "$(awk -v s="$(field "$name" rps)" -v h="$(field healthz rps)" 'BEGIN { printf "%.3f", s / h }')"
    done
}
