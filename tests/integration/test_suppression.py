"""Small-cell suppression: an attacker with the published cells and totals tries to recover
each hidden cell, and fails."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from agency.services.suppression import (
    determined_cells,
    mark,
    suppress_breakdown,
    suppress_count,
    suppress_stat,
    suppress_table,
)

K = 5


def hidden_of(table: list[list[int | str]]) -> set[tuple[int, int]]:
    return {(r, c) for r, row in enumerate(table) for c, v in enumerate(row) if v == mark(K)}


def recover_by_lines(table: list[list[int | str]]) -> dict[tuple[int, int], int]:
    """The attacker: repeatedly solve any row or column (totals included) with one unknown."""
    grid = [list(row) for row in table]
    found: dict[tuple[int, int], int] = {}
    n_rows, n_cols = len(grid), len(grid[0])
    lines = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    lines += [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    progress = True
    while progress:
        progress = False
        for line in lines:
            unknown = [cell for cell in line if isinstance(grid[cell[0]][cell[1]], str)]
            if len(unknown) != 1:
                continue
            known = {cell: grid[cell[0]][cell[1]] for cell in line if cell not in unknown}
            total_cell = line[-1]
            cell = unknown[0]
            parts = sum(int(v) for c, v in known.items() if c != total_cell)
            value = parts if cell == total_cell else int(known[total_cell]) - parts
            grid[cell[0]][cell[1]] = value
            found[cell] = value
            progress = True
    return found


def test_a_lone_small_cell_gets_a_partner_in_its_row_and_column() -> None:
    table = suppress_table([[2, 10, 20], [8, 9, 30], [7, 6, 12]], K)
    assert table[0][0] == "<5"
    assert recover_by_lines(table) == {}
    # The published totals are the true ones.
    assert table[1][3] == 47 and table[3][3] == 104


def test_the_hand_example_hides_exactly_what_is_needed() -> None:
    # 1 in the corner; its row partner is the smallest cell of row 0 (10), its column
    # partner the smallest of column 0 (7); then 6 keeps 10's column safe, and row 2 has
    # three hidden cells.
    table = suppress_table([[1, 10, 20], [8, 9, 30], [7, 6, 40]], K)
    assert hidden_of(table) == {(0, 0), (0, 1), (2, 0), (2, 1)}
    assert table[0][3] == 31 and table[3][3] == 131


def test_zero_is_published_and_large_cells_stay() -> None:
    assert suppress_table([[0, 12], [7, 30]], K) == [[0, 12, 12], [7, 30, 37], [7, 42, 49]]


def test_breakdown_with_one_small_cell_hides_a_second_cell_not_the_total() -> None:
    values, total = suppress_breakdown([3, 10, 12], K)
    assert values == ["<5", "<5", 12] and total == 25


def test_breakdown_total_below_k_is_hidden() -> None:
    assert suppress_breakdown([1, 2], K) == (["<5", "<5"], "<5")
    assert suppress_breakdown([], K) == ([], 0)


def test_counts_and_statistics_over_few_records() -> None:
    assert [suppress_count(v, K) for v in (0, 1, 4, 5)] == [0, "<5", "<5", 5]
    assert suppress_stat(0.5, 4, K) == "<5"
    assert suppress_stat(0.5, 5, K) == 0.5
    assert suppress_stat(None, 0, K) is None
    assert mark(10) == "<10"


def test_a_bridge_between_two_hidden_blocks_is_caught() -> None:
    # Two 2x2 blocks of hidden cells joined by one hidden cell: every line has 0 or at least
    # two hidden entries, yet the joining cell follows from the sums (rows 0-1 minus
    # columns 0-1), so the local check alone is not enough.
    blocks = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3)}
    assert determined_cells((5, 5), blocks | {(1, 2)}) == {(1, 2)}
    assert determined_cells((5, 5), blocks) == set()


def test_suppression_breaks_such_a_bridge() -> None:
    cells = [[1, 1, 30, 30], [1, 1, 2, 30], [30, 30, 1, 1], [30, 30, 1, 1]]
    table = suppress_table(cells, K)
    assert determined_cells((5, 5), hidden_of(table)) == set()
    assert recover_by_lines(table) == {}


small_tables = st.integers(min_value=1, max_value=4).flatmap(
    lambda rows: st.integers(min_value=1, max_value=4).flatmap(
        lambda cols: st.lists(
            st.lists(st.integers(min_value=0, max_value=30), min_size=cols, max_size=cols),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=300, deadline=None)
@given(small_tables)
def test_no_hidden_cell_is_determined_by_published_cells_and_totals(cells: list[list[int]]) -> None:
    table = suppress_table(cells, K)
    hidden = hidden_of(table)
    # Every true small count is hidden, and every shown number is the true one.
    truth = [[*row, sum(row)] for row in cells]
    truth.append([sum(row[c] for row in truth) for c in range(len(truth[0]))])
    for (r, c), value in _cells(truth):
        shown = table[r][c]
        assert shown == "<5" if 0 < value < K else shown in ("<5", value)
    # The naive attacker recovers nothing, and no linear combination pins a cell down.
    assert recover_by_lines(table) == {}
    assert determined_cells((len(table), len(table[0])), hidden) == set()
    # Equivalent local check: every row and column holds 0 or at least 2 hidden entries.
    for line in _lines(len(table), len(table[0])):
        assert len([cell for cell in line if cell in hidden]) != 1


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=8))
def test_breakdown_hidden_cells_cannot_be_recovered(counts: list[int]) -> None:
    values, total = suppress_breakdown(counts, K)
    line = [*values, total]
    assert len([v for v in line if v == "<5"]) != 1
    for value, shown in zip([*counts, sum(counts)], line, strict=True):
        assert shown == "<5" if 0 < value < K else shown in ("<5", value)


def _cells(grid: list[list[int]]) -> list[tuple[tuple[int, int], int]]:
    return [((r, c), v) for r, row in enumerate(grid) for c, v in enumerate(row)]


def _lines(n_rows: int, n_cols: int) -> list[list[tuple[int, int]]]:
    rows = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    return rows + [[(r, c) for r in range(n_rows)] for c in range(n_cols)]


def test_exhaustive_two_by_two_tables() -> None:
    for a, b, c, d in itertools.product((0, 1, 3, 6, 12), repeat=4):
        table = suppress_table([[a, b], [c, d]], K)
        assert recover_by_lines(table) == {}
        assert determined_cells((3, 3), hidden_of(table)) == set()
