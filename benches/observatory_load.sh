#!/usr/bin/env bash
# The observatory's staff pages under load: the dashboard over a year of synthetic facts for
# varied filters, against /healthz in the same run.
#
# One run: builds the release binary (unless SKIP_BUILD=1), starts `cyberdir serve` on a fresh
# SQLite database with the demo set, seeds YEARS (1) of observatory facts (`cyberdir seed
# --observatory`), signs a staff account in, then runs wrk against
#   GET /healthz                          the floor
#   GET /observatoire?…                   varied: 200 dashboards (period of 7, 30, 91 or 365
#                                         days; audience, incident type, category, région,
#                                         département and channel each set or not); each page
#                                         computes every view and draws its SVG charts
#   GET /statistiques                     the public monthly statistics
#
# Usage: CONNECTIONS=64 bash benches/observatory_load.sh
# Settings: YEARS=1 DURATION=10s WARMUP=3s THREADS=2 CONNECTIONS=64 PORT= SKIP_BUILD=1
# Needs: cargo, curl, python3, wrk (installed with apt-get when missing and run as root).

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME=observatory-load
YEARS="${YEARS:-1}"
# shellcheck source=benches/wrk_common.sh
. "$ROOT/benches/wrk_common.sh"
start_server

export DATABASE_URL="sqlite://$TMP/bench.db" RUST_LOG=warn
log "seeding $YEARS year(s) of facts"
"$BIN" seed --observatory "$YEARS" >/dev/null 2>&1
PASSWORD="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
printf '%s\n' "$PASSWORD" | "$BIN" users create --email bench@observatoire.localhost --role staff >/dev/null
curl -fs -c "$TMP/cookies" -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench@observatoire.localhost\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/session" >/dev/null
SESSION=$(awk '$6 == "cyberdir_session" { print $7 }' "$TMP/cookies")
[ -n "$SESSION" ] || die "staff log-in failed"

python3 - "$TMP" "$SESSION" <<'PY'
import random, sys
tmp, session = sys.argv[1], sys.argv[2]
random.seed(20261201)
types = ["hameconnage", "rancongiciel", "piratage_compte", "sextorsion", "faux_support_technique"]
categories = ["escroquerie", "compte_et_identite", "logiciel_malveillant", "donnees"]
regions = ["bretagne", "ile-de-france", "occitanie", "auvergne-rhone-alpes"]
deps = ["35", "75", "31", "69", "13", "974"]
paths = []
for _ in range(200):
    q = [f"periode={random.choice(['semaine', 'mois', 'trimestre', 'annee'])}"]
    if random.random() < 0.5: q.append(f"public={random.choice(['particulier', 'entreprise', 'collectivite'])}")
    r = random.random()
    if r < 0.25: q.append(f"type={random.choice(types)}")
    elif r < 0.45: q.append(f"categorie={random.choice(categories)}")
    r = random.random()
    if r < 0.25: q.append(f"region={random.choice(regions)}")
    elif r < 0.4: q.append(f"departement={random.choice(deps)}")
    if random.random() < 0.2: q.append(f"canal={random.choice(['site', 'api', 'module'])}")
    paths.append("/observatoire?" + "&".join(q))
with open(f"{tmp}/dashboards.lua", "w") as f:
    f.write("local paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n")
    f.write('wrk.headers["Cookie"] = "cyberdir_session=' + session + '"\n')
    f.write("math.randomseed(20261201)\n")
    f.write('request = function()\n  return wrk.format("GET", paths[math.random(#paths)])\nend\n')
PY
# The first view catches the facts up into memory (once per process): not part of the run.
curl -s -o /dev/null -b "cyberdir_session=$SESSION" "$BASE/observatoire"

target() {
    case $1 in
        healthz) path=/healthz ;;
        dashboards) path=/ extra="$TMP/dashboards.lua" ;;
        statistics) path=/statistiques ;;
    esac
}
run_all healthz dashboards statistics
print_table
