#!/usr/bin/env bash
# Every other staff list at scale (issue 29: search, filter and sort under 100 ms; exports
# streamed): the organisations' list has its own script (staff_list_load.sh).
#
# One run: builds the release binary (unless SKIP_BUILD=1), seeds a fresh SQLite database with
# LARGE organisations made the demo's way (`cyberdir seed --demo --providers N`, default
# 100,000), starts `cyberdir serve` (its first start adds the demo's cases), then fills it as a
# busy year would, by copying the demo's own rows with new keys, places, names and dates:
#   REQUESTS assistance requests (default 100,000) in every state over twelve months,
#   LABELS labels (default one organisation in six: 16,667 at 100,000) with their applications,
#   FAILED failed emails (default 5,000), half of them about a request.
# Then, signed in as staff (and as an admin for the accounts), it asks each list 200 varied
# addresses one at a time (searches, filters, every sort both ways, page sizes, pages up to the
# last) and prints p50 / p95 / max of the answer's time and the server's own (Server-Timing),
# then downloads each list's CSV export of everything, reading the server's resident memory
# before and after (VmRSS) and its peak (VmHWM).
#
# Usage: [LARGE=100000] [REQUESTS=100000] [LABELS=] [FAILED=5000] bash benches/staff_lists_scale.sh
# Needs: cargo, curl, python3, wrk (for the shared set-up; installed with apt-get when missing).

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME=staff-lists
LARGE="${LARGE:-100000}"
REQUESTS="${REQUESTS:-100000}"
LABELS="${LABELS:-$((LARGE / 6))}"
FAILED="${FAILED:-5000}"
# shellcheck source=benches/wrk_common.sh
. "$ROOT/benches/wrk_common.sh"

log "seeding $LARGE organisations"
seed_started=$SECONDS
DATABASE_URL="sqlite://$TMP/bench.db" RUST_LOG=warn "$BIN" seed --demo --providers "$LARGE" \
    >/dev/null 2>"$TMP/seed.log" || { cat "$TMP/seed.log" >&2; die "seeding failed"; }
log "seeded in $((SECONDS - seed_started)) s"
PASSWORD="Listes-du-back-office-$RANDOM-$RANDOM-essai"
for who in staff admin; do
    echo "$PASSWORD" | DATABASE_URL="sqlite://$TMP/bench.db" RUST_LOG=warn "$BIN" users create \
        --email "banc-$who@cyberdir.test" --role "$who" --name "Banc d'essai $who" >/dev/null
done
# The rows copied come from the demo's own first start, on a database of their own.
log "starting the demo once for the rows to copy"
(cd "$TMP" && exec env DATABASE_URL="sqlite://$TMP/demo.db" CYBERDIR_BIND="$HOST:$((PORT + 1))" \
    RUST_LOG=warn "$BIN" serve) >"$TMP/demo.log" 2>&1 &
DEMO_PID=$!
until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://$HOST:$((PORT + 1))/readyz" || true)" = 200 ]; do
    kill -0 "$DEMO_PID" 2>/dev/null || { cat "$TMP/demo.log" >&2; die "the demo exited"; }
    sleep 0.5
done
kill "$DEMO_PID" && wait "$DEMO_PID" 2>/dev/null || true
start_server

log "filling: $REQUESTS requests, $LABELS labels, $FAILED failed emails"
python3 - "$TMP/bench.db" "$REQUESTS" "$LABELS" "$FAILED" "$TMP/demo.db" <<'PY'
import datetime, random, re, sqlite3, sys, unicodedata, uuid
db, requests, labels, failed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
random.seed(20261206)
conn = sqlite3.connect(db, timeout=60)
conn.row_factory = sqlite3.Row
demo = sqlite3.connect(sys.argv[5])
demo.row_factory = sqlite3.Row
staff_id = conn.execute("SELECT id FROM users WHERE email = 'banc-staff@cyberdir.test'").fetchone()[0]

def template(table, where=""):
    row = demo.execute(f"SELECT * FROM {table} {where} LIMIT 1").fetchone()
    if row is None:
        sys.exit(f"no {table} row to copy in the demo")
    return dict(row)

def insert(table, rows):
    if not rows:
        return
    cols = list(rows[0])
    conn.executemany(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [[r[c] for c in cols] for r in rows])

def words_of(*texts):
    """The service's folding (`domain::text::fold`) for these ASCII-able texts."""
    text = unicodedata.normalize("NFKD", " ".join(t for t in texts if t)).lower()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return sorted({w for w in re.split(r"[^a-z0-9]+", text) if w})

def stamp(days_ago, seconds):
    t = datetime.datetime(2026, 12, 6, 9) - datetime.timedelta(days=days_ago, seconds=seconds)
    return t.strftime("%Y-%m-%d %H:%M:%S")

first = ["Camille", "Dominique", "Claude", "Alex", "Sacha", "Marie", "Jean", "Nadia", "Karim",
         "Sophie", "Lucas", "Léa", "Hugo", "Chloé", "Mairie", "Association", "Cabinet"]
last = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
        "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "de Saint-Malo", "des Lilas"]
places = conn.execute(
    "SELECT p.postcode, p.commune_code, c.departement_code, c.latitude, c.longitude "
    "FROM postcodes p JOIN communes c ON c.code = p.commune_code").fetchall()
if not places:
    sys.exit("no postcodes in the database")
incidents = [r[0] for r in conn.execute("SELECT code FROM incident_types")]
providers = [r[0] for r in conn.execute("SELECT id FROM providers ORDER BY id")]
statuses = ["assigned"] * 9 + ["accepted"] * 10 + ["escalated"] * 2 + \
    ["resolved"] * 40 + ["not_resolved"] * 10 + ["cancelled"] * 8 + ["closed"] * 21

base = template("assistance_requests")
rows = []
for i in range(requests):
    place = random.choice(places)
    name = f"{random.choice(first)} {random.choice(last)}"
    status = random.choice(statuses)
    days = random.randint(0, 364)
    created = stamp(days, random.randint(0, 86_399))
    updated = stamp(max(0, days - random.randint(0, 10)), random.randint(0, 3_600))
    row = dict(base)
    row.update(
        id=str(uuid.uuid4()), tracking_hash=uuid.uuid4().hex + uuid.uuid4().hex, status=status,
        postcode=place[0], commune_code=place[1], departement=place[2], latitude=place[3],
        longitude=place[4], incident_type=random.choice(incidents),
        contact_name=name, contact_email=f"{name.split()[0].lower()}.{i}@exemple.fr",
        provider_id=None if status == "escalated" else random.choice(providers),
        chosen_provider_id=None, idempotency_key=None, created_at=created,
        updated_at=max(created, updated), closed_at=None, anonymised_at=None,
        urgent=random.random() < 0.05, failed_assignments=random.choice([0, 0, 0, 1, 2]),
        audience=random.choice(["particulier", "professionnel", "collectivite"]))
    rows.append(row)
    if len(rows) == 5_000:
        insert("assistance_requests", rows)
        insert("request_search_words", [
            {"word": w, "request_id": r["id"]} for r in rows
            for w in words_of(r["contact_name"], r["contact_email"], r["postcode"])])
        rows = []
insert("assistance_requests", rows)
insert("request_search_words", [
    {"word": w, "request_id": r["id"]} for r in rows
    for w in words_of(r["contact_name"], r["contact_email"], r["postcode"])])
request_ids = [r[0] for r in conn.execute("SELECT id FROM assistance_requests LIMIT 10000")]

labelled = {r[0] for r in conn.execute("SELECT provider_id FROM labels")}
free = [p for p in providers if p not in labelled]
random.shuffle(free)
label = template("labels")
application = template("label_applications")
label_rows, application_rows = [], []
for k, provider in enumerate(free[:labels]):
    days = random.randint(0, 900)
    valid_from = (datetime.date(2026, 12, 6) - datetime.timedelta(days=days))
    status = "valid" if days < 730 else "expired"
    if random.random() < 0.03:
        status = random.choice(["suspended", "withdrawn"])
    number = f"EC-{valid_from.year}-{50000 + k:05d}"
    row = dict(label)
    row.update(number=number, provider_id=provider, status=status,
               valid_from=valid_from.isoformat(),
               valid_until=(valid_from + datetime.timedelta(days=730)).isoformat(),
               created_at=stamp(days, 0), suspension_cause=None, renewal_until=None,
               withdrawn_at=stamp(days // 2, 0) if status == "withdrawn" else None)
    label_rows.append(row)
    app = dict(application)
    app_status = "granted" if random.random() < 0.8 else random.choice(
        ["submitted", "admissibility", "incomplete", "admissible", "audit_scheduled",
         "audited", "corrective_actions", "decision", "refused"])
    app.update(id=str(uuid.uuid4()), provider_id=provider, status=app_status, created_by=staff_id,
               label_number=number if app_status == "granted" else None,
               auditor_id=None, audit_date=None, created_at=stamp(days + 60, 0),
               submitted_at=stamp(days + 59, 0), updated_at=stamp(days, k % 86_400))
    application_rows.append(app)
insert("labels", label_rows)
insert("label_applications", application_rows)

mail = template("outbox", "WHERE request_id IS NULL")
mails = []
for i in range(failed):
    about = random.choice(request_ids) if i % 2 == 0 else None
    who = f"{random.choice(first).lower()}.{i}@{random.choice(['exemple.fr', 'mairie-test.fr', 'orange.test'])}"
    row = dict(mail)
    row.update(id=str(uuid.uuid4()), recipient=who, status="failed", attempts=random.randint(3, 9),
               subject=random.choice(["Votre demande d'assistance", "Nouvelle demande près de chez vous",
                                      "Votre dossier de référencement", "Rappel : audit du label"]),
               last_error=random.choice(["permanent error (550): 5.1.1 Mailbox unavailable",
                                         "connection refused", "permanent error (552): mailbox full"]),
               created_at=stamp(random.randint(0, 364), random.randint(0, 86_399)),
               request_id=about, claimed_by=None, claimed_until=None, sent_at=None)
    mails.append(row)
insert("outbox", mails)
conn.commit()
for table in ["assistance_requests", "request_search_words", "labels", "label_applications", "outbox"]:
    print(f"{table}: {conn.execute(f'SELECT count(*) FROM {table}').fetchone()[0]} rows", file=sys.stderr)
conn.execute("ANALYZE")
conn.commit()
PY

# KEEP_DB=path keeps a copy of the filled database, to study its queries.
[ -n "${KEEP_DB:-}" ] && cp "$TMP/bench.db" "$KEEP_DB"

sign_in() {
    curl -s -c - -o /dev/null -H 'Content-Type: application/json' \
        -d "{\"email\":\"banc-$1@cyberdir.test\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/session" |
        awk '$0 !~ /^#/ || $0 ~ /^#HttpOnly_/ { if (NF >= 7) print $6 "=" $7 }' | head -n 1
}
STAFF=$(sign_in staff)
ADMIN=$(sign_in admin)
[ -n "$STAFF" ] && [ -n "$ADMIN" ] || die "could not sign in"

python3 - "$TMP/bench.db" "$BASE" "$STAFF" "$ADMIN" "$SERVER_PID" <<'PY'
import random, re, sqlite3, sys, time, urllib.parse, urllib.request
db, base, staff, admin, pid = sys.argv[1:6]
random.seed(20261206)
conn = sqlite3.connect(db)
def pick(sql, n=40):
    return [r[0] for r in conn.execute(sql + f" ORDER BY random() LIMIT {n}")]

def url(path, pairs):
    return path + "?" + urllib.parse.urlencode([(k, v) for k, v in pairs if v])

def sizes():
    return random.choice(["", "", "50", "100"])

def lists():
    names = pick("SELECT contact_name FROM assistance_requests WHERE contact_name IS NOT NULL")
    emails = pick("SELECT contact_email FROM assistance_requests WHERE contact_email IS NOT NULL")
    postcodes = pick("SELECT postcode FROM assistance_requests WHERE postcode IS NOT NULL")
    incidents = [r[0] for r in conn.execute("SELECT code FROM incident_types")]
    requests = conn.execute("SELECT count(*) FROM assistance_requests").fetchone()[0]
    out = {"demandes": [], "label": [], "labels": [], "courriels": [], "partenaires": [],
           "alertes": [], "utilisateurs": []}
    for _ in range(200):
        q = random.choice(["", "", "", random.choice(names).split()[-1], random.choice(emails),
                           random.choice(postcodes), random.choice(names)])
        filtered = bool(q) or random.random() < 0.5
        pairs = [("q", q), ("tri", random.choice(["", "recue", "-recue", "modifiee"])),
                 ("par", sizes())]
        if filtered:
            pairs += random.choice([[("departement", random.choice(["35", "75", "13", "2A", "974"]))],
                                    [("incident", random.choice(incidents))],
                                    [("urgentes", "oui")], [("etat", random.choice(["assigned", "accepted", "resolved", "escalated"]))],
                                    [("du", "2026-06-01"), ("au", "2026-06-30")], []])
        last = max(1, requests // 20)
        pairs.append(("page", str(random.randint(1, last if not filtered else 3))))
        out["demandes"].append(url("/instruction/demandes", pairs))
    words = pick("SELECT name FROM providers p JOIN labels l ON l.provider_id = p.id")
    numbers = pick("SELECT number FROM labels")
    for _ in range(200):
        q = random.choice(["", "", random.choice(words).split()[0], random.choice(words)])
        out["label"].append(url("/instruction/label", [
            ("q", q), ("etat", random.choice(["", "", "granted", "submitted", "audit_scheduled", "tous"])),
            ("tri", random.choice(["", "prestataire", "-prestataire", "etat", "audit", "-modifie", "modifie"])),
            ("par", sizes()), ("page", str(random.randint(1, 40 if not q else 2)))]))
        q = random.choice(["", "", random.choice(words).split()[0], random.choice(numbers),
                           random.choice(numbers).replace("-", "")])
        out["labels"].append(url("/instruction/labels", [
            ("q", q), ("etat", random.choice(["", "", "tous", "expired", "suspended"])),
            ("tri", random.choice(["", "numero", "-numero", "prestataire", "-prestataire", "fin", "-fin"])),
            ("par", sizes()), ("page", str(random.randint(1, 150 if not q else 2)))]))
    mails = pick("SELECT recipient FROM outbox WHERE status = 'failed'")
    for _ in range(200):
        q = random.choice(["", "", random.choice(mails), random.choice(mails).split("@")[1], "audit"])
        out["courriels"].append(url("/instruction/courriels", [
            ("q", q), ("tri", random.choice(["", "cree", "objet", "-objet", "destinataire", "-destinataire"])),
            ("par", sizes()), ("page", str(random.randint(1, 50 if not q else 2)))]))
    for _ in range(50):
        out["partenaires"].append(url("/partenaires", [("q", random.choice(["", "mairie", "cci"])), ("par", sizes())]))
        out["alertes"].append(url("/observatoire/alertes", [("q", random.choice(["", "rançongiciel", "hameçonnage"])), ("par", sizes())]))
        out["utilisateurs"].append(url("/admin/utilisateurs", [("q", random.choice(["", "banc", "cyberdir"])), ("par", sizes())]))
    return out

def rss(key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])

def pct(xs, p):
    xs = sorted(xs)
    return xs[max(0, -(-len(xs) * p // 100) - 1)]

print("list            addresses  wall p50 / p95 / max (ms)   server p95 (ms)   non-200")
for name, paths in lists().items():
    cookie = admin if name == "utilisateurs" else staff
    wall, server, bad, slow = [], [], 0, []
    for p in paths:
        req = urllib.request.Request(base + p, headers={"Cookie": cookie})
        t = time.perf_counter()
        try:
            with urllib.request.urlopen(req) as r:
                r.read()
                timing = r.headers.get("Server-Timing", "")
        except urllib.error.HTTPError as e:
            bad += 1
            e.read()
            timing = e.headers.get("Server-Timing", "")
            print(f"  {e.code} {p}", file=sys.stderr)
        wall.append((time.perf_counter() - t) * 1000)
        slow.append((wall[-1], p))
        m = re.search(r"dur=([\d.]+)", timing)
        if m:
            server.append(float(m.group(1)))
    for ms, p in sorted(slow, reverse=True)[:5]:
        print(f"  slowest {ms:7.1f} ms {p}", file=sys.stderr)
    print(f"{name:<15} {len(paths):>9}  {pct(wall, 50):6.1f} / {pct(wall, 95):6.1f} / {max(wall):6.1f}"
          f"      {pct(server, 95) if server else float('nan'):8.1f}   {bad:>7}")

print("\nexport (everything)                     lines      bytes   seconds  RSS before / after / peak (KB)")
for path, cookie in [("/instruction/demandes.csv", staff), ("/instruction/label.csv?etat=tous", staff),
                     ("/instruction/labels.csv?etat=tous", staff), ("/instruction/courriels.csv", staff)]:
    before = rss("VmRSS")
    t = time.perf_counter()
    req = urllib.request.Request(base + path, headers={"Cookie": cookie})
    with urllib.request.urlopen(req) as r:
        body = r.read()
    took = time.perf_counter() - t
    lines = body.count(b"\n") - 1
    print(f"{path:<38} {lines:>7} {len(body):>10} {took:9.2f}  {before} / {rss('VmRSS')} / {rss('VmHWM')}")
PY
