"""CP-SAT for side constraints, optimised level by level (lexicographic).

Levels: housed households of urgency 5, 4, 3, 2, 1 (maximise), total days waited of the
housed (maximise), total fit (minimise). After each level its achieved value is fixed as a
constraint for the next ones, so no level needs a weight that would overflow 64 bits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from matching.instance import URGENCY_LEVELS

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

LEVEL_NAMES: tuple[str, ...] = (*(f"urgency_{u}" for u in URGENCY_LEVELS), "days_waited", "fit")

_STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.MODEL_INVALID: "model_invalid",
    cp_model.UNKNOWN: "unknown",
}


class SideConstraintError(RuntimeError):
    """CP-SAT rejected the model (a bug, never a data problem)."""


@dataclass(frozen=True, slots=True)
class SideProblem:
    """Pairs with their fit, household attributes and the side-constraint parameters."""

    n_h: int
    h: I64
    f: I64
    fit: I64
    urgency: I64  # per household
    days: I64  # per household
    worker: I64  # per household, -1 none
    landlord: I64  # per flat, -1 none
    building: I64  # per flat
    groups: dict[str, B]  # reserved-share group membership per household
    worker_cap: int | None = None
    landlord_cap: int | None = None
    building_cap: int | None = None
    shares: dict[str, int] = field(default_factory=dict)  # group -> min percent


@dataclass(frozen=True, slots=True)
class LevelResult:
    chosen: B  # per pair
    values: tuple[int, ...]  # achieved value per level
    bounds: tuple[int, ...]  # proven bound per level (given the earlier levels fixed)
    statuses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SolverParams:
    time_limit_s: float
    workers: int
    seed: int


def build_model(p: SideProblem) -> tuple[cp_model.CpModel, list[cp_model.IntVar]]:
    """One named Bool per candidate pair and every side-constraint family."""
    model = cp_model.CpModel()
    pairs = zip(p.h.tolist(), p.f.tolist(), strict=True)
    x = [model.new_bool_var(f"x_h{h}_f{f}") for h, f in pairs]
    add_one_flat_per_household(model, p, x)
    add_one_household_per_flat(model, p, x)
    add_social_worker_caps(model, p, x)
    add_landlord_caps(model, p, x)
    add_building_caps(model, p, x)
    add_reserved_shares(model, p, x)
    return model, x


def _grouped(keys: I64, x: list[cp_model.IntVar]) -> list[list[cp_model.IntVar]]:
    """Variables grouped by key (keys < 0 are left out), in key order."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    cuts = np.flatnonzero(np.diff(sorted_keys)) + 1
    out = []
    for chunk in np.split(order, cuts):
        if len(chunk) and keys[chunk[0]] >= 0:
            out.append([x[i] for i in chunk.tolist()])
    return out


def add_one_flat_per_household(
    model: cp_model.CpModel, p: SideProblem, x: list[cp_model.IntVar]
) -> None:
    """A household gets at most one flat."""
    for group in _grouped(p.h, x):
        model.add_at_most_one(group)


def add_one_household_per_flat(
    model: cp_model.CpModel, p: SideProblem, x: list[cp_model.IntVar]
) -> None:
    """A flat goes to at most one household."""
    for group in _grouped(p.f, x):
        model.add_at_most_one(group)


def _add_cap(model: cp_model.CpModel, keys: I64, cap: int | None, x: list[cp_model.IntVar]) -> None:
    if cap is None:
        return
    for group in _grouped(keys, x):
        if len(group) > cap:
            model.add(sum(group) <= cap)


def add_social_worker_caps(
    model: cp_model.CpModel, p: SideProblem, x: list[cp_model.IntVar]
) -> None:
    """At most ``worker_cap`` new placements per social worker in one run (caseload)."""
    _add_cap(model, p.worker[p.h], p.worker_cap, x)


def add_landlord_caps(model: cp_model.CpModel, p: SideProblem, x: list[cp_model.IntVar]) -> None:
    """At most ``landlord_cap`` new placements per landlord in one run."""
    _add_cap(model, p.landlord[p.f], p.landlord_cap, x)


def add_building_caps(model: cp_model.CpModel, p: SideProblem, x: list[cp_model.IntVar]) -> None:
    """At most ``building_cap`` households per building: no new segregated localities."""
    _add_cap(model, p.building[p.f], p.building_cap, x)


def add_reserved_shares(model: cp_model.CpModel, p: SideProblem, x: list[cp_model.IntVar]) -> None:
    """At least ``percent`` % of all placements go to households of the group."""
    for group, percent in sorted(p.shares.items()):
        member = p.groups[group][p.h]
        inside = [v for v, m in zip(x, member.tolist(), strict=True) if m]
        model.add(100 * sum(inside) >= percent * sum(x))


def level_weights(p: SideProblem) -> list[tuple[I64, int]]:
    """(coefficient per pair, sense) for each level; sense +1 maximise, -1 minimise."""
    levels: list[tuple[I64, int]] = [
        ((p.urgency[p.h] == u).astype(np.int64), 1) for u in URGENCY_LEVELS
    ]
    levels.append((p.days[p.h], 1))
    levels.append((p.fit, -1))
    return levels


def solve_levels(p: SideProblem, params: SolverParams, hint: B) -> LevelResult:
    """Lexicographic optimisation; ``hint`` must be a feasible choice of pairs."""
    model, x = build_model(p)
    chosen = hint.copy()
    values, bounds, statuses = [], [], []
    levels = level_weights(p)
    budget = params.time_limit_s / len(levels)
    for coef, sense in levels:
        value, bound, status, chosen = _solve_level(model, x, coef, sense, chosen, params, budget)
        values.append(value)
        bounds.append(bound)
        statuses.append(status)
        # Fix the level at what was achieved: later levels may not trade it away.
        expr = sum(int(c) * v for c, v in zip(coef.tolist(), x, strict=True) if c)
        model.add(expr >= value if sense > 0 else expr <= value)
    return LevelResult(chosen, tuple(values), tuple(bounds), tuple(statuses))


def _solve_level(
    model: cp_model.CpModel,
    x: list[cp_model.IntVar],
    coef: I64,
    sense: int,
    hint: B,
    params: SolverParams,
    seconds: float,
) -> tuple[int, int, str, B]:
    hint_value = int(coef[hint].sum())
    nz = np.flatnonzero(coef)
    if len(nz) == 0:
        return 0, 0, "optimal", hint
    expr = sum(int(coef[i]) * x[i] for i in nz.tolist())
    model.clear_hints()  # type: ignore[no-untyped-call]
    for var, val in zip(x, hint.tolist(), strict=True):
        model.add_hint(var, val)
    if sense > 0:
        model.maximize(expr)
    else:
        model.minimize(expr)
    solver = cp_model.CpSolver()
    _configure(solver, params, seconds)
    status = solver.solve(model)
    name = _STATUS.get(status, "unknown")
    if name == "model_invalid":
        raise SideConstraintError(model.validate())
    if name not in ("optimal", "feasible"):
        return hint_value, _fallback_bound(sense, hint_value, coef), "unknown", hint
    values = np.array([solver.boolean_value(v) for v in x], dtype=np.bool_)
    value = int(coef[values].sum())
    if (value - hint_value) * sense < 0:  # never accept a worse point than the hint
        return hint_value, int(solver.best_objective_bound), name, hint
    return value, round(solver.best_objective_bound), name, values


def _configure(solver: cp_model.CpSolver, params: SolverParams, seconds: float) -> None:
    """Workers, seed and limits. Interleaved search plus a deterministic-time limit make
    the result reproducible; the wall-clock limit is a safety net above it."""
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    solver.parameters.interleave_search = True
    solver.parameters.max_deterministic_time = max(seconds, 0.05)
    solver.parameters.max_time_in_seconds = max(seconds, 0.1)


def _fallback_bound(sense: int, hint_value: int, coef: I64) -> int:
    """Trivial bound when CP-SAT found nothing within its time."""
    return int(coef[coef > 0].sum()) if sense > 0 else 0
