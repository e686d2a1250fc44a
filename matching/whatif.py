"""What-if: solve the same instance with changes and report who else would be housed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

from matching.engine import solve
from matching.instance import CONSTRAINTS, Flat, Household, Instance, SolveOptions
from matching.io import InstanceError
from matching.solution import Solution


@dataclass(frozen=True, slots=True)
class AddFlats:
    """Add ``count`` identical flats in an ORP or municipality."""

    count: int
    rooms: int
    rent: int
    services: int = 0
    layout: str = ""
    orp: str | None = None
    municipality: str | None = None
    max_occupants: int | None = None  # default: 2 per room
    deposit: int | None = None  # default: one month's rent
    lat: float | None = None  # default: centre of the area's existing flats
    lon: float | None = None
    floor: int = 1
    lift: bool = False
    step_free: bool = False
    pets_allowed: bool = False
    available_from: date | None = None  # default: the instance's reference date


@dataclass(frozen=True, slots=True)
class RaiseBudgets:
    """Raise every household's max housing cost by ``percent`` % (rounded down)."""

    percent: int


@dataclass(frozen=True, slots=True)
class Relax:
    """Switch one named hard constraint off."""

    constraint: str


Change = AddFlats | RaiseBudgets | Relax


@dataclass(frozen=True, slots=True)
class WhatIfReport:
    """Difference between the baseline run and the changed run."""

    baseline: Solution
    changed: Solution
    extra_housed: int
    extra_by_urgency: dict[int, int]
    extra_by_size: dict[int, int]
    newly_housed: tuple[str, ...]
    no_longer_housed: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        """JSON-ready summary (solutions reduced to their objectives)."""
        return {
            "extra_housed": self.extra_housed,
            "extra_by_urgency": {str(k): v for k, v in self.extra_by_urgency.items()},
            "extra_by_size": {str(k): v for k, v in self.extra_by_size.items()},
            "newly_housed": list(self.newly_housed),
            "no_longer_housed": list(self.no_longer_housed),
            "baseline_objective": self.baseline.objective.as_dict(),
            "changed_objective": self.changed.objective.as_dict(),
            "status": {"baseline": self.baseline.status, "changed": self.changed.status},
        }


def apply_changes(inst: Instance, changes: list[Change]) -> Instance:
    """A new instance with every change applied in order."""
    for change in changes:
        inst = _apply(inst, change)
    return inst


def _apply(inst: Instance, change: Change) -> Instance:
    if isinstance(change, Relax):
        if change.constraint not in CONSTRAINTS:
            raise InstanceError(
                f"cannot relax unknown constraint {change.constraint!r}; "
                f"known: {', '.join(CONSTRAINTS)}"
            )
        relaxed = inst.policy.relaxed | {change.constraint}
        return replace(inst, policy=replace(inst.policy, relaxed=relaxed))
    if isinstance(change, RaiseBudgets):
        hs = tuple(_raise(h, change.percent) for h in inst.households)
        return replace(inst, households=hs)
    return replace(inst, flats=inst.flats + _new_flats(inst, change))


def _raise(h: Household, percent: int) -> Household:
    return replace(h, max_housing_cost=max(0, h.max_housing_cost * (100 + percent) // 100))


def _area(inst: Instance, add: AddFlats) -> tuple[str, str, list[Flat]]:
    """Municipality and ORP codes of the new flats, and existing flats of that area."""
    if add.municipality is not None:
        near = [f for f in inst.flats if f.municipality_code == add.municipality]
        orp = add.orp or (near[0].orp_code if near else None)
        if orp is None:
            raise InstanceError(f"municipality {add.municipality} has no flats: give orp too")
        return add.municipality, orp, near
    if add.orp is None:
        raise InstanceError("added flats need an orp or a municipality")
    near = [f for f in inst.flats if f.orp_code == add.orp]
    common = Counter(f.municipality_code for f in near).most_common(1)
    return (common[0][0] if common else f"ORP-{add.orp}"), add.orp, near


def _new_flats(inst: Instance, add: AddFlats) -> tuple[Flat, ...]:
    muni, orp, near = _area(inst, add)
    lat, lon = add.lat, add.lon
    if lat is None or lon is None:
        if not near:
            raise InstanceError(f"area {orp} has no flats to place new ones: give lat and lon")
        lat = sum(f.lat for f in near) / len(near)
        lon = sum(f.lon for f in near) / len(near)
    taken = {f.id for f in inst.flats}
    prefix = f"WHATIF-{orp}-{muni}-{add.layout or add.rooms}"
    out = []
    for i in range(add.count):
        fid = f"{prefix}-{i + 1}"
        while fid in taken:  # earlier changes of the same shape already used this id
            fid += "b"
        taken.add(fid)
        out.append(
            Flat(
                id=fid,
                municipality_code=muni,
                orp_code=orp,
                lat=lat,
                lon=lon,
                rooms=add.rooms,
                max_occupants=add.max_occupants or 2 * add.rooms,
                rent=add.rent,
                services=add.services,
                deposit=add.rent if add.deposit is None else add.deposit,
                available_from=add.available_from or inst.today,
                layout=add.layout,
                floor=add.floor,
                lift=add.lift,
                step_free=add.step_free,
                pets_allowed=add.pets_allowed,
                building=fid,
            )
        )
    return tuple(out)


def what_if(
    inst: Instance,
    changes: list[Change],
    options: SolveOptions | None = None,
    baseline: Solution | None = None,
) -> WhatIfReport:
    """Solve the instance as is and with ``changes``; report the households gained."""
    options = options or SolveOptions()
    base = baseline or solve(inst, options)
    changed_inst = apply_changes(inst, changes)
    changed = solve(changed_inst, options)
    before, after = base.matched_ids(), changed.matched_ids()
    size = {h.id: h.persons for h in inst.households}
    urgency = {h.id: h.urgency for h in inst.households}
    by_u: Counter[int] = Counter()
    by_s: Counter[int] = Counter()
    for hid in after - before:
        by_u[urgency[hid]] += 1
        by_s[size[hid]] += 1
    for hid in before - after:
        by_u[urgency[hid]] -= 1
        by_s[size[hid]] -= 1
    return WhatIfReport(
        base,
        changed,
        len(after) - len(before),
        {u: by_u[u] for u in sorted(by_u, reverse=True) if by_u[u]},
        {s: by_s[s] for s in sorted(by_s) if by_s[s]},
        tuple(sorted(after - before)),
        tuple(sorted(before - after)),
    )
