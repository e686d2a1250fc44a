"""Small-cell suppression for the Platform's summaries: pure functions, no database.

A count below k is published as "<k" (primary suppression). Further counts are hidden as
"x" (secondary suppression) so that no primary cell can be worked out from what is
published. The reader knows more than the sums: a "<k" lies in 1..k-1 (zeros are
published), and an "x" is at least k (secondary cells are chosen among counts of at least
k). The audit therefore asks, for every primary cell, the smallest and the largest value it
can take given every published number, every relation of the table (each row and each
column adds up to its total, margins included) and those bounds; a cell is safe when the
two differ. When no choice of cells makes every small count safe (a table whose counts
are all small, say four 1s adding up to 4), the whole figure is withheld: every entry,
zeros and totals included, shows as "*".

The relations of a table with margins form a totally unimodular system (every unknown is in
one row relation and one column relation, with signs that can be made equal), so with
integer bounds the range found by a linear programme is the range over whole numbers: the
audit is exact, not an approximation.
"""

from __future__ import annotations

from collections.abc import Sequence

from ortools.linear_solver import pywraplp

SECONDARY_MARK = "x"
WITHHELD_MARK = "*"
# Secondary cells a table may hold before the pass that publishes unneeded ones is skipped.
_PRUNE_LIMIT = 40

Line = list[int]  # indices into a flat list of counts; the last one is the line's total


def mark(k: int) -> str:
    """What a count below k shows."""
    return f"<{k}"


def primary(values: Sequence[int], k: int) -> set[int]:
    """Counts that are positive and below k. Zero is published: it reveals nobody."""
    return {i for i, v in enumerate(values) if 0 < v < k}


def ranges(
    values: Sequence[int],
    lines: Sequence[Line],
    hidden_primary: set[int],
    hidden_secondary: set[int],
    k: int,
    cells: set[int] | None = None,
) -> dict[int, tuple[int, int]]:
    """The least and the greatest value each of `cells` (default: every primary cell) can
    take, for a reader who sees the published counts, the relations and the bounds."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    unknown = {i: solver.NumVar(1, k - 1, f"p{i}") for i in sorted(hidden_primary)}
    unknown |= {i: solver.NumVar(k, solver.infinity(), f"s{i}") for i in sorted(hidden_secondary)}
    for line in lines:
        if not any(i in unknown for i in line):
            continue
        terms = [(i, -1 if position == len(line) - 1 else 1) for position, i in enumerate(line)]
        known = sum(sign * values[i] for i, sign in terms if i not in unknown)
        solver.Add(sum(sign * unknown[i] for i, sign in terms if i in unknown) == -known)
    found: dict[int, tuple[int, int]] = {}
    for cell in sorted(hidden_primary if cells is None else cells):
        bounds = []
        for maximise in (False, True):
            solver.Objective().Clear()
            solver.Objective().SetCoefficient(unknown[cell], 1)
            solver.Objective().SetOptimizationDirection(maximise)
            if solver.Solve() != pywraplp.Solver.OPTIMAL:
                raise ValueError("the published counts contradict their totals")
            bounds.append(round(unknown[cell].solution_value()))
        found[cell] = (bounds[0], bounds[1])
    return found


def exposed(
    values: Sequence[int], lines: Sequence[Line], hidden: set[int], secondary: set[int], k: int
) -> set[int]:
    """Primary cells whose value a reader can work out exactly."""
    found = ranges(values, lines, hidden - secondary, secondary, k)
    return {cell for cell, (low, high) in found.items() if low == high}


def choose_hidden(
    values: Sequence[int], lines: Sequence[Line], k: int, public: frozenset[int] = frozenset()
) -> tuple[set[int], set[int]] | None:
    """(primary, secondary) cells to hide, or None when nothing protects every small count.

    `public` are totals a reader may know exactly from other figures (the number of
    barriers, say, is in several tables): the audit takes them as known even where they
    show "<k" here, and never hides them to protect another cell. Secondary cells are taken
    among the other counts of at least k, from the small cell's own lines first, smallest
    first; then every secondary cell that turns out not to be needed is published again."""
    first = primary(values, k)
    audited = first - public
    secondary: set[int] = set()
    while True:
        if _partner_lonely_cells(values, lines, audited, secondary, k, first | public):
            continue
        unsafe = exposed(values, lines, audited | secondary, secondary, k)
        if not unsafe:
            break
        partner = _best_partner(values, lines, audited, secondary, k, first | public, min(unsafe))
        if partner is None:
            return None  # every count is hidden or known, and still a small one shows
        secondary.add(partner)
    if len(secondary) <= _PRUNE_LIMIT:
        for cell in sorted(secondary, key=lambda i: (-values[i], i)):
            trial = secondary - {cell}
            if not exposed(values, lines, audited | trial, trial, k):
                secondary = trial
    return first, secondary


def _eligible(values: Sequence[int], taken: set[int], k: int) -> list[int]:
    """Counts that may be hidden to protect others, smallest first."""
    return sorted(
        (i for i, v in enumerate(values) if v >= k and i not in taken), key=values.__getitem__
    )


def _partner_lonely_cells(
    values: Sequence[int],
    lines: Sequence[Line],
    audited: set[int],
    secondary: set[int],
    k: int,
    fixed: set[int] | frozenset[int],
) -> bool:
    """The obvious case without a solver: a line whose only unknown is a "<k" gives it
    away; hide the smallest eligible count of that line beside it."""
    unknown = audited | secondary
    for line in lines:
        in_line = [i for i in line if i in unknown]
        if len(in_line) == 1 and in_line[0] in audited:
            options = [i for i in _eligible(values, unknown | fixed, k) if i in line]
            if options:
                secondary.add(options[0])
                return True
    return False


def _best_partner(
    values: Sequence[int],
    lines: Sequence[Line],
    audited: set[int],
    secondary: set[int],
    k: int,
    fixed: set[int] | frozenset[int],
    cell: int,
) -> int | None:
    """The count whose hiding protects `cell`: from its own lines first, smallest first."""
    options = _eligible(values, audited | secondary | fixed, k)
    near = {i for line in lines if cell in line for i in line}
    options.sort(key=lambda i: (i not in near, values[i], i))
    for option in options:
        trial = secondary | {option}
        low, high = ranges(values, lines, audited, trial, k, {cell})[cell]
        if low != high:
            return option
    return options[0] if options else None


def with_margins(cells: Sequence[Sequence[int]]) -> list[list[int]]:
    """The table augmented with row totals (last column) and column totals (last row)."""
    rows = [[*list(row), sum(row)] for row in cells]
    width = len(cells[0]) if cells else 0
    totals = [sum(row[c] for row in rows) for c in range(width + 1)]
    return [*rows, totals]


def table_lines(n_rows: int, n_cols: int) -> list[Line]:
    """Every relation of an augmented table stored row by row: rows, then columns."""
    rows = [[r * n_cols + c for c in range(n_cols)] for r in range(n_rows)]
    cols = [[r * n_cols + c for r in range(n_rows)] for c in range(n_cols)]
    return rows + cols


def _shown(value: int, index: int, hidden: tuple[set[int], set[int]] | None, k: int) -> int | str:
    if hidden is None:
        return WITHHELD_MARK
    if index in hidden[0]:
        return mark(k)
    return SECONDARY_MARK if index in hidden[1] else value


def suppress_table(cells: Sequence[Sequence[int]], k: int) -> list[list[int | str]]:
    """A table with margins added (last column: row totals; last row: column totals),
    counts below k shown as "<k" and the cells hidden to protect them as "x" (or every
    entry as "*" when the table cannot be shown safely)."""
    grid = with_margins(cells)
    n_rows, n_cols = len(grid), len(grid[0])
    flat = [v for row in grid for v in row]
    grand_total = frozenset({len(flat) - 1})
    hidden = choose_hidden(flat, table_lines(n_rows, n_cols), k, public=grand_total)
    return [
        [_shown(grid[r][c], r * n_cols + c, hidden, k) for c in range(n_cols)]
        for r in range(n_rows)
    ]


def suppress_breakdown(counts: Sequence[int], k: int) -> tuple[list[int | str], int | str]:
    """A 1-D breakdown and its total (one relation). The total counts as known: it is often
    published in other figures too."""
    line = [*counts, sum(counts)]
    total = len(line) - 1
    hidden = choose_hidden(line, [list(range(len(line)))], k, public=frozenset({total}))
    shown = [_shown(v, i, hidden, k) for i, v in enumerate(line)]
    return shown[:-1], shown[-1]


def suppress_count(value: int, k: int) -> int | str:
    """A single count."""
    return mark(k) if 0 < value < k else value


def suppress_stat(value: float | None, n: int, k: int) -> float | str | None:
    """A median or share computed over n records: hidden when n is below k."""
    if n < k:
        return mark(k) if n > 0 else None
    return value
