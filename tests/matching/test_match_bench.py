"""Benchmark support: the greedy baseline and the gazetteer-based generator."""

from __future__ import annotations

import pytest

from matching import solve
from matching.bench import greedy_baseline, priority_weighted
from matching.engine import objective_of, prepare
from matching.generate import bench_instance, random_instance
from tests.matching.matching_reference import failures


@pytest.mark.parametrize("seed", range(3))
def test_greedy_baseline_is_feasible_and_never_beats_the_optimum(seed: int) -> None:
    inst = random_instance(seed, 60, 45, n_munis=4)
    prep = prepare(inst)
    arc = greedy_baseline(prep)
    chosen = arc[arc >= 0]
    flats = prep.comp.f[chosen].tolist()
    assert len(set(flats)) == len(flats)
    for i in chosen.tolist():
        h, f = int(prep.comp.h[i]), int(prep.comp.f[i])
        assert arc[h] == i
        assert not failures(inst, inst.households[h], inst.flats[f])
    greedy = objective_of(prep, arc)
    best = solve(inst).objective
    assert greedy.key() <= best.key()
    housed = sum(greedy.housed_by_urgency)
    assert housed <= priority_weighted(greedy) <= 16 * housed


def test_regional_generator_stays_in_its_kraj() -> None:
    inst = bench_instance(3, 300, 300, kraj="CZ032")
    orps = {f.orp_code for f in inst.flats}
    assert all(o.startswith("32") for o in orps)  # Plzensky kraj ORP codes are 32xx
    assert all(code.startswith("32") for h in inst.households for code in h.orp_codes)
    assert len({h.social_worker for h in inst.households}) > 1
    assert len(prepare(inst).comp.h) > 0
