"""Small-cell suppression: an attacker with the published cells, the totals and everything
the marks themselves say ("<5" is 1..4, "x" is at least 5) tries to pin down each "<5"
cell, and fails.

The attacker here is independent of the module's own audit: it solves integer programmes
(SciPy's HiGHS MILP) rather than relying on linear programming being exact.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from agency.services.suppression import (
    SECONDARY_MARK,
    WITHHELD_MARK,
    mark,
    ranges,
    suppress_breakdown,
    suppress_count,
    suppress_stat,
    suppress_table,
)

K = 5
SMALL = mark(K)
Grid = list[list[int | str]]


def table_lines(n_rows: int, n_cols: int) -> list[list[tuple[int, int]]]:
    rows = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    return rows + [[(r, c) for r in range(n_rows)] for c in range(n_cols)]


def attack(
    grid: Grid, lines: list[list[tuple[int, int]]], k: int = K
) -> dict[tuple[int, int], set[int]]:
    """For every "<k" cell, the least and the greatest value an integer solution can give
    it: what a reader of the table can learn about it."""
    small = mark(k)
    unknown = [
        (r, c) for r, row in enumerate(grid) for c, v in enumerate(row) if isinstance(v, str)
    ]
    index = {cell: i for i, cell in enumerate(unknown)}
    big = sum(v for row in grid for v in row if isinstance(v, int)) * 4 + 100
    # "<k" is 1..k-1, "x" at least k, "*" (a withheld figure) anything.
    low = [
        1 if grid[r][c] == small else 0 if grid[r][c] == WITHHELD_MARK else k for r, c in unknown
    ]
    high = [k - 1 if grid[r][c] == small else big for r, c in unknown]
    matrix, rhs = [], []
    for line in lines:
        coefficients = np.zeros(len(unknown))
        known = 0
        for position, cell in enumerate(line):
            sign = -1 if position == len(line) - 1 else 1
            if cell in index:
                coefficients[index[cell]] += sign
            else:
                known += sign * int(grid[cell[0]][cell[1]])
        if coefficients.any():
            matrix.append(coefficients)
            rhs.append(-known)
    found: dict[tuple[int, int], set[int]] = {}
    for cell in unknown:
        if grid[cell[0]][cell[1]] != small:
            continue
        values = set()
        for sign in (1, -1):
            objective = np.zeros(len(unknown))
            objective[index[cell]] = sign
            result = milp(
                objective,
                constraints=[LinearConstraint(np.array(matrix), rhs, rhs)] if matrix else [],
                integrality=np.ones(len(unknown)),
                bounds=Bounds(low, high),
            )
            assert result.success, "the published table contradicts itself"
            values.add(round(result.x[index[cell]]))
        found[cell] = values
    return found


def pinned(grid: Grid, total: int | None = None) -> set[tuple[int, int]]:
    """The "<5" cells of a table (margins included) whose value an attacker recovers; given
    `total`, the attacker also knows the grand total (from another figure, say)."""
    grid = [list(row) for row in grid]
    if total is not None:
        grid[-1][-1] = total
    ranges_ = attack(grid, table_lines(len(grid), len(grid[0])))
    return {cell for cell, values in ranges_.items() if len(values) == 1}


def pinned_in_breakdown(values: list[int | str], total: int) -> set[tuple[int, int]]:
    """The same for a breakdown whose true total the attacker knows."""
    line = [(0, i) for i in range(len(values) + 1)]
    return {c for c, v in attack([[*values, total]], [line]).items() if len(v) == 1}


def hidden(grid: Grid, shown: str) -> set[tuple[int, int]]:
    return {(r, c) for r, row in enumerate(grid) for c, v in enumerate(row) if v == shown}


def truth(cells: list[list[int]]) -> list[list[int]]:
    rows = [[*row, sum(row)] for row in cells]
    return [*rows, [sum(row[c] for row in rows) for c in range(len(rows[0]))]]


def test_a_lone_small_cell_gets_partners_in_its_row_and_column() -> None:
    table = suppress_table([[2, 10, 20], [8, 9, 30], [7, 6, 12]], K)
    # By hand: 2's row partner is 10, its column partner 7; then 10's column and 7's row
    # each hold one hidden cell, and 6 closes both. The "<5" lies anywhere in 1..4: with
    # a = the corner, 10 → 12 - a, 7 → 9 - a, 6 → 4 + a, all at least 5.
    assert table == [
        [SMALL, "x", 20, 32],
        [8, 9, 30, 47],
        ["x", "x", 12, 25],
        [17, 25, 62, 104],
    ]
    assert attack(table, table_lines(4, 4)) == {(0, 0): {1, 4}}


def test_zero_is_published_and_large_cells_stay() -> None:
    assert suppress_table([[0, 12], [7, 30]], K) == [[0, 12, 12], [7, 30, 37], [7, 42, 49]]


def test_two_small_cells_whose_hidden_sum_is_two_are_not_left_alone() -> None:
    # Row 0 holds two "<5" (1 and 1) and a 30 visible: their hidden sum is 2, and since
    # each "<5" is at least 1, both would be 1. Hiding one more count breaks that.
    cells = [[1, 1, 30], [20, 20, 20]]
    table = suppress_table(cells, K)
    assert table[0][:2] == [SMALL, SMALL]
    assert pinned(table) == set()
    # Publishing the 30 instead would give both away: the attacker sees it.
    naive: Grid = [[SMALL, SMALL, 30, 32], [20, 20, 20, 60], [21, 21, 50, 92]]
    assert pinned(naive) == {(0, 0), (0, 1)}


def test_secondary_cells_are_marked_apart_and_never_small() -> None:
    table = suppress_table([[1, 10, 20], [8, 9, 30], [7, 6, 40]], K)
    values = truth([[1, 10, 20], [8, 9, 30], [7, 6, 40]])
    assert hidden(table, SMALL) == {(0, 0)}
    assert hidden(table, SECONDARY_MARK)
    assert all(values[r][c] >= K for r, c in hidden(table, SECONDARY_MARK))


def test_a_row_total_protects_two_small_cells_of_one_column() -> None:
    # k = 3. Column 0 holds 1 and 1 under a published 30: each "<3" may be 1 or 2 only if
    # their sum is unknown, so the column total (32) is hidden; the grand total stays.
    cells = [[1, 20], [1, 20], [30, 20]]
    table = suppress_table(cells, 3)
    assert table[-1][-1] == 92
    grid = truth(cells)
    n_cols = len(grid[0])
    flat = [v for row in grid for v in row]
    lines = [[r * n_cols + c for r, c in line] for line in table_lines(len(grid), n_cols)]
    small = {r * n_cols + c for r, c in hidden(table, "<3")}
    secondary = {r * n_cols + c for r, c in hidden(table, "x")}
    assert small and secondary
    found = ranges(flat, lines, small, secondary, 3)
    assert all(low < high for low, high in found.values())
    by_attacker = attack(table, table_lines(len(grid), n_cols), 3)
    assert by_attacker and all(len(values) == 2 for values in by_attacker.values())
    assert all(grid[r][c] >= 3 for r, c in hidden(table, "x"))


def test_breakdowns() -> None:
    assert suppress_breakdown([3, 10, 12], K) == ([SMALL, "x", 12], 25)
    # Two small cells protect each other: 2 + 2 = 4 could be 1 + 3 or 3 + 1.
    assert suppress_breakdown([2, 2, 30], K) == ([SMALL, SMALL, 30], 34)
    # 1 and 2 with the total 3 known: 1 + 2 or 2 + 1.
    assert suppress_breakdown([1, 2], K) == ([SMALL, SMALL], SMALL)
    assert suppress_breakdown([], K) == ([], 0)


def test_a_figure_that_cannot_be_protected_is_withheld_whole() -> None:
    # Three 1s adding up to a total of 3 that a reader may know: only 1 + 1 + 1.
    assert suppress_breakdown([1, 1, 1], K) == ([WITHHELD_MARK] * 3, WITHHELD_MARK)
    # 1 beside 5 with the total 6 known: hiding the 5 still leaves x ≥ 5 and "<5" ≥ 1.
    assert suppress_breakdown([1, 5], K) == ([WITHHELD_MARK] * 2, WITHHELD_MARK)
    assert suppress_table([[1, 1], [1, 1]], K) == [[WITHHELD_MARK] * 3] * 3
    # With the k = 3 summary fixture's table (1s in two rows, a grand total of 5): withheld.
    assert {v for row in suppress_table([[1, 0], [3, 0], [0, 1]], 3) for v in row} == {"*"}
    # 1, 2, 1 and a zero, the total 4 known: 1 + 2 + 1, 2 + 1 + 1 or 1 + 1 + 2: shown.
    table = suppress_table([[1, 2], [1, 0]], K)
    assert table[0][0] == SMALL and pinned(table, 4) == set()


def test_counts_and_statistics_over_few_records() -> None:
    assert [suppress_count(v, K) for v in (0, 1, 4, 5)] == [0, SMALL, SMALL, 5]
    assert suppress_stat(0.5, 4, K) == SMALL
    assert suppress_stat(0.5, 5, K) == 0.5
    assert suppress_stat(None, 0, K) is None
    assert mark(10) == "<10"


def test_a_bridge_between_two_hidden_blocks_is_protected() -> None:
    # Two 2x2 blocks of small cells joined by a small cell: every line has two hidden
    # entries, yet sums of rows minus sums of columns isolate the joining cell.
    cells = [[1, 1, 30, 30], [1, 1, 2, 30], [30, 30, 1, 1], [30, 30, 1, 1]]
    table = suppress_table(cells, K)
    assert pinned(table) == set()


def test_the_attacker_recovers_an_unprotected_cell() -> None:
    # The attacker is not toothless: one "<5" alone in a row is found.
    grid: Grid = [[SMALL, 10, 13], [8, 9, 17], [11, 19, 30]]
    assert pinned(grid) == {(0, 0)}


small_tables = st.integers(min_value=1, max_value=4).flatmap(
    lambda rows: st.integers(min_value=1, max_value=4).flatmap(
        lambda cols: st.lists(
            st.lists(
                st.sampled_from([0, 0, 1, 1, 2, 3, 4, 5, 6, 9, 14, 30]),
                min_size=cols,
                max_size=cols,
            ),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=120, deadline=None)
@given(small_tables)
def test_no_small_cell_can_be_pinned_down(cells: list[list[int]]) -> None:
    table = suppress_table(cells, K)
    for r, row in enumerate(truth(cells)):
        for c, value in enumerate(row):
            shown = table[r][c]
            if shown == WITHHELD_MARK:
                assert {v for row in table for v in row} == {WITHHELD_MARK}
            elif 0 < value < K:
                assert shown == SMALL
            else:
                # Every published number is the true one; an "x" is never small nor zero.
                assert shown == value or (shown == SECONDARY_MARK and value >= K)
    # The grand total is never hidden to protect others; the attacker knows it anyway.
    assert table[-1][-1] != SECONDARY_MARK
    assert pinned(table) == set()
    assert pinned(table, truth(cells)[-1][-1]) == set()


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 9, 30]), min_size=1, max_size=8))
def test_breakdown_small_cells_cannot_be_pinned_down(counts: list[int]) -> None:
    values, total = suppress_breakdown(counts, K)
    for value, shown in zip([*counts, sum(counts)], [*values, total], strict=True):
        if shown == WITHHELD_MARK:
            assert set(values) <= {WITHHELD_MARK} and total == WITHHELD_MARK
        elif 0 < value < K:
            assert shown == SMALL
        else:
            assert shown == value or (shown == SECONDARY_MARK and value >= K)
    assert pinned_in_breakdown(values, sum(counts)) == set()


def test_exhaustive_two_by_two_tables() -> None:
    for a, b, c, d in itertools.product((0, 1, 3, 6, 12), repeat=4):
        assert pinned(suppress_table([[a, b], [c, d]], K), a + b + c + d) == set(), (a, b, c, d)


@pytest.mark.parametrize("k", [3, 5, 10])
def test_the_module_audit_agrees_with_the_integer_attacker(k: int) -> None:
    cells = [[1, 7, 0, 12], [2, 2, 15, 3], [20, 0, 4, 9]]
    grid = truth(cells)
    flat = [v for row in grid for v in row]
    n_cols = len(grid[0])
    lines = [[r * n_cols + c for r, c in line] for line in table_lines(len(grid), n_cols)]
    small = {i for i, v in enumerate(flat) if 0 < v < k}
    # Publish everything but the small cells and two large ones: compare both views.
    secondary = {i for i, v in enumerate(flat) if v >= k}
    secondary = set(sorted(secondary, key=lambda i: flat[i])[:2])
    audit = ranges(flat, lines, small, secondary, k)
    view: Grid = [
        [
            mark(k) if r * n_cols + c in small else "x" if r * n_cols + c in secondary else v
            for c, v in enumerate(row)
        ]
        for r, row in enumerate(grid)
    ]
    by_attacker = attack(view, table_lines(len(grid), n_cols), k)
    assert by_attacker
    for (r, c), values in by_attacker.items():
        low, high = audit[r * n_cols + c]
        assert {low, high} == values
