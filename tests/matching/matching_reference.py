"""Independent, deliberately naive reference implementation of the matching rules.

Written straight from the specification in plain Python (one pair at a time), so that the
vectorised engine is checked against something that shares none of its code.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

from matching.instance import Flat, Household, Instance, Policy

LEX_URGENCY = (5, 4, 3, 2, 1)


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, max(0.0, a))))


def failures(inst: Instance, h: Household, f: Flat) -> set[str]:
    """Names of the hard constraints that pair (h, f) violates."""
    p = inst.policy
    out = set()
    if h.persons > f.max_occupants or f.rooms < h.min_rooms:
        out.add("size")
    if f.rent + f.services > h.max_housing_cost:
        out.add("budget")
    support = p.deposit_support if p.deposit_support_allowed else 0
    if f.deposit > h.deposit_available + support:
        out.add("deposit")
    in_area = f.municipality_code in h.municipality_codes or f.orp_code in h.orp_codes
    near = h.anchor is not None and km(h.anchor.lat, h.anchor.lon, f.lat, f.lon) <= h.anchor.max_km
    if not (in_area or near):
        out.add("location")
    no_stairs = f.floor == 0 or f.lift
    if (h.needs_step_free and not (f.step_free and no_stairs)) or (
        h.needs_ground_floor and not no_stairs
    ):
        out.add("accessibility")
    if h.has_pets and not f.pets_allowed:
        out.add("pets")
    limit = (
        h.move_in_by.toordinal()
        if h.move_in_by
        else (inst.today.toordinal() + p.availability_window_days)
    )
    if f.available_from.toordinal() > limit:
        out.add("availability")
    if (h.id, f.id) in set(inst.excluded):
        out.add("excluded")
    return out - set(p.relaxed)


def compatible_pairs(inst: Instance) -> list[tuple[int, int]]:
    return [
        (i, j)
        for i, h in enumerate(inst.households)
        for j, f in enumerate(inst.flats)
        if not failures(inst, h, f)
    ]


def days_waited(inst: Instance, h: Household) -> int:
    return min(max((inst.today - h.registered_on).days, 0), inst.policy.days_waited_cap)


def fit(inst: Instance, h: Household, f: Flat) -> int:
    """Weighted fit terms, written out from the documented formulas."""
    w = inst.policy.fit_weights
    cost = f.rent + f.services
    income = max(h.income, 1)
    burden = min(100, -(-100 * cost // income))
    spare = min(10, max(0, f.max_occupants - h.persons))
    dist = 0 if h.anchor is None else min(100, round(km(h.anchor.lat, h.anchor.lon, f.lat, f.lon)))
    wait_days = max(0, (f.available_from - inst.today).days)
    weeks = min(26, -(-wait_days // 7))
    return w.cost_burden * burden + w.occupancy * spare + w.distance * dist + w.move_in_gap * weeks


def lex_key(inst: Instance, matching: Iterable[tuple[int, int]]) -> tuple[int, ...]:
    """Objective as a tuple compared lexicographically: larger is better."""
    pairs = list(matching)
    hs, fs = inst.households, inst.flats
    counts = Counter(hs[i].urgency for i, _ in pairs)
    return (
        *(counts[u] for u in LEX_URGENCY),
        sum(days_waited(inst, hs[i]) for i, _ in pairs),
        -sum(fit(inst, hs[i], fs[j]) for i, j in pairs),
    )


def side_ok(inst: Instance, matching: list[tuple[int, int]]) -> bool:
    """Does a matching respect every side constraint of the policy?"""
    p: Policy = inst.policy
    hs, fs = inst.households, inst.flats
    checks = (
        (p.max_per_social_worker, [hs[i].social_worker for i, _ in matching]),
        (p.max_per_landlord, [fs[j].landlord for _, j in matching]),
        (p.max_per_building, [fs[j].building or f"own:{fs[j].id}" for _, j in matching]),
    )
    for cap, keys in checks:
        if cap is not None and any(n > cap for k, n in Counter(keys).items() if k is not None):
            return False
    for share in p.reserved_shares:
        inside = sum(1 for i, _ in matching if hs[i].in_group(share.group))
        if 100 * inside < share.min_percent * len(matching):
            return False
    return True


def brute_force(inst: Instance) -> tuple[tuple[int, ...], list[tuple[int, int]]]:
    """Best lexicographic key over every feasible matching (tiny instances only)."""
    by_h: dict[int, list[int]] = {}
    for i, j in compatible_pairs(inst):
        by_h.setdefault(i, []).append(j)
    order = sorted(by_h)
    best: list[tuple[tuple[int, ...], list[tuple[int, int]]]] = []

    def rec(k: int, used: set[int], chosen: list[tuple[int, int]]) -> None:
        if k == len(order):
            if side_ok(inst, chosen):
                key = lex_key(inst, chosen)
                if not best or key > best[0][0]:
                    best[:] = [(key, list(chosen))]
            return
        rec(k + 1, used, chosen)
        i = order[k]
        for j in by_h[i]:
            if j not in used:
                used.add(j)
                chosen.append((i, j))
                rec(k + 1, used, chosen)
                chosen.pop()
                used.discard(j)

    rec(0, set(), [])
    return best[0] if best else (lex_key(inst, []), [])


def solution_pairs(inst: Instance, assignments: Iterable[tuple[str, str]]) -> list[tuple[int, int]]:
    hpos = {h.id: i for i, h in enumerate(inst.households)}
    fpos = {f.id: j for j, f in enumerate(inst.flats)}
    return [(hpos[h], fpos[f]) for h, f in assignments]
