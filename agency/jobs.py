"""The agency's periodic jobs. Each is idempotent: a second run in a period adds nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from agency.db import session_scope
from agency.enums import FlatStatus, LeaseStatus, UserRole
from agency.models import (
    Flat,
    Household,
    Lease,
    Municipality,
    SupportPlan,
    SupportVisit,
    User,
)
from agency.models.base import utcnow
from agency.services.matches import household_ref
from agency.services.offers import expire_offers, remind_expiring_offers
from agency.services.privacy import pseudonymise_expired
from agency.services.rent import charge_rent, leases_in_arrears
from notifications.formatting import LOCAL_TIME
from notifications.runtime import JobSpec, job_context
from notifications.service import notify

STALE_AFTER = timedelta(days=60)

# Every job is safe to run again (event keys, idempotent updates), so each also runs when a
# scheduler starts: a run killed midway, or missed while no scheduler was up, is not
# postponed to its next time.
JOBS: list[JobSpec] = [
    JobSpec(
        id="agency.stale_listings",
        func="agency.jobs:stale_listings_job",
        trigger="cron",
        trigger_args={"hour": 7, "minute": 0, "timezone": "Europe/Prague"},
        run_at_start=True,
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
        run_at_start=True,
    ),
    JobSpec(
        id="agency.charge_rent",
        func="agency.jobs:charge_rent_job",
        # Daily and idempotent: a day the scheduler was down never skips a month's charges.
        trigger="cron",
        trigger_args={"hour": 5, "minute": 30, "timezone": "Europe/Prague"},
        run_at_start=True,
    ),
    JobSpec(
        id="agency.after_move_reminders",
        func="agency.jobs:after_move_reminders_job",
        trigger="cron",
        trigger_args={"hour": 7, "minute": 30, "timezone": "Europe/Prague"},
        run_at_start=True,
    ),
    JobSpec(
        id="agency.retention",
        func="agency.jobs:retention_job",
        trigger="cron",
        trigger_args={"hour": 2, "minute": 30, "timezone": "Europe/Prague"},
        run_at_start=True,
    ),
]


def retention_job() -> int:
    """Pseudonymise the households closed longer than the retention period (idempotent)."""
    context = job_context()
    with session_scope(context.engine) as session:
        return pseudonymise_expired(session, now=utcnow(), years=context.retention_years)


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


# --- after the move: rent charges and daily reminders ------------------------------------


def charge_rent_job() -> int:
    """Charge this month's rent to every active lease that has no charge for it yet."""
    with session_scope(job_context().engine) as session:
        now = utcnow()
        return charge_rent(session, month=now.astimezone(LOCAL_TIME).date(), now=now)


def after_move_reminders_job() -> int:
    """Visits due and overdue, leases ending in 60 and 30 days, arrears: each told once per
    period (the period is in the event key)."""
    with session_scope(job_context().engine) as session:
        return remind_after_move(session, now=utcnow())


def remind_after_move(session: Session, *, now: datetime) -> int:
    """Queue the after-move reminders for `now`'s day; returns how many events were new."""
    today = now.astimezone(LOCAL_TIME).date()
    staff = session.exec(
        select(User).where(col(User.role) == UserRole.staff, col(User.active).is_(True))
    ).all()
    steps = (
        _visit_reminders(session, today, now),
        _lease_end_reminders(session, today, now, list(staff)),
        _arrears_reminders(session, today, now, list(staff)),
    )
    return sum(steps)


def _queued(session: Session, now: datetime, **kwargs: Any) -> int:
    queued = notify(session, now=now, **kwargs)
    return int(queued.in_app > 0 or queued.emails > 0)


def _processed() -> tuple[sa.ColumnElement[bool], ...]:
    """Households still worked on: nothing is said about one that withdrew its consent."""
    return (
        col(Household.consent_withdrawn_on).is_(None),
        col(Household.pseudonymised_at).is_(None),
    )


def _lease_rows(session: Session, *conditions: Any) -> list[tuple[Lease, User | None, str]]:
    """Active leases with the household's social worker and the flat's address (one query)."""
    query = (
        sa.select(Lease, User, col(Flat.street), col(Municipality.name))
        .join(Household, col(Household.id) == col(Lease.household_id))
        .outerjoin(User, col(User.id) == col(Household.social_worker_id))
        .join(Flat, col(Flat.id) == col(Lease.flat_id))
        .join(Municipality, col(Municipality.code) == col(Flat.municipality_code))
        .where(col(Lease.status) == LeaseStatus.active, *_processed(), *conditions)
        .order_by(col(Lease.id))
    )
    return [
        (lease, user, f"{street}, {town}") for lease, user, street, town in session.execute(query)
    ]


def _visit_reminders(session: Session, today: date, now: datetime) -> int:
    """A visit due today or tomorrow once; an overdue visit once a week."""
    query = (
        sa.select(SupportVisit, User, col(Flat.street), col(Municipality.name))
        .join(User, col(User.id) == col(SupportVisit.social_worker_id))
        .join(SupportPlan, col(SupportPlan.id) == col(SupportVisit.plan_id))
        .join(Lease, col(Lease.id) == col(SupportPlan.lease_id))
        .join(Flat, col(Flat.id) == col(Lease.flat_id))
        .join(Municipality, col(Municipality.code) == col(Flat.municipality_code))
        .join(Household, col(Household.id) == col(SupportVisit.household_id))
        .where(col(SupportVisit.done_on).is_(None), col(Lease.status) == LeaseStatus.active)
        .where(*_processed())
        .where(col(SupportVisit.planned_on) <= today + timedelta(days=1))
    )
    year, week, _ = today.isocalendar()
    count = 0
    for visit, worker, street, town in session.execute(query).all():
        ref = household_ref(visit.household_id)
        link = f"/visits/{visit.id}"
        if visit.planned_on >= today:
            count += _queued(
                session,
                now,
                kind="visit_due",
                event_key=f"visit_due:{visit.id}",
                recipients=[worker],
                link=link,
                context={
                    "household_ref": ref,
                    "address": f"{street}, {town}",
                    "planned_on": visit.planned_on,
                },
            )
        else:
            count += _queued(
                session,
                now,
                kind="visit_overdue",
                event_key=f"visit_overdue:{visit.id}:{year}-W{week:02d}",
                recipients=[worker],
                link=link,
                context={
                    "household_ref": ref,
                    "planned_on": visit.planned_on,
                    "days_overdue": (today - visit.planned_on).days,
                },
            )
    return count


def _lease_end_reminders(session: Session, today: date, now: datetime, staff: list[User]) -> int:
    """Each lease end is announced 60 and 30 days ahead (keyed by the end date, so a
    renewed lease is announced again for its new end)."""
    soon = today + timedelta(days=60)
    rows = _lease_rows(session, col(Lease.end_date) >= today, col(Lease.end_date) <= soon)
    count = 0
    for lease, worker, address in rows:
        assert lease.end_date is not None  # filtered above
        days = 30 if (lease.end_date - today).days <= 30 else 60
        count += _queued(
            session,
            now,
            kind=f"lease_ends_{days}",
            event_key=f"lease_ends_{days}:{lease.id}:{lease.end_date}",
            recipients=[*([worker] if worker else []), *staff],
            link=f"/leases/{lease.id}",
            context={
                "household_ref": household_ref(lease.household_id),
                "address": address,
                "end_date": lease.end_date,
            },
        )
    return count


def _arrears_reminders(session: Session, today: date, now: datetime, staff: list[User]) -> int:
    """A lease in arrears is reported once a month."""
    owed = {
        lease_id: (amount, monthly)
        for lease_id, amount, monthly in leases_in_arrears(session, today=today)
    }
    if not owed:
        return 0
    count = 0
    for lease, worker, address in _lease_rows(session, col(Lease.id).in_(owed)):
        amount, monthly = owed[int(lease.id or 0)]
        count += _queued(
            session,
            now,
            kind="arrears",
            event_key=f"arrears:{lease.id}:{today:%Y-%m}",
            recipients=[*([worker] if worker else []), *staff],
            link=f"/leases/{lease.id}",
            context={
                "household_ref": household_ref(lease.household_id),
                "address": address,
                "amount": amount,
                "months": -(-amount // max(monthly, 1)),
            },
        )
    return count
