"""τ-ARGUS (pytauargus, HiGHS) on the month's table the bench wrote (DIR/interior.csv): one
case per row as microdata, the frequency rule at the observatory's threshold (a count from 1
to 10 is unsafe), then each suppression method below; every cell of each protected table is
written to DIR/tauargus-<name>.csv for the bench to audit with the observatory's attacker.

Usage: python tauargus_side_by_side.py DIR
"""

import csv
import sys
import time
from pathlib import Path

from pytauargus import protect

# name -> (safety rule, suppression). FREQ(11, p): fewer than 11 contributors is unsafe,
# with a protection range of p % ; MOD: the modular (hypercube per subtable, HiTaS) method.
METHODS = {
    "modular": ("FREQ(11,0)", "MOD(1,5,1,1,1)"),
    "modular-range30": ("FREQ(11,30)", "MOD(1,5,1,1,1)"),
}


def main() -> None:
    work = Path(sys.argv[1])
    micro = {"typ": [], "aud": [], "reg": [], "one": []}
    with open(work / "interior.csv", newline="") as f:
        for row in csv.DictReader(f):
            for _ in range(int(row["count"])):
                micro["typ"].append(row["type"])
                micro["aud"].append(row["audience"])
                micro["reg"].append(row["region"])
                micro["one"].append(1)
    print(f"{len(micro['one'])} cases", flush=True)
    for name, (safety, suppress) in METHODS.items():
        started = time.monotonic()
        result = protect(
            micro,
            tables=[["typ", "aud", "reg"]],
            response="one",
            safety_rules=safety,
            suppress=suppress,
            workdir=str(work / f"work-{name}"),
        )
        seconds = time.monotonic() - started
        table = result.tables[0].dataframe()
        with open(work / f"tauargus-{name}.csv", "w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["type", "audience", "region", "count", "status"])
            writer.writerow(["#seconds", f"{seconds:.1f}", "", "", ""])
            for cell in table:
                writer.writerow(
                    [cell["typ"], cell["aud"], cell["reg"], cell["one"], cell["status"]]
                )
        print(f"{name}: {safety} {suppress}, {seconds:.1f} s", flush=True)


if __name__ == "__main__":
    main()
