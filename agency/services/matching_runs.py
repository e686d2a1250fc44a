"""Matching runs: the scope a user may run, the engine's run stored, flats for one household."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

import matching
from agency.enums import (
    MatchingScope,
)
from agency.errors import InvalidInput, NotFound
from agency.models import (
    MatchingRun,
    Municipality,
    User,
)
from agency.models.base import utcnow
from agency.services.households import get_household
from agency.services.matching_input import Scope, agency_policy, build_instance, setting_value
from agency.services.taxonomy import record_run_barriers

__all__ = [
    "Scope",
    "agency_policy",
    "build_instance",
    "check_scope",
    "find_flats",
    "get_run",
    "run_matching",
    "setting_value",
]

# A fixed seed and limits: the same records give the same stored run.
RUN_OPTIONS = matching.SolveOptions(time_limit_s=20.0, workers=2, seed=0)
FIND_OPTIONS = matching.SolveOptions(
    time_limit_s=10.0, workers=2, seed=0, alternatives=30, near_misses=5
)


# --- scope -------------------------------------------------------------------------------


def check_scope(session: Session, *, actor: User, scope: Scope) -> Scope:
    """The scope made concrete for `actor` (caseload → their organisation), else InvalidInput."""
    if scope.kind == MatchingScope.all:
        return Scope(MatchingScope.all)
    if scope.kind == MatchingScope.caseload:
        if actor.organisation_id is None:
            raise InvalidInput("You belong to no organisation, so you have no caseload.")
        return Scope(MatchingScope.caseload, str(actor.organisation_id))
    value = (scope.value or "").strip()
    if scope.kind == MatchingScope.household:
        number = _positive(value, "Choose a household.")
        get_household(session, actor=actor, household_id=number)
        return Scope(MatchingScope.household, str(number))
    column = Municipality.orp_code if scope.kind == MatchingScope.orp else Municipality.kraj_code
    known = value.isdigit() if scope.kind == MatchingScope.orp else value.isalnum()
    if not known or len(value) > 10 or not _exists(session, column, value):
        raise InvalidInput("Choose an ORP or a region from the list.", field="scope_value")
    return Scope(scope.kind, value)


def _positive(value: str, message: str) -> int:
    if not value.isdigit() or not 1 <= int(value) < 2**31:
        raise InvalidInput(message, field="scope_value")
    return int(value)


def _exists(session: Session, column: Any, value: str) -> bool:
    typed: Any = int(value) if column is Municipality.orp_code else value
    query = sa.select(sa.literal(1)).where(col(column) == typed).limit(1)
    return session.execute(query).first() is not None


# --- running and storing -----------------------------------------------------------------


def solution_json(solution: matching.Solution) -> dict[str, Any]:
    """The solution as JSON with record ids as integers and without wall times."""
    data: dict[str, Any] = json.loads(matching.dump_solution(solution))
    data.pop("timings_s", None)
    for item in data["assignments"]:
        _int_ids(item)
        for alternative in item["alternatives"]:
            alternative["flat_id"] = int(alternative["flat_id"])
    for item in data["unmatched"]:
        _int_ids(item)
        for miss in item["near_misses"]:
            miss["flat_id"] = int(miss["flat_id"])
    return data


def _int_ids(item: dict[str, Any]) -> None:
    for key in ("household_id", "flat_id"):
        if key in item:
            item[key] = int(item[key])


def policy_json(policy: matching.Policy) -> dict[str, Any]:
    data = asdict(policy)
    data["relaxed"] = sorted(policy.relaxed)
    data["reserved_shares"] = [asdict(s) for s in policy.reserved_shares]
    return data


def run_matching(
    session: Session,
    *,
    scope: MatchingScope,
    scope_value: str | None,
    run_by_id: int | None,
    now: datetime,
    policy: matching.Policy | None = None,
    options: matching.SolveOptions | None = None,
) -> MatchingRun:
    """Run the engine over the scope and store who, when, what and the result; the
    structural barrier of each household it leaves unmatched is recorded (source engine)."""
    policy = policy or agency_policy(session)
    instance = build_instance(
        session, scope=scope, scope_value=scope_value, today=now.date(), policy=policy
    )
    started = time.perf_counter()
    solution = matching.solve(instance, options or RUN_OPTIONS)
    elapsed_ms = int((time.perf_counter() - started) * 1000)
    data = solution_json(solution)
    run = MatchingRun(
        run_by_id=run_by_id,
        started_at=now,
        finished_at=utcnow(),
        scope=scope,
        scope_value=scope_value,
        policy=policy_json(policy),
        households_count=len(instance.households),
        flats_count=len(instance.flats),
        pairs_count=int(solution.stats.get("compatible_pairs", 0)),
        solve_ms=elapsed_ms,
        status=solution.status,
        objective=data["objective"] | {"bound": data["bound"], "method": data["method"]},
        suggestions=data["assignments"],
        explanations={"unmatched": data["unmatched"], "stats": data["stats"]},
    )
    session.add(run)
    session.flush()
    record_run_barriers(session, run_id=int(run.id or 0), observed_on=now.date())
    return run


@dataclass(frozen=True)
class FlatChoice:
    """A compatible flat for one household, ranked by fit (lower is better)."""

    flat_id: int
    fit: int
    terms: dict[str, int]


@dataclass(frozen=True)
class FlatSearch:
    """Compatible flats for a household, or why there are none."""

    household_id: int
    flats_count: int
    choices: list[FlatChoice]
    unmatched: dict[str, Any] | None


def find_flats(
    session: Session, *, household_id: int, today: date, policy: matching.Policy | None = None
) -> FlatSearch:
    """Rank the available flats compatible with one household (nothing is stored)."""
    instance = build_instance(
        session,
        scope=MatchingScope.household,
        scope_value=str(household_id),
        today=today,
        policy=policy,
    )
    data = solution_json(matching.solve(instance, FIND_OPTIONS))
    choices: list[FlatChoice] = []
    for item in data["assignments"]:
        choices.append(FlatChoice(item["flat_id"], item["fit"], item["terms"]))
        choices += [FlatChoice(a["flat_id"], a["fit"], a["terms"]) for a in item["alternatives"]]
    choices.sort(key=lambda c: (c.fit, c.flat_id))
    unmatched = data["unmatched"][0] if data["unmatched"] else None
    return FlatSearch(household_id, len(instance.flats), choices, unmatched)


def get_run(session: Session, *, run_id: int) -> MatchingRun:
    found = session.get(MatchingRun, run_id)
    if found is None:
        raise NotFound("This matching run does not exist.")
    return found
