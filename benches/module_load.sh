#!/usr/bin/env bash
# The partner module's first page: its weight (HTML + CSS + JS, uncompressed; target under
# 40 KB) and its server time under load (target p99 under 5 ms at 64 connections), against the
# liveness probe in the same run.
#
# One run: builds the release binary (unless SKIP_BUILD=1), starts `cyberdir serve` on a fresh
# SQLite database with the demo set (which holds the partner `demonstration`), adds 40 more
# partners (varied scopes), measures the first page and every file it loads, then runs wrk with
# the same settings against
#   GET /healthz                                   the floor
#   GET /diagnostic                                the site's first question, for comparison
#   GET /module/demonstration                      one partner's first page
#   GET /module/{partner}                          varied: the 41 partners, every scope (each
#                                                  page reads its partner and signs a form token)
#   GET /module/{partner}/diagnostic/{j}/question  varied: 200 journeys started in the modules
# and prints requests/s, wrk's p50/p90/p99 (queues included), the server's own p50/p99 (from
# each answer's Server-Timing) and the ratios to /healthz.
#
# Usage: CONNECTIONS=64 bash benches/module_load.sh
# Settings: DURATION=10s WARMUP=3s THREADS=2 CONNECTIONS=64 PORT= SKIP_BUILD=1
# Needs: cargo, curl, python3, wrk (installed with apt-get when missing and run as root).

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-3s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
HOST=127.0.0.1

log() { printf '[module-load] %s\n' "$*" >&2; }
die() { printf '[module-load] error: %s\n' "$*" >&2; exit 1; }

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

TMP="$(mktemp -d -t cyberdir-module.XXXXXX)"
SERVER_PID=
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
PORT="${PORT:-$((20000 + RANDOM % 20000))}"
BASE="http://$HOST:$PORT"

(cd "$TMP" && exec env DATABASE_URL="sqlite://$TMP/bench.db" CYBERDIR_BIND="$HOST:$PORT" \
    RUST_LOG=warn "$BIN" serve) >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
started=$SECONDS
until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/readyz" || true)" = 200 ]; do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/server.log" >&2; die "the server exited"; }
    [ $((SECONDS - started)) -lt 600 ] || die "not ready after 600 s"
    sleep 0.5
done
log "ready after $((SECONDS - started)) s"

# 40 more partners, straight into the database (as staff would create them), then 200 journeys
# started in the modules through their forms (each form with its token).
python3 - "$TMP" "$BASE" <<'PY'
import sqlite3, sys, re, random, urllib.request, urllib.parse, html
tmp, base = sys.argv[1], sys.argv[2]
db = sqlite3.connect(f"{tmp}/bench.db")
scopes = ["parcours", "diagnostic", "public:particulier", "public:entreprise", "public:collectivite"]
for i in range(40):
    db.execute("INSERT INTO partners VALUES (?,?,?,?,?,?,?,?,1,datetime('now'),datetime('now'))",
               (f"partenaire-{i}", f"Partenaire {i}", "Web", "web@exemple.fr",
                f"https://www{i}.exemple.fr", scopes[i % len(scopes)], None, "active"))
db.commit()
ids = ["demonstration"] + [f"partenaire-{i}" for i in range(40)]
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k): return None
opener = urllib.request.build_opener(NoRedirect)
def get(path):
    return opener.open(base + path).read().decode()
def post(path, fields):
    req = urllib.request.Request(base + path, data=urllib.parse.urlencode(fields).encode(), method="POST")
    try:
        opener.open(req)
    except urllib.error.HTTPError as e:
        return e.headers["Location"]
random.seed(20261201)
pages = []
for n in range(200):
    partner = ids[n % len(ids)]
    page = get(f"/module/{partner}")
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', page).group(1))
    token = html.unescape(re.search(r'name="jeton" value="([^"]+)"', page).group(1))
    choices = re.findall(r'name="choix" id="choix-[^"]+" value="([^"]+)"', page)
    location = post(action, {"choix": random.choice(choices), "jeton": token})
    pages.append(location.replace(base, ""))
with open(f"{tmp}/partners.lua", "w") as f:
    f.write("local pages = {" + ",".join(f'"/module/{p}"' for p in ids) + "}\n")
    f.write('request = function()\n  return wrk.format("GET", pages[math.random(#pages)])\nend\n')
with open(f"{tmp}/journeys.lua", "w") as f:
    f.write("local pages = {" + ",".join(f'"{p}"' for p in pages) + "}\n")
    f.write('request = function()\n  return wrk.format("GET", pages[math.random(#pages)])\nend\n')
print(f"{len(ids)} partners, {len(pages)} journeys", file=sys.stderr)
PY

# The first page's weight: the HTML and every style sheet and script it loads.
first="$(curl -s "$BASE/module/demonstration")"
total=$(printf '%s' "$first" | wc -c)
echo "cyberdir module weight — first page of /module/demonstration, uncompressed"
printf '  %-45s %7d bytes\n' "/module/demonstration (HTML)" "$total"
for asset in $(printf '%s' "$first" | grep -oE '(href|src)="/(static|module)/[^"]+\.(css|js)[^"]*"' | sed -E 's/^(href|src)="//; s/"$//; s/&amp;/\&/g; s/&#x3D;/=/g'); do
    size=$(curl -s "$BASE$asset" | wc -c)
    printf '  %-45s %7d bytes\n' "$asset" "$size"
    total=$((total + size))
done
printf '  %-45s %7d bytes (%s KB; target < 40 KB)\n' "total" "$total" "$(awk -v b="$total" 'BEGIN { printf "%.1f", b / 1024 }')"
[ "$total" -lt 40960 ] || log "WARNING: over 40 KB"

# Each answer's Server-Timing (the server's own time) is collected per wrk thread and its
# percentiles printed beside wrk's latencies (which include the queues at 64 connections).
cat >"$TMP/report.lua" <<'LUA'
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
  local secs = summary.duration / 1e6
  local e = summary.errors
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
  io.write(string.format("RESULT rps=%.1f p50=%d p90=%d p99=%d s50=%d s99=%d non2xx=%d socket_errors=%d\n",
    summary.requests / secs, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), pct(50), pct(99), e.status, e.connect + e.read + e.write + e.timeout))
end
LUA
run_wrk() { # $1 path, $2 duration, $3 extra script
    local script="$TMP/report.lua"
    if [ -n "${3:-}" ]; then cat "$3" "$TMP/report.lua" >"$TMP/combined.lua"; script="$TMP/combined.lua"; fi
    wrk --threads "$THREADS" --connections "$CONNECTIONS" --duration "$2" --timeout 10s --script "$script" "$BASE$1"
}
declare -A RESULT
NAMES="healthz diagnostic_page module_demo module_varied module_journey"
for name in $NAMES; do
    extra=
    case $name in
        healthz) path=/healthz ;;
        diagnostic_page) path=/diagnostic ;;
        module_demo) path=/module/demonstration ;;
        module_varied) path=/ extra="$TMP/partners.lua" ;;
        module_journey) path=/ extra="$TMP/journeys.lua" ;;
    esac
    [ "$WARMUP" = 0 ] || run_wrk "$path" "$WARMUP" "$extra" >/dev/null
    out=$(run_wrk "$path" "$DURATION" "$extra")
    RESULT[$name]=$(grep '^RESULT ' <<<"$out" | sed 's/^RESULT //') || die "no result for $name: $out"
done
field() { tr ' ' '\n' <<<"${RESULT[$1]}" | awk -F= -v k="$2" '$1 == k { print $2 }'; }
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
echo "cyberdir module load — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores; wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
printf '%-15s %10s %8s %8s %8s %11s %11s %7s %8s\n' endpoint req/s 'p50 ms' 'p90 ms' 'p99 ms' 'server p50' 'server p99' non2xx ratio
for name in $NAMES; do
    printf '%-15s %10s %8s %8s %8s %11s %11s %7s %8s\n' "$name" "$(field "$name" rps)" \
        "$(ms "$(field "$name" p50)")" "$(ms "$(field "$name" p90)")" "$(ms "$(field "$name" p99)")" \
        "$(ms "$(field "$name" s50)")" "$(ms "$(field "$name" s99)")" \
        "$(field "$name" non2xx)" \
        "$(awk -v s="$(field "$name" rps)" -v h="$(field healthz rps)" 'BEGIN { printf "%.3f", s / h }')"
done
