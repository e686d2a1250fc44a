"""The after-move jobs: monthly charges and daily reminders, each idempotent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from agency.db import session_scope
from agency.enums import FlatStatus, HouseholdStatus, UserRole
from agency.jobs import JOBS, after_move_reminders_job, charge_rent_job, remind_after_move
from agency.models import RentCharge
from agency.models.base import utcnow
from agency.services.support import default_template, generate_schedule
from notifications.models import Notification
from notifications.runtime import using_context
from tests.factories import Factory
from tests.integration.test_offer_jobs import _context


def _setup(engine: Engine, today: date) -> None:
    with session_scope(engine) as session:
        factory = Factory(session)
        factory.user(UserRole.staff)
        worker = factory.user()
        for end in (today + timedelta(days=50), today + timedelta(days=20), None):
            flat = factory.flat(FlatStatus.let)
            household = factory.household(HouseholdStatus.housed, social_worker=worker)
            lease = factory.lease(
                flat, household, start_date=today - timedelta(days=40), end_date=end
            )
            if end is None:
                generate_schedule(session, lease=lease, template=default_template(session))


def _kinds(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return sorted(n.kind for n in session.exec(select(Notification)).all())


def test_jobs_are_declared() -> None:
    ids = {job.id: job.func for job in JOBS}
    assert ids["agency.charge_rent"] == "agency.jobs:charge_rent_job"
    assert ids["agency.after_move_reminders"] == "agency.jobs:after_move_reminders_job"
    assert "agency.stale_listings" in ids


def test_rent_job_charges_once(fresh_engine: Engine) -> None:
    _setup(fresh_engine, utcnow().date())
    with using_context(_context(fresh_engine)):
        assert (charge_rent_job(), charge_rent_job()) == (3, 0)
    with session_scope(fresh_engine) as session:
        assert len(session.exec(select(RentCharge)).all()) == 3


def test_reminders_are_queued_once_per_period(fresh_engine: Engine) -> None:
    today = utcnow().date()
    _setup(fresh_engine, today)
    with using_context(_context(fresh_engine)):
        charge_rent_job()
        first, second = after_move_reminders_job(), after_move_reminders_job()
    assert first > 0 and second == 0
    kinds = _kinds(fresh_engine)
    assert {"lease_ends_60", "lease_ends_30", "visit_overdue"} <= set(kinds)
    # Next month brings arrears again; next week overdue visits again; lease ends only once.
    with session_scope(fresh_engine) as session:
        later = datetime.combine(today + timedelta(days=35), datetime.min.time(), UTC)
        assert remind_after_move(session, now=later.replace(hour=10)) > 0
    after = _kinds(fresh_engine)
    assert after.count("lease_ends_60") == kinds.count("lease_ends_60")
