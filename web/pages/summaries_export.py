"""A summary's published data as CSV and JSON downloads (the same for pages and API)."""

from __future__ import annotations

import csv
import io
from typing import Any

from litestar import Response

from agency.models import Summary
from agency.services.summaries import summary_title
from agency.services.suppression import SECONDARY_MARK, WITHHELD_MARK, mark


def summary_document(summary: Summary) -> dict[str, Any]:
    """The published summary as one JSON document: period, scope, k, figures, what-ifs."""
    figures = summary.figures or {}
    return {
        "id": summary.id,
        "title": summary_title(summary),
        "status": summary.status.value,
        "period_start": summary.period_start.isoformat(),
        "period_end": summary.period_end.isoformat(),
        "scope": figures.get("scope", {}),
        "k": summary.k_threshold,
        "marks": marks(summary.k_threshold),
        "published_at": summary.published_at.isoformat() if summary.published_at else None,
        "sections": figures.get("sections", {}),
        "labels": figures.get("labels", {}),
        "what_ifs": summary.what_ifs or [],
    }


def marks(k: int) -> dict[str, str]:
    """What the suppression marks in the figures mean."""
    return {
        mark(k): f"a count from 1 to {k - 1}",
        SECONDARY_MARK: f"a count of at least {k}, hidden so that no small count can be worked out",
        WITHHELD_MARK: "the whole figure is withheld: too few records to show it safely",
    }


def _filename(summary: Summary, ext: str) -> str:
    scope = f"{summary.scope.value}{summary.scope_code}"
    return f"summary-{summary.period_start.isoformat()}-{scope}.{ext}"


def csv_response(summary: Summary, rows: list[tuple[str, str, str, Any]]) -> Response[str]:
    """One row per figure: section, figure, breakdown, value."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("section", "figure", "breakdown", "value"))
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_filename(summary, "csv")}"'},
    )


def json_response(summary: Summary) -> Response[dict[str, Any]]:
    return Response(
        summary_document(summary),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{_filename(summary, "json")}"'},
    )
