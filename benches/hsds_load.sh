#!/usr/bin/env bash
# The directory as HSDS open data: list pages under load against /healthz in the same run
# (target ≥ 0.3 × /healthz), and the bulk export of the demo directory (target < 300 ms).
#
# One run: builds the release binary (unless SKIP_BUILD=1), starts `cyberdir serve` on a fresh
# SQLite database with the demo set (1,200 providers), then runs wrk against
#   GET /healthz                                   the floor
#   GET /hsds/services?page=…                      varied: 400 list requests over the three
#       /hsds/organizations, /hsds/service_at_locations   lists, every page at 10, 50 and 200
#                                                  per page, with searches, taxonomy terms and
#                                                  modified_after
#   GET /hsds/services/{id}                        varied: 300 services' detail records
# and times `cyberdir export hsds` (its maximum resident memory too).
#
# Usage: CONNECTIONS=64 [LARGE=100000] bash benches/hsds_load.sh
# Settings: DURATION=10s WARMUP=3s THREADS=2 CONNECTIONS=64 PORT= SKIP_BUILD=1 LARGE=
# Needs: cargo, curl, python3, wrk (installed with apt-get when missing and run as root).

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME=hsds-load
# shellcheck source=benches/wrk_common.sh
. "$ROOT/benches/wrk_common.sh"
start_server

python3 - "$TMP" "$BASE" <<'PY'
import json, sys, random, urllib.request
tmp, base = sys.argv[1], sys.argv[2]
random.seed(20261201)
terms = ["rancongiciel", "hameconnage", "piratage_compte", "particulier", "entreprise", "collectivite"]
words = ["cyber", "informatique", "rennes", "paris", "lyon", "securite", "conseil"]
paths = []
for n in range(400):
    kind = random.choice(["services", "organizations", "service_at_locations"])
    per_page = random.choice([10, 50, 200])
    pages = max(1, 1200 // per_page)
    q = [f"per_page={per_page}", f"page={random.randint(1, pages)}"]
    r = random.random()
    if r < 0.25:
        q.append(f"search={random.choice(words)}")
    elif r < 0.5 and kind != "organizations":
        q.append(f"taxonomy_term_id={random.choice(terms)}")
    elif r < 0.6:
        q.append("modified_after=2026-01-01")
    paths.append(f"/hsds/{kind}?" + "&".join(q))
services = []
page = 1
while len(services) < 300:
    body = json.load(urllib.request.urlopen(f"{base}/hsds/services?per_page=200&page={page}"))
    services += [s["id"] for s in body["contents"]]
    page += 1
    if body["last_page"]: break
random.shuffle(services)
for name, items in [("lists", paths), ("details", [f"/hsds/services/{i}" for i in services[:300]])]:
    with open(f"{tmp}/{name}.lua", "w") as f:
        f.write("local paths = {" + ",".join(f'"{p}"' for p in items) + "}\n")
        f.write("math.randomseed(20261201)\n")
        f.write('request = function()\n  return wrk.format("GET", paths[math.random(#paths)])\nend\n')
print(f"{len(paths)} list requests, {min(300, len(services))} detail records", file=sys.stderr)
PY

target() {
    case $1 in
        healthz) path=/healthz ;;
        hsds_lists) path=/ extra="$TMP/lists.lua" ;;
        hsds_details) path=/ extra="$TMP/details.lua" ;;
    esac
}
run_all healthz hsds_lists hsds_details
print_table

echo "cyberdir hsds export — the demo directory"
for run in 1 2 3; do
    /usr/bin/time -f "  run $run: process %e s, max resident %M KB" -o "$TMP/time" \
        env DATABASE_URL="sqlite://$TMP/bench.db" RUST_LOG=warn "$BIN" export hsds --out "$TMP/export" >"$TMP/said"
    echo "$(cat "$TMP/time"); $(grep -o 'en [0-9]* ms' "$TMP/said") for the export itself"
done
du -sh "$TMP/export" | awk '{ print "  export size: " $1 }'

# LARGE=N: a directory of N providers made the demo's way (`cyberdir seed --demo --providers N`),
# exported twice (the target is < 20 s for 100,000, in constant memory).
if [ -n "${LARGE:-}" ]; then
    echo "cyberdir hsds export — $LARGE providers"
    /usr/bin/time -f "  seeded in %e s" -o "$TMP/time" env DATABASE_URL="sqlite://$TMP/large.db" \
        RUST_LOG=warn "$BIN" seed --demo --providers "$LARGE" >/dev/null 2>"$TMP/seed.log" \
        || { cat "$TMP/seed.log" >&2; die "seeding $LARGE providers failed"; }
    cat "$TMP/time"
    for run in 1 2; do
        rm -rf "$TMP/large"
        /usr/bin/time -f "  run $run: process %e s (user %U s, system %S s), max resident %M KB" -o "$TMP/time" \
            env DATABASE_URL="sqlite://$TMP/large.db" RUST_LOG=warn "$BIN" export hsds --out "$TMP/large" >"$TMP/said"
        echo "$(cat "$TMP/time"); $(grep -o 'en [0-9]* ms' "$TMP/said") for the export itself"
    done
    du -sh "$TMP/large" | awk '{ print "  export size: " $1 }'
fi
