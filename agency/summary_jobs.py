"""Summary building on the configured period (half-yearly by default): on 1 January and
1 July the draft for the half-year that just ended, for the whole agency. Idempotent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from agency.db import session_scope
from agency.enums import SummaryScope
from agency.models import Summary
from agency.models.base import utcnow
from agency.services.summaries import build_summary, find_summary
from notifications.formatting import LOCAL_TIME
from notifications.runtime import JobSpec, job_context

JOBS: list[JobSpec] = [
    JobSpec(
        id="agency.build_summary",
        func="agency.summary_jobs:build_summary_job",
        trigger="cron",
        trigger_args={
            "month": "1,7",
            "day": 1,
            "hour": 3,
            "minute": 0,
            "timezone": "Europe/Prague",
        },
        run_at_start=True,
    ),
]


def previous_half_year(today: date) -> tuple[date, date]:
    """The last half-year that ended before `today` (1 Jan–30 Jun or 1 Jul–31 Dec)."""
    if today.month >= 7:
        return date(today.year, 1, 1), date(today.year, 6, 30)
    return date(today.year - 1, 7, 1), date(today.year - 1, 12, 31)


def build_summary_job() -> int | None:
    """Build the draft for the half-year that just ended; None when it exists already."""
    try:
        with session_scope(job_context().engine) as session:
            summary = build_due_summary(session, now=utcnow())
            return summary.id if summary is not None else None
    except IntegrityError:  # another scheduler built it meanwhile: the constraint holds
        return None


def build_due_summary(session: Session, *, now: datetime) -> Summary | None:
    """The agency-wide draft for the previous half-year, unless it exists (a second run, or a
    scheduler taking over, adds nothing)."""
    start, end = previous_half_year(now.astimezone(LOCAL_TIME).date())
    if find_summary(
        session, period_start=start, period_end=end, scope=SummaryScope.agency, code=""
    ):
        return None
    return build_summary(
        session, period_start=start, period_end=end, scope=SummaryScope.agency, now=now
    )


__all__ = ["JOBS", "build_due_summary", "build_summary_job", "previous_half_year"]
