"""The least value any protection can hide from this reader, on the month's table the
side-by-side bench wrote (DIR/interior.csv): the exact secondary suppression problem solved
by HiGHS (highspy, from PyPI), as Fischetti and Salazar solve it, with this reader.

The reader knows every published figure, that counts are non-negative integers and that zeros
are shown (a secret cell is at least 1). A count from 1 to 10 is safe when the reader's linear
programme cannot bound it under 11. Which cells to hide is a 0-1 programme over the cells
(hide `y_i`, at the cost of its value); it is solved by cuts:

- the master problem: hide at least cost, every count under 11 hidden, zeros never, subject
  to the cuts found so far;
- the separation: for each small count, the reader's programme over the master's pattern;
  where the count is exposed, the programme's dual gives a *capacity cut* that every
  protecting pattern satisfies (below), added to the master.

The master is a relaxation of the problem: each of its optimum values (and each dual bound
HiGHS proves when a solve is cut short) is a lower bound on the least value hidden by any
protection from this reader. When the master's pattern exposes nothing, it is optimal.

The capacity cut. Write a change of the published table as `d` (`A d = 0` for every
equation of the cube, `d_i = 0` where published, `d_i >= -(a_i - 1)` where hidden). The most
the reader allows a secret cell `s` to rise is `max d_s`; its dual is `min sum_i (a_i - 1) g_i`
over the equations' multipliers `p`, with `g = A'p - e_s >= 0` on the hidden cells. A dual
solution `p` found for one pattern bounds the rise for every pattern whose hidden cells all
have `g_i >= 0`; so a pattern protects `s` (a rise of `t = 11 - a_s`) only if it hides a cell
with `g_i < 0` or `sum_{hidden} (a_i - 1) g_i >= t`. With the coefficients capped at `t`, that
is one linear inequality in `y`.

For a correction (`--earlier`), the small counts grown from a cell published as 0 (the
*grown zeros*) are where the cuts fare worst: each cut rules out one way of keeping them in
doubt and the master finds another worth a few units more (an October with 7 late cases on
cells published as 0, 11 grown zeros with the margins that grew from 0 with them: 98 rounds
in 336 s raised the bound from 33,372 to 33,577, the same 11 cells still exposed). With
`--grown-exact U` each grown zero has its own change of the table in the master instead
(`add_grown_zeros`); on that October the first round's pattern kept every count in doubt.
The master is then a relaxation only of the protections that keep each grown zero in doubt
by a change raising no cell by more than `U`: its values and bounds are lower bounds among
those, which the run says beside its figures.

With `--tauargus`, it writes instead each τ-ARGUS table of DIR (`tauargus-*.csv`, from
`tauargus_side_by_side.py`) as the same kind of pattern (`tauargus-*.hidden.txt`: status `U`
and `M` hidden), for `protect_interior` to audit with the service's attacker.

The search stops after `--seconds` (20 minutes by default) with the best lower bound proved
when it has not reached the optimum.

Usage: python secrecy_optimum.py DIR [--seconds S] [--rounds N] [--tauargus]
       [--earlier FILE --earlier-hidden HIDDEN [--grown-exact U]]
"""

import argparse
import csv
import itertools
import time
from pathlib import Path

import highspy
import numpy as np
import scipy.sparse as sp

THRESHOLD = 11
EPS = 1e-7


AXES = ("type", "audience", "region")


def read_axes(path):
    """The codes of each axis present in the table, sorted (the layout of the cube)."""
    rows = list(csv.DictReader(open(path, newline="")))
    return rows, [sorted({r[k] for r in rows}) for k in AXES]


def read_cube(path, axes=None):
    """The cube with its margins (the total last on each axis), flattened row-major; on the
    axes given (those of a correction, which hold the earlier table's) or its own."""
    rows, present = read_axes(path)
    axes = axes or present
    sizes = [len(a) for a in axes]
    shape = [n + 1 for n in sizes]
    cube = np.zeros(shape, dtype=np.int64)
    for r in rows:
        t, a, g = (axes[k].index(r[name]) for k, name in enumerate(AXES))
        cube[t, a, g] = int(r["count"])
    # Margins: the total of each axis at its last slot.
    for k in range(3):
        index = [slice(None)] * 3
        index[k] = slice(0, sizes[k])
        total = [slice(None)] * 3
        total[k] = sizes[k]
        cube[tuple(total)] = cube[tuple(index)].sum(axis=k)
    return sizes, cube.ravel(), shape, axes


def equations(sizes, shape):
    """Every equation `total - sum of its values = 0`, as a sparse matrix over the cells."""
    flat = lambda c: np.ravel_multi_index(c, shape)  # noqa: E731
    rows, cols, vals = [], [], []
    r = 0
    for k in range(3):
        others = [range(shape[m]) for m in range(3) if m != k]
        for rest in itertools.product(*others):
            def cell(j):
                c = list(rest)
                c.insert(k, j)
                return flat(tuple(c))

            rows.append(r)
            cols.append(cell(sizes[k]))
            vals.append(1.0)
            for j in range(sizes[k]):
                rows.append(r)
                cols.append(cell(j))
                vals.append(-1.0)
            r += 1
    n = int(np.prod(shape))
    return sp.csr_matrix((vals, (rows, cols)), shape=(r, n))


class Reader:
    """The reader's programme over one pattern: the most each secret cell may rise.

    For a correction (`earlier`: the earlier table's counts and its published pattern), the
    reader also holds the earlier revision and that each cell only grew: with `d1` the
    earlier revision's changes and `d2` this one's, `d1_i - d2_i <= G_i` (`G` the late cases
    of each cell), the earlier equations balanced and its published cells fixed. The bound's
    multipliers then give, besides `g` on this revision's cells, a constant (the earlier
    cells' and the growth rows' part) that holds whatever this revision hides."""

    def __init__(self, a_matrix, values, hidden, earlier=None):
        self.values = values
        self.a_matrix = a_matrix
        self.cols = np.flatnonzero(hidden)
        n = len(values)
        blocks = [a_matrix[:, self.cols]]
        lower = [-(values[self.cols] - 1).astype(float)]
        row_lower = [np.zeros(a_matrix.shape[0])]
        row_upper = [np.zeros(a_matrix.shape[0])]
        self.cols1 = np.array([], dtype=int)
        if earlier is not None:
            values1, hidden1 = earlier
            self.values1 = values1
            self.growth = (values - values1).astype(float)
            self.cols1 = np.flatnonzero(hidden1)
            m = a_matrix.shape[0]
            # Rows: this revision's equations, the earlier one's, then one growth row per
            # cell: d1_i - d2_i <= G_i.
            eye = sp.identity(n, format="csr")
            blocks = [
                sp.vstack([a_matrix[:, self.cols], sp.csr_matrix((m, len(self.cols))), -eye[:, self.cols]]),
                sp.vstack([sp.csr_matrix((m, len(self.cols1))), a_matrix[:, self.cols1], eye[:, self.cols1]]),
            ]
            lower.append(-(values1[self.cols1] - 1).astype(float))
            row_lower = [np.zeros(2 * m), np.full(n, -highspy.kHighsInf)]
            row_upper = [np.zeros(2 * m), self.growth]
        matrix = sp.hstack(blocks).tocsr()
        used = np.flatnonzero(np.diff(matrix.indptr))
        self.rows = used
        self.row_upper = np.concatenate(row_upper)[used]
        sub = matrix[used].tocsc()
        self.matrix = matrix
        self.lower = np.concatenate(lower)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        lp = highspy.HighsLp()
        lp.num_col_ = sub.shape[1]
        lp.num_row_ = len(used)
        lp.col_cost_ = np.zeros(sub.shape[1])
        lp.col_lower_ = self.lower
        lp.col_upper_ = np.full(sub.shape[1], highspy.kHighsInf)
        lp.row_lower_ = np.concatenate(row_lower)[used]
        lp.row_upper_ = self.row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = sub.indptr
        lp.a_matrix_.index_ = sub.indices
        lp.a_matrix_.value_ = sub.data
        h.passModel(lp)
        self.h = h
        self.position = {c: i for i, c in enumerate(self.cols)}
        self.current = None

    def rise(self, s):
        """The most cell `s` may rise; the multipliers' `g` over this revision's cells and
        the constant part of the bound (None, None when it may rise without bound)."""
        h = self.h
        if self.current is not None:
            h.changeColCost(self.position[self.current], 0.0)
        h.changeColCost(self.position[s], -1.0)
        self.current = s
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kUnbounded:
            return float("inf"), None, None
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"reader's programme: {h.modelStatusToString(status)}")
        rise = -h.getInfo().objective_function_value
        duals = np.asarray(h.getSolution().row_dual)
        m = self.a_matrix.shape[0]
        # HiGHS's sign convention: find the one that proves the bound.
        for sign in (1.0, -1.0):
            y = np.zeros(self.matrix.shape[0])
            y[self.rows] = sign * duals
            reduced = self.matrix.T @ y
            reduced[self.position[s]] -= 1.0
            if reduced.size and reduced.min() < -1e-6:
                continue
            if len(y) > m and y[2 * m :].min() < -1e-6:
                continue
            bound = float((-self.lower * reduced).sum() + (self.row_upper * y[self.rows]).sum())
            if abs(bound - rise) > 1e-5 * max(1.0, rise):
                continue
            # g over every cell of this revision: A'p2 - q - e_s (zero q without `earlier`).
            g = self.a_matrix.T @ y[:m]
            constant = 0.0
            if len(y) > m:
                q = y[2 * m :]
                g = g - q
                g1 = self.a_matrix.T @ y[m : 2 * m] + q
                constant = float(((self.values1[self.cols1] - 1) * g1[self.cols1]).sum())
                constant += float((self.growth * q).sum())
            g[s] -= 1.0
            return rise, g, constant
        raise RuntimeError("no multipliers prove the reader's bound")


def add_grown_zeros(master, a_matrix, values, values1, always, candidate, cap_up):
    """Each small count that was a published 0 (a *grown zero*) kept in doubt exactly, in the
    master itself rather than by cuts, whose search hops between patterns worth nearly the
    same there.

    The earlier revision's hidden cells are all hidden again (`always`). The reader of both
    revisions then keeps such a cell `z` in doubt exactly when a change `e` of this
    revision's hidden cells balances every equation, takes `z` up to the threshold, and
    takes no cell below what it was nor below 1 (`e_i >= -min(G_i, a_i - 1)`, `G` the late
    cases): `e` is `d2 - d1` of any point of the reader's programme, and `d1 = 0, d2 = e` is
    one. So the master holds one `e` per grown zero, each cell's bounded by its `y`: down by
    its late cases, up by `cap_up`. The reader's whole programme still checks each pattern
    the master finds, so a pattern exposing nothing is a protection whatever the cap; it is
    the least possible only among the protections keeping each grown zero in doubt by a
    change that raises no cell by more than `cap_up`, which the run says beside its figures.
    Returns how many grown zeros."""
    n = len(candidate)
    grown = np.flatnonzero((values1 == 0) & (values >= 1) & (values < THRESHOLD))
    hid = np.union1d(always, candidate)
    position = {c: i for i, c in enumerate(candidate)}
    down = np.minimum(values - values1, values - 1).astype(float)
    sub = a_matrix[:, hid].tocsr()
    sub = sub[np.flatnonzero(np.diff(sub.indptr))]
    # The same for every grown zero: the bounds (a candidate's come from its `y`) and which
    # of `e`'s columns are tied to which `y`.
    hidden_already = np.isin(hid, always)
    lower = np.where(hidden_already, -down[hid], -highspy.kHighsInf)
    upper = np.where(hidden_already, cap_up, highspy.kHighsInf)
    linked = [(j, position[c]) for j, c in enumerate(hid) if c in position]
    for z in grown:
        first = master.getNumCol()
        at = int(np.flatnonzero(hid == z)[0])
        own_lower, own_upper = lower.copy(), upper.copy()
        own_lower[at] = own_upper[at] = float(THRESHOLD - values[z])
        master.addVars(len(hid), own_lower, own_upper)
        # The equations balanced.
        master.addRows(
            sub.shape[0],
            np.zeros(sub.shape[0]),
            np.zeros(sub.shape[0]),
            len(sub.data),
            sub.indptr[:-1].astype(np.int32),
            (sub.indices + first).astype(np.int32),
            sub.data.astype(float),
        )
        # A candidate moves only if hidden: -down_i y_i <= e_i <= cap_up y_i.
        for j, y in linked:
            pair = np.array([first + j, y], dtype=np.int32)
            master.addRow(-highspy.kHighsInf, 0.0, 2, pair, np.array([1.0, -cap_up]))
            master.addRow(0.0, highspy.kHighsInf, 2, pair, np.array([1.0, down[hid[j]]]))
    assert master.getNumCol() == n + len(grown) * len(hid)
    return len(grown)


def capacity_cut(g, s, values, sensitive, candidate, constant=0.0):
    """The inequality every pattern protecting `s` satisfies, from multipliers giving `g`
    (and the bound's `constant` part, for a correction): (columns, coefficients, right-hand
    side) over the candidates' `y`, or None if it says nothing. `sensitive`: the cells
    always hidden."""
    t = THRESHOLD - values[s]
    if (g[sensitive] < -EPS).any():
        return None  # the multipliers do not hold for the always-hidden cells
    rhs = t - constant - float(((values[sensitive] - 1) * np.maximum(g[sensitive], 0)).sum())
    if rhs <= EPS:
        return None
    gc = g[candidate]
    cap = (values[candidate] - 1) * np.maximum(gc, 0)
    coef = np.where(gc < -EPS, rhs, np.minimum(rhs, cap))
    keep = coef > EPS
    return np.flatnonzero(keep), coef[keep], rhs


def tauargus_patterns(work):
    """Each τ-ARGUS table of `work` as a pattern of hidden cells in the cube's layout."""
    _, axes = read_axes(work / "interior.csv")
    shape = [len(a) + 1 for a in axes]
    for table in sorted(work.glob("tauargus-*.csv")):
        hidden = np.zeros(shape, dtype=int)
        for r in csv.DictReader(open(table, newline="")):
            if r["type"] == "#seconds" or r["status"] not in ("U", "M"):
                continue
            # τ-ARGUS pads its codes; a code absent from the interior only has zeros.
            codes = [r[name].strip() for name in AXES]
            at = [len(axes[k]) if c == "Total" else axes[k].index(c) for k, c in enumerate(codes)]
            hidden[tuple(at)] = 1
        out = table.with_suffix(".hidden.txt")
        np.savetxt(out, hidden.ravel(), fmt="%d")
        print(f"{table.name}: {int(hidden.sum())} cells hidden, written to {out.name}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--seconds", type=float, default=1200.0)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--tauargus", action="store_true")
    parser.add_argument("--earlier", help="for a correction: the table published first")
    parser.add_argument("--earlier-hidden", help="its published pattern (protect_interior)")
    parser.add_argument(
        "--grown-exact",
        type=float,
        metavar="U",
        help="for a correction: give each cell grown from a published 0 its own move in the "
        "master (each cell rising by at most U in it), instead of cuts",
    )
    args = parser.parse_args()
    if args.tauargus:
        tauargus_patterns(Path(args.dir))
        return
    started = time.monotonic()
    sizes, values, shape, axes = read_cube(Path(args.dir) / "interior.csv")
    a_matrix = equations(sizes, shape)
    small = (values >= 1) & (values < THRESHOLD)
    sensitive = np.flatnonzero(small)
    # The cells always hidden: the small counts and, for a correction, every earlier secret
    # (as the service keeps them; a correction only adds cases, so none is 0 now).
    always_mask = small.copy()
    earlier = None
    if args.earlier:
        _, values1, _, _ = read_cube(Path(args.earlier), axes)
        hidden1 = np.loadtxt(args.earlier_hidden, dtype=int).astype(bool)
        if (values < values1).any() or (hidden1 & (values1 == 0)).any():
            raise SystemExit("the correction must only add cases to the earlier table")
        earlier = (values1, hidden1)
        always_mask |= hidden1 & (values > 0)
    always = np.flatnonzero(always_mask)
    fixed_cost = int(values[always_mask & ~small].sum())
    candidate = np.flatnonzero((values >= THRESHOLD) & ~always_mask)
    if earlier is not None:
        print(
            f"a correction of {int(values[-1] - earlier[0][-1])} late cases: "
            f"{int(always_mask.sum() - small.sum())} earlier secrets hidden again, worth {fixed_cost}",
            flush=True,
        )
    print(
        f"table {sizes[0]} x {sizes[1]} x {sizes[2]} with its margins: {len(values)} cells, "
        f"{len(sensitive)} small counts, {len(candidate)} cells that may be hidden",
        flush=True,
    )

    master = highspy.Highs()
    master.setOptionValue("output_flag", False)
    master.setOptionValue("mip_rel_gap", 0.0)
    n = len(candidate)
    master.addVars(n, np.zeros(n), np.ones(n))
    master.changeColsIntegrality(n, np.arange(n), np.full(n, highspy.HighsVarType.kInteger))
    master.changeColsCost(n, np.arange(n), values[candidate].astype(float))

    def add(cut):
        cols, coef, rhs = cut
        master.addRow(rhs, highspy.kHighsInf, len(cols), cols.astype(np.int32), coef)

    # The per-equation cuts to start: each equation a small count is in.
    cuts = 0
    csc = a_matrix.tocsc()
    for s in sensitive:
        for r in csc.indices[csc.indptr[s] : csc.indptr[s + 1]]:
            row = a_matrix.getrow(r).toarray().ravel()
            g = row[s] * row
            g[s] -= 1.0
            cut = capacity_cut(g, s, values, always, candidate)
            if cut is not None:
                add(cut)
                cuts += 1
    print(f"{cuts} per-equation cuts to start", flush=True)

    capped = ""
    if args.grown_exact is not None:
        if earlier is None or args.grown_exact < THRESHOLD - 1:
            raise SystemExit(f"--grown-exact needs --earlier and a cap of {THRESHOLD - 1} or more")
        grown = add_grown_zeros(
            master, a_matrix, values, earlier[0], always, candidate, args.grown_exact
        )
        print(f"{grown} cells grown from a published 0, each with its own move in the master",
              flush=True)
        if grown:
            capped = (
                " among those keeping each grown zero in doubt by a change raising no cell by"
                f" more than {args.grown_exact:g}"
            )

    best_lower = 0.0
    suspects = set()
    for round_ in range(1, args.rounds + 1):
        left = args.seconds - (time.monotonic() - started)
        if left <= 0:
            break
        master.setOptionValue("time_limit", left)
        master.run()
        info = master.getInfo()
        model_status = master.getModelStatus()
        status = master.modelStatusToString(model_status)
        if model_status == highspy.HighsModelStatus.kTimeLimit:
            best_lower = max(best_lower, fixed_cost + float(info.mip_dual_bound))
            break
        if model_status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"master problem: {status}")
        y = np.asarray(master.getSolution().col_value)[:n]
        lower = max(best_lower, fixed_cost + float(info.mip_dual_bound))
        best_lower = lower
        hidden = np.zeros(len(values), dtype=bool)
        hidden[always] = True
        hidden[candidate[y > 0.5]] = True
        value = fixed_cost + int(values[candidate[y > 0.5]].sum())
        reader = Reader(a_matrix, values, hidden, earlier)
        exposed = 0
        # The counts exposed in earlier rounds first; every count only when none of them is
        # (a pattern is optimal only once every count is checked).
        order = [s for s in sensitive if s in suspects]
        if not order or not any(
            reader.rise(s)[0] < THRESHOLD - values[s] - 1e-6 for s in order
        ):
            order = sensitive
        for s in order:
            rise, g, constant = reader.rise(s)
            if rise >= THRESHOLD - values[s] - 1e-6:
                continue
            exposed += 1
            suspects.add(s)
            cut = capacity_cut(g, s, values, always, candidate, constant)
            if cut is None:
                raise RuntimeError(f"cell {s} exposed but no cut separates it")
            cols, coef, rhs = cut
            lhs = float((coef * (y[cols] > 0.5)).sum())
            if lhs >= rhs - 1e-6:
                # The pattern's own dual must cut it off; if not, the cut is wrong.
                raise RuntimeError(f"cell {s}: rise {rise}, yet the cut holds ({lhs} >= {rhs})")
            add(cut)
            cuts += 1
        print(
            f"round {round_}: master {status}, pattern of {int((y > 0.5).sum())} cells worth "
            f"{value}, {exposed} exposed; lower bound {lower:.0f}; {cuts} cuts; "
            f"{time.monotonic() - started:.0f} s",
            flush=True,
        )
        if exposed == 0:
            np.savetxt(Path(args.dir) / "optimum-hidden.txt", hidden.astype(int), fmt="%d")
            cells = int((y > 0.5).sum()) + len(always) - len(sensitive)
            print(f"optimal{capped}: {value} (complements: {cells} cells)")
            return
    print(
        f"stopped after {time.monotonic() - started:.0f} s: no protection{capped} hides less "
        f"than {best_lower:.0f} (lower bound; the optimum not reached)"
    )


if __name__ == "__main__":
    main()
