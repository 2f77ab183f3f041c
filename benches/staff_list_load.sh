#!/usr/bin/env bash
# The staff list of organisations at 100,000 (issue 29's target: search, filter and sort with a
# p95 under 100 ms; the CSV export of the whole list in constant memory).
#
# One run: builds the release binary (unless SKIP_BUILD=1), seeds a fresh SQLite database with
# LARGE organisations made the demo's way (`cyberdir seed --demo --providers N`, default
# 100,000), creates a staff account, starts `cyberdir serve`, then runs wrk against
#   GET /healthz                      the floor
#   GET /instruction?...              the page, varied: 600 addresses mixing searches (names,
#                                     communes, SIRET prefixes, emails, two words), states,
#                                     départements, the four sorts both ways, page sizes 20/50/100
#                                     and pages up to the last
#   GET /api/v1/applications?...      the same 600 selections through the API
# with the staff session's cookie, and prints wrk's p50/p90/p99 with the server's own times.
# Then it downloads the export of the whole list three times and of one département once,
# reading the server's resident memory before and after each (VmRSS) and its peak (VmHWM).
#
# Usage: [LARGE=100000] [PGURL=postgres://...] bash benches/staff_list_load.sh
# Settings: DURATION=10s WARMUP=3s THREADS=2 CONNECTIONS=16 PORT= SKIP_BUILD=1 LARGE=
# Needs: cargo, curl, python3, wrk (installed with apt-get when missing and run as root).

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME=staff-list
CONNECTIONS="${CONNECTIONS:-16}"
LARGE="${LARGE:-100000}"
# shellcheck source=benches/wrk_common.sh
. "$ROOT/benches/wrk_common.sh"

log "seeding $LARGE organisations"
seed_started=$SECONDS
DATABASE_URL="sqlite://$TMP/bench.db" RUST_LOG=warn "$BIN" seed --demo --providers "$LARGE" \
    >/dev/null 2>"$TMP/seed.log" || { cat "$TMP/seed.log" >&2; die "seeding failed"; }
log "seeded in $((SECONDS - seed_started)) s"
PASSWORD="Liste-des-dossiers-$RANDOM-$RANDOM-essai"
echo "$PASSWORD" | DATABASE_URL="sqlite://$TMP/bench.db" RUST_LOG=warn "$BIN" users create \
    --email banc@cyberdir.test --role staff --name "Banc d'essai" >/dev/null
start_server

COOKIE=$(curl -s -c - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"email\":\"banc@cyberdir.test\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/session" |
    awk '$0 !~ /^#/ || $0 ~ /^#HttpOnly_/ { if (NF >= 7) print $6 "=" $7 }' | head -n 1)
[ -n "$COOKIE" ] || die "could not sign in"

python3 - "$TMP" "$BASE" "$COOKIE" "$LARGE" <<'PY'
import json, sys, random, urllib.request, urllib.parse
tmp, base, cookie, large = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
random.seed(20261205)
# Words staff type: the demo's name parts, communes, and fragments of what is listed.
def fetch(path):
    req = urllib.request.Request(base + path, headers={"Cookie": cookie})
    return json.load(urllib.request.urlopen(req))
sample = fetch("/api/v1/applications?limit=100&sort=nom")["results"]
sample += fetch("/api/v1/applications?limit=100&sort=-commune")["results"]
words = ["cyber", "informatique", "securite", "conseil", "numerique", "paris", "lyon",
         "marseille", "rennes", "toulouse", "bordeaux", "lille", "sas", "services"]
words += [r["name"].split()[0].lower() for r in sample if r["name"]]
words += [r["city"] for r in sample]
sirets = [r["siret"][:9] for r in sample]
emails = [r["email"] for r in sample]
states = ["", "", "", "submitted", "in_review", "approved", "changes_requested", "suspended"]
deps = ["", "", "", "35", "75", "13", "69", "2A", "974", "59", "33"]
sorts = ["", "nom", "-nom", "commune", "-commune", "departement", "-departement", "-modifie", "modifie"]
pages, apis = [], []
for n in range(600):
    q = ""
    r = random.random()
    if r < 0.35:
        q = random.choice(words)
    elif r < 0.45:
        q = random.choice(sirets)
    elif r < 0.5:
        q = random.choice(emails)
    elif r < 0.6:
        q = random.choice(words) + " " + random.choice(words)
    state, dep, sort = random.choice(states), random.choice(deps), random.choice(sorts)
    size = random.choice([20, 20, 50, 100])
    # Pages up to the last for unfiltered lists; the first few otherwise.
    page = random.randint(1, max(1, large // size)) if not (q or state or dep) and random.random() < 0.5 else random.randint(1, 3)
    pairs = [("q", q), ("etat", state), ("departement", dep), ("tri", sort), ("par", str(size)), ("page", str(page))]
    pages.append("/instruction?" + urllib.parse.urlencode([(k, v) for k, v in pairs if v]))
    api = [("q", q), ("status", state), ("departement", dep), ("sort", sort or "-modifie"), ("limit", str(size)), ("page", str(page))]
    apis.append("/api/v1/applications?" + urllib.parse.urlencode([(k, v) for k, v in api if v]))
for name, items in [("pages", pages), ("apis", apis)]:
    with open(f"{tmp}/{name}.lua", "w") as f:
        f.write("local paths = {" + ",".join(json.dumps(p) for p in items) + "}\n")
        f.write("math.randomseed(20261205)\n")
        f.write('wrk.headers["Cookie"] = ' + json.dumps(cookie) + "\n")
        f.write('request = function()\n  return wrk.format("GET", paths[math.random(#paths)])\nend\n')
print(f"{len(pages)} page addresses, {len(apis)} API addresses", file=sys.stderr)
PY

target() {
    case $1 in
        healthz) path=/healthz ;;
        list_page) path=/ extra="$TMP/pages.lua" ;;
        list_api) path=/ extra="$TMP/apis.lua" ;;
    esac
}
run_all healthz list_page list_api
print_table

# p95 of the server's own time over every address once, one at a time (no queueing).
python3 - "$TMP" "$BASE" "$COOKIE" <<'PY'
import re, sys, time, urllib.request
tmp, base, cookie = sys.argv[1], sys.argv[2], sys.argv[3]
for name in ["pages", "apis"]:
    paths = re.findall(r'"(/[^"]+)"', open(f"{tmp}/{name}.lua").read().split("\n")[0])
    server, wall = [], []
    for p in paths:
        req = urllib.request.Request(base + p, headers={"Cookie": cookie})
        t = time.perf_counter()
        with urllib.request.urlopen(req) as r:
            r.read()
            timing = r.headers.get("Server-Timing", "")
        wall.append((time.perf_counter() - t) * 1000)
        m = re.search(r"dur=([\d.]+)", timing)
        if m: server.append(float(m.group(1)))
    def pct(xs, p):
        xs = sorted(xs); return xs[max(0, -(-len(xs) * p // 100) - 1)]
    print(f"sequential {name}: {len(paths)} addresses, wall p50 {pct(wall, 50):.1f} ms, p95 {pct(wall, 95):.1f} ms, max {max(wall):.1f} ms; server p95 {pct(server, 95):.1f} ms")
PY

rss() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$SERVER_PID/status"; }
echo "cyberdir staff list export — $LARGE organisations"
for run in 1 2 3 dep; do
    path="/instruction/export.csv"
    [ "$run" = dep ] && path="/instruction/export.csv?departement=75"
    before=$(rss VmRSS)
    started=$(date +%s.%N)
    curl -s -H "Cookie: $COOKIE" -o "$TMP/export.csv" "$BASE$path"
    ended=$(date +%s.%N)
    lines=$(($(wc -l <"$TMP/export.csv") - 1))
    printf '  %s: %s lines, %s bytes in %.2f s; server RSS %s KB before, %s KB after, peak %s KB\n' \
        "$path" "$lines" "$(stat -c %s "$TMP/export.csv")" "$(echo "$ended - $started" | bc)" \
        "$before" "$(rss VmRSS)" "$(rss VmHWM)"
done
