"""Periodic jobs: stale listings, outbox delivery; each idempotent when run twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agency.db import session_scope
from agency.enums import FlatStatus, UserRole
from agency.jobs import JOBS as AGENCY_JOBS
from agency.jobs import notify_stale_listings, stale_listings_job
from agency.models.base import utcnow
from notifications.config import MailConfig
from notifications.jobs import JOBS as NOTIFICATION_JOBS
from notifications.jobs import deliver_outbox_job
from notifications.models import Notification, OutboxMessage
from notifications.runtime import JobContext, using_context
from notifications.senders import MemorySender
from tests.factories import Factory

THURSDAY = datetime(2026, 11, 19, 6, 0, tzinfo=UTC)


def stale_rows(session: Session, flat_ids: list[int]) -> list[OutboxMessage]:
    keys = [f"stale_listing:{i}:" for i in flat_ids]
    found = session.exec(select(OutboxMessage).where(col(OutboxMessage.kind) == "stale_listing"))
    return [r for r in found.all() if any(r.event_key.startswith(k) for k in keys)]


def test_stale_flats_are_reported_once_a_week(session: Session, factory: Factory) -> None:
    staff = [factory.user(UserRole.staff), factory.user(UserRole.staff)]
    factory.user(UserRole.social_worker)
    old = factory.flat(FlatStatus.available, status_changed_at=THURSDAY - timedelta(days=75))
    new = factory.flat(FlatStatus.available, status_changed_at=THURSDAY - timedelta(days=10))
    let = factory.flat(FlatStatus.let, status_changed_at=THURSDAY - timedelta(days=300))
    ids = [old.id, new.id, let.id]
    assert notify_stale_listings(session, now=THURSDAY) >= 1
    assert notify_stale_listings(session, now=THURSDAY + timedelta(hours=5)) == 0
    assert notify_stale_listings(session, now=THURSDAY + timedelta(days=3)) == 0  # same week
    rows = stale_rows(session, ids)
    assert sorted(r.recipient for r in rows) == sorted(u.email for u in staff)
    assert {r.event_key for r in rows} == {f"stale_listing:{old.id}:2026-W47"}
    assert rows[0].context is not None and rows[0].context["days_available"] == 75
    notify_stale_listings(session, now=THURSDAY + timedelta(days=7))  # next week: again
    assert len(stale_rows(session, ids)) == 4
    in_app = session.exec(select(Notification).where(Notification.user_id == staff[0].id))
    assert len(in_app.all()) == 2


def test_the_jobs_run_twice_on_one_day_add_nothing(fresh_engine: Engine) -> None:
    with session_scope(fresh_engine) as session:
        factory = Factory(session)
        staff = factory.user(UserRole.staff)
        since = utcnow() - timedelta(days=61)
        for _ in range(3):
            factory.flat(FlatStatus.available, status_changed_at=since)
    sender = MemorySender()
    context = JobContext(engine=fresh_engine, mail=MailConfig(backend="memory"), sender=sender)
    with using_context(context):
        assert (stale_listings_job(), stale_listings_job()) == (3, 0)
        first, second = deliver_outbox_job(), deliver_outbox_job()
    assert (first.sent, second.sent) == (3, 0)
    assert [str(m["To"]) for m in sender.sent] == [staff.email] * 3
    assert len({str(m["Message-ID"]) for m in sender.sent}) == 3


def test_declared_jobs_have_fixed_ids_and_module_references() -> None:
    for spec in [*NOTIFICATION_JOBS, *AGENCY_JOBS]:
        module, _, function = spec.func.partition(":")
        assert spec.func.startswith(spec.id.split(".")[0] + ".") and function.endswith("_job")
        assert callable(getattr(__import__(module, fromlist=[function]), function))
