"""Command line: ``match solve``, ``match whatif`` and ``match bench``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from matching.engine import solve
from matching.flow import FlowError
from matching.instance import CONSTRAINTS, SolveOptions
from matching.io import InstanceError, dump_solution, load_instance
from matching.whatif import AddFlats, Change, RaiseBudgets, Relax, WhatIfReport, what_if

F = TypeVar("F", bound=Callable[..., Any])

match = click.Group(
    "match",
    help="Match households in housing need with vetted flats (exact, explained).",
)


def _solver_options(func: F) -> F:
    """--time-limit, --workers and --seed, shared by the solving commands."""
    func = click.option(
        "--seed", type=int, default=0, show_default=True, help="Random seed of the solver."
    )(func)
    func = click.option(
        "--workers",
        type=click.IntRange(1, 64),
        default=2,
        show_default=True,
        help="Solver worker threads.",
    )(func)
    func = click.option(
        "--time-limit",
        type=click.FloatRange(0.1),
        default=30.0,
        show_default=True,
        help="Time limit in seconds.",
    )(func)
    return func


def _load(path: str) -> Any:
    try:
        return load_instance(path)
    except InstanceError as exc:
        raise click.ClickException(str(exc)) from None


def _run(func: Callable[[], Any]) -> Any:
    """Turn domain errors into clean command-line errors (no traceback)."""
    try:
        return func()
    except (InstanceError, FlowError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None


@match.command("solve")
@click.argument("instance", type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), help="Write the solution JSON here.")
@click.option(
    "--method",
    type=click.Choice(["auto", "flow", "flow-pruned", "cpsat"]),
    default="auto",
    show_default=True,
    help="Solver path.",
)
@_solver_options
def solve_command(
    instance: str, out: str | None, method: str, time_limit: float, workers: int, seed: int
) -> None:
    """Solve INSTANCE.json and write the solution JSON (stdout without --out)."""
    inst = _load(instance)
    options = SolveOptions(time_limit_s=time_limit, workers=workers, seed=seed, method=method)
    solution = _run(lambda: solve(inst, options))
    text = dump_solution(solution, out)
    if out is None:
        click.echo(text)
    else:
        click.echo(
            f"{solution.status}: {len(solution.assignments)} housed, "
            f"{len(solution.unmatched)} unmatched -> {out}",
            err=True,
        )


_INT_KEYS = {"count", "rooms", "rent", "services", "max_occupants", "deposit", "floor"}
_FLOAT_KEYS = {"lat", "lon"}
_BOOL_KEYS = {"lift", "step_free", "pets_allowed"}
_STR_KEYS = {"layout", "orp", "municipality"}


def parse_add_flats(spec: str) -> AddFlats:
    """Parse 'count=5,layout=3+1,rooms=3,rent=9000,services=2500,orp=3405'."""
    values: dict[str, Any] = {}
    known = {f.name for f in fields(AddFlats)}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key, sep, raw = part.partition("=")
        key = key.strip()
        if not sep or key not in known:
            raise click.BadParameter(
                f"unknown or malformed item {part!r}; keys: {', '.join(sorted(known))}",
                param_hint="--add-flats",
            )
        values[key] = _convert(key, raw.strip())
    if "rooms" not in values and values.get("layout", "")[:1].isdigit():
        values["rooms"] = int(values["layout"].split("+")[0])
    for key in ("count", "rooms", "rent"):
        if key not in values:
            raise click.BadParameter(f"missing {key}=...", param_hint="--add-flats")
    return AddFlats(**values)


def _convert(key: str, raw: str) -> Any:
    try:
        if key in _INT_KEYS:
            return int(raw)
        if key in _FLOAT_KEYS:
            return float(raw)
        if key in _BOOL_KEYS:
            return {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}[
                raw.lower()
            ]
        if key == "available_from":
            return date.fromisoformat(raw)
    except (ValueError, KeyError):
        raise click.BadParameter(f"{key}={raw!r} is not valid", param_hint="--add-flats") from None
    return raw


@match.command("whatif")
@click.argument("instance", type=click.Path(dir_okay=False))
@click.option(
    "--add-flats",
    "add_flats",
    multiple=True,
    metavar="SPEC",
    help="Add flats: 'count=5,layout=3+1,rooms=3,rent=9000,services=2500,orp=3405' "
    "(also municipality, max_occupants, deposit, lat, lon, floor, lift, "
    "step_free, pets_allowed, available_from). Repeatable.",
)
@click.option(
    "--budget-change",
    type=int,
    default=None,
    metavar="PERCENT",
    help="Raise every household's max housing cost by PERCENT %.",
)
@click.option(
    "--relax",
    multiple=True,
    type=click.Choice(list(CONSTRAINTS)),
    help="Switch a hard constraint off. Repeatable.",
)
@click.option("--out", type=click.Path(dir_okay=False), help="Write the report JSON here.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@_solver_options
def whatif_command(
    instance: str,
    add_flats: tuple[str, ...],
    budget_change: int | None,
    relax: tuple[str, ...],
    out: str | None,
    as_json: bool,
    time_limit: float,
    workers: int,
    seed: int,
) -> None:
    """How many more households would be housed with the given changes, and which."""
    changes: list[Change] = [parse_add_flats(s) for s in add_flats]
    if budget_change is not None:
        changes.append(RaiseBudgets(budget_change))
    changes.extend(Relax(name) for name in relax)
    if not changes:
        raise click.UsageError("give at least one change (--add-flats, --budget-change, --relax)")
    inst = _load(instance)
    options = SolveOptions(time_limit_s=time_limit, workers=workers, seed=seed, explain=False)
    report: WhatIfReport = _run(lambda: what_if(inst, changes, options))
    text = json.dumps(report.as_dict(), ensure_ascii=False, indent=1)
    if out is not None:
        Path(out).write_text(text + "\n", encoding="utf-8")
    if as_json:
        click.echo(text)
    else:
        _print_report(report)


def _print_report(report: WhatIfReport) -> None:
    console = Console(soft_wrap=True)
    console.print(
        f"Extra households housed: [bold]{report.extra_housed:+d}[/bold] "
        f"({len(report.baseline.assignments)} -> {len(report.changed.assignments)})"
    )
    for title, data in (
        ("urgency", report.extra_by_urgency),
        ("household size", report.extra_by_size),
    ):
        table = Table(f"by {title}", "change")
        for key, value in data.items():
            table.add_row(str(key), f"{value:+d}")
        console.print(table)
    console.print("Newly housed: " + (", ".join(report.newly_housed) or "none"))
    if report.no_longer_housed:
        console.print("No longer housed: " + ", ".join(report.no_longer_housed))


@match.command("bench")
@click.option(
    "--scale",
    type=click.Choice(["national", "regional", "both"]),
    default="both",
    show_default=True,
)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--quick", is_flag=True, help="Small instances (smoke test).")
def bench_command(scale: str, seed: int, quick: bool) -> None:
    """Benchmark on generated instances over the real municipality gazetteer."""
    from matching.bench import run

    run(scale, seed, quick)
