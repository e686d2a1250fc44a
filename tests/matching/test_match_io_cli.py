"""JSON format, validation messages, determinism and the command line."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from matching import InstanceError, SolveOptions, load_instance, solve
from matching.cli import match
from matching.generate import random_instance
from matching.instance import Policy, ReservedShare
from matching.io import instance_from_dict, instance_to_dict, solution_to_dict

EXAMPLE = Path(__file__).resolve().parents[2] / "matching" / "examples" / "small.json"


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return data


def test_example_loads_and_round_trips() -> None:
    inst = load_instance(EXAMPLE)
    assert len(inst.households) == 6 and len(inst.flats) == 5
    assert instance_from_dict(json.loads(json.dumps(instance_to_dict(inst)))) == inst


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ("households", 2, "max_housing_cost"),
            "abc",
            'households[2] (id "H-3"): field "max_housing_cost" must be a non-negative integer, '
            'got "abc"',
        ),
        (
            ("households", 0, "urgency"),
            7,
            'households[0] (id "H-1"): field "urgency" must be an integer between 1 and 5, got 7',
        ),
        (
            ("flats", 1, "available_from"),
            "2026-13-01",
            'flats[1] (id "F-102"): field "available_from" must be a date YYYY-MM-DD, '
            'got "2026-13-01"',
        ),
        (("flats", 0, "lift"), "yes", 'flats[0] (id "F-101"): field "lift" must be true or false'),
        (("flats", 4, "lat"), 123.0, 'flats[4] (id "F-105"): field "lat" must be a number'),
        (
            ("households", 1, "anchor"),
            {"lat": 50, "lon": 14},
            'households[1] (id "H-2").anchor: field "max_km" is required',
        ),
        (("policy", "max_per_building"), -1, 'policy: field "max_per_building"'),
        (("policy", "relaxed"), ["bugdet"], 'policy: field "relaxed" must be a list of constraint'),
        (("today",), None, 'instance: field "today" must be a date'),
    ],
)
def test_load_errors_name_record_and_field(
    tmp_path: Path, path: tuple[Any, ...], value: object, message: str
) -> None:
    data = example()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InstanceError) as info:
        load_instance(file)
    assert message in str(info.value)


def test_missing_field_and_duplicate_id() -> None:
    data = example()
    del data["flats"][2]["rent"]
    with pytest.raises(InstanceError, match=r'flats\[2\] \(id "F-103"\): field "rent" is required'):
        instance_from_dict(data)
    data = example()
    data["households"][3]["id"] = "H-1"
    with pytest.raises(InstanceError, match=r'households\[3\] \(id "H-1"\): duplicate id'):
        instance_from_dict(data)


def _comparable(options: SolveOptions, policy: Policy, seed: int) -> dict[str, Any]:
    out = solution_to_dict(solve(random_instance(seed, 40, 30, policy=policy), options))
    del out["timings_s"]
    return out


@pytest.mark.parametrize(
    "policy",
    [
        Policy(),
        Policy(
            max_per_social_worker=4,
            max_per_building=1,
            reserved_shares=(ReservedShare("children", 60),),
        ),
    ],
)
def test_same_input_gives_identical_output(policy: Policy) -> None:
    options = SolveOptions(time_limit_s=5, workers=2, seed=3)
    first = _comparable(options, policy, 11)
    assert first["assignments"]
    for _ in range(2):
        assert _comparable(options, policy, 11) == first


def test_cli_solve_writes_solution(tmp_path: Path) -> None:
    out = tmp_path / "solution.json"
    result = CliRunner().invoke(
        match,
        [
            "solve",
            str(EXAMPLE),
            "--out",
            str(out),
            "--time-limit",
            "5",
            "--workers",
            "2",
            "--seed",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    inst = load_instance(EXAMPLE)
    assert data["status"] == "optimal"
    housed = {a["household_id"] for a in data["assignments"]}
    missed = {u["household_id"] for u in data["unmatched"]}
    assert housed | missed == {h.id for h in inst.households} and not housed & missed
    assert set(data["objective"]) == {"housed_by_urgency", "days_waited", "fit"}
    assert {"compatibility", "solve", "explain"} <= set(data["timings_s"])


def test_cli_solve_to_stdout_is_json() -> None:
    result = CliRunner().invoke(match, ["solve", str(EXAMPLE)])
    assert result.exit_code == 0
    assert json.loads(result.output)["method"] == "flow"


def test_cli_whatif_reports_gain(tmp_path: Path) -> None:
    out = tmp_path / "whatif.json"
    args = [
        "whatif",
        str(EXAMPLE),
        "--add-flats",
        "count=2,layout=2+1,rent=7000,services=2000,orp=3209",
        "--budget-change",
        "10",
        "--relax",
        "deposit",
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(match, args)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    base = sum(report["baseline_objective"]["housed_by_urgency"].values())
    changed = sum(report["changed_objective"]["housed_by_urgency"].values())
    assert report["extra_housed"] == changed - base
    assert sum(report["extra_by_urgency"].values()) == report["extra_housed"]
    assert sum(report["extra_by_size"].values()) == report["extra_housed"]
    assert "Extra households housed" in result.output


@pytest.mark.parametrize(
    ("content", "needle"),
    [("{not json", "not valid JSON"), ("[]", "must be a JSON object"), (None, "cannot read")],
)
def test_cli_bad_files_fail_cleanly(tmp_path: Path, content: str | None, needle: str) -> None:
    file = tmp_path / "bad.json"
    if content is not None:
        file.write_text(content, encoding="utf-8")
    for command in (["solve", str(file)], ["whatif", str(file), "--relax", "budget"]):
        result = CliRunner().invoke(match, command)
        assert result.exit_code != 0
        assert needle in result.output
        assert "Traceback" not in result.output
        assert not isinstance(result.exception, InstanceError)


def test_cli_rejects_bad_add_flats_spec() -> None:
    result = CliRunner().invoke(match, ["whatif", str(EXAMPLE), "--add-flats", "count=x,rooms=2"])
    assert result.exit_code != 0
    assert "count='x' is not valid" in result.output


def test_cli_invalid_field_message(tmp_path: Path) -> None:
    data = copy.deepcopy(example())
    data["households"][3]["income"] = "lots"
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(match, ["solve", str(file)])
    assert result.exit_code == 1
    assert 'households[3] (id "H-4"): field "income" must be a non-negative integer' in (
        result.output
    )
