"""The scheduler: jobs kept in the database, run in-process, one leader on PostgreSQL."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from agency.db import session_scope
from notifications.config import MailConfig
from notifications.runtime import JobContext, JobSpec
from notifications.senders import MemorySender
from notifications.service import Recipient, notify
from web.scheduler import (
    JOBSTORE_TABLE,
    FileLock,
    SchedulerRunner,
    build_scheduler,
    collect_jobs,
    start_in_process,
    stop,
    sync_jobs,
)

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


class SignallingSender(MemorySender):
    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Event()

    def send(self, message: EmailMessage) -> None:
        super().send(message)
        self.arrived.set()


def queue_one(engine: Engine, key: str = "magic_link:1") -> None:
    with session_scope(engine) as session:
        notify(
            session,
            kind="magic_link",
            event_key=key,
            recipients=[Recipient(email="pronajimatel@example.cz")],
            context={"magic_link_url": "https://a.example/l/1", "expires_at": NOW},
        )


def context_for(engine: Engine) -> JobContext:
    return JobContext(engine=engine, mail=MailConfig(backend="memory"), sender=SignallingSender())


def test_every_package_declares_distinct_jobs() -> None:
    ids = [spec.id for spec in collect_jobs()]
    assert {"notifications.deliver_outbox", "agency.stale_listings"} <= set(ids)
    with pytest.raises(ValueError, match="duplicate"):
        collect_jobs(("notifications.jobs", "notifications.jobs"))


def test_sync_keeps_unchanged_jobs_replaces_changed_and_drops_undeclared(
    tables_engine: Engine,
) -> None:
    # Every declared job also runs when a scheduler starts; this one waits for its time.
    waiting = "test.daily"
    daily = JobSpec(waiting, "agency.jobs:stale_listings_job", "cron", {"hour": 7, "minute": 0})
    specs = [*collect_jobs(), daily]
    first = build_scheduler(tables_engine)
    first.start(paused=True)
    sync_jobs(
        first,
        [*specs, JobSpec("old.job", "agency.jobs:stale_listings_job", "interval", {"hours": 1})],
        now=NOW,
    )
    stale_next = first.get_job(waiting).next_run_time
    first.shutdown()
    restarted = build_scheduler(tables_engine)
    restarted.start(paused=True)
    changed = [replace(s, trigger_args={"hour": 8}) if s.id == waiting else s for s in specs]
    sync_jobs(restarted, specs, now=NOW)
    kept = restarted.get_job(waiting).next_run_time
    sync_jobs(restarted, changed, now=NOW)
    replaced = restarted.get_job(waiting)
    assert kept == stale_next
    assert replaced.next_run_time.hour == 8 and "hour='8'" in str(replaced.trigger)
    assert restarted.get_job("notifications.deliver_outbox").next_run_time == NOW
    assert restarted.get_job("old.job") is None
    restarted.shutdown()
    with tables_engine.connect() as connection:
        stored = connection.execute(sa.text(f"SELECT id FROM {JOBSTORE_TABLE}")).scalars().all()
    assert sorted(stored) == sorted(s.id for s in specs)


def test_in_process_scheduler_delivers_at_start_and_stops(tables_engine: Engine) -> None:
    queue_one(tables_engine)
    context = context_for(tables_engine)
    handle = start_in_process(context, poll_seconds=0.05)
    try:
        assert context.sender.arrived.wait(timeout=20)
        assert handle.runner.active.is_set()
    finally:
        stop(handle)
    assert not handle.thread.is_alive() and not handle.runner.active.is_set()
    assert [str(m["To"]) for m in context.sender.sent] == ["pronajimatel@example.cz"]


def test_a_second_scheduler_stands_by_and_takes_over(tables_engine: Engine) -> None:
    """PostgreSQL: the advisory lock; SQLite: the file lock beside the database."""
    context = context_for(tables_engine)  # one process, one job context
    sender: SignallingSender = context.sender
    specs = [
        replace(s, trigger_args={"seconds": 1}) if s.trigger == "interval" else s
        for s in collect_jobs()
    ]
    first = SchedulerRunner(context, specs=specs, poll_seconds=0.05)
    second = SchedulerRunner(context, specs=specs, poll_seconds=0.05)
    threads = [threading.Thread(target=r.run, daemon=True) for r in (first, second)]
    try:
        threads[0].start()
        assert first.active.wait(timeout=20)
        threads[1].start()
        queue_one(tables_engine)
        assert sender.arrived.wait(timeout=20)
        assert not second.active.is_set()
        sender.arrived.clear()
        started = time.monotonic()
        first.stop()
        threads[0].join(timeout=20)
        assert second.active.wait(timeout=20)
        takeover = time.monotonic() - started
        queue_one(tables_engine, key="magic_link:2")
        assert sender.arrived.wait(timeout=20)
    finally:
        first.stop()
        second.stop()
        for thread in threads:
            thread.join(timeout=20)
    assert len(sender.sent) == 2
    assert takeover < 10


def test_the_sqlite_file_lock_admits_one_holder(tmp_path: Path) -> None:
    first, second = (
        FileLock(tmp_path / "a.db.scheduler-lock"),
        FileLock(tmp_path / "a.db.scheduler-lock"),
    )
    assert first.try_acquire() and first.try_acquire()  # asking again keeps it
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()
