"""Small-cell suppression for the Platform's summaries: pure functions, no database.

A count below k is published as "<k". Secondary suppression then hides further cells so
that no hidden cell can be worked out from the published cells and the totals: in every
row and every column of a table (its totals included), either nothing is hidden or at
least two entries are; and no hidden cell may be pinned down by the sums of rows and
columns together (checked exactly by linear algebra, see `determined_cells`).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

Cell = tuple[int, int]


def mark(k: int) -> str:
    """What a suppressed count shows."""
    return f"<{k}"


def primary(values: Sequence[Sequence[int]], k: int) -> set[Cell]:
    """Cells with a positive count below k. Zero is published: it reveals nobody."""
    return {(r, c) for r, row in enumerate(values) for c, v in enumerate(row) if 0 < v < k}


def with_margins(cells: Sequence[Sequence[int]]) -> list[list[int]]:
    """The table augmented with row totals (last column) and column totals (last row)."""
    rows = [[*list(row), sum(row)] for row in cells]
    width = len(cells[0]) if cells else 0
    totals = [sum(row[c] for row in rows) for c in range(width + 1)]
    return [*rows, totals]


def _lines(shape: tuple[int, int]) -> list[list[Cell]]:
    """Each linear relation of an augmented table: a row or a column, margin included."""
    n_rows, n_cols = shape
    rows = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    cols = [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    return rows + cols


def _add_partner(values: list[list[int]], hidden: set[Cell], line: list[Cell]) -> bool:
    """Hide the smallest visible cell of a line with exactly one hidden cell."""
    visible = [cell for cell in line if cell not in hidden]
    if len(line) - len(visible) != 1 or not visible:
        return False
    hidden.add(min(visible, key=lambda cell: (values[cell[0]][cell[1]], cell)))
    return True


def determined_cells(shape: tuple[int, int], hidden: set[Cell]) -> set[Cell]:
    """Hidden cells of an augmented table whose value follows from the published ones.

    Each line says: sum of its cells except the margin = the margin. With the published
    entries known, the hidden ones are the unknowns; a hidden cell is determined exactly
    when its unit vector lies in the row space of the system (exact rational elimination).
    """
    unknowns = sorted(hidden)
    index = {cell: i for i, cell in enumerate(unknowns)}
    equations = [_equation(line, index) for line in _lines(shape)]
    basis = _row_basis([e for e in equations if any(e)], len(unknowns))
    return {cell for cell in unknowns if _in_span(basis, index[cell], len(unknowns))}


def _equation(line: list[Cell], index: dict[Cell, int]) -> list[Fraction]:
    row = [Fraction(0)] * len(index)
    for position, cell in enumerate(line):
        if cell in index:
            row[index[cell]] += -1 if position == len(line) - 1 else 1
    return row


def _row_basis(rows: list[list[Fraction]], width: int) -> list[tuple[int, list[Fraction]]]:
    """Reduced row echelon basis as (pivot column, row)."""
    basis: list[tuple[int, list[Fraction]]] = []
    for row in rows:
        vector = _reduce(basis, list(row))
        pivot = next((i for i in range(width) if vector[i] != 0), None)
        if pivot is None:
            continue
        vector = [v / vector[pivot] for v in vector]
        basis = [(p, _eliminate(b, vector, pivot)) for p, b in basis] + [(pivot, vector)]
    return basis


def _eliminate(row: list[Fraction], by: list[Fraction], pivot: int) -> list[Fraction]:
    factor = row[pivot]
    return [a - factor * b for a, b in zip(row, by, strict=True)] if factor else row


def _reduce(basis: list[tuple[int, list[Fraction]]], vector: list[Fraction]) -> list[Fraction]:
    for pivot, row in basis:
        vector = _eliminate(vector, row, pivot)
    return vector


def _in_span(basis: list[tuple[int, list[Fraction]]], i: int, width: int) -> bool:
    unit = [Fraction(int(j == i)) for j in range(width)]
    return not any(_reduce(basis, unit))


def suppress_augmented(values: list[list[int]], k: int) -> set[Cell]:
    """Hidden cells of an augmented table (margins included): primary, then secondary."""
    hidden = primary(values, k)
    shape = (len(values), len(values[0]) if values else 0)
    while True:
        changed = any([_add_partner(values, hidden, line) for line in _lines(shape)])
        if changed:
            continue
        determined = determined_cells(shape, hidden)
        if not determined:
            return hidden
        r, c = min(determined)
        row = [(r, j) for j in range(shape[1])]
        column = [(i, c) for i in range(shape[0])]
        everywhere = [(i, j) for i in range(shape[0]) for j in range(shape[1])]
        if not any(_hide_smallest(values, hidden, line) for line in (row, column, everywhere)):
            return hidden


def _hide_smallest(values: list[list[int]], hidden: set[Cell], line: list[Cell]) -> bool:
    """Hide the smallest visible cell of a line (to break a determined pattern)."""
    visible = [cell for cell in line if cell not in hidden]
    if visible:
        hidden.add(min(visible, key=lambda cell: (values[cell[0]][cell[1]], cell)))
    return bool(visible)


def suppress_table(cells: Sequence[Sequence[int]], k: int) -> list[list[int | str]]:
    """A table with margins added (last column: row totals; last row: column totals),
    every hidden entry replaced by "<k"."""
    values = with_margins(cells)
    hidden = suppress_augmented(values, k)
    return [
        [mark(k) if (r, c) in hidden else v for c, v in enumerate(row)]
        for r, row in enumerate(values)
    ]


def suppress_breakdown(counts: Sequence[int], k: int) -> tuple[list[int | str], int | str]:
    """A 1-D breakdown and its total: one relation, so a lone hidden entry gets a partner."""
    line = [*counts, sum(counts)]
    hidden = {i for i, v in enumerate(line) if 0 < v < k}
    if len(hidden) == 1 and len(line) > 1:
        # A cell rather than the total: the total is often published in other figures too.
        visible = [i for i in range(len(line) - 1) if i not in hidden] or [len(line) - 1]
        hidden.add(min(visible, key=lambda i: (line[i], i)))
    shown: list[int | str] = [mark(k) if i in hidden else v for i, v in enumerate(line)]
    return shown[:-1], shown[-1]


def suppress_count(value: int, k: int) -> int | str:
    """A single count."""
    return mark(k) if 0 < value < k else value


def suppress_stat(value: float | None, n: int, k: int) -> float | str | None:
    """A median or share computed over n records: hidden when n is below k."""
    if n < k:
        return mark(k) if n > 0 else None
    return value
