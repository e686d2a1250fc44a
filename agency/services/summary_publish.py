"""Raw figures → published figures: small cells suppressed, nothing else kept.

The published JSON holds no raw count below k anywhere: not in cells, not in totals, not in
the number of records behind a median or share.
"""

from __future__ import annotations

from typing import Any

from agency.services.suppression import (
    WITHHELD_MARK,
    suppress_breakdown,
    suppress_count,
    suppress_stat,
    suppress_table,
)

Figure = dict[str, Any]
SECTIONS = ("flow", "outcomes", "barriers", "gaps")


def publish_figure(figure: Figure, k: int) -> Figure:
    """One figure with its small cells suppressed (see `suppression`)."""
    kind = figure["kind"]
    head = {"id": figure["id"], "kind": kind}
    if kind == "count":
        return head | {"value": suppress_count(figure["value"], k)}
    if kind == "stat":
        value = figure["value"]
        value = round(value, 3) if isinstance(value, float) else value
        shown = suppress_stat(value, figure["n"], k)
        return head | {"unit": figure["unit"], "value": shown, "n": suppress_count(figure["n"], k)}
    if kind == "breakdown":
        values, total = suppress_breakdown(figure["values"], k)
        items = [{"key": key, "value": v} for key, v in zip(figure["keys"], values, strict=True)]
        return head | {"items": items, "total": total, "withheld": total == WITHHELD_MARK}
    return head | _publish_table(figure, k)


def _publish_table(figure: Figure, k: int) -> dict[str, Any]:
    if not figure["rows"]:
        zeros = [0 for _ in figure["columns"]]
        return {"rows": [], "columns": figure["columns"], "cells": [], "row_totals": []} | {
            "column_totals": zeros,
            "total": 0,
            "withheld": False,
        }
    table = suppress_table(figure["cells"], k)
    return {
        "rows": figure["rows"],
        "columns": figure["columns"],
        "cells": [row[:-1] for row in table[:-1]],
        "row_totals": [row[-1] for row in table[:-1]],
        "column_totals": table[-1][:-1],
        "total": table[-1][-1],
        "withheld": table[-1][-1] == WITHHELD_MARK,
    }


def publish_what_if(result: dict[str, Any], k: int) -> dict[str, Any]:
    """A what-if's gain: the total is the model's answer and is shown; its breakdowns by
    urgency and household size are suppressed like any count."""
    if "error" in result:
        return result
    return result | {
        "by_urgency": publish_figure(result["by_urgency"], k),
        "by_size": publish_figure(result["by_size"], k),
    }


def publish_sections(sections: dict[str, list[Figure]], k: int) -> dict[str, list[Figure]]:
    return {name: [publish_figure(f, k) for f in sections.get(name, [])] for name in SECTIONS}


def csv_rows(figures: dict[str, Any], what_ifs: list[Any]) -> list[tuple[str, str, str, Any]]:
    """One row per published figure: (section, figure, breakdown, value)."""
    rows: list[tuple[str, str, str, Any]] = []
    for section, items in figures.get("sections", {}).items():
        for figure in items:
            rows += [(section, figure["id"], b, v) for b, v in _flatten(figure)]
    for number, result in enumerate(what_ifs, start=1):
        figure_id = f"what_if_{number}"
        rows.append(("what_if", figure_id, "scenario", _scenario_text(result["scenario"])))
        if "error" in result:
            rows.append(("what_if", figure_id, "error", result["error"]))
            continue
        rows.append(("what_if", figure_id, "", result["extra_housed"]))
        for part in ("by_urgency", "by_size"):
            rows += [("what_if", figure_id, f"{part}:{b}", v) for b, v in _flatten(result[part])]
    return rows


def _scenario_text(scenario: dict[str, Any]) -> str:
    return "; ".join(f"{k}={v}" for k, v in sorted(scenario.items()))


def _flatten(figure: Figure) -> list[tuple[str, Any]]:
    kind = figure["kind"]
    if kind == "count":
        return [("", figure["value"])]
    if kind == "stat":
        return [("", figure["value"]), ("n", figure["n"])]
    if kind == "breakdown":
        return [(str(i["key"]), i["value"]) for i in figure["items"]] + [("total", figure["total"])]
    out: list[tuple[str, Any]] = []
    for r, row in enumerate(figure["rows"]):
        out += [(f"{row}|{c}", figure["cells"][r][j]) for j, c in enumerate(figure["columns"])]
        out.append((f"{row}|total", figure["row_totals"][r]))
    out += [
        (f"total|{c}", v) for c, v in zip(figure["columns"], figure["column_totals"], strict=True)
    ]
    return [*out, ("total", figure["total"])]
