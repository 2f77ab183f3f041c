"""Late cases for a month's table, to measure what a correction costs.

Reads a table as `type,audience,region,count` lines (the `interior.csv` of
`benches/secrecy_side_by_side.sh`) and writes the same table with late cases added to
OUT_DIR/interior.csv, for `protect_interior FILE --revised OUT_DIR/interior.csv`:

- `--rate P`: each case of each cell has a late twin with probability P (binomial), so the
  late cases land only on cells already counted;
- `--spread N`: N late cases over every cell of the cube (every combination of the codes
  present), with weights count + 1/2, so some land on cells published as 0.

Standard library only; `--seed` makes a draw repeatable. Prints how many late cases were
added and how many landed on cells that were 0.
"""

import argparse
import csv
import itertools
import random
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table")
    parser.add_argument("out_dir")
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--rate", type=float)
    how.add_argument("--spread", type=int)
    parser.add_argument("--seed", type=int, default=2027)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with open(args.table, newline="") as f:
        rows = [(r["type"], r["audience"], r["region"], int(r["count"])) for r in csv.DictReader(f)]
    axes = [sorted({r[k] for r in rows}) for k in range(3)]
    counts = {key: 0 for key in itertools.product(*axes)}
    for t, a, g, n in rows:
        counts[(t, a, g)] = n

    late = dict.fromkeys(counts, 0)
    if args.rate is not None:
        for key, n in counts.items():
            late[key] = sum(rng.random() < args.rate for _ in range(n))
    else:
        keys = list(counts)
        weights = [counts[k] + 0.5 for k in keys]
        for key in rng.choices(keys, weights=weights, k=args.spread):
            late[key] += 1

    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "interior.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["type", "audience", "region", "count"])
        for key in counts:
            if counts[key] + late[key] > 0:
                writer.writerow([*key, counts[key] + late[key]])
    on_zero = sum(n for key, n in late.items() if counts[key] == 0)
    print(f"{sum(late.values())} late cases, {on_zero} on cells that were 0 -> {out / 'interior.csv'}")


if __name__ == "__main__":
    main()
