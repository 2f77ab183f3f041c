#!/usr/bin/env bash
# The least value any protection can hide from the observatory's reader, month by month,
# against what the service hides and what τ-ARGUS hides (BENCHMARKS.md, "The least any
# protection can hide"). For each month given (YYYY-MM; October 2026 when none): the month's
# table from the synthetic year of `benches/secrecy_side_by_side.sh` (seeded here if absent),
# τ-ARGUS's modular method on it, the exact optimum (HiGHS, `benches/secrecy_optimum.py`), and
# every pattern audited by the service's attacker (`protect_interior`).
set -euo pipefail
cd "$(dirname "$0")/.."
months=("$@")
[ ${#months[@]} -gt 0 ] || months=(2026-10)
root=${SECRECY_OPTIMUM_DIR:-target/secrecy-optimum}
db=target/secrecy-side-by-side/observatory.db
mkdir -p "$root" target/secrecy-side-by-side
venv() { # DIR PACKAGE...
    [ -x "$1/bin/python" ] || python3 -m venv "$1"
    "$1/bin/pip" install -q "${@:2}"
}
venv target/tauargus-venv "pytauargus==0.6.0"
venv target/optimum-venv "highspy==1.16.0" numpy scipy
cargo build -q --release --features postgres
cargo build -q --release -p cyberdir-domain --example protect_interior
[ -f "$db" ] || DATABASE_URL="sqlite://$PWD/$db" target/release/cyberdir seed --observatory 1 >/dev/null
for month in "${months[@]}"; do
    work="$root/$month"
    rm -rf "$work" && mkdir -p "$work"
    DATABASE_URL="sqlite://$PWD/$db" SIDE_BY_SIDE_DIR="$PWD/$work" SIDE_BY_SIDE_MONTH="$month" \
        cargo bench -q --features postgres --bench secrecy_side_by_side >"$work/service.txt"
    (cd "$work" && "$OLDPWD/target/tauargus-venv/bin/python" "$OLDPWD/benches/tauargus_side_by_side.py" . >/dev/null)
    target/optimum-venv/bin/python benches/secrecy_optimum.py "$work" --tauargus >/dev/null
    target/optimum-venv/bin/python benches/secrecy_optimum.py "$work" >"$work/optimum.txt"
    echo "== $month: $(tail -1 "$work/optimum.txt")"
    grep '^cyberdir' "$work/service.txt"
    for pattern in "$work/optimum-hidden.txt" "$work"/tauargus-*.hidden.txt; do
        [ -f "$pattern" ] || continue
        target/release/examples/protect_interior "$work/interior.csv" "$pattern"
    done
done
