"""A published summary's figures turned into labelled rows and charts for the page."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from agency.enums import LeaseEndReason
from web.charts import bar_chart, grouped_bars
from web.i18n import translate
from web.pages.placement_common import CONSTRAINT_LABELS, LANDLORD_REASON_LABELS
from web.pages.staff_common import REJECTION_LABELS

SECTION_TITLES = {
    "flow": "Flow of households, flats and landlords",
    "outcomes": "Housing outcomes",
    "barriers": "Barriers",
    "gaps": "Structural gaps (matching engine)",
}

FIGURE_LABELS: dict[str, str] = {
    "households_registered": "Households registered",
    "households_waiting": "Households waiting at the end of the period",
    "households_offered": "Households offered a flat",
    "households_housed": "Households housed",
    "flats_offered": "Flats offered by landlords",
    "flats_vetted": "Flats vetted",
    "flats_rejected_by_reason": "Flats rejected at vetting, by reason",
    "flats_let": "Flats let",
    "landlords_active": "Landlords active",
    "landlords_new": "Landlords new",
    "landlords_lost": "Landlords lost",
    "placements": "Placements (leases started)",
    "median_days_to_housing": "Median days from registration to housing",
    "sustainment_6m": "Tenancies sustained at 6 months",
    "sustainment_12m": "Tenancies sustained at 12 months",
    "lease_ends_by_reason": "Lease ends by reason",
    "arrears_incidence": "Leases in arrears at the end of the period",
    "visits_done": "Support visits done",
    "visits_overdue": "Support visits overdue at the end of the period",
    "barriers_by_category_stage": "Barriers by category and stage",
    "barriers_by_orp": "Barriers by ORP",
    "barriers_previous_by_category": "Barriers in the previous period, by category",
    "barriers_overcome_share": "Share of barriers overcome",
    "overcome_by_intervention": "What works: barriers overcome, by intervention",
    "landlord_declines_by_reason": "Landlord declines by reason",
    "engine_waiting": "Waiting households in the engine's run",
    "engine_flats": "Available flats in the engine's run",
    "engine_housed": "Households the engine could house now",
    "binding_constraints": "Unhoused households by binding constraint",
    "median_extra_czk": "Median extra CZK a month needed (nearest miss on budget)",
    "median_rooms_short": "Median rooms short (nearest miss on size)",
}

KEY_LABELS: dict[str, str] = {
    **REJECTION_LABELS,
    **CONSTRAINT_LABELS,
    **LANDLORD_REASON_LABELS,
    LeaseEndReason.regular_end: "Regular end",
    LeaseEndReason.moved_on: "Moved to other housing",
    LeaseEndReason.landlord_arrears: "Terminated by landlord: arrears",
    LeaseEndReason.landlord_damage: "Terminated by landlord: damage",
    LeaseEndReason.landlord_conflict: "Terminated by landlord: conflict",
    LeaseEndReason.by_tenant: "Ended by the tenant",
    "outranked": "Compatible flats went to more urgent households",
    "no_flat_near": "No flat close to fitting",
    "none": "Not recorded",
    "access": "Access to housing",
    "sustain": "Keeping housing",
}

CHARTED = {
    "flats_rejected_by_reason",
    "lease_ends_by_reason",
    "barriers_by_orp",
    "overcome_by_intervention",
    "landlord_declines_by_reason",
    "binding_constraints",
}


def key_label(lang: str, labels: dict[str, Any], key: str, figure_id: str) -> str:
    """A breakdown key in the reader's language: taxonomy names, ORP names, or msgids."""
    if figure_id.startswith("barriers") and key in labels.get("barrier_category", {}):
        return str(labels["barrier_category"][key][lang])
    if figure_id == "overcome_by_intervention" and key in labels.get("intervention", {}):
        return str(labels["intervention"][key][lang])
    if figure_id == "barriers_by_orp":
        return str(labels.get("orp", {}).get(key, key))
    return translate(lang, KEY_LABELS[key]) if key in KEY_LABELS else key


def shown(lang: str, value: Any, unit: str = "") -> str:
    """A published value as text: suppressed marks as they are, shares as percentages."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if unit == "share":
        return f"{round(100 * value)} %"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}".replace(",", "\u00a0")
    return f"{value:,}".replace(",", "\u00a0") if isinstance(value, int) else f"{value}"


def section_view(lang: str, figures: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The section's figures with labels, displayed values and charts."""
    labels = figures.get("labels", {})
    return [_figure_view(lang, labels, f) for f in figures.get("sections", {}).get(name, [])]


def _figure_view(lang: str, labels: dict[str, Any], figure: dict[str, Any]) -> dict[str, Any]:
    title = translate(lang, FIGURE_LABELS.get(figure["id"], figure["id"]))
    view: dict[str, Any] = {"id": figure["id"], "kind": figure["kind"], "title": title}
    view["withheld"] = bool(figure.get("withheld"))
    if figure["kind"] in ("count", "stat"):
        unit = figure.get("unit", "")
        view["value"] = shown(lang, figure["value"], unit)
        view["n"] = shown(lang, figure.get("n")) if figure["kind"] == "stat" else None
        return view
    if figure["kind"] == "breakdown":
        items = [
            (key_label(lang, labels, i["key"], figure["id"]), i["value"]) for i in figure["items"]
        ]
        view["items"] = [(k, shown(lang, v)) for k, v in items]
        view["total"] = shown(lang, figure["total"])
        view["chart"] = _chart(title, items) if figure["id"] in CHARTED else None
        return view
    return view | _table_view(lang, labels, figure, title)


def _shown_numbers(values: list[Any]) -> bool:
    """Whether a chart would draw anything: suppressed cells are not drawn."""
    return any(isinstance(v, int | float) and v for v in values)


def _chart(title: str, items: list[tuple[str, Any]]) -> Markup | None:
    if not _shown_numbers([v for _, v in items]):
        return None
    return bar_chart(title, [k for k, _ in items], [v for _, v in items])


def _table_view(
    lang: str, labels: dict[str, Any], figure: dict[str, Any], title: str
) -> dict[str, Any]:
    rows = [key_label(lang, labels, r, figure["id"]) for r in figure["rows"]]
    columns = [key_label(lang, labels, c, figure["id"]) for c in figure["columns"]]
    series = [
        (columns[j], [row[j] for row in figure["cells"]]) for j in range(len(figure["columns"]))
    ]
    return {
        "rows": [
            (label, [shown(lang, v) for v in cells], shown(lang, total))
            for label, cells, total in zip(rows, figure["cells"], figure["row_totals"], strict=True)
        ],
        "columns": columns,
        "column_totals": [shown(lang, v) for v in figure["column_totals"]],
        "total": shown(lang, figure["total"]),
        "chart": grouped_bars(title, rows, series)
        if _shown_numbers([v for row in figure["cells"] for v in row])
        else None,
    }


def trend_view(lang: str, figures: dict[str, Any]) -> list[tuple[str, str, str]]:
    """This period's barriers by category against the previous period's (suppressed both)."""
    barriers = {f["id"]: f for f in figures.get("sections", {}).get("barriers", [])}
    table, previous = (
        barriers.get("barriers_by_category_stage"),
        barriers.get("barriers_previous_by_category"),
    )
    if table is None or previous is None:
        return []
    labels = figures.get("labels", {})
    now = dict(zip(table["rows"], table["row_totals"], strict=True))
    before = {i["key"]: i["value"] for i in previous["items"]}
    keys = list(dict.fromkeys([*table["rows"], *before]))
    return [
        (
            key_label(lang, labels, k, "barriers"),
            shown(lang, before.get(k, 0)),
            shown(lang, now.get(k, 0)),
        )
        for k in keys
    ]
