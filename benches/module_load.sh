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
NAME=module-load
# shellcheck source=benches/wrk_common.sh
. "$ROOT/benches/wrk_common.sh"
start_server

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

target() {
    case $1 in
        healthz) path=/healthz ;;
        diagnostic_page) path=/diagnostic ;;
        module_demo) path=/module/demonstration ;;
        module_varied) path=/ extra="$TMP/partners.lua" ;;
        module_journey) path=/ extra="$TMP/journeys.lua" ;;
    esac
}
run_all healthz diagnostic_page module_demo module_varied module_journey
print_table
