#!/usr/bin/env bash
# The observatory's protection and τ-ARGUS's side by side on one month (BENCHMARKS.md,
# "Statistical secrecy"): seeds a year of synthetic facts into a fresh SQLite file, writes the
# month's counts, protects them with τ-ARGUS (pytauargus from PyPI, in a virtualenv under
# target/), then audits every table with the observatory's attacker.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${SIDE_BY_SIDE_DIR:-target/secrecy-side-by-side}
rm -rf "$work" && mkdir -p "$work"
venv=target/tauargus-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q "pytauargus==0.6.0"
cargo build -q --release --features postgres
db="$work/observatory.db"
DATABASE_URL="sqlite://$PWD/$db" target/release/cyberdir seed --observatory 1 >/dev/null
export DATABASE_URL="sqlite://$PWD/$db" SIDE_BY_SIDE_DIR="$PWD/$work"
cargo bench -q --features postgres --bench secrecy_side_by_side
# τ-ARGUS writes its logs (HiTaS.log, CSPlogfile.txt, JJUit.dat) where it runs: in the work dir.
(cd "$work" && "$OLDPWD/$venv/bin/python" "$OLDPWD/benches/tauargus_side_by_side.py" .)
cargo bench -q --features postgres --bench secrecy_side_by_side
