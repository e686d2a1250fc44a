"""Generic flow network for the matching (with cap nodes), solved level by level.

Lexicographic objectives are solved in stages. Consecutive levels share one min-cost flow
while their separating weights fit in int64; between stages, complementary slackness with
optimal node potentials fixes every arc whose reduced cost is not zero (positive: flow 0 in
every optimum, negative: flow at capacity in every optimum). The next stage then optimises
its levels over exactly the set of optima of the earlier stages.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from matching.compat import expand_ranges

I64 = npt.NDArray[np.int64]

HEADROOM = 1 << 62  # OR-Tools multiplies costs by (nodes + 1) internally


class FlowError(RuntimeError):
    """The min-cost flow solver did not return an optimum."""


class CostRangeError(FlowError):
    """Arc costs would overflow int64 inside the solver."""


@dataclass(frozen=True, slots=True)
class Caps:
    """Optional cap groups for the flow network. Group index -1 means "not capped"."""

    worker: I64 | None = None  # per household
    worker_cap: int = 0
    building: I64 | None = None  # per flat
    building_cap: int | None = None  # None: buildings only group flats for landlords
    landlord_of_building: I64 | None = None  # per building (laminar: one landlord each)
    landlord_cap: int = 0


@dataclass(frozen=True, slots=True)
class Network:
    """Arcs with capacities, node supplies, and flow already forced by earlier stages."""

    n_nodes: int
    tail: I64
    head: I64
    cap: I64
    supply: I64
    base: I64  # forced flow per arc
    src: slice  # one arc into each household, in household order
    pair: slice  # one arc per candidate pair


def _block(parts: list[tuple[I64, I64, I64]], tails: I64, heads: I64, caps: I64) -> slice:
    start = sum(len(p[0]) for p in parts)
    parts.append((tails.astype(np.int64), heads.astype(np.int64), caps.astype(np.int64)))
    return slice(start, start + len(tails))


@dataclass(frozen=True, slots=True)
class _Layout:
    """First node of each node group."""

    n_h: int
    n_f: int
    n_w: int
    n_b: int
    n_l: int

    @property
    def f0(self) -> int:
        return 2 + self.n_h

    @property
    def w0(self) -> int:
        return self.f0 + self.n_f

    @property
    def b0(self) -> int:
        return self.w0 + self.n_w

    @property
    def l0(self) -> int:
        return self.b0 + self.n_b


def build_network(n_h: int, n_f: int, h: I64, f: I64, caps: Caps) -> Network:
    """source -> [worker] -> household -> flat -> [building -> [landlord]] -> sink, + bypass."""
    lay = _Layout(
        n_h, n_f, _groups(caps.worker), _groups(caps.building), _groups(caps.landlord_of_building)
    )
    parts: list[tuple[I64, I64, I64]] = []
    src = _source_side(parts, lay, caps)
    pair = _block(parts, 2 + h, lay.f0 + f, np.ones(len(h), dtype=np.int64))
    _sink_side(parts, lay, caps)
    _block(parts, np.zeros(1, dtype=np.int64), np.ones(1, dtype=np.int64), np.array([n_h]))
    n_nodes = lay.l0 + lay.n_l
    supply = np.zeros(n_nodes, dtype=np.int64)
    supply[0], supply[1] = n_h, -n_h
    tail, head, cap = (np.concatenate([p[k] for p in parts]) for k in range(3))
    return Network(n_nodes, tail, head, cap, supply, np.zeros(len(tail), dtype=np.int64), src, pair)


def _source_side(parts: list[tuple[I64, I64, I64]], lay: _Layout, caps: Caps) -> slice:
    """Arcs into households (through their social worker's node when capped)."""
    src_tail = np.zeros(lay.n_h, dtype=np.int64)
    if caps.worker is not None:
        src_tail = np.where(caps.worker >= 0, lay.w0 + caps.worker, 0)
        _block(
            parts,
            np.zeros(lay.n_w, dtype=np.int64),
            lay.w0 + np.arange(lay.n_w),
            np.full(lay.n_w, caps.worker_cap),
        )
    return _block(parts, src_tail, 2 + np.arange(lay.n_h), np.ones(lay.n_h, dtype=np.int64))


def _sink_side(parts: list[tuple[I64, I64, I64]], lay: _Layout, caps: Caps) -> None:
    """Arcs out of flats (through building and landlord nodes when capped)."""
    flats = lay.f0 + np.arange(lay.n_f)
    ones = np.ones(lay.n_f, dtype=np.int64)
    if caps.building is None:
        _block(parts, flats, ones, ones)
        return
    _block(parts, flats, lay.b0 + caps.building, ones)
    owner = caps.landlord_of_building
    b_head = np.ones(lay.n_b, dtype=np.int64) if owner is None else lay.l0 + owner
    b_cap = lay.n_f if caps.building_cap is None else caps.building_cap
    _block(parts, lay.b0 + np.arange(lay.n_b), b_head, np.full(lay.n_b, b_cap))
    if owner is not None:
        _block(
            parts,
            lay.l0 + np.arange(lay.n_l),
            np.ones(lay.n_l, dtype=np.int64),
            np.full(lay.n_l, caps.landlord_cap),
        )


def _groups(index: I64 | None) -> int:
    return 0 if index is None or len(index) == 0 else int(index.max()) + 1


def solve_network(net: Network, cost: I64) -> I64:
    """Min-cost flow on the network's free capacity; returns flow per arc (without base)."""
    top = int(np.abs(cost).max()) if len(cost) else 0
    if top * (net.n_nodes + 1) >= HEADROOM:
        raise CostRangeError(f"cost range too large for int64 ({top} with {net.n_nodes} nodes)")
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        net.tail.astype(np.int32), net.head.astype(np.int32), net.cap, cost.astype(np.int64)
    )
    smcf.set_nodes_supplies(np.arange(net.n_nodes, dtype=np.int32), net.supply)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise FlowError(f"min-cost flow ended with status {status}")
    flow: I64 = smcf.flows(np.arange(len(net.tail))).astype(np.int64)
    return flow


def potentials(net: Network, cost: I64, flow: I64) -> I64:
    """Optimal node potentials: shortest distances in the residual network (Bellman-Ford
    from a virtual root, sweeping only arcs out of nodes changed in the previous sweep)."""
    fwd = flow < net.cap
    bwd = flow > 0
    tail = np.concatenate([net.tail[fwd], net.head[bwd]])
    head = np.concatenate([net.head[fwd], net.tail[bwd]])
    arc_cost = np.concatenate([cost[fwd], -cost[bwd]])
    return shortest_distances(net.n_nodes, tail, head, arc_cost)


def shortest_distances(n: int, tail: I64, head: I64, cost: I64) -> I64:
    """Distances from a virtual root joined to every node by a zero arc."""
    order = np.argsort(tail, kind="stable")
    tail, head, cost = tail[order], head[order], cost[order]
    ptr = np.searchsorted(tail, np.arange(n + 1))
    d = np.zeros(n, dtype=np.int64)
    changed = np.ones(n, dtype=np.bool_)
    for _ in range(n + 1):
        nodes = np.flatnonzero(changed)
        if len(nodes) == 0:
            return d
        _, pos = expand_ranges(ptr[nodes], ptr[nodes + 1])
        cand = d[tail[pos]] + cost[pos]
        better = cand < d[head[pos]]
        new = d.copy()
        np.minimum.at(new, head[pos][better], cand[better])
        changed = new < d
        d = new
    raise FlowError("negative cycle in the residual network: the flow was not optimal")


def restrict(net: Network, cost: I64, flow: I64, pot: I64) -> Network:
    """Keep only what every optimum can do: arcs with zero reduced cost stay free, the
    others are fixed at 0 or at capacity (their flow moves into base and supplies)."""
    reduced = cost + pot[net.tail] - pot[net.head]
    forced = reduced < 0
    free = reduced == 0
    amount = np.where(forced, net.cap, 0)
    supply = net.supply.copy()
    np.subtract.at(supply, net.tail, amount)
    np.add.at(supply, net.head, amount)
    cap = np.where(free, net.cap, 0)
    return replace(net, cap=cap, supply=supply, base=net.base + amount)


@dataclass(frozen=True, slots=True)
class Level:
    """One objective level: coefficients on the household (src) or pair arcs."""

    on_pairs: bool
    coef: I64  # non-negative
    maximise: bool


def _range(level: Level, m: int) -> int:
    """Largest possible value of the level: sum of its m largest coefficients."""
    if len(level.coef) == 0:
        return 0
    top = np.sort(level.coef)[::-1][:m]
    return int(top.sum())


def stages(levels: list[Level], m: int, n_nodes: int) -> list[list[tuple[Level, int]]]:
    """Group consecutive levels with separating weights while they fit in int64."""
    out: list[list[tuple[Level, int]]] = []
    i = 0
    while i < len(levels):
        j = i + 1
        while j < len(levels) and _fits(levels[i : j + 1], m, n_nodes):
            j += 1
        out.append(_weights(levels[i:j], m))
        i = j
    return out


def _weights(levels: list[Level], m: int) -> list[tuple[Level, int]]:
    """Weight per level (last = 1): each beats everything below it in the stage."""
    weights, below = [], 0
    for level in reversed(levels):
        w = below + 1
        weights.append(w)
        below += w * _range(level, m)
    return list(zip(levels, reversed(weights), strict=True))


def _fits(levels: list[Level], m: int, n_nodes: int) -> bool:
    weighted = _weights(levels, m)
    top = max(w * (int(lv.coef.max()) if len(lv.coef) else 0) for lv, w in weighted)
    total = sum(w * _range(lv, m) for lv, w in weighted)
    return top * (n_nodes + 1) < HEADROOM and total < HEADROOM


def solve_lexicographic(net: Network, levels: list[Level], m: int) -> tuple[I64, int]:
    """Final flow per arc (base included) and the number of min-cost-flow stages."""
    plan = stages(levels, m, net.n_nodes)
    for k, stage in enumerate(plan):
        cost = np.zeros(len(net.tail), dtype=np.int64)
        for level, w in stage:
            block = net.pair if level.on_pairs else net.src
            cost[block] += (-w if level.maximise else w) * level.coef
        flow = solve_network(net, cost)
        if k + 1 < len(plan):
            net = restrict(net, cost, flow, potentials(net, cost, flow))
    return net.base + flow, len(plan)
