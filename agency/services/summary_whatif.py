"""Structural gaps from the engine (DESIGN §7 point 4): why waiting households stay unhoused,
and what-if scenarios chosen by staff."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

import matching
from agency.enums import MatchingScope, SummaryScope
from agency.errors import InvalidInput
from agency.models import Municipality
from agency.services.matching_input import build_instance
from agency.services.summary_figures import Figure, breakdown, count, stat
from agency.services.summary_sql import median
from matching.whatif import AddFlats, RaiseBudgets

OPTIONS = matching.SolveOptions(time_limit_s=20.0, workers=2, seed=0, near_misses=3)
ENGINE_SCOPE = {
    SummaryScope.agency: MatchingScope.all,
    SummaryScope.kraj: MatchingScope.kraj,
    SummaryScope.orp: MatchingScope.orp,
}
MAX_SCENARIOS = 10


@dataclass(frozen=True)
class Scenario:
    """A staff member's what-if: `add_flats` (count, rooms, layout, rent, services, orp) or
    `raise_budgets` (percent)."""

    kind: str
    count: int = 0
    rooms: int = 0
    layout: str = ""
    rent: int = 0
    services: int = 0
    orp: int = 0
    percent: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (0, "")} | {"kind": self.kind}


def scenario_from_dict(data: dict[str, Any]) -> Scenario:
    """A scenario from stored or submitted values; InvalidInput when it makes no sense."""
    kind = str(data.get("kind", ""))
    numbers = {k: _int(data.get(k, 0), k) for k in ("count", "rooms", "rent", "services", "orp")}
    percent = _int(data.get("percent", 0), "percent")
    if kind == "raise_budgets" and -90 <= percent <= 500 and percent != 0:
        return Scenario(kind, percent=percent)
    sizes_ok = 1 <= numbers["count"] <= 1000 and 1 <= numbers["rooms"] <= 9
    if kind == "add_flats" and sizes_ok and numbers["rent"] > 0 and numbers["orp"] > 0:
        return Scenario(kind, layout=str(data.get("layout", ""))[:10], **numbers)
    raise InvalidInput("This what-if scenario is incomplete.", field="scenarios")


def _int(value: Any, name: str) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("Enter a whole number.", field=name) from exc


def _change(session: Session, scenario: Scenario) -> matching.Change:
    if scenario.kind == "raise_budgets":
        return RaiseBudgets(scenario.percent)
    centre = _orp_centre(session, scenario.orp)
    return AddFlats(
        count=scenario.count,
        rooms=scenario.rooms,
        rent=scenario.rent,
        services=scenario.services,
        layout=scenario.layout,
        orp=str(scenario.orp),
        municipality=centre[0],
        lat=centre[1],
        lon=centre[2],
    )


def _orp_centre(session: Session, orp: int) -> tuple[str, float, float]:
    """The ORP's most populous municipality: where added flats are placed."""
    query = (
        sa.select(col(Municipality.code), col(Municipality.lat), col(Municipality.lon))
        .where(col(Municipality.orp_code) == orp)
        .order_by(col(Municipality.population).desc())
        .limit(1)
    )
    row = session.execute(query).first()
    if row is None:
        raise InvalidInput("Choose an ORP or a region from the list.", field="scenarios")
    return str(row[0]), float(row[1]), float(row[2])


def structural_gaps(
    session: Session,
    *,
    scope: SummaryScope,
    scope_code: str,
    period_end: date,
    scenarios: list[Scenario],
) -> tuple[list[Figure], list[dict[str, Any]]]:
    """Run the engine on the scope's waiting households and available flats as of
    `period_end`: the binding constraints and nearest misses of those left unhoused, and
    each scenario's gain (raw counts; suppression comes later)."""
    instance = build_instance(
        session, scope=ENGINE_SCOPE[scope], scope_value=scope_code or None, today=period_end
    )
    solution = matching.solve(instance, OPTIONS)
    figures = _gap_figures(instance, solution)
    results = [_what_if(session, instance, solution, s) for s in scenarios[:MAX_SCENARIOS]]
    return figures, results


def _gap_figures(instance: matching.Instance, solution: matching.Solution) -> list[Figure]:
    binding: dict[str, int] = {}
    budget: list[int] = []
    rooms: list[int] = []
    for item in solution.unmatched:
        key = _binding(item)
        binding[key] = binding.get(key, 0) + 1
        budget += _smallest_gap(item, "CZK over budget")
        rooms += _smallest_gap(item, "rooms short")
    return [
        count("engine_waiting", len(instance.households)),
        count("engine_flats", len(instance.flats)),
        count("engine_housed", len(solution.assignments)),
        breakdown("binding_constraints", sorted(binding.items(), key=lambda kv: (-kv[1], kv[0]))),
        stat("median_extra_czk", median(sorted(budget)), len(budget), "CZK"),
        stat("median_rooms_short", median(sorted(rooms)), len(rooms), "rooms"),
    ]


def _binding(item: Any) -> str:
    """The constraint that keeps a household from its nearest flat; "outranked" when
    compatible flats went to more urgent households; "no_flat_near" otherwise."""
    if item.compatible_flats:
        return "outranked"
    if item.near_misses:
        return str(item.near_misses[0].constraint)
    return "no_flat_near"


def _smallest_gap(item: Any, unit: str) -> list[int]:
    gaps = [m.gap for m in item.near_misses if m.unit == unit]
    return [round(min(gaps))] if gaps else []


def _what_if(
    session: Session, instance: matching.Instance, baseline: matching.Solution, scenario: Scenario
) -> dict[str, Any]:
    result: dict[str, Any] = {"scenario": scenario.as_dict()}
    try:
        report = matching.what_if(instance, [_change(session, scenario)], OPTIONS, baseline)
    except (matching.InstanceError, InvalidInput) as exc:
        return result | {"error": str(exc)}
    by_urgency = [(u, n) for u, n in report.extra_by_urgency.items()]
    by_size = [(s, n) for s, n in report.extra_by_size.items()]
    return result | {
        "extra_housed": report.extra_housed,
        "by_urgency": breakdown("by_urgency", by_urgency),
        "by_size": breakdown("by_size", by_size),
    }
