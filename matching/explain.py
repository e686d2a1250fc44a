"""Explanations: score terms and alternatives for matched households; exclusion counts,
nearest misses and competition for unmatched ones. Other households are never named.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.columns import Columns
from matching.compat import BIT, Pairs, candidate_pairs, location_counts
from matching.instance import CONSTRAINTS, Instance
from matching.score import FitTerms
from matching.solution import Alternative, Assignment, NearMiss, Outranked, Unmatched

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

_SIZE_CLIP = 32


@dataclass(frozen=True, slots=True)
class Context:
    """Everything explanations read: the instance, its columns and the chosen pairs."""

    inst: Instance
    cols: Columns
    comp: Pairs  # compatible pairs
    fit: FitTerms  # fit of the compatible pairs
    arc: I64  # chosen compatible pair per household, -1 if unmatched
    n_alternatives: int
    n_near: int
    limits: dict[str, B]  # side constraint -> per-household flag "blocked by it"


def group_ptr(keys: I64, n: int) -> I64:
    """CSR pointer for pairs sorted by ``keys`` (a household or flat index)."""
    out: I64 = np.searchsorted(keys, np.arange(n + 1)).astype(np.int64)
    return out


def priority_order_rank(cols: Columns) -> I64:
    """Competition rank by (urgency, days waited), 1 = highest priority."""
    key = cols.hh.urgency * (1 << 20) + cols.hh.days
    sorted_desc = np.sort(key)[::-1]
    out: I64 = np.searchsorted(-sorted_desc, -key, side="left").astype(np.int64) + 1
    return out


def assignments(ctx: Context) -> tuple[Assignment, ...]:
    """Matched households with their terms and the best other compatible flats."""
    hs, fs, hh = ctx.inst.households, ctx.inst.flats, ctx.cols.hh
    taken = np.zeros(ctx.cols.fl.n, dtype=np.bool_)
    matched = np.flatnonzero(ctx.arc >= 0)
    chosen = ctx.arc[matched]
    taken[ctx.comp.f[chosen]] = True
    alt_owner, alt_pair = _best_alternatives(ctx)
    rows = _rows(ctx, chosen)
    alt_rows = _rows(ctx, alt_pair)
    alt_flat = ctx.comp.f[alt_pair].tolist()
    alt_fit = ctx.fit.total[alt_pair].tolist()
    alt_taken = taken[ctx.comp.f[alt_pair]].tolist()
    by_owner: dict[int, list[Alternative]] = {}
    for k, h in enumerate(alt_owner.tolist()):
        by_owner.setdefault(h, []).append(
            Alternative(fs[alt_flat[k]].id, alt_fit[k], alt_rows[k], alt_taken[k])
        )
    flat_of = ctx.comp.f[chosen].tolist()
    fit_of = ctx.fit.total[chosen].tolist()
    urg, days = hh.urgency[matched].tolist(), hh.days[matched].tolist()
    return tuple(
        Assignment(
            hs[h].id,
            fs[flat_of[k]].id,
            urg[k],
            days[k],
            fit_of[k],
            rows[k],
            tuple(by_owner.get(h, ())),
        )
        for k, h in enumerate(matched.tolist())
    )


def _rows(ctx: Context, idx: I64) -> list[dict[str, int]]:
    """Fit terms of the compatible pairs ``idx``, one dict per pair."""
    columns = {name: v[idx].tolist() for name, v in ctx.fit.terms.items()}
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def _best_alternatives(ctx: Context) -> tuple[I64, I64]:
    """(household, pair) for the n_alternatives lowest-fit other compatible pairs of every
    matched household, in household then fit order."""
    empty = np.zeros(0, dtype=np.int64)
    if ctx.n_alternatives <= 0 or len(ctx.comp.h) == 0:
        return empty, empty
    sel = np.flatnonzero(
        (ctx.arc[ctx.comp.h] >= 0) & (ctx.arc[ctx.comp.h] != np.arange(len(ctx.comp.h)))
    )
    # One int64 key (household, fit); the stable sort keeps pair order on ties.
    span = int(ctx.fit.total.max()) + 1
    order = sel[np.argsort(ctx.comp.h[sel] * span + ctx.fit.total[sel], kind="stable")]
    hs = ctx.comp.h[order]
    start = np.searchsorted(hs, hs, side="left")
    keep = order[(np.arange(len(order)) - start) < ctx.n_alternatives]
    return ctx.comp.h[keep], keep


def unmatched(ctx: Context) -> tuple[Unmatched, ...]:
    """Unmatched households with exclusion counts, near misses and competition."""
    idx = np.flatnonzero(ctx.arc < 0)
    if len(idx) == 0:
        return ()
    counts = exclusion_counts(ctx.cols, ctx.inst, idx)
    n_comp = np.bincount(ctx.comp.h, minlength=ctx.cols.hh.n)
    near = _near_misses(ctx, idx)
    outr = _outranked(ctx, idx)
    hh, hs = ctx.cols.hh, ctx.inst.households
    out = []
    for k, h in enumerate(idx.tolist()):
        limited = tuple(name for name, flag in ctx.limits.items() if flag[h])
        o = outr.get(h)
        reason = _reason(int(n_comp[h]), o, limited)
        out.append(
            Unmatched(
                hs[h].id,
                int(hh.urgency[h]),
                int(hh.days[h]),
                {c: int(counts[c][k]) for c in CONSTRAINTS},
                int(n_comp[h]),
                near.get(h, ()),
                o,
                limited,
                reason,
            )
        )
    return tuple(out)


def _reason(n_comp: int, o: Outranked | None, limited: tuple[str, ...]) -> str:
    if n_comp == 0:
        return "no compatible flat"
    if limited:
        return "side constraints: " + ", ".join(limited)
    if o is not None:
        return "outranked: compatible flats went to households placed before"
    return "compatible flats went to other households"


def exclusion_counts(cols: Columns, inst: Instance, idx: I64) -> dict[str, I64]:
    """How many flats of the instance fail each constraint, for households ``idx``."""
    hh, fl, n = cols.hh, cols.fl, cols.fl.n
    hsel = np.zeros(hh.n, dtype=np.bool_)
    hsel[idx] = True
    need_sf, need_gf = hh.needs_step_free[idx], hh.needs_ground[idx]
    access_ok = np.where(need_sf, fl.step_free.sum(), np.where(need_gf, fl.ground_ok.sum(), n))
    out: dict[str, I64] = {
        "size": n - _size_passing(cols, idx),
        "budget": n - np.searchsorted(np.sort(fl.cost), hh.max_cost[idx], side="right"),
        "deposit": n - np.searchsorted(np.sort(fl.deposit), hh.can_pay[idx], side="right"),
        "location": n - location_counts(cols, hsel)[idx],
        "accessibility": n - access_ok,
        "pets": np.where(hh.pets[idx], n - fl.pets.sum(), 0),
        "availability": n - np.searchsorted(np.sort(fl.available), hh.move_limit[idx], "right"),
        "excluded": np.bincount(cols.excluded_keys // max(n, 1), minlength=hh.n)[idx],
    }
    for name in inst.policy.relaxed:
        out[name] = np.zeros(len(idx), dtype=np.int64)
    return {k: np.asarray(v, dtype=np.int64) for k, v in out.items()}


def _size_passing(cols: Columns, idx: I64) -> I64:
    """Flats with occupants >= persons and rooms >= min rooms, via a 2-D suffix table."""
    fl, hh = cols.fl, cols.hh
    table = np.zeros((_SIZE_CLIP + 2, _SIZE_CLIP + 2), dtype=np.int64)
    np.add.at(table, (np.minimum(fl.occupants, _SIZE_CLIP), np.minimum(fl.rooms, _SIZE_CLIP)), 1)
    suffix = table[::-1, ::-1].cumsum(0).cumsum(1)[::-1, ::-1]
    p = np.minimum(hh.persons[idx], _SIZE_CLIP + 1)
    r = np.minimum(hh.min_rooms[idx], _SIZE_CLIP + 1)
    out: I64 = suffix[p, r]
    return out


_UNITS = {
    "budget": "CZK over budget",
    "deposit": "CZK deposit short",
    "location": "km too far",
    "availability": "days late",
    "accessibility": "not accessible as needed",
    "pets": "pets not allowed",
}


def _gaps(ctx: Context, p: Pairs) -> tuple[I64, F64, F64, B]:
    """Failed constraint index, gap, relative gap (for ranking) and "persons over occupancy"
    flag of single-failure pairs."""
    hh, fl = ctx.cols.hh, ctx.cols.fl
    h, f = p.h, p.f
    over = (hh.persons[h] - fl.occupants[f]).astype(np.float64)
    short = (hh.min_rooms[h] - fl.rooms[f]).astype(np.float64)
    one = np.ones(len(h))
    spec: dict[str, tuple[npt.NDArray[Any], npt.NDArray[Any]]] = {
        "size": (np.where(over > 0, over, short), np.maximum(hh.persons[h], 1)),
        "budget": (fl.cost[f] - hh.max_cost[h], np.maximum(hh.max_cost[h], 1)),
        "deposit": (fl.deposit[f] - hh.can_pay[h], np.maximum(fl.deposit[f], 1)),
        "location": (np.round(p.km - hh.a_km[h], 1), np.maximum(hh.a_km[h], 1.0)),
        "accessibility": (one, one),
        "pets": (one, one),
        "availability": (fl.available[f] - hh.move_limit[h], np.full(len(h), 30.0)),
    }
    bit = np.log2(p.fail.astype(np.float64)).astype(np.int64)  # exactly one bit is set
    gap, scale = np.zeros(len(h)), np.ones(len(h))
    for name, (g, sc) in spec.items():
        pick = bit == CONSTRAINTS.index(name)
        gap[pick], scale[pick] = g[pick], sc[pick]
    return bit, gap, gap / scale, over > 0


def _near_misses(ctx: Context, idx: I64) -> dict[int, tuple[NearMiss, ...]]:
    """Up to ``n_near`` flats per household failing exactly one constraint (not "excluded")."""
    want = np.zeros(ctx.cols.hh.n, dtype=np.bool_)
    want[idx] = True
    pairs = candidate_pairs(ctx.cols, ctx.inst.policy, want, near_misses=True)
    fail = pairs.fail
    single = (fail != 0) & ((fail & (fail - 1)) == 0) & (fail != BIT["excluded"])
    p = pairs.select(np.flatnonzero(single))
    if len(p.h) == 0 or ctx.n_near <= 0:
        return {}
    bit, gap, rel, over = _gaps(ctx, p)
    # Household plus a relative gap scaled into [0, 0.5): one float key, stable on ties.
    order = np.argsort(p.h + 0.5 * rel / (float(rel.max()) + 1.0), kind="stable")
    start = np.searchsorted(p.h[order], p.h[order], side="left")
    keep = order[(np.arange(len(order)) - start) < ctx.n_near]
    out: dict[int, list[NearMiss]] = {}
    fs = ctx.inst.flats
    rows = zip(
        bit[keep].tolist(),
        gap[keep].tolist(),
        over[keep].tolist(),
        p.h[keep].tolist(),
        p.f[keep].tolist(),
        strict=True,
    )
    for b, g, o, h, f in rows:
        name = CONSTRAINTS[b]
        unit = _UNITS.get(name) or ("persons over occupancy" if o else "rooms short")
        out.setdefault(h, []).append(NearMiss(fs[f].id, name, g, unit))
    return {h: tuple(v) for h, v in out.items()}


def _outranked(ctx: Context, idx: I64) -> dict[int, Outranked]:
    """Compatible flats of unmatched households that went to other households."""
    taker = np.full(ctx.cols.fl.n, -1, dtype=np.int64)
    matched = np.flatnonzero(ctx.arc >= 0)
    taker[ctx.comp.f[ctx.arc[matched]]] = matched
    want = np.zeros(ctx.cols.hh.n, dtype=np.bool_)
    want[idx] = True
    sel = np.flatnonzero(want[ctx.comp.h] & (taker[ctx.comp.f] >= 0))
    rank = priority_order_rank(ctx.cols)
    urg = ctx.cols.hh.urgency
    out: dict[int, Outranked] = {}
    if len(sel) == 0:
        return out
    owners = ctx.comp.h[sel]  # compatible pairs are sorted by household
    heads, starts = np.unique(owners, return_index=True)
    for h, takers in zip(heads.tolist(), np.split(taker[ctx.comp.f[sel]], starts[1:]), strict=True):
        by_u = np.bincount(urg[takers], minlength=6)
        out[h] = Outranked(
            len(takers),
            {u: int(by_u[u]) for u in range(5, 0, -1) if by_u[u]},
            int(rank[h]),
            int(rank[takers].min()),
        )
    return out
