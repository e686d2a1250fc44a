"""Real scheduler processes: killed with SIGKILL mid-delivery, and failing over on PostgreSQL."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agency.db import session_scope
from notifications.models import OutboxMessage, OutboxStatus
from notifications.service import Recipient, notify
from tests.notifications.conftest import SmtpServer
from tests.notifications.helpers import SchedulerProcess
from web.scheduler import LOCK_KEY

MESSAGES = 400


def scheduler_env(engine: Engine, smtp: SmtpServer, var_dir: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "AGENCY_VAR_DIR": str(var_dir),
        "SECRET_KEY": "test-secret-key-for-the-scheduler-process",
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SCHEDULER_POLL_SECONDS": "0.2",
    }


def queue_messages(engine: Engine, count: int) -> None:
    with session_scope(engine) as session:
        for n in range(count):
            notify(
                session,
                kind="visit_overdue",
                event_key=f"visit_overdue:{n}:2026-11-21",
                recipients=[Recipient(email=f"pracovnik{n % 13}@example.cz")],
                context={"household_ref": f"D-{n}", "planned_on": "2026-11-14", "days_overdue": 7},
            )


def outbox(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage)).all())


def test_a_killed_scheduler_loses_nothing_and_repeats_only_with_the_same_id(
    tables_engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    queue_messages(tables_engine, MESSAGES)
    env = scheduler_env(tables_engine, smtp, tmp_path)
    first = SchedulerProcess(env)
    try:
        assert smtp.recorder.wait_until(lambda ids: len(ids) >= MESSAGES // 4, timeout=60)
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.process.wait(timeout=20)
    received_at_kill = len(smtp.recorder.ids)
    second = SchedulerProcess(env)
    try:
        assert smtp.recorder.wait_until(lambda ids: len(set(ids)) >= MESSAGES, timeout=120)
    finally:
        assert second.stop() == 0, "".join(second.log)
    received = smtp.recorder.ids
    stored = outbox(tables_engine)
    assert first.process.returncode == -signal.SIGKILL
    assert received_at_kill < MESSAGES  # the kill really came mid-way
    assert set(received) == {row.message_id for row in stored}
    assert len(received) - len(set(received)) <= 1  # at most the message in flight
    assert {row.status for row in stored} == {OutboxStatus.sent}
    print(f"\nkilled after {received_at_kill} of {MESSAGES}; repeats: {len(received) - MESSAGES}")


def lock_holder(engine: Engine) -> str | None:
    query = sa.text(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.granted AND l.objid = :key"
        " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    with engine.connect() as connection:
        return connection.execute(query, {"key": LOCK_KEY}).scalar_one_or_none()


@pytest.mark.postgres
def test_the_standby_process_takes_over_when_the_active_one_is_killed(
    pg_engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    env = scheduler_env(pg_engine, smtp, tmp_path)
    active, standby = SchedulerProcess(env), None
    try:
        assert active.wait_for_line("scheduler active", timeout=60), "".join(active.log)
        standby = SchedulerProcess(env)
        assert standby.wait_for_line("standing by", timeout=60), "".join(standby.log)
        assert lock_holder(pg_engine) == f"agency-scheduler-{active.pid}"
        queue_messages(pg_engine, 1)
        os.kill(active.pid, signal.SIGKILL)
        killed = time.monotonic()
        assert standby.wait_for_line("scheduler active", timeout=60), "".join(standby.log)
        takeover = time.monotonic() - killed
        assert lock_holder(pg_engine) == f"agency-scheduler-{standby.pid}"
        assert smtp.recorder.wait_until(lambda ids: len(ids) == 1, timeout=30)
    finally:
        active.stop()
        assert standby is None or standby.stop() == 0
    assert lock_holder(pg_engine) is None  # a clean stop releases the lock
    assert takeover < 60
    print(f"\ntakeover {takeover:.2f} s after SIGKILL")
