"""Vectorised compatibility: candidate pairs by area bucket and radius grid, with a bit
per failed hard constraint.

Pairs are only generated where a household could plausibly live: flats in its acceptable
municipalities/ORPs, or within its anchor radius (plus a near-miss margin), and at most
``near_miss_budget_percent`` over its budget. Flats sorted by (bucket, housing cost) make the
budget cut a binary search, so the work is proportional to the pairs produced, never to
households x flats.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.columns import Columns, Csr, member
from matching.geo import CELL_DEG, cell_id, cell_rc, haversine_km, planar_km_sq
from matching.instance import CONSTRAINTS, Policy

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
U8 = npt.NDArray[np.uint8]
B = npt.NDArray[np.bool_]

BIT: dict[str, int] = {name: 1 << i for i, name in enumerate(CONSTRAINTS)}
_COST_SPAN = 1 << 40  # larger than any monthly housing cost; bucket * span + cost fits int64


@dataclass(frozen=True, slots=True)
class Pairs:
    """Candidate household-flat pairs. ``fail`` has one bit per failed constraint."""

    h: I64
    f: I64
    fail: U8
    km: F64  # distance from the household's anchor, NaN without an anchor

    def select(self, keep: B | I64) -> Pairs:
        """Subset of the pairs (boolean mask or index array)."""
        return Pairs(self.h[keep], self.f[keep], self.fail[keep], self.km[keep])

    def compatible(self) -> Pairs:
        """Pairs failing no constraint."""
        return self.select(self.fail == 0)


def expand_ranges(starts: I64, ends: I64) -> tuple[I64, I64]:
    """For ranges [start, end): the owning range of each element and the element itself."""
    lens = np.maximum(ends - starts, 0)
    owner = np.repeat(np.arange(len(starts), dtype=np.int64), lens)
    shift = np.repeat(starts - (np.cumsum(lens) - lens), lens)
    return owner, np.arange(int(lens.sum()), dtype=np.int64) + shift


@dataclass(frozen=True, slots=True)
class _Query:
    """Flats are looked up by (bucket, sub-bucket) and cut at the household's cost limit.

    Sub-buckets split flats by "no deposit" and "pets allowed", so that strict lookups skip
    flats a household cannot take: a household without deposit money only sees flats
    without a deposit, a household with pets only flats allowing pets.
    """

    cost: I64  # per flat
    sub: I64  # per flat: 2 * (no deposit) + (pets allowed)
    allowed: B  # per household x 4 sub-buckets
    limit: I64  # per household: highest housing cost looked at


def _query(cols: Columns, policy: Policy, strict: bool) -> _Query:
    fl, hh = cols.fl, cols.hh
    sub = 2 * (fl.deposit == 0).astype(np.int64) + fl.pets.astype(np.int64)
    allowed = np.ones((hh.n, 4), dtype=np.bool_)
    if strict and "deposit" not in policy.relaxed:
        positive = fl.deposit[fl.deposit > 0]
        cheapest = int(positive.min()) if len(positive) else 0
        allowed[hh.can_pay < cheapest, 0:2] = False
    if strict and "pets" not in policy.relaxed:
        allowed[hh.pets, 0::2] = False
    return _Query(fl.cost, sub, allowed, _budget_limit(cols, policy, not strict))


def _bucket_pairs(q: _Query, bucket_of_flat: I64, hh: I64, bucket: I64) -> tuple[I64, I64]:
    """Pairs (household, flat): flat in ``bucket``, in an allowed sub-bucket, within limit."""
    fkey = bucket_of_flat * 4 + q.sub
    order = np.lexsort((q.cost, fkey))
    key = fkey[order] * _COST_SPAN + q.cost[order]
    owner, sub = np.nonzero(q.allowed[hh])  # row-major: households stay in order
    hh = hh[owner]
    qkey = (bucket[owner] * 4 + sub) * _COST_SPAN
    lo = np.searchsorted(key, qkey, side="left")
    hi = np.searchsorted(key, qkey + q.limit[hh], side="right")
    owner, pos = expand_ranges(lo, hi)
    return hh[owner], order[pos]


def _area_keys(csr: Csr, n_codes: int) -> I64:
    return np.unique(csr.rows() * n_codes + csr.idx)


def _in_area(cols: Columns, h: I64, f: I64) -> B:
    """Does flat ``f`` lie in one of household ``h``'s acceptable municipalities or ORPs?"""
    in_orp = member(_area_keys(cols.hh.orps, cols.n_orps), h * cols.n_orps + cols.fl.orp[f])
    in_muni = member(_area_keys(cols.hh.munis, cols.n_munis), h * cols.n_munis + cols.fl.muni[f])
    out: B = in_orp | in_muni
    return out


def _area_route(cols: Columns, hsel: B, q: _Query) -> tuple[I64, I64]:
    orps, munis = cols.hh.orps, cols.hh.munis
    o_rows = orps.rows()
    keep = hsel[o_rows]
    h1, f1 = _bucket_pairs(q, cols.fl.orp, o_rows[keep], orps.idx[keep])
    m_rows = munis.rows()
    keep = hsel[m_rows]
    h2, f2 = _bucket_pairs(q, cols.fl.muni, m_rows[keep], munis.idx[keep])
    # A municipality inside an accepted ORP was already produced by the ORP route.
    orp_keys = _area_keys(orps, cols.n_orps)
    dup = member(orp_keys, h2 * cols.n_orps + cols.fl.orp[f2])
    return np.concatenate([h1, h2[~dup]]), np.concatenate([f1, f2[~dup]])


def _row_columns(rows: I64, lat: F64, lon: F64, reach: F64) -> tuple[I64, I64]:
    """Grid columns a circle can touch within each grid row (its chord, with a margin),
    so that corner cells of the bounding box are not searched."""
    lo = rows * CELL_DEG - 90.0
    hi = lo + CELL_DEG
    inside = (lat >= lo) & (lat < hi)
    dy = np.where(inside, 0.0, np.minimum(np.abs(lat - lo), np.abs(lat - hi))) * 111.0
    half = np.sqrt(np.maximum(reach * reach - dy * dy, 0.0)) * 1.02 + 0.05
    half = np.where(reach > 100.0, reach, half)  # the chord shortcut only for local radii
    dlon = half / (111.0 * np.maximum(np.cos(np.radians(lat)), 0.05))
    _, c0 = cell_rc(lat, lon - dlon)
    _, c1 = cell_rc(lat, lon + dlon)
    return c0, c1


def _radius_route(cols: Columns, hsel: B, q: _Query, margin: float) -> tuple[I64, I64, F64]:
    """Pairs within the anchor radius (times ``1 + margin``) not already in an accepted area."""
    hh, fl = cols.hh, cols.fl
    anchored = np.flatnonzero(hsel & hh.anchored)
    reach = hh.a_km[anchored] * (1.0 + margin)
    lat, lon = hh.a_lat[anchored], hh.a_lon[anchored]
    dlat = reach / 111.0
    r0, _ = cell_rc(lat - dlat, lon)
    r1, _ = cell_rc(lat + dlat, lon)
    row_owner, rows = expand_ranges(r0, r1 + 1)
    c0, c1 = _row_columns(rows, lat[row_owner], lon[row_owner], reach[row_owner])
    col_owner, cols_ = expand_ranges(c0, c1 + 1)
    owner = row_owner[col_owner]
    cells = cell_id(rows[col_owner], cols_)
    fr, fc = cell_rc(fl.lat, fl.lon)
    h, f = _bucket_pairs(q, cell_id(fr, fc), anchored[owner], cells)
    reach = hh.a_km[h] * (1.0 + margin)
    # Cheap planar pre-filter with a safety margin, exact great-circle test on survivors.
    rough = planar_km_sq(hh.a_lat, hh.a_lon, h, fl.lat[f], fl.lon[f]) <= (reach * 1.02 + 0.02) ** 2
    rough |= reach > 100.0  # the planar bound is only trusted for local radii
    h, f, reach = h[rough], f[rough], reach[rough]
    km = haversine_km(hh.a_lat[h], hh.a_lon[h], fl.lat[f], fl.lon[f])
    near = km <= reach
    h, f, km = h[near], f[near], km[near]
    fresh = ~_in_area(cols, h, f)  # pairs in an accepted area come from the area route
    return h[fresh], f[fresh], km[fresh]


def _budget_limit(cols: Columns, policy: Policy, window: bool) -> I64:
    if "budget" in policy.relaxed:
        return np.full(cols.hh.n, _COST_SPAN - 1, dtype=np.int64)
    extra = cols.hh.max_cost * policy.near_miss_budget_percent // 100 if window else 0
    out: I64 = cols.hh.max_cost + extra
    return out


def candidate_pairs(
    cols: Columns, policy: Policy, hsel: B | None = None, near_misses: bool = False
) -> Pairs:
    """Pairs worth looking at, with their failed-constraint bits, grouped by household.

    Strict (default): only pairs passing location, budget and the sub-bucket tests; the
    compatible pairs are exactly those with no bit set. With ``near_misses``: also flats up
    to ``near_miss_budget_percent`` % over budget, up to ``near_miss_radius_percent`` % beyond
    the anchor radius, and flats failing the deposit or pets test.
    """
    if hsel is None:
        hsel = np.ones(cols.hh.n, dtype=np.bool_)
    q = _query(cols, policy, strict=not near_misses)
    if "location" in policy.relaxed:
        idx = np.flatnonzero(hsel)
        h, f = _bucket_pairs(q, np.zeros(cols.fl.n, dtype=np.int64), idx, np.zeros_like(idx))
        return _finish(cols, policy, h, f, None, np.full(len(h), np.nan))
    h1, f1 = _area_route(cols, hsel, q)
    margin = policy.near_miss_radius_percent / 100 if near_misses else 0.0
    h2, f2, km2 = _radius_route(cols, hsel, q, margin)
    far = km2 > cols.hh.a_km[h2]
    km1 = np.full(len(h1), np.nan)
    return _finish(
        cols,
        policy,
        np.concatenate([h1, h2]),
        np.concatenate([f1, f2]),
        np.concatenate([np.zeros(len(h1), dtype=np.bool_), far]),
        np.concatenate([km1, km2]),
    )


def _finish(cols: Columns, policy: Policy, h: I64, f: I64, far: B | None, km: F64) -> Pairs:
    """Sort by household, fill in missing anchor distances and set the failure bits."""
    # Each route yields pairs in household order: a stable sort merges the runs cheaply
    # and keeps a deterministic order of flats within a household.
    order = np.argsort(h, kind="stable")
    h, f, km = h[order], f[order], km[order]
    hh, fl = cols.hh, cols.fl
    a = hh.anchored[h] & np.isnan(km)
    km[a] = haversine_km(hh.a_lat[h[a]], hh.a_lon[h[a]], fl.lat[f[a]], fl.lon[f[a]])
    fail = np.zeros(len(h), dtype=np.uint8)
    if far is not None:
        fail |= far[order].astype(np.uint8) * BIT["location"]
    fail |= fail_bits(cols, h, f)
    for name in policy.relaxed:
        fail &= np.uint8(0xFF ^ BIT[name])
    return Pairs(h, f, fail, km)


def fail_bits(cols: Columns, h: I64, f: I64) -> U8:
    """Bits of every constraint except location, for arbitrary pairs."""
    hh, fl = cols.hh, cols.fl
    tests: dict[str, B] = {
        "size": (hh.persons[h] > fl.occupants[f]) | (fl.rooms[f] < hh.min_rooms[h]),
        "budget": fl.cost[f] > hh.max_cost[h],
        "deposit": fl.deposit[f] > hh.can_pay[h],
        "accessibility": (hh.needs_step_free[h] & ~fl.step_free[f])
        | (hh.needs_ground[h] & ~fl.ground_ok[f]),
        "pets": hh.pets[h] & ~fl.pets[f],
        "availability": fl.available[f] > hh.move_limit[h],
        "excluded": member(cols.excluded_keys, h * fl.n + f),
    }
    fail = np.zeros(len(h), dtype=np.uint8)
    for name, bad in tests.items():
        fail |= bad.astype(np.uint8) * np.uint8(BIT[name])
    return fail


def location_counts(cols: Columns, hsel: B) -> I64:
    """Number of flats passing the location constraint, per household (all flats counted)."""
    unlimited = np.full(cols.hh.n, _COST_SPAN - 1, dtype=np.int64)
    q = _Query(
        cols.fl.cost,
        np.zeros(cols.fl.n, dtype=np.int64),
        np.ones((cols.hh.n, 4), dtype=np.bool_),
        unlimited,
    )
    h1, _ = _area_route(cols, hsel, q)
    h2, _, _ = _radius_route(cols, hsel, q, 0.0)
    out: I64 = np.bincount(np.concatenate([h1, h2]), minlength=cols.hh.n).astype(np.int64)
    return out
