"""Side constraints on medium instances, and what-if runs."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from matching import Policy, ReservedShare, SolveOptions, solve, what_if
from matching.generate import random_instance
from matching.whatif import AddFlats, RaiseBudgets, Relax, apply_changes
from tests.matching.matching_reference import failures, side_ok, solution_pairs

OPTIONS = SolveOptions(time_limit_s=10, workers=2, seed=0)


@pytest.mark.parametrize(
    "policy",
    [
        Policy(max_per_social_worker=5),
        Policy(max_per_building=1, max_per_landlord=6),
        Policy(reserved_shares=(ReservedShare("children", 70),)),
        Policy(
            max_per_social_worker=6,
            max_per_building=1,
            reserved_shares=(ReservedShare("children", 50),),
        ),
    ],
)
def test_side_constraints_respected_on_medium_instances(policy: Policy) -> None:
    inst = random_instance(21, 80, 60, n_munis=4, policy=policy)
    sol = solve(inst, OPTIONS)
    pairs = solution_pairs(inst, [(a.household_id, a.flat_id) for a in sol.assignments])
    assert pairs
    assert side_ok(inst, pairs)
    for i, j in pairs:
        assert not failures(inst, inst.households[i], inst.flats[j])
    free = solve(replace(inst, policy=Policy()), OPTIONS)
    # The capped optimum can never beat the uncapped one (it is a restriction).
    assert sol.objective.key() <= free.objective.key()
    assert sol.bound.key() >= sol.objective.key()
    counts = Counter(inst.households[i].social_worker for i, _ in pairs)
    if policy.max_per_social_worker is not None:
        assert max(counts.values()) <= policy.max_per_social_worker


def test_capped_household_is_explained() -> None:
    inst = random_instance(4, 30, 40, n_munis=2, policy=Policy(max_per_social_worker=2))
    sol = solve(inst, OPTIONS)
    limited = [u for u in sol.unmatched if "max_per_social_worker" in u.limited_by]
    assert limited
    worker = {h.id: h.social_worker for h in inst.households}
    placed = Counter(worker[a.household_id] for a in sol.assignments)
    for u in limited:
        assert placed[worker[u.household_id]] == 2


def test_relaxing_budget_houses_the_blocked_household() -> None:
    inst = random_instance(2, 1, 1)
    h = replace(
        inst.households[0],
        max_housing_cost=5_000,
        anchor=None,
        has_pets=False,
        needs_step_free=False,
        needs_ground_floor=False,
        min_rooms=1,
        adults=1,
        children=0,
        deposit_available=50_000,
        move_in_by=None,
        urgency=4,
        municipality_codes=(inst.flats[0].municipality_code,),
        orp_codes=(),
    )
    f = replace(
        inst.flats[0],
        rent=9_000,
        services=1_500,
        rooms=2,
        max_occupants=3,
        available_from=inst.today,
    )
    inst = replace(inst, households=(h,), flats=(f,), excluded=())
    report = what_if(inst, [Relax("budget")], OPTIONS)
    assert report.extra_housed == 1
    assert report.extra_by_urgency == {4: 1}
    assert report.extra_by_size == {1: 1}
    assert report.newly_housed == (h.id,)
    assert what_if(inst, [RaiseBudgets(100)], OPTIONS).extra_housed == 0  # 10,000 < 10,500
    assert what_if(inst, [RaiseBudgets(110)], OPTIONS).extra_housed == 1


@pytest.mark.parametrize("seed", range(3))
def test_what_if_equals_solving_the_changed_instance(seed: int) -> None:
    inst = random_instance(seed, 50, 25, n_munis=4)
    changes = [
        AddFlats(count=4, rooms=3, rent=7000, services=2000, orp="O1", layout="3+1"),
        RaiseBudgets(15),
    ]
    report = what_if(inst, changes, OPTIONS)
    direct = solve(apply_changes(inst, changes), OPTIONS)
    assert report.changed.objective == direct.objective
    before = report.baseline.matched_ids()
    after = direct.matched_ids()
    assert report.extra_housed == len(after) - len(before)
    assert set(report.newly_housed) == after - before
    assert set(report.no_longer_housed) == before - after
    by_u = Counter(h.urgency for h in inst.households if h.id in after)
    by_u.subtract(Counter(h.urgency for h in inst.households if h.id in before))
    assert report.extra_by_urgency == {u: n for u, n in sorted(by_u.items(), reverse=True) if n}
    new_flats = apply_changes(inst, changes).flats[len(inst.flats) :]
    assert len(new_flats) == 4 and all(f.orp_code == "O1" for f in new_flats)
    # More flats and higher budgets never lower the lexicographic optimum.
    assert report.changed.objective.key() >= report.baseline.objective.key()
