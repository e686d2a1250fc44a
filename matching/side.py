"""Side constraints outside CP-SAT: the capped flow network, greedy repair to feasibility
and which caps kept an unmatched household from a free compatible flat.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from matching.cpsat import SideProblem
from matching.flow import Caps
from matching.instance import URGENCY_LEVELS
from matching.network import Level, build_network, solve_lexicographic

if TYPE_CHECKING:
    from matching.engine import Prepared

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


def landlord_of_building(building: I64, landlord: I64) -> I64 | None:
    """The landlord of each building, or None when some building has several landlords."""
    n_b = int(building.max()) + 1 if len(building) else 0
    owner = np.full(n_b, -2, dtype=np.int64)
    owner[building] = landlord
    if np.any(owner[building] != landlord):
        return None
    # Flats without a landlord get a private group each so they are never capped together.
    free = owner < 0
    owner[free] = owner.max(initial=-1) + 1 + np.arange(int(free.sum()))
    return owner


def flow_caps(prep: Prepared) -> Caps:
    """Caps that a flow network can carry exactly: worker, building and (nested) landlord."""
    p, cols = prep.inst.policy, prep.cols
    worker = cols.hh.worker if p.max_per_social_worker is not None else None
    owner = None
    if p.max_per_landlord is not None:
        owner = landlord_of_building(cols.fl.building, cols.fl.landlord)
    use_building = p.max_per_building is not None or owner is not None
    return Caps(
        worker=worker,
        worker_cap=p.max_per_social_worker or 0,
        building=cols.fl.building if use_building else None,
        building_cap=p.max_per_building,
        landlord_of_building=owner,
        landlord_cap=p.max_per_landlord or 0,
    )


def repair(p: SideProblem, arc: I64, weight: I64) -> I64:
    """Drop placements, lowest priority first, until every side constraint holds."""
    arc = arc.copy()
    matched = np.flatnonzero(arc >= 0)
    order = matched[np.lexsort((matched, -weight[matched]))]  # highest priority first
    caps = {"worker": p.worker_cap, "landlord": p.landlord_cap, "building": p.building_cap}
    used: dict[tuple[str, int], int] = {}
    for h in order.tolist():
        f = int(p.f[arc[h]])
        keys = {
            "worker": int(p.worker[h]),
            "landlord": int(p.landlord[f]),
            "building": int(p.building[f]),
        }
        groups = [(n, keys[n], cap) for n, cap in caps.items() if cap is not None and keys[n] >= 0]
        if all(used.get((n, k), 0) < cap for n, k, cap in groups):
            for n, k, _ in groups:
                used[(n, k)] = used.get((n, k), 0) + 1
        else:
            arc[h] = -1
    return _repair_shares(p, arc, weight)


def _repair_shares(p: SideProblem, arc: I64, weight: I64) -> I64:
    for group, percent in sorted(p.shares.items()):
        member = p.groups[group]
        while True:
            matched = np.flatnonzero(arc >= 0)
            if 100 * int(member[matched].sum()) >= percent * len(matched):
                break
            outside = matched[~member[matched]]
            # Drop the lowest-priority placement outside the group (latest id on ties).
            drop = outside[np.lexsort((-outside, weight[outside]))[0]]
            arc[drop] = -1
    return arc


def side_limits(prep: Prepared, p: SideProblem, arc: I64) -> dict[str, B]:
    """Per side constraint: unmatched households with a free compatible flat it blocks."""
    n_h, comp = prep.cols.hh.n, prep.comp
    out: dict[str, B] = {}
    if not prep.inst.policy.has_side_constraints:
        return out
    taken = np.zeros(prep.cols.fl.n, dtype=np.bool_)
    matched = np.flatnonzero(arc >= 0)
    taken[comp.f[arc[matched]]] = True
    free_pair = (arc[comp.h] < 0) & ~taken[comp.f]
    hh_of = comp.h[free_pair]
    fl_of = comp.f[free_pair]
    housed_f = comp.f[arc[matched]]
    checks = (
        ("max_per_social_worker", p.worker_cap, p.worker[matched], p.worker[hh_of]),
        ("max_per_landlord", p.landlord_cap, p.landlord[housed_f], p.landlord[fl_of]),
        ("max_per_building", p.building_cap, p.building[housed_f], p.building[fl_of]),
    )
    for name, cap, used_keys, pair_keys in checks:
        if cap is None:
            continue
        full = _full_groups(used_keys, cap)
        flag = np.zeros(n_h, dtype=np.bool_)
        flag[hh_of[np.isin(pair_keys, full) & (pair_keys >= 0)]] = True
        out[name] = flag
    if p.shares:
        flag = np.zeros(n_h, dtype=np.bool_)
        flag[hh_of] = True
        out["reserved_share"] = flag & ~np.logical_or.reduce([p.groups[g] for g in p.shares])
    return out


def _full_groups(keys: I64, cap: int) -> I64:
    keys = keys[keys >= 0]
    if len(keys) == 0:
        return keys
    values, counts = np.unique(keys, return_counts=True)
    out: I64 = values[counts >= cap]
    return out


def flow_exact(prep: Prepared) -> bool:
    """Can a flow network carry every active side constraint exactly?"""
    p = prep.inst.policy
    if any(s.min_percent > 0 for s in p.reserved_shares):
        return False
    if p.max_per_landlord is None:
        return True
    return landlord_of_building(prep.cols.fl.building, prep.cols.fl.landlord) is not None


def lex_levels(prep: Prepared) -> list[Level]:
    """The lexicographic levels as coefficients on household and pair arcs."""
    hh = prep.cols.hh
    levels = [Level(False, (hh.urgency == u).astype(np.int64), True) for u in URGENCY_LEVELS]
    levels.append(Level(False, hh.days.astype(np.int64), True))
    levels.append(Level(True, prep.fit.total.astype(np.int64), False))
    return levels


def solve_capped_flow(prep: Prepared, caps: Caps) -> tuple[I64, int]:
    """Lexicographic optimum under flow-representable caps; arc per household, stages."""
    n_h, n_f = prep.cols.hh.n, prep.cols.fl.n
    net = build_network(n_h, n_f, prep.comp.h, prep.comp.f, caps)
    flow, n_stages = solve_lexicographic(net, lex_levels(prep), min(n_h, n_f))
    used = np.flatnonzero(flow[net.pair] > 0)
    arc = np.full(n_h, -1, dtype=np.int64)
    arc[prep.comp.h[used]] = used
    return arc, n_stages
