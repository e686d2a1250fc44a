"""Public entry point: instance -> compatibility -> scores -> exact solve -> explanations."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching import explain
from matching.columns import Columns, build_columns
from matching.compat import Pairs, candidate_pairs
from matching.cpsat import SideProblem, SolverParams, solve_levels
from matching.flow import Caps, CostRangeError
from matching.instance import URGENCY_LEVELS, Instance, SolveOptions
from matching.score import FitTerms, fit_terms, priority_rank
from matching.side import flow_caps, flow_exact, repair, side_limits, solve_capped_flow
from matching.solution import Assignment, Objective, Solution, Unmatched
from matching.sparse import solve_certified, solve_full, top_k_per_household

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


class Timer:
    """Wall time per named phase."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - start


@dataclass(frozen=True, slots=True)
class Prepared:
    """Compatibility and scores of an instance, shared by solve, explain and what-if."""

    inst: Instance
    cols: Columns
    n_pairs: int  # candidate pairs looked at (compatible or not)
    comp: Pairs
    fit: FitTerms
    weight: I64  # priority rank per household


def prepare(inst: Instance, timer: Timer | None = None) -> Prepared:
    """Columns, candidate pairs with constraint bits, compatible pairs and their fit."""
    timer = timer or Timer()
    with timer.phase("columns"):
        cols = build_columns(inst)
    with timer.phase("compatibility"):
        pairs = candidate_pairs(cols, inst.policy)
        n_pairs = len(pairs.h)
        comp = pairs.compatible()
        del pairs  # the failing pairs are not needed any more: free their memory early
    with timer.phase("score"):
        fit = fit_terms(
            cols, comp.h, comp.f, comp.km, inst.policy.fit_weights, inst.today.toordinal()
        )
        weight = priority_rank(cols.hh.urgency, cols.hh.days)
    return Prepared(inst, cols, n_pairs, comp, fit, weight)


def objective_of(prep: Prepared, arc: I64) -> Objective:
    """Lexicographic objective of a choice of compatible pairs (one per household or -1)."""
    matched = np.flatnonzero(arc >= 0)
    urg = prep.cols.hh.urgency[matched]
    housed = tuple(int((urg == u).sum()) for u in URGENCY_LEVELS)
    return Objective(
        housed,  # type: ignore[arg-type]
        int(prep.cols.hh.days[matched].sum()),
        int(prep.fit.total[arc[matched]].sum()),
    )


def _side_problem(prep: Prepared, sel: I64) -> SideProblem:
    """The CP-SAT view of the candidate pairs ``sel`` (indices into the compatible pairs)."""
    p, cols, comp = prep.inst.policy, prep.cols, prep.comp
    groups = {s.group for s in p.reserved_shares}
    return SideProblem(
        n_h=cols.hh.n,
        h=comp.h[sel],
        f=comp.f[sel],
        fit=prep.fit.total[sel],
        urgency=cols.hh.urgency,
        days=cols.hh.days,
        worker=cols.hh.worker,
        landlord=cols.fl.landlord,
        building=cols.fl.building,
        groups={
            g: np.array([h.in_group(g) for h in prep.inst.households], dtype=np.bool_)
            for g in groups
        },
        worker_cap=p.max_per_social_worker,
        landlord_cap=p.max_per_landlord,
        building_cap=p.max_per_building,
        shares={s.group: s.min_percent for s in p.reserved_shares},
    )


def _all_pairs(prep: Prepared) -> I64:
    return np.arange(len(prep.comp.h), dtype=np.int64)


def _solve_side(
    prep: Prepared, options: SolveOptions, force_cpsat: bool
) -> tuple[I64, Objective, str, str, dict[str, int]]:
    """Caps a flow network can carry are solved exactly by staged min-cost flow; reserved
    shares (or landlord caps across buildings) go to CP-SAT, hinted by that flow solution
    repaired to feasibility. The flow solution is a relaxation: its objective is a bound."""
    relaxed_arc, n_stages = solve_capped_flow(prep, flow_caps(prep))
    relaxed = objective_of(prep, relaxed_arc)
    stats = {"flow_stages": n_stages}
    if flow_exact(prep) and not force_cpsat:
        return relaxed_arc, relaxed, "optimal", "capped-flow", stats
    hint_arc = repair(_side_problem(prep, _all_pairs(prep)), relaxed_arc, prep.weight)
    sel = _cpsat_candidates(prep, options, hint_arc, relaxed_arc)
    problem = _side_problem(prep, sel)
    hint = np.isin(sel, hint_arc[hint_arc >= 0])
    res = solve_levels(
        problem, SolverParams(options.time_limit_s, options.workers, options.seed), hint
    )
    arc = np.full(prep.cols.hh.n, -1, dtype=np.int64)
    chosen = sel[res.chosen]
    arc[prep.comp.h[chosen]] = chosen
    stats.update(
        {"cpsat_pairs": len(sel), "cpsat_levels_optimal": sum(s == "optimal" for s in res.statuses)}
    )
    proven = all(s == "optimal" for s in res.statuses)
    if len(sel) == len(prep.comp.h):
        b = res.bounds
        bound = Objective((b[0], b[1], b[2], b[3], b[4]), b[5], b[6])
    else:  # pruned model: only the relaxation bounds the full problem
        bound, proven = relaxed, objective_of(prep, arc) == relaxed
    return arc, bound, "optimal" if proven else "feasible", "cpsat", stats


def _cpsat_candidates(prep: Prepared, options: SolveOptions, *arcs: I64) -> I64:
    """All pairs on small instances; otherwise each household's best few plus the pairs of
    the given solutions (so the hint stays inside the model)."""
    if len(prep.comp.h) <= options.cpsat_max_pairs:
        return _all_pairs(prep)
    keep = top_k_per_household(prep.comp.h, prep.fit.total, options.prune_k)
    for arc in arcs:
        keep[arc[arc >= 0]] = True
    return np.flatnonzero(keep)


@dataclass(frozen=True, slots=True)
class _Solved:
    arc: I64
    bound: Objective
    status: str
    method: str
    stats: dict[str, int]


def _solve_prepared(prep: Prepared, options: SolveOptions) -> _Solved:
    """Dispatch to the solver path the instance needs (see :func:`solve`)."""
    method = _method(prep.inst, options)
    if method == "cpsat":
        arc, bound, status, method, stats = _solve_side(prep, options, options.method == "cpsat")
        return _Solved(arc, bound, status, method, stats)
    try:
        if method == "flow-pruned":
            result = solve_certified(prep, options.prune_k)
        else:
            result = solve_full(prep, None)
    except CostRangeError:
        # Fit weights too large for the one-flow encoding: staged flows split the levels.
        arc, n_stages = solve_capped_flow(prep, Caps())
        return _Solved(
            arc, objective_of(prep, arc), "optimal", "staged-flow", {"flow_stages": n_stages}
        )
    return _Solved(result.arc, objective_of(prep, result.arc), "optimal", method, result.stats)


def _explain(
    prep: Prepared, options: SolveOptions, arc: I64
) -> tuple[tuple[Assignment, ...], tuple[Unmatched, ...]]:
    limits = {}
    if prep.inst.policy.has_side_constraints:
        limits = side_limits(prep, _side_problem(prep, _all_pairs(prep)), arc)
    ctx = explain.Context(
        prep.inst,
        prep.cols,
        prep.comp,
        prep.fit,
        arc,
        options.alternatives if options.explain else 0,
        options.near_misses,
        limits,
    )
    return explain.assignments(ctx), explain.unmatched(ctx) if options.explain else ()


def solve(inst: Instance, options: SolveOptions | None = None) -> Solution:
    """Solve a matching instance exactly and explain the result.

    Without side constraints the lexicographic optimum is found by one min-cost flow over
    all compatible pairs ("flow"), or over pruned candidates with a reduced-cost optimality
    certificate ("flow-pruned"). Caps a flow network can carry are solved exactly by staged
    min-cost flow; reserved shares by CP-SAT level by level.
    """
    options = options or SolveOptions()
    timer = Timer()
    prep = prepare(inst, timer)
    with timer.phase("solve"):
        done = _solve_prepared(prep, options)
    with timer.phase("explain"):
        assigned, missed = _explain(prep, options, done.arc)
    stats = {"pairs": prep.n_pairs, "compatible_pairs": len(prep.comp.h), **done.stats}
    return Solution(
        done.status,
        done.method,
        assigned,
        missed,
        objective_of(prep, done.arc),
        done.bound,
        timer.phases,
        stats,
    )


def _method(inst: Instance, options: SolveOptions) -> str:
    if options.method not in ("auto", "flow", "flow-pruned", "cpsat"):
        raise ValueError(f"unknown method {options.method!r}")
    if options.method == "auto":
        return "cpsat" if inst.policy.has_side_constraints else "flow"
    if options.method != "cpsat" and inst.policy.has_side_constraints:
        raise ValueError("side constraints are active: only the cpsat method respects them")
    return options.method
