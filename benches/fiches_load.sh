#!/usr/bin/env bash
# HTTP load benchmark of the fiches (issue 26): a fiche's page and a diagnostic's result page,
# against the liveness probe in the same run (target: at least 0.5 × /healthz, since a fiche is
# rendered once per version and a result is its fiche's lists with a few contacts).
#
# One run: builds the release binary (unless SKIP_BUILD=1), starts `cyberdir serve` on a fresh
# SQLite database, then runs wrk with the same settings against
#   GET /healthz                      the floor
#   GET /fiches/rancongiciel          one fiche
#   GET /fiches/{slug}                varied: every fiche of the library, drawn at random
#   GET /fiches?q=…&public=…          varied: the library searched (words × publics)
#   GET /diagnostic/{journey}/resultat varied: a journey made beforehand at each outcome
# and prints requests/s, p50/p90/p99, the server's own p50/p99 and the ratios to /healthz.
#
# Usage: bash benches/fiches_load.sh     Settings: DURATION=10s WARMUP=3s THREADS=2
# CONNECTIONS=64 PORT= SKIP_BUILD=1. Needs: cargo, curl, python3, wrk.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME=fiches-load
# shellcheck source=benches/wrk_common.sh
. "$ROOT/benches/wrk_common.sh"
start_server

curl -s "$BASE/api/v1/diagnostic" >"$TMP/tree.json"
python3 - "$TMP" "$BASE" "$ROOT" <<'PY'
import json, os, sys, urllib.request, urllib.parse, random
tmp, base, root = sys.argv[1:4]
random.seed(20261205)
slugs = sorted(f[:-3] for f in os.listdir(f"{root}/fixtures/content/fiches") if f.endswith(".md"))
words = ["rançon", "mot de passe", "banque", "sms", "faux conseiller", "site", "données", "compte",
         "harcèlement", "wifi", "sauvegarde", "arnaque", "virement", "carte", "téléphone"]
searches = [f"/fiches?q={urllib.parse.quote(w)}&public={p}" for w in words
            for p in ["", "particulier", "entreprise", "collectivite"]]
tree = json.load(open(f"{tmp}/tree.json"))["tree"]
qs = tree["question"]
ends = []
def walk(q, audience, answers):
    for c in qs[q]["choices"]:
        offered = c.get("audiences")
        if offered and audience not in offered:
            continue
        a = answers + [(q, c["id"])]
        aud = c.get("audience", audience)
        if "next" in c: walk(c["next"], aud, a)
        else: ends.append(a)
walk(tree["start"], None, [])
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k): return None
opener = urllib.request.build_opener(NoRedirect)
def post(path, choice):
    req = urllib.request.Request(base + path, data=urllib.parse.urlencode({"choix": choice}).encode(), method="POST")
    try: opener.open(req)
    except urllib.error.HTTPError as e: return e.headers["Location"]
results = []
for answers in ends:
    location = None
    for q, choice in answers:
        location = post("/diagnostic" if location is None else location, choice)
    if location and location.endswith("/resultat"):
        results.append(location.replace(base, ""))
def lua(name, pages):
    with open(f"{tmp}/{name}.lua", "w") as f:
        f.write("local pages = {" + ",".join(json.dumps(p) for p in pages) + "}\n")
        f.write("math.randomseed(20261205)\n")
        f.write('request = function()\n  return wrk.format("GET", pages[math.random(#pages)])\nend\n')
lua("fiches", [f"/fiches/{s}" for s in slugs])
lua("searches", searches)
lua("results", results)
print(f"{len(slugs)} fiches, {len(searches)} searches, {len(results)} journeys at their result", file=sys.stderr)
PY

target() {
    case $1 in
        healthz) path=/healthz ;;
        fiche_one) path=/fiches/rancongiciel ;;
        fiche) path=/ extra="$TMP/fiches.lua" ;;
        search) path=/ extra="$TMP/searches.lua" ;;
        result_page) path=/ extra="$TMP/results.lua" ;;
    esac
}
run_all healthz fiche_one fiche search result_page
print_table
