"""Vectorised compatibility, fit terms and explanations against the naive reference."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from matching import Anchor, Policy, SolveOptions, solve
from matching.columns import build_columns
from matching.compat import BIT, candidate_pairs
from matching.engine import prepare
from matching.generate import random_instance
from matching.instance import CONSTRAINTS
from tests.matching.matching_reference import compatible_pairs, failures, fit


def _names(bits: int) -> set[str]:
    return {name for name in CONSTRAINTS if bits & BIT[name]}


@pytest.mark.parametrize("relaxed", [(), ("budget",), ("location",), ("size", "pets")])
@pytest.mark.parametrize("seed", range(4))
def test_compatible_pairs_equal_reference(seed: int, relaxed: tuple[str, ...]) -> None:
    policy = Policy(
        relaxed=frozenset(relaxed), deposit_support=5000, deposit_support_allowed=seed % 2 == 0
    )
    inst = random_instance(seed, 60, 50, n_munis=6, policy=policy, excluded=30)
    prep = prepare(inst)
    engine = set(zip(prep.comp.h.tolist(), prep.comp.f.tolist(), strict=True))
    assert engine == set(compatible_pairs(inst))
    for near in (False, True):
        pairs = candidate_pairs(build_columns(inst), inst.policy, near_misses=near)
        for h, f, bits in zip(pairs.h.tolist(), pairs.f.tolist(), pairs.fail.tolist(), strict=True):
            assert _names(bits) == failures(inst, inst.households[h], inst.flats[f])


@pytest.mark.parametrize("seed", range(3))
def test_fit_terms_equal_reference(seed: int) -> None:
    inst = random_instance(seed, 50, 50, n_munis=5)
    prep = prepare(inst)
    assert len(prep.comp.h) > 0
    for i, (h, f) in enumerate(zip(prep.comp.h.tolist(), prep.comp.f.tolist(), strict=True)):
        assert int(prep.fit.total[i]) == fit(inst, inst.households[h], inst.flats[f])
        assert sum(prep.fit.row(i).values()) == int(prep.fit.total[i])


def test_candidate_pairs_have_no_duplicates() -> None:
    inst = random_instance(7, 80, 80, n_munis=6)
    pairs = candidate_pairs(build_columns(inst), inst.policy)
    keys = pairs.h * 1000 + pairs.f
    assert len(set(keys.tolist())) == len(keys)


@pytest.mark.parametrize("seed", range(4))
def test_unmatched_explanations_are_consistent(seed: int) -> None:
    inst = random_instance(seed, 60, 30, n_munis=5, excluded=20)
    sol = solve(inst, SolveOptions(time_limit_s=5))
    hpos = {h.id: i for i, h in enumerate(inst.households)}
    fpos = {f.id: f for f in inst.flats}
    matched_urgency = {a.flat_id: a.urgency for a in sol.assignments}
    assert sol.unmatched
    for u in sol.unmatched:
        h = inst.households[hpos[u.household_id]]
        fails = [failures(inst, h, f) for f in inst.flats]
        for name in CONSTRAINTS:
            assert u.excluded_by[name] == sum(name in x for x in fails), name
        compatible = [f.id for f, x in zip(inst.flats, fails, strict=True) if not x]
        assert u.compatible_flats == len(compatible)
        # Without side constraints an unmatched household's compatible flats are all taken,
        # and only by households of at least its urgency.
        assert all(fid in matched_urgency for fid in compatible)
        if compatible:
            assert u.outranked is not None
            assert u.outranked.compatible_flats == len(compatible)
            assert min(u.outranked.taken_by_urgency) >= h.urgency
            assert u.outranked.best_rank_taking <= u.outranked.own_rank
        for miss in u.near_misses:
            assert failures(inst, h, fpos[miss.flat_id]) == {miss.constraint}
            assert miss.gap > 0


def test_near_miss_gaps_are_measured() -> None:
    inst = random_instance(1, 1, 1)
    h = replace(
        inst.households[0],
        max_housing_cost=10_000,
        anchor=None,
        has_pets=False,
        needs_step_free=False,
        needs_ground_floor=False,
        min_rooms=1,
        adults=1,
        children=0,
        deposit_available=0,
        move_in_by=None,
        municipality_codes=(inst.flats[0].municipality_code,),
        orp_codes=(),
    )
    f = replace(
        inst.flats[0],
        rent=9_000,
        services=1_500,
        deposit=0,
        rooms=2,
        max_occupants=3,
        available_from=inst.today,
    )
    over = replace(inst, households=(h,), flats=(f,), excluded=())
    miss = solve(over).unmatched[0].near_misses
    assert [(m.constraint, m.gap, m.unit) for m in miss] == [("budget", 500.0, "CZK over budget")]
    late = replace(
        over,
        flats=(
            replace(f, rent=8_000, available_from=inst.today.replace(year=inst.today.year + 1)),
        ),
    )
    (m,) = solve(late).unmatched[0].near_misses
    expected = (late.flats[0].available_from - inst.today).days - 60
    assert (m.constraint, m.gap) == ("availability", expected)


def test_matched_explanations_list_alternatives() -> None:
    inst = random_instance(5, 20, 60, n_munis=3)
    sol = solve(inst, SolveOptions(alternatives=3))
    hpos = {h.id: i for i, h in enumerate(inst.households)}
    fpos = {f.id: f for f in inst.flats}
    assert any(a.alternatives for a in sol.assignments)
    for a in sol.assignments:
        h = inst.households[hpos[a.household_id]]
        assert a.fit == fit(inst, h, fpos[a.flat_id]) == sum(a.terms.values())
        assert len(a.alternatives) <= 3
        for alt in a.alternatives:
            assert alt.flat_id != a.flat_id
            assert not failures(inst, h, fpos[alt.flat_id])
            assert alt.fit == fit(inst, h, fpos[alt.flat_id])
        fits = [alt.fit for alt in a.alternatives]
        assert fits == sorted(fits)


@pytest.mark.parametrize("seed", range(6))
def test_radius_only_households_equal_reference(seed: int) -> None:
    """Anchors anywhere in the area with radii from 0.5 to 40 km: the grid search must find
    exactly the flats the great-circle rule accepts."""
    rng = np.random.default_rng(seed)
    inst = random_instance(seed, 50, 60, n_munis=6)
    hs = tuple(
        replace(
            h,
            anchor=Anchor(
                49.5 + rng.uniform(0, 0.6), 15.0 + rng.uniform(0, 0.6), float(rng.uniform(0.5, 40))
            ),
            municipality_codes=("elsewhere",),
            orp_codes=(),
        )
        for h in inst.households
    )
    inst = replace(inst, households=hs)
    prep = prepare(inst)
    engine = set(zip(prep.comp.h.tolist(), prep.comp.f.tolist(), strict=True))
    assert engine == set(compatible_pairs(inst))
    assert engine
