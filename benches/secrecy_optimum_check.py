"""Checks `secrecy_optimum.py --earlier` (the least a correction can hide) against trying every
pattern, on tables small enough: 2 x 2 x 3 tables of random counts, a first publication
protected by the service (`protect_interior`), then late cases, at least one on a cell
published as 0. For each table it prints the script's optimum, the brute force's and the
service's correction. The script's optimum, by cuts alone and with `--grown-exact 20`, must
equal the brute force's, and the pattern of the run with `--grown-exact` must expose
nothing to the service's attacker (a second programme and solver) reading both revisions.
A grown zero's change written too loose would be mended by the cuts; one written too tight
makes the check fail.

Usage: target/optimum-venv/bin/python benches/secrecy_optimum_check.py [SEED] [TABLES]
(after `cargo build --release -p cyberdir-domain --example protect_interior`).
"""

import csv
import importlib.util
import itertools
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("optimum", HERE / "secrecy_optimum.py")
optimum = importlib.util.module_from_spec(spec)
spec.loader.exec_module(optimum)
PROTECT = HERE.parent / "target/release/examples/protect_interior"
SHAPE = (2, 2, 3)


def write(path, cube):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["type", "audience", "region", "count"])
        for (t, a, g), n in cube.items():
            out.writerow([f"t{t}", f"a{a}", f"r{g}", n])


def brute_force(rev):
    """The least value hidden by any pattern that keeps every small count in doubt."""
    sizes, values, shape, axes = optimum.read_cube(rev / "interior.csv")
    _, values1, _, _ = optimum.read_cube(rev.parent / "first.csv", axes)
    hidden1 = np.loadtxt(rev / "earlier-hidden.txt", dtype=int).astype(bool)
    a_matrix = optimum.equations(sizes, shape)
    small = (values >= 1) & (values < optimum.THRESHOLD)
    always = small | (hidden1 & (values > 0))
    candidate = np.flatnonzero((values >= optimum.THRESHOLD) & ~always)
    fixed = int(values[always & ~small].sum())
    best = None
    for k in range(len(candidate) + 1):
        for chosen in itertools.combinations(candidate, k):
            value = fixed + int(values[list(chosen)].sum())
            if best is not None and value >= best:
                continue
            hidden = always.copy()
            hidden[list(chosen)] = True
            reader = optimum.Reader(a_matrix, values, hidden, (values1, hidden1))
            if all(
                reader.rise(s)[0] >= optimum.THRESHOLD - values[s] - 1e-6
                for s in np.flatnonzero(small)
            ):
                best = value
    return best, len(candidate)


def main():
    rng = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    tables = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    work = Path(tempfile.mkdtemp(prefix="optimum-check-"))
    done = 0
    while done < tables:
        cells = list(itertools.product(*map(range, SHAPE)))
        first = {k: rng.choice([0, 0, 2, 5, 9, 14, 25, 40]) for k in cells}
        first[cells[0]] = 0
        # Every code must be present in the first table (the axes are read from the codes).
        if any(
            all(first[k] == 0 for k in cells if k[d] == v) for d in range(3) for v in range(SHAPE[d])
        ):
            continue
        late = dict(first)
        late[cells[0]] = rng.choice([1, 2, 3])
        # Late cases elsewhere too: enough, on some cells, to take a grown zero's rise.
        for _ in range(3):
            late[rng.choice(cells)] += rng.choice([0, 1, 4, 9])
        table = work / f"t{done}"
        write(table / "first.csv", first)
        write(table / "rev" / "interior.csv", late)
        service = subprocess.run(
            [PROTECT, table / "first.csv", "--revised", table / "rev" / "interior.csv"],
            capture_output=True, text=True, check=True,
        ).stdout.strip().splitlines()[-1]
        # The optimum by cuts alone, and with the grown zero's moves in the master.
        values = []
        for grown in ([], ["--grown-exact", "20"]):
            script = subprocess.run(
                [sys.executable, HERE / "secrecy_optimum.py", table / "rev", "--earlier",
                 table / "first.csv", "--earlier-hidden", table / "rev" / "earlier-hidden.txt",
                 "--seconds", "60", *grown],
                capture_output=True, text=True, check=True,
            ).stdout
            found = [line for line in script.splitlines() if line.startswith("optimal")]
            values.append(int(found[0].split(": ")[1].split()[0]) if found else None)
        value, value_grown = values
        # The optimum's pattern, audited by the service's attacker reading both revisions.
        audit = subprocess.run(
            [PROTECT, table / "first.csv", "--revised", table / "rev" / "interior.csv",
             table / "rev" / "optimum-hidden.txt"],
            capture_output=True, text=True, check=True,
        ).stdout
        exposed = [line for line in audit.splitlines() if "exposed reading both" in line][0]
        if " 0 exposed" not in exposed:
            sys.exit(f"the optimum's pattern is exposed: {exposed}")
        best, candidates = brute_force(table / "rev")
        verdict = "equal" if value == best == value_grown else "DIFFERENT"
        print(f"table {done}: {candidates} candidates; script {value} (grown zeros in the "
              f"master: {value_grown}), brute force {best}: {verdict}; service: "
              f"{service.split(': ', 1)[1].split(',')[0]}", flush=True)
        if verdict != "equal":
            sys.exit(1)
        done += 1


if __name__ == "__main__":
    main()
