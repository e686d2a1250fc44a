"""Columnar (NumPy) view of an instance: one array per attribute, indices instead of ids."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.instance import Instance

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]


def _i(values: list[int]) -> I64:
    return np.asarray(values, dtype=np.int64)


def _b(values: list[bool]) -> B:
    return np.asarray(values, dtype=np.bool_)


def _f(values: list[float]) -> F64:
    return np.asarray(values, dtype=np.float64)


def _index(names: list[str | None]) -> tuple[I64, list[str]]:
    """Map optional names to dense indices (-1 for None), sorted for determinism."""
    table = sorted({n for n in names if n is not None})
    pos = {n: i for i, n in enumerate(table)}
    return _i([-1 if n is None else pos[n] for n in names]), table


@dataclass(frozen=True, slots=True)
class Csr:
    """Ragged lists: row ``i`` owns ``idx[ptr[i]:ptr[i+1]]``."""

    ptr: I64
    idx: I64

    def rows(self) -> I64:
        """Row number of every stored entry."""
        out: I64 = np.repeat(np.arange(len(self.ptr) - 1, dtype=np.int64), np.diff(self.ptr))
        return out


def _csr(lists: list[tuple[str, ...]], table: dict[str, int]) -> Csr:
    """Codes unknown to ``table`` (no flat there) are dropped: they cannot match anything."""
    rows = [sorted({table[c] for c in codes if c in table}) for codes in lists]
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(r) for r in rows])
    flat_idx = [i for r in rows for i in r]
    return Csr(ptr, _i(flat_idx))


@dataclass(frozen=True, slots=True)
class HouseholdCols:
    n: int
    persons: I64
    urgency: I64
    days: I64
    max_cost: I64
    income: I64
    can_pay: I64
    min_rooms: I64
    move_limit: I64  # last acceptable available_from, as date ordinal
    anchored: B
    a_lat: F64
    a_lon: F64
    a_km: F64
    needs_step_free: B
    needs_ground: B
    pets: B
    worker: I64
    munis: Csr
    orps: Csr


@dataclass(frozen=True, slots=True)
class FlatCols:
    n: int
    muni: I64
    orp: I64
    lat: F64
    lon: F64
    rooms: I64
    occupants: I64
    cost: I64
    deposit: I64
    step_free: B  # step-free entrance and reachable without stairs (ground floor or lift)
    ground_ok: B  # ground floor or lift
    pets: B
    available: I64  # available_from as date ordinal
    landlord: I64
    building: I64


@dataclass(frozen=True, slots=True)
class Columns:
    """Columnar instance plus lookup tables used by every vectorised step."""

    hh: HouseholdCols
    fl: FlatCols
    n_munis: int
    n_orps: int
    workers: list[str]
    landlords: list[str]
    buildings: list[str]
    excluded_keys: I64  # sorted household_index * n_flats + flat_index


def build_columns(inst: Instance) -> Columns:
    """Turn an instance into columns; codes become dense indices shared by both sides."""
    muni_table = {c: i for i, c in enumerate(sorted({f.municipality_code for f in inst.flats}))}
    orp_table = {c: i for i, c in enumerate(sorted({f.orp_code for f in inst.flats}))}
    fl, landlords, buildings = _flat_cols(inst, muni_table, orp_table)
    hh, workers = _household_cols(inst, muni_table, orp_table)
    return Columns(
        hh,
        fl,
        len(muni_table),
        len(orp_table),
        workers,
        landlords,
        buildings,
        _excluded_keys(inst),
    )


def _flat_cols(
    inst: Instance, muni_table: dict[str, int], orp_table: dict[str, int]
) -> tuple[FlatCols, list[str], list[str]]:
    fs = inst.flats
    landlord, landlords = _index([f.landlord for f in fs])
    # A flat without a building id is its own building: caps never join unrelated flats.
    building, buildings = _index([f.building or f"\x00{f.id}" for f in fs])
    floor = _i([f.floor for f in fs])
    lift = _b([f.lift for f in fs])
    ground_ok = (floor == 0) | lift
    cols = FlatCols(
        n=len(fs),
        muni=_i([muni_table[f.municipality_code] for f in fs]),
        orp=_i([orp_table[f.orp_code] for f in fs]),
        lat=_f([f.lat for f in fs]),
        lon=_f([f.lon for f in fs]),
        rooms=_i([f.rooms for f in fs]),
        occupants=_i([f.max_occupants for f in fs]),
        cost=_i([f.rent + f.services for f in fs]),
        deposit=_i([f.deposit for f in fs]),
        step_free=_b([f.step_free for f in fs]) & ground_ok,
        ground_ok=ground_ok,
        pets=_b([f.pets_allowed for f in fs]),
        available=_i([f.available_from.toordinal() for f in fs]),
        landlord=landlord,
        building=building,
    )
    return cols, landlords, buildings


def _household_cols(
    inst: Instance, muni_table: dict[str, int], orp_table: dict[str, int]
) -> tuple[HouseholdCols, list[str]]:
    hs, p = inst.households, inst.policy
    today = inst.today.toordinal()
    window = today + p.availability_window_days
    support = p.deposit_support if p.deposit_support_allowed else 0
    worker, workers = _index([h.social_worker for h in hs])
    anchors = [h.anchor for h in hs]
    cols = HouseholdCols(
        n=len(hs),
        persons=_i([h.adults + h.children for h in hs]),
        urgency=_i([h.urgency for h in hs]),
        days=np.clip(_i([today - h.registered_on.toordinal() for h in hs]), 0, p.days_waited_cap),
        max_cost=_i([h.max_housing_cost for h in hs]),
        income=_i([h.income for h in hs]),
        can_pay=_i([h.deposit_available + support for h in hs]),
        min_rooms=_i([h.min_rooms for h in hs]),
        move_limit=_i([window if h.move_in_by is None else h.move_in_by.toordinal() for h in hs]),
        anchored=_b([a is not None for a in anchors]),
        a_lat=_f([a.lat if a else 0.0 for a in anchors]),
        a_lon=_f([a.lon if a else 0.0 for a in anchors]),
        a_km=_f([a.max_km if a else 0.0 for a in anchors]),
        needs_step_free=_b([h.needs_step_free for h in hs]),
        needs_ground=_b([h.needs_ground_floor for h in hs]),
        pets=_b([h.has_pets for h in hs]),
        worker=worker,
        munis=_csr([h.municipality_codes for h in hs], muni_table),
        orps=_csr([h.orp_codes for h in hs], orp_table),
    )
    return cols, workers


def _excluded_keys(inst: Instance) -> I64:
    hpos = {h.id: i for i, h in enumerate(inst.households)}
    fpos = {f.id: i for i, f in enumerate(inst.flats)}
    n_f = len(inst.flats)
    keys = [hpos[h] * n_f + fpos[f] for h, f in inst.excluded if h in hpos and f in fpos]
    return np.unique(_i(keys))


def member(sorted_keys: I64, query: I64) -> B:
    """Vectorised membership of ``query`` values in a sorted unique key array."""
    if len(sorted_keys) == 0:
        return np.zeros(len(query), dtype=np.bool_)
    pos = np.searchsorted(sorted_keys, query)
    pos = np.minimum(pos, len(sorted_keys) - 1)
    out: B = sorted_keys[pos] == query
    return out
