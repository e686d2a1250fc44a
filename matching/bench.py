"""Benchmark: ``python -m matching.bench [--scale national|regional|both] [--seed N] [--quick]``.

National: 50,000 households x 50,000 flats over the real gazetteer. The end-to-end run
(read JSON -> compatibility -> solve -> explain) happens in a fresh process so that its peak
memory is its own. In the same run: OR-Tools SimpleMinCostFlow on the undivided graph (all
compatible pairs in one network, same lexicographic costs) and a greedy baseline in the style
of Boston CAS (vacancies in order of scarcity, each to the most urgent compatible household).
Regional: 5,000 x 5,000 in Plzensky kraj with caseload caps per social worker and per
building, solved through the side-constraint path.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import resource
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click
import numpy as np
import numpy.typing as npt

from matching.engine import Prepared, Timer, objective_of, prepare, solve
from matching.generate import bench_instance
from matching.instance import URGENCY_LEVELS, Instance, Policy, SolveOptions
from matching.io import instance_to_dict, load_instance
from matching.solution import Objective, Solution
from matching.sparse import solve_full

I64 = npt.NDArray[np.int64]

#: Weight of one housed household per urgency, for the priority-weighted comparison only.
PRIORITY_WEIGHT = {5: 16, 4: 8, 3: 4, 2: 2, 1: 1}


@dataclass(frozen=True, slots=True)
class Scale:
    name: str
    households: int
    flats: int
    kraj: str | None
    policy: Policy


def _scales(quick: bool) -> dict[str, Scale]:
    n_nat, n_reg = (5_000, 1_500) if quick else (50_000, 5_000)
    regional = Policy(max_per_social_worker=4, max_per_building=2)
    return {
        "national": Scale("national", n_nat, n_nat, None, Policy()),
        "regional": Scale("regional", n_reg, n_reg, "CZ032", regional),
    }


def rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _line(phase: str, seconds: float, extra: str = "") -> None:
    click.echo(f"  {phase:<34} {seconds:8.2f} s   peak RSS {rss_mb():7.0f} MB  {extra}")


def priority_weighted(obj: Objective) -> int:
    """Sum of PRIORITY_WEIGHT over housed households."""
    counts = zip(URGENCY_LEVELS, obj.housed_by_urgency, strict=True)
    return sum(PRIORITY_WEIGHT[u] * n for u, n in counts)


def greedy_baseline(prep: Prepared) -> I64:
    """Vacancies by scarcity (fewest compatible households first); each flat goes to the
    most urgent compatible household still waiting (longest wait, then lowest fit)."""
    comp, hh = prep.comp, prep.cols.hh
    demand = np.bincount(comp.f, minlength=prep.cols.fl.n)
    order = np.lexsort(
        (-prep.fit.total, hh.days[comp.h], hh.urgency[comp.h], -demand[comp.f], comp.f)
    )
    arc = np.full(hh.n, -1, dtype=np.int64)
    flat_done = np.zeros(prep.cols.fl.n, dtype=np.bool_)
    # Walk flats by scarcity; within a flat, candidates best first (last in lexsort order).
    flats_sorted = comp.f[order]
    cuts = np.flatnonzero(np.diff(flats_sorted)) + 1
    groups = np.split(order, cuts)
    groups.sort(key=lambda g: (int(demand[comp.f[g[0]]]), int(comp.f[g[0]])))
    for g in groups:
        for i in g[::-1].tolist():
            h = int(comp.h[i])
            if arc[h] < 0 and not flat_done[comp.f[i]]:
                arc[h] = i
                flat_done[comp.f[i]] = True
                break
    return arc


def _child(path: str, options: SolveOptions, queue: Any) -> None:
    start = time.perf_counter()
    inst = load_instance(path)
    read = time.perf_counter() - start
    sol = solve(inst, options)
    total = time.perf_counter() - start
    queue.put(
        {
            "read": read,
            "total": total,
            "phases": sol.timings,
            "rss_mb": rss_mb(),
            "objective": sol.objective.key(),
            "bound": sol.bound.key(),
            "status": sol.status,
            "stats": sol.stats,
            "unmatched": len(sol.unmatched),
            "households": len(inst.households),
        }
    )


def end_to_end(path: Path, options: SolveOptions) -> dict[str, Any]:
    """Read -> compatibility -> solve -> explain in a fresh process (own peak memory)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(str(path), options, queue))
    proc.start()
    result: dict[str, Any] = queue.get()
    proc.join()
    return result


def run_national(scale: Scale, seed: int, options: SolveOptions) -> None:
    click.echo(f"national: {scale.households} households x {scale.flats} flats, seed {seed}")
    start = time.perf_counter()
    inst = bench_instance(seed, scale.households, scale.flats, policy=scale.policy)
    _line("generate", time.perf_counter() - start)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "instance.json"
        start = time.perf_counter()
        path.write_text(json.dumps(instance_to_dict(inst)), encoding="utf-8")
        _line(
            "serialize (write JSON)",
            time.perf_counter() - start,
            f"{path.stat().st_size / 1e6:.0f} MB",
        )
        e2e = end_to_end(path, options)
    _report_e2e(e2e)
    _compare_baselines(inst, e2e)


def _report_e2e(e2e: dict[str, Any]) -> None:
    click.echo("  end-to-end in a fresh process:")
    click.echo(f"    {'read input (JSON + validation)':<32} {e2e['read']:8.2f} s")
    for phase, seconds in e2e["phases"].items():
        click.echo(f"    {phase:<32} {seconds:8.2f} s")
    click.echo(
        f"    {'TOTAL read->explain':<32} {e2e['total']:8.2f} s   peak RSS {e2e['rss_mb']:.0f} MB"
    )
    click.echo(f"    status {e2e['status']}, stats {e2e['stats']}")
    per_household = e2e["stats"]["compatible_pairs"] / max(e2e["households"], 1)
    click.echo(f"    compatible flats per household: {per_household:.1f} on average")
    click.echo(f"    objective {e2e['objective']}")
    click.echo(f"    bound     {e2e['bound']}")


def _compare_baselines(inst: Instance, e2e: dict[str, Any]) -> None:
    timer = Timer()
    prep = prepare(inst, timer)
    start = time.perf_counter()
    full = solve_full(prep, None)
    full_s = time.perf_counter() - start
    full_obj = objective_of(prep, full.arc)
    ours = e2e["phases"]["solve"]
    same = full_obj.key() == tuple(e2e["objective"])
    _line(
        "undivided-graph SimpleMinCostFlow",
        full_s,
        f"{len(prep.comp.h)} arcs, same optimum: {same}",
    )
    click.echo(
        f"  speed-up, solve phase: {full_s / ours:.1f}x; "
        f"undivided solve vs whole end-to-end: {full_s / e2e['total']:.1f}x"
    )
    greedy = objective_of(prep, greedy_baseline(prep))
    key = e2e["objective"]
    ours_obj = Objective((key[0], key[1], key[2], key[3], key[4]), key[5], -key[6])
    gain = priority_weighted(ours_obj) - priority_weighted(greedy)
    click.echo(
        f"  greedy (scarcity-first) housed {greedy.housed_by_urgency} "
        f"vs optimal {ours_obj.housed_by_urgency} (urgency 5..1)"
    )
    click.echo(
        f"  priority-weighted housed: optimal {priority_weighted(ours_obj)}, greedy "
        f"{priority_weighted(greedy)}, gain {gain} "
        f"({100 * gain / max(priority_weighted(greedy), 1):.1f} %)"
    )


def run_regional(scale: Scale, seed: int, options: SolveOptions) -> Solution:
    click.echo(
        f"regional: {scale.households} x {scale.flats} in {scale.kraj}, caps: "
        f"{scale.policy.max_per_social_worker} per social worker, "
        f"{scale.policy.max_per_building} per building"
    )
    start = time.perf_counter()
    inst = bench_instance(
        seed,
        scale.households,
        scale.flats,
        kraj=scale.kraj,
        policy=scale.policy,
        caseload=12,
        flats_per_building=6,
    )
    _line("generate", time.perf_counter() - start)
    start = time.perf_counter()
    sol = solve(inst, options)
    for phase, seconds in sol.timings.items():
        _line(phase, seconds)
    _line("TOTAL", time.perf_counter() - start, f"status {sol.status}")
    click.echo(f"    objective {sol.objective.key()}")
    click.echo(f"    bound     {sol.bound.key()}")
    gaps = [_gap(v, b) for v, b in zip(sol.objective.key(), sol.bound.key(), strict=True)]
    click.echo(
        "    gap per level (urgency 5..1, days, fit): " + ", ".join(f"{g:.3f} %" for g in gaps)
    )
    click.echo(f"    stats {sol.stats}")
    return sol


def _gap(value: int, bound: int) -> float:
    return 100.0 * abs(bound - value) / max(abs(bound), 1)


def run(scale: str, seed: int, quick: bool, time_limit: float = 30.0) -> None:
    """Run the selected benchmark scales and print the figures."""
    scales = _scales(quick)
    options = SolveOptions(time_limit_s=time_limit, workers=2, seed=seed)
    if scale in ("national", "both"):
        run_national(scales["national"], seed, options)
    if scale in ("regional", "both"):
        run_regional(scales["regional"], seed, replace(options, explain=True))


@click.command("bench")
@click.option(
    "--scale",
    type=click.Choice(["national", "regional", "both"]),
    default="both",
    show_default=True,
)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--quick", is_flag=True, help="Small instances (smoke test).")
def main(scale: str, seed: int, quick: bool) -> None:
    """Benchmark the matching engine."""
    run(scale, seed, quick)


if __name__ == "__main__":
    main()
