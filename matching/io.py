"""JSON load (with validation naming the record and field) and dump of instances/solutions."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

from matching.instance import (
    CONSTRAINTS,
    Anchor,
    FitWeights,
    Flat,
    Household,
    Instance,
    Policy,
    ReservedShare,
)
from matching.solution import Assignment, Solution, Unmatched


class InstanceError(ValueError):
    """An instance file or mapping is invalid; the message names the record and field."""


_MISSING: Any = object()


class _Record:
    """Typed field access on one JSON object, raising errors that name the record."""

    def __init__(self, raw: object, where: str) -> None:
        if not isinstance(raw, Mapping):
            raise InstanceError(f"{where}: must be an object, got {_show(raw)}")
        self.raw = raw
        rid = raw.get("id")
        self.where = f'{where} (id "{rid}")' if isinstance(rid, str) else where

    def fail(self, name: str, expected: str, value: object) -> InstanceError:
        return InstanceError(f'{self.where}: field "{name}" must be {expected}, got {_show(value)}')

    def get(self, name: str, default: object) -> object:
        value = self.raw.get(name, default)
        if value is _MISSING:
            raise InstanceError(f'{self.where}: field "{name}" is required')
        return value

    def integer(
        self, name: str, default: object = _MISSING, lo: int = 0, hi: int | None = None
    ) -> int:
        value = self.get(name, default)
        ok = isinstance(value, int) and not isinstance(value, bool)
        if not ok or value < lo or (hi is not None and value > hi):  # type: ignore[operator]
            raise self.fail(name, _int_words(lo, hi), value)
        return value  # type: ignore[return-value]

    def opt_integer(self, name: str) -> int | None:
        return None if self.raw.get(name) is None else self.integer(name)

    def number(self, name: str, lo: float, hi: float, default: object = _MISSING) -> float:
        value = self.get(name, default)
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not lo <= value <= hi:  # type: ignore[operator]
            raise self.fail(name, f"a number between {lo:g} and {hi:g}", value)
        return float(value)  # type: ignore[arg-type]

    def flag(self, name: str, default: object = False) -> bool:
        value = self.get(name, default)
        if not isinstance(value, bool):
            raise self.fail(name, "true or false", value)
        return value

    def text(self, name: str, default: object = _MISSING) -> str:
        value = self.get(name, default)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)  # official codes are often written as numbers
        if not isinstance(value, str) or not value:
            raise self.fail(name, "a non-empty string", value)
        return value

    def opt_text(self, name: str) -> str | None:
        return None if self.raw.get(name) is None else self.text(name)

    def day(self, name: str, default: object = _MISSING) -> date:
        value = self.get(name, default)
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise self.fail(name, "a date YYYY-MM-DD", value) from None

    def opt_day(self, name: str) -> date | None:
        return None if self.raw.get(name) is None else self.day(name)

    def codes(self, name: str) -> tuple[str, ...]:
        value = self.get(name, [])
        if not isinstance(value, list):
            raise self.fail(name, "a list of codes", value)
        ok = all(isinstance(v, str | int) and not isinstance(v, bool) for v in value)
        if not ok:
            raise self.fail(name, "a list of codes (strings or integers)", value)
        return tuple(str(v) for v in value)


def _show(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _int_words(lo: int, hi: int | None) -> str:
    if hi is not None:
        return f"an integer between {lo} and {hi}"
    return "a non-negative integer" if lo == 0 else f"an integer >= {lo}"


def _anchor(r: _Record) -> Anchor | None:
    raw = r.raw.get("anchor")
    if raw is None:
        return None
    a = _Record(raw, f"{r.where}.anchor")
    return Anchor(
        a.number("lat", -90, 90), a.number("lon", -180, 180), a.number("max_km", 0, 20000)
    )


def _household(r: _Record) -> Household:
    h = Household(
        id=r.text("id"),
        adults=r.integer("adults", lo=1),
        children=r.integer("children", 0),
        urgency=r.integer("urgency", lo=1, hi=5),
        registered_on=r.day("registered_on"),
        max_housing_cost=r.integer("max_housing_cost"),
        income=r.integer("income"),
        deposit_available=r.integer("deposit_available", 0),
        municipality_codes=r.codes("municipality_codes"),
        orp_codes=r.codes("orp_codes"),
        anchor=_anchor(r),
        needs_step_free=r.flag("needs_step_free"),
        needs_ground_floor=r.flag("needs_ground_floor"),
        has_pets=r.flag("has_pets"),
        min_rooms=r.integer("min_rooms", 1),
        move_in_by=r.opt_day("move_in_by"),
        social_worker=r.opt_text("social_worker"),
        tags=r.codes("tags"),
    )
    if not (h.municipality_codes or h.orp_codes or h.anchor):
        raise InstanceError(
            f"{r.where}: needs at least one of municipality_codes, orp_codes or anchor"
        )
    return h


def _flat(r: _Record) -> Flat:
    return Flat(
        id=r.text("id"),
        municipality_code=r.text("municipality_code"),
        orp_code=r.text("orp_code"),
        lat=r.number("lat", -90, 90),
        lon=r.number("lon", -180, 180),
        rooms=r.integer("rooms", lo=1),
        max_occupants=r.integer("max_occupants", lo=1),
        rent=r.integer("rent"),
        services=r.integer("services", 0),
        deposit=r.integer("deposit", 0),
        available_from=r.day("available_from"),
        layout=str(r.get("layout", "")),
        floor=r.integer("floor", 0, lo=-5),
        lift=r.flag("lift"),
        step_free=r.flag("step_free"),
        pets_allowed=r.flag("pets_allowed"),
        landlord=r.opt_text("landlord"),
        building=r.opt_text("building"),
    )


def _policy(raw: object) -> Policy:
    r = _Record({} if raw is None else raw, "policy")
    w = _Record(r.raw.get("fit_weights") or {}, "policy.fit_weights")
    weights = FitWeights(
        **{
            f.name: w.integer(f.name, getattr(FitWeights(), f.name), hi=1000)
            for f in fields(FitWeights)
        }
    )
    relaxed = r.codes("relaxed")
    unknown = sorted(set(relaxed) - set(CONSTRAINTS))
    if unknown:
        raise r.fail("relaxed", f"a list of constraint names {list(CONSTRAINTS)}", unknown)
    return Policy(
        fit_weights=weights,
        days_waited_cap=r.integer("days_waited_cap", 3650, lo=1, hi=36500),
        deposit_support=r.integer("deposit_support", 0),
        deposit_support_allowed=r.flag("deposit_support_allowed"),
        availability_window_days=r.integer("availability_window_days", 60),
        max_per_social_worker=r.opt_integer("max_per_social_worker"),
        max_per_landlord=r.opt_integer("max_per_landlord"),
        max_per_building=r.opt_integer("max_per_building"),
        reserved_shares=_shares(r),
        relaxed=frozenset(relaxed),
        near_miss_radius_percent=r.integer("near_miss_radius_percent", 50, hi=1000),
        near_miss_budget_percent=r.integer("near_miss_budget_percent", 20, hi=1000),
    )


def _shares(r: _Record) -> tuple[ReservedShare, ...]:
    raw = r.get("reserved_shares", [])
    if not isinstance(raw, list):
        raise r.fail("reserved_shares", "a list", raw)
    out = []
    for i, item in enumerate(raw):
        s = _Record(item, f"policy.reserved_shares[{i}]")
        out.append(ReservedShare(s.text("group"), s.integer("min_percent", hi=100)))
    return tuple(out)


def _records(data: Mapping[str, Any], key: str, make: Callable[[_Record], Any]) -> tuple[Any, ...]:
    raw = data.get(key)
    if not isinstance(raw, list):
        raise InstanceError(f'field "{key}" must be a list, got {_show(raw)}')
    items = tuple(make(_Record(item, f"{key}[{i}]")) for i, item in enumerate(raw))
    _unique_ids(items, key)
    return items


def _unique_ids(items: tuple[Any, ...], key: str) -> None:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.id in seen:
            first = seen[item.id]
            raise InstanceError(f'{key}[{i}] (id "{item.id}"): duplicate id, first at [{first}]')
        seen[item.id] = i


def _excluded(data: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    raw = data.get("excluded", [])
    if not isinstance(raw, list):
        raise InstanceError(f'field "excluded" must be a list, got {_show(raw)}')
    out = []
    for i, pair in enumerate(raw):
        ok = isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        if not ok:
            raise InstanceError(
                f"excluded[{i}]: must be [household id, flat id], got {_show(pair)}"
            )
        out.append((pair[0], pair[1]))
    return tuple(out)


def instance_from_dict(data: object) -> Instance:
    """Build and validate an :class:`Instance` from decoded JSON."""
    if not isinstance(data, Mapping):
        raise InstanceError(f"instance must be a JSON object, got {_show(data)}")
    top = _Record(data, "instance")
    return Instance(
        today=top.day("today"),
        households=_records(data, "households", _household),
        flats=_records(data, "flats", _flat),
        policy=_policy(data.get("policy")),
        excluded=_excluded(data),
    )


def load_instance(path: str | Path) -> Instance:
    """Read and validate an instance JSON file; raises :class:`InstanceError`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InstanceError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InstanceError(f"{path}: not valid JSON: {exc}") from None
    return instance_from_dict(data)


def instance_to_dict(instance: Instance) -> dict[str, Any]:
    """JSON-ready form of an instance (inverse of :func:`instance_from_dict`)."""
    p = instance.policy
    policy = _plain(p)
    policy["relaxed"] = sorted(p.relaxed)
    return {
        "today": instance.today.isoformat(),
        "policy": policy,
        "households": [_plain(h) for h in instance.households],
        "flats": [_plain(f) for f in instance.flats],
        "excluded": [list(pair) for pair in instance.excluded],
    }


def _plain(obj: object) -> Any:
    """Dataclass/tuple/date tree to JSON-ready values (None fields are kept)."""
    if hasattr(obj, "__dataclass_fields__"):
        return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)}  # type: ignore[arg-type]
    if isinstance(obj, tuple | list | frozenset):
        return [_plain(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, date):
        return obj.isoformat()
    return obj


def solution_to_dict(solution: Solution) -> dict[str, Any]:
    """JSON-ready form of a solution."""
    return {
        "status": solution.status,
        "method": solution.method,
        "objective": solution.objective.as_dict(),
        "bound": solution.bound.as_dict(),
        "timings_s": {k: round(v, 4) for k, v in solution.timings.items()},
        "stats": dict(solution.stats),
        "assignments": [_assignment(a) for a in solution.assignments],
        "unmatched": [_unmatched(u) for u in solution.unmatched],
    }


def _assignment(a: Assignment) -> dict[str, Any]:
    out: dict[str, Any] = _plain(a)
    return out


def _unmatched(u: Unmatched) -> dict[str, Any]:
    out: dict[str, Any] = _plain(u)
    return out


def dump_solution(solution: Solution, path: str | Path | None = None) -> str:
    """Serialise a solution to JSON text; also write it to ``path`` when given."""
    text = json.dumps(solution_to_dict(solution), ensure_ascii=False, indent=1)
    if path is not None:
        Path(path).write_text(text + "\n", encoding="utf-8")
    return text
