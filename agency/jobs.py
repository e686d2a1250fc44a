"""The agency's periodic jobs. Each is idempotent: a second run in a period adds nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from agency.db import session_scope
from agency.enums import FlatStatus, UserRole
from agency.models import Flat, Municipality, User
from agency.models.base import utcnow
from agency.services.offers import expire_offers, remind_expiring_offers
from notifications.formatting import LOCAL_TIME
from notifications.runtime import JobSpec, job_context
from notifications.service import notify

STALE_AFTER = timedelta(days=60)

JOBS: list[JobSpec] = [
    JobSpec(
        id="agency.stale_listings",
        func="agency.jobs:stale_listings_job",
        trigger="cron",
        trigger_args={"hour": 7, "minute": 0, "timezone": "Europe/Prague"},
    ),
    JobSpec(
        id="agency.expire_offers",
        func="agency.jobs:expire_offers_job",
        trigger="interval",
        trigger_args={"minutes": 15},
        run_at_start=True,
    ),
    JobSpec(
        id="agency.remind_expiring_offers",
        func="agency.jobs:remind_expiring_offers_job",
        trigger="cron",
        trigger_args={"hour": 8, "minute": 0, "timezone": "Europe/Prague"},
    ),
]


def expire_offers_job() -> int:
    """Offers nobody answered in time become expired; flat and household go back."""
    with session_scope(job_context().engine) as session:
        return expire_offers(session, now=utcnow())


def remind_expiring_offers_job() -> int:
    """Remind whoever has not answered an offer that expires soon (once per party)."""
    with session_scope(job_context().engine) as session:
        return remind_expiring_offers(session, now=utcnow())


def stale_listings_job() -> int:
    """Tell staff about flats available for more than 60 days (once a week per flat)."""
    with session_scope(job_context().engine) as session:
        return notify_stale_listings(session, now=utcnow())


def notify_stale_listings(
    session: Session, *, now: datetime, stale_after: timedelta = STALE_AFTER
) -> int:
    """Queue a `stale_listing` notification to every active staff member for each flat
    available since before `now - stale_after`; returns how many flats were newly reported.

    The event key holds the ISO week, so daily runs report a flat at most once a week.
    """
    staff = session.exec(
        select(User).where(User.role == UserRole.staff, col(User.active).is_(True))
    ).all()
    if not staff:
        return 0
    year, week, _ = now.astimezone(LOCAL_TIME).isocalendar()
    reported = 0
    for flat, municipality, since in _stale_flats(session, now - stale_after):
        queued = notify(
            session,
            kind="stale_listing",
            event_key=f"stale_listing:{flat.id}:{year}-W{week:02d}",
            recipients=staff,
            context={
                "address": f"{flat.street}, {municipality}",
                "days_available": (now - since).days,
                "rent": flat.rent,
            },
            link=f"/staff/flats/{flat.id}",
            now=now,
        )
        reported += queued.in_app > 0 or queued.emails > 0
    return reported


def _stale_flats(session: Session, cutoff: datetime) -> list[tuple[Flat, str, datetime]]:
    since = sa.func.coalesce(Flat.status_changed_at, Flat.created_at)
    query = (
        sa.select(Flat, col(Municipality.name), since)
        .join(Municipality, col(Municipality.code) == Flat.municipality_code)
        .where(col(Flat.status) == FlatStatus.available, since <= cutoff)
        .order_by(col(Flat.id))
    )
    return [(flat, name, moment) for flat, name, moment in session.execute(query).all()]
