"""Delivery: exactly once, backoff, dead letters, outages, concurrent deliverers."""

from __future__ import annotations

import smtplib
import threading
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agency.db import session_scope
from notifications.config import MailConfig, RetryPolicy, SmtpConfig
from notifications.delivery import (
    count_outbox,
    deliver_due,
    deliver_until_idle,
    list_dead_letters,
    retry_dead,
    retry_message,
)
from notifications.models import OutboxMessage, OutboxStatus
from notifications.senders import MemorySender, SmtpSender
from notifications.service import Recipient, notify
from tests.notifications.conftest import SmtpServer

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
CONFIG = MailConfig(
    backend="memory", retry=RetryPolicy(base_seconds=30, cap_seconds=3600, max_attempts=4)
)


def queue_messages(engine: Engine, count: int, *, now: datetime = NOW) -> None:
    """`count` committed messages, one stale-listing event per flat, to plain addresses."""
    with session_scope(engine) as session:
        for n in range(count):
            notify(
                session,
                kind="stale_listing",
                event_key=f"stale_listing:{n}:2026-W47",
                recipients=[Recipient(email=f"staff{n % 7}@example.cz")],
                context={"address": f"Slovanská {n}, Plzeň", "days_available": 61, "rent": 9000},
                now=now,
            )


def rows(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def test_due_messages_are_sent_once_and_marked(tables_engine: Engine) -> None:
    queue_messages(tables_engine, 3)
    sender = MemorySender()
    report = deliver_due(tables_engine, sender=sender, config=CONFIG, now=NOW)
    again = deliver_due(tables_engine, sender=sender, config=CONFIG, now=NOW + timedelta(hours=1))
    assert (report.sent, again.sent) == (3, 0)
    stored = rows(tables_engine)
    assert [m["Message-ID"] for m in sender.sent] == [r.message_id for r in stored]
    assert all(r.status == OutboxStatus.sent and r.sent_at == NOW for r in stored)


def test_a_message_not_yet_due_waits(tables_engine: Engine) -> None:
    queue_messages(tables_engine, 1, now=NOW + timedelta(minutes=5))
    assert deliver_due(tables_engine, sender=MemorySender(), config=CONFIG, now=NOW).sent == 0


def test_failures_back_off_then_die_and_a_retry_revives(tables_engine: Engine) -> None:
    queue_messages(tables_engine, 1)
    sender = MemorySender()
    sender.fail_with = smtplib.SMTPDataError(451, b"try again later")
    now, waits = NOW, []
    for _ in range(CONFIG.retry.max_attempts):
        assert deliver_due(tables_engine, sender=sender, config=CONFIG, now=now).failed == 1
        row = rows(tables_engine)[0]
        if row.status == OutboxStatus.pending:
            waits.append((row.next_attempt_at - now).total_seconds())
            assert (
                deliver_due(
                    tables_engine,
                    sender=sender,
                    config=CONFIG,
                    now=row.next_attempt_at - timedelta(seconds=1),
                ).failed
                == 0
            )
            now = row.next_attempt_at
    assert waits == [30, 60, 120]
    dead = rows(tables_engine)[0]
    assert (dead.status, dead.attempts) == (OutboxStatus.dead, 4)
    assert dead.last_error is not None and "try again later" in dead.last_error
    assert (
        deliver_due(tables_engine, sender=sender, config=CONFIG, now=now + timedelta(days=9)).failed
        == 0
    )
    with session_scope(tables_engine) as session:
        assert [m.id for m in list_dead_letters(session)] == [dead.id]
        retry_message(session, outbox_id=dead.id, now=now)
    sender.fail_with = None
    assert deliver_due(tables_engine, sender=sender, config=CONFIG, now=now).sent == 1
    assert rows(tables_engine)[0].status == OutboxStatus.sent


def test_retry_all_dead_letters(tables_engine: Engine) -> None:
    queue_messages(tables_engine, 3)
    sender = MemorySender()
    sender.fail_with = smtplib.SMTPRecipientsRefused({"x@example.cz": (550, b"no such user")})
    for attempt in range(CONFIG.retry.max_attempts):
        deliver_due(tables_engine, sender=sender, config=CONFIG, now=NOW + timedelta(days=attempt))
    with session_scope(tables_engine) as session:
        assert count_outbox(session) == {"pending": 0, "sent": 0, "dead": 3}
        assert retry_dead(session, now=NOW) == 3
        assert count_outbox(session) == {"pending": 3, "sent": 0, "dead": 0}
    assert all(r.attempts == 0 for r in rows(tables_engine))


def test_an_unreachable_relay_stops_the_run_after_one_try(tables_engine: Engine) -> None:
    queue_messages(tables_engine, 3)
    sender = MemorySender()
    sender.fail_with = ConnectionRefusedError(111, "Connection refused")
    report = deliver_due(tables_engine, sender=sender, config=CONFIG, now=NOW)
    assert (report.failed, report.stopped) == (1, True)
    assert [r.attempts for r in rows(tables_engine)] == [1, 0, 0]


def test_a_refused_recipient_does_not_stop_the_others(tables_engine: Engine) -> None:
    queue_messages(tables_engine, 3)
    sender = MemorySender()
    sender.fail_with = smtplib.SMTPRecipientsRefused({"x@example.cz": (550, b"no such user")})
    report = deliver_due(tables_engine, sender=sender, config=CONFIG, now=NOW)
    assert (report.failed, report.stopped) == (3, False)


class SlowSender(MemorySender):
    """Holds each message a moment, so that two deliverers really overlap."""

    def send(self, message: EmailMessage) -> None:
        time.sleep(0.002)
        super().send(message)


def test_two_deliverers_never_send_one_message_twice(tables_engine: Engine) -> None:
    queue_messages(tables_engine, 200)
    sender = SlowSender()
    start = threading.Barrier(2)

    def deliver() -> None:
        start.wait()
        deliver_until_idle(tables_engine, sender=sender, config=CONFIG, clock=lambda: NOW, batch=50)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    sent_ids = [str(m["Message-ID"]) for m in sender.sent]
    assert len(sent_ids) == 200 and len(set(sent_ids)) == 200
    assert {r.status for r in rows(tables_engine)} == {OutboxStatus.sent}


def test_an_smtp_outage_loses_nothing_and_sends_nothing_twice(
    tables_engine: Engine, smtp: SmtpServer
) -> None:
    """1,000 notifications queued while the relay is down all arrive once when it is back."""
    smtp.stop()
    queue_messages(tables_engine, 1000)
    config = MailConfig(
        backend="smtp", smtp=SmtpConfig(host="127.0.0.1", port=smtp.port), retry=CONFIG.retry
    )
    down = deliver_until_idle(
        tables_engine, sender=SmtpSender(config.smtp), config=config, clock=lambda: NOW
    )
    assert (down.sent, down.failed, down.stopped) == (0, 1, True)
    smtp.start()
    started = time.monotonic()
    later = NOW + timedelta(minutes=1)
    up = deliver_until_idle(
        tables_engine,
        sender=SmtpSender(config.smtp),
        config=config,
        clock=lambda: later,
        budget_seconds=120,
    )
    elapsed = time.monotonic() - started
    received = smtp.recorder.ids
    assert up.sent == 1000 and len(received) == 1000
    assert sorted(received) == sorted(r.message_id for r in rows(tables_engine))
    assert {r.status for r in rows(tables_engine)} == {OutboxStatus.sent}
    print(f"\n1,000 queued during an outage delivered exactly once in {elapsed:.1f} s")
