"""Min-cost flow over candidate subsets with a reduced-cost optimality certificate.

The flow is solved on the ``k`` best-fitting compatible flats of every household. Node
potentials are then recovered as shortest-path distances in the residual network (it has no
negative cycle at an optimum). A pruned pair (h, f) with reduced cost
``fit(h, f) + d(h) - d(f) >= 0`` cannot improve the solution; if every pruned pair passes,
the same potentials certify optimality on the full compatibility graph. Violating pairs are
added back and the flow is solved again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from matching.compat import expand_ranges
from matching.flow import Caps, scale_for, solve_flow

if TYPE_CHECKING:
    from matching.engine import Prepared

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

_MAX_ROUNDS = 12


@dataclass(frozen=True, slots=True)
class FlowOutcome:
    arc: I64  # chosen compatible pair per household, -1 if unmatched
    stats: dict[str, int] = field(default_factory=dict)


def solve_full(prep: Prepared, caps: Caps | None) -> FlowOutcome:
    """One min-cost flow over every compatible pair (the undivided graph)."""
    comp = prep.comp
    res = solve_flow(
        prep.cols.hh.n, prep.cols.fl.n, comp.h, comp.f, prep.fit.total, prep.weight, caps
    )
    return FlowOutcome(res.arc_of_household, {"rounds": 1, "arcs_solved": len(comp.h)})


def household_order(h: I64, fit: I64, n_h: int | None = None) -> tuple[I64, I64]:
    """Pairs sorted by (household, fit, position) and the start of each household's run.

    Pairs must be grouped by household; the sort is then a stable sort of one int64 key.
    """
    span = int(fit.max()) + 1 if len(fit) else 1
    order = np.argsort(h * span + fit, kind="stable")
    if n_h is None:
        n_h = int(h.max()) + 1 if len(h) else 0
    ptr = np.searchsorted(h[order], np.arange(n_h + 1))
    return order, ptr


def top_k_per_household(h: I64, fit: I64, k: int) -> B:
    """Mask of the ``k`` lowest-fit pairs of every household (ties by position)."""
    order, ptr = household_order(h, fit)
    return _first_k(order, ptr, h, k)


def _first_k(order: I64, ptr: I64, h: I64, k: int) -> B:
    rank_in_run = np.arange(len(order)) - ptr[h[order]]
    keep = np.zeros(len(order), dtype=np.bool_)
    keep[order[rank_in_run < k]] = True
    return keep


def solve_certified(prep: Prepared, k: int) -> FlowOutcome:
    """Exact optimum on the full graph, solving only on candidate subsets.

    Start with each household's ``k`` best-fitting flats; every round adds all pruned pairs
    whose reduced cost is negative under the current potentials.
    """
    comp, n_h, n_f = prep.comp, prep.cols.hh.n, prep.cols.fl.n
    fit = prep.fit.total
    scale = scale_for(n_h, n_f, fit)  # valid for the full graph, so also for every subset
    order, ptr = household_order(comp.h, fit, n_h)
    active = _first_k(order, ptr, comp.h, k)
    for rounds in range(1, _MAX_ROUNDS + 1):
        sel = np.flatnonzero(active)
        res = solve_flow(n_h, n_f, comp.h[sel], comp.f[sel], fit[sel], prep.weight, scale=scale)
        arc = np.full(n_h, -1, dtype=np.int64)
        matched = res.arc_of_household >= 0
        arc[matched] = sel[res.arc_of_household[matched]]
        d_h, d_f = potentials(
            n_h, n_f, comp.h[sel], comp.f[sel], fit[sel], prep.weight * scale, res.arc_of_household
        )
        violated = (~active) & (fit + d_h[comp.h] - d_f[comp.f] < 0)
        if not violated.any():
            return FlowOutcome(arc, {"rounds": rounds, "arcs_solved": len(sel)})
        if int(violated.sum()) > len(sel):
            break  # the candidates were far off: the full graph is cheaper than more rounds
        active |= violated
    return FlowOutcome(
        solve_full(prep, None).arc, {"rounds": rounds + 1, "arcs_solved": len(comp.h)}
    )


def potentials(
    n_h: int, n_f: int, h: I64, f: I64, fit: I64, gain: I64, arc_of_household: I64
) -> tuple[I64, I64]:
    """Shortest-path distances of household and flat nodes in the residual network.

    ``gain`` is the source-arc reward K * weight per household. Bellman-Ford runs only from
    nodes whose distance changed in the previous sweep.
    """
    tail, head, cost = _residual(n_h, n_f, h, f, fit, gain, arc_of_household)
    n = 2 + n_h + n_f
    order = np.argsort(tail, kind="stable")
    tail, head, cost = tail[order], head[order], cost[order]
    ptr = np.searchsorted(tail, np.arange(n + 1))
    d = np.zeros(n, dtype=np.int64)
    changed = np.ones(n, dtype=np.bool_)
    for _ in range(n + 1):
        nodes = np.flatnonzero(changed)
        if len(nodes) == 0:
            return d[2 : 2 + n_h], d[2 + n_h :]
        _, pos = expand_ranges(ptr[nodes], ptr[nodes + 1])
        cand = d[tail[pos]] + cost[pos]
        better = cand < d[head[pos]]
        new = d.copy()
        np.minimum.at(new, head[pos][better], cand[better])
        changed = new < d
        d = new
    raise RuntimeError("negative cycle in residual network: the flow was not optimal")


def _residual(
    n_h: int, n_f: int, h: I64, f: I64, fit: I64, gain: I64, arc_of_household: I64
) -> tuple[I64, I64, I64]:
    """Residual arcs (tail, head, cost). Nodes: 0 source, 1 sink, households, flats."""
    hn = 2 + np.arange(n_h, dtype=np.int64)
    fn = 2 + n_h + np.arange(n_f, dtype=np.int64)
    matched_h = arc_of_household >= 0
    used = np.zeros(len(h), dtype=np.bool_)
    used[arc_of_household[matched_h]] = True
    matched_f = np.zeros(n_f, dtype=np.bool_)
    matched_f[f[used]] = True
    src, sink = np.zeros(1, dtype=np.int64), np.ones(1, dtype=np.int64)
    n_unmatched = n_h - int(matched_h.sum())
    parts = [
        (np.where(matched_h, hn, 0), np.where(matched_h, 0, hn), np.where(matched_h, gain, -gain)),
        (
            np.where(used, 2 + n_h + f, 2 + h),
            np.where(used, 2 + h, 2 + n_h + f),
            np.where(used, -fit, fit),
        ),
        (np.where(matched_f, 1, fn), np.where(matched_f, fn, 1), np.zeros(n_f, dtype=np.int64)),
    ]
    if n_unmatched < n_h:
        parts.append((src, sink, np.zeros(1, dtype=np.int64)))
    if n_unmatched > 0:
        parts.append((sink, src, np.zeros(1, dtype=np.int64)))
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
    )
