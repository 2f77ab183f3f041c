#!/usr/bin/env bash
# HTTP load benchmark of the diagnostic: a step through the API and through the pages, against
# the liveness probe in the same run (target: a step at least 0.5 × /healthz, since it is a
# lookup in memory).
#
# One run: builds the release binary (unless SKIP_BUILD=1), starts `cyberdir serve` on a fresh
# SQLite database (the bundled geography and the demo set are loaded on the first start), then
# runs wrk with the same settings against
#   GET  /healthz                                  the floor
#   POST /healthz with a JSON body                 the floor of any JSON POST (answered 405)
#   POST /api/v1/diagnostic/evaluate, one body     one answer set, no Lua per request
#   POST /api/v1/diagnostic/evaluate               varied: every request is one of the tree's
#                                                  answer prefixes (all paths, all audiences)
#   GET  /diagnostic                               the first question page
#   GET  /diagnostic/{journey}/question/{q}        varied: a journey made beforehand at each
#                                                  point of the tree where a question is asked
#                                                  (reads the journey row: one database read)
#   GET  /diagnostic/{journey}/resultat            varied: a journey at each outcome of the tree
#                                                  (the journey, and the alerts in force)
# and prints requests/s, p50/p90/p99, the server's own p50/p99 and the ratios to /healthz
# (benches/wrk_common.sh).
#
# Usage: CONNECTIONS=64 bash benches/diagnostic_load.sh
# Settings: DURATION=10s WARMUP=3s THREADS=2 CONNECTIONS=64 PORT= SKIP_BUILD=1
# Needs: cargo, curl, python3, wrk (installed with apt-get when missing and run as root).

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME=diagnostic-load
# shellcheck source=benches/wrk_common.sh
. "$ROOT/benches/wrk_common.sh"
start_server

# Every answer prefix of the tree in force, as evaluate bodies, and a journey for each, made
# through the pages' forms, ending at a question or at a result.
curl -s "$BASE/api/v1/diagnostic" >"$TMP/tree.json"
python3 - "$TMP" "$BASE" <<'PY'
import json, sys, urllib.request, urllib.parse, random
tmp, base = sys.argv[1], sys.argv[2]
tree = json.load(open(f"{tmp}/tree.json"))["tree"]
qs = tree["question"]
prefixes = []
def walk(q, audience, answers):
    prefixes.append(dict(answers))
    for c in qs[q]["choices"]:
        offered = c.get("audiences")
        if offered and audience not in offered:
            continue
        a = dict(answers); a[q] = c["id"]
        aud = c.get("audience", audience)
        if "next" in c:
            walk(c["next"], aud, a)
        else:
            prefixes.append(a)
walk(tree["start"], None, {})
random.seed(20261201)
random.shuffle(prefixes)
bodies = [json.dumps({"answers": p}).replace("\\", "\\\\").replace('"', '\\"') for p in prefixes]
with open(f"{tmp}/evaluate.lua", "w") as f:
    f.write("local bodies = {" + ",".join(f'"{b}"' for b in bodies) + "}\n")
    f.write("math.randomseed(20261201)\n")
    f.write('request = function()\n  return wrk.format("POST", "/api/v1/diagnostic/evaluate", {["Content-Type"]="application/json"}, bodies[math.random(#bodies)])\nend\n')
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k): return None
opener = urllib.request.build_opener(NoRedirect)
def post(path, choice):
    req = urllib.request.Request(base + path, data=urllib.parse.urlencode({"choix": choice}).encode(), method="POST")
    try:
        opener.open(req)
    except urllib.error.HTTPError as e:
        return e.headers["Location"]
questions, results = [], []
for answers in (p for p in prefixes if p):
    q, location = tree["start"], None
    while q in answers:
        choice = answers[q]
        location = post("/diagnostic" if location is None else location, choice)
        c = next(c for c in qs[q]["choices"] if c["id"] == choice)
        if "next" not in c: break
        q = c["next"]
    if location:
        (results if location.endswith("/resultat") else questions).append(location)
def lua(name, pages):
    with open(f"{tmp}/{name}.lua", "w") as f:
        f.write("local pages = {" + ",".join(f'"{p}"' for p in pages) + "}\n")
        f.write("math.randomseed(20261201)\n")
        f.write('request = function()\n  return wrk.format("GET", pages[math.random(#pages)])\nend\n')
lua("questions", questions)
lua("results", results)
print(f"{len(prefixes)} evaluate bodies, {len(questions)} journeys at a question, {len(results)} at their result", file=sys.stderr)
PY

# One fixed answer set (no Lua per request, like /healthz), and the floor of any JSON POST: a
# body sent to /healthz, which refuses the method (405) after the middleware has read the body.
cat >"$TMP/evaluate_one.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"answers":{"public":"particulier","situation":"message","message":"video"}}'
wrk.headers["Content-Type"] = "application/json"
LUA
cat >"$TMP/post_floor.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"answers":{"public":"particulier","situation":"message","message":"video"}}'
wrk.headers["Content-Type"] = "application/json"
LUA

target() {
    case $1 in
        healthz) path=/healthz ;;
        post_floor) path=/healthz extra="$TMP/post_floor.lua" ;;
        evaluate_one) path=/api/v1/diagnostic/evaluate extra="$TMP/evaluate_one.lua" ;;
        evaluate) path=/ extra="$TMP/evaluate.lua" ;;
        start_page) path=/diagnostic ;;
        question_page) path=/ extra="$TMP/questions.lua" ;;
        result_page) path=/ extra="$TMP/results.lua" ;;
    esac
}
run_all healthz post_floor evaluate_one evaluate start_page question_page result_page
print_table
