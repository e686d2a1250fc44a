"""Delivery of the outbox: send what is due, retry with backoff, give up into dead letters.

Each message is sent and marked in its own transaction, holding its row lock (PostgreSQL:
`FOR UPDATE SKIP LOCKED`, so two deliverers never take one row; SQLite: one writer at a
time anyway). A crash therefore loses nothing and repeats at most the message in flight,
with the same Message-ID. When the relay itself is unreachable the run stops at the first
failure, so an outage costs one attempt per run, not one per message.
"""

from __future__ import annotations

import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agency.errors import Conflict, NotFound
from notifications.config import MailConfig, RetryPolicy
from notifications.models import OutboxMessage, OutboxStatus
from notifications.render import render_message
from notifications.senders import Sender, build_email

# Refusals of one message: the relay is up, so the other messages may still go.
_MESSAGE_ERRORS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)


@dataclass
class DeliveryReport:
    due: int = 0  # messages found due (some may have been taken by another deliverer)
    sent: int = 0
    failed: int = 0
    dead: int = 0
    stopped: bool = False  # the relay was unreachable; the rest waits for the next run

    def add(self, other: DeliveryReport) -> None:
        self.due += other.due
        self.sent += other.sent
        self.failed += other.failed
        self.dead += other.dead
        self.stopped = self.stopped or other.stopped


def deliver_due(
    engine: Engine, *, sender: Sender, config: MailConfig, now: datetime, batch: int = 100
) -> DeliveryReport:
    """Send up to `batch` messages due at `now`, each committed on its own."""
    # One connection for the batch, one transaction per message.
    with engine.connect() as connection, Session(bind=connection) as session:
        due = _due_ids(session, now, batch)
        report = DeliveryReport(due=len(due))
        for outbox_id in due:
            with session.begin():
                row = _lock_if_due(session, outbox_id, now)
                if row is not None:
                    _deliver_row(row, sender, config, now, report)
            if report.stopped:
                break
    return report


def deliver_until_idle(
    engine: Engine,
    *,
    sender: Sender,
    config: MailConfig,
    clock: Callable[[], datetime],
    batch: int = 100,
    budget_seconds: float = 25.0,
) -> DeliveryReport:
    """Deliver batch after batch until nothing is due, the relay fails, or time is up."""
    total, started = DeliveryReport(), time.monotonic()
    try:
        while time.monotonic() - started < budget_seconds:
            report = deliver_due(engine, sender=sender, config=config, now=clock(), batch=batch)
            total.add(report)
            if report.stopped or report.due < batch:
                break
    finally:
        sender.close()
    return total


def _due_ids(session: Session, now: datetime, batch: int) -> list[int]:
    query = (
        sa.select(OutboxMessage.id)  # type: ignore[call-overload]
        .where(_due(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(batch)
    )
    with session.begin():
        return [int(i) for i in session.execute(query).scalars()]


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        col(OutboxMessage.status) == OutboxStatus.pending,
        col(OutboxMessage.next_attempt_at) <= now,
    )


def _lock_if_due(session: Session, outbox_id: int, now: datetime) -> OutboxMessage | None:
    if session.get_bind().dialect.name == "sqlite":
        # A deferred SQLite transaction that read first cannot write once another writer has
        # committed ("database is locked" at the mark, after the send): write first, which
        # waits for the lock and reads the newest state.
        touch = sa.update(OutboxMessage).where(col(OutboxMessage.id) == outbox_id)
        session.execute(touch.values(attempts=OutboxMessage.attempts))
    # Checked again under the lock: another deliverer may have sent it since _due_ids.
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, _due(now))
        .with_for_update(skip_locked=True)
    )
    return session.exec(query).first()


def _deliver_row(
    row: OutboxMessage, sender: Sender, config: MailConfig, now: datetime, report: DeliveryReport
) -> None:
    try:
        sender.send(email_for(row, config))
    except Exception as exc:  # any failure is recorded on the row and retried later
        record_failure(row, exc, now=now, policy=config.retry)
        report.failed += 1
        report.dead += row.status == OutboxStatus.dead
        report.stopped = isinstance(exc, OSError) and not isinstance(exc, _MESSAGE_ERRORS)
        return
    row.status, row.sent_at, row.last_error = OutboxStatus.sent, now, None
    report.sent += 1


def email_for(row: OutboxMessage, config: MailConfig) -> EmailMessage:
    """The email of an outbox row, rendered in the recipient's language."""
    context = row.context or {}
    rendered = render_message(row.kind, row.language, context, base_url=config.base_url)
    return build_email(
        rendered,
        to=row.recipient,
        mail_from=config.mail_from,
        message_id=row.message_id,
        kind=row.kind,
    )


def record_failure(
    row: OutboxMessage, exc: Exception, *, now: datetime, policy: RetryPolicy
) -> None:
    """Count a failed try: the next one waits longer; past the limit the message is dead."""
    row.attempts += 1
    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if row.attempts >= policy.max_attempts:
        row.status = OutboxStatus.dead
    else:
        row.next_attempt_at = now + timedelta(seconds=policy.delay_seconds(row.attempts))


def list_dead_letters(session: Session, *, limit: int = 100) -> list[OutboxMessage]:
    """Messages given up on, newest first."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.dead)
        .order_by(col(OutboxMessage.created_at).desc(), col(OutboxMessage.id).desc())
    )
    return list(session.exec(query.limit(limit)).all())


def retry_message(session: Session, *, outbox_id: int, now: datetime) -> None:
    """Put one message back in the queue with its attempts reset (not a sent one)."""
    row = session.get(OutboxMessage, outbox_id)
    if row is None:
        raise NotFound("no such message")
    if row.status == OutboxStatus.sent:
        raise Conflict("the message was sent already")
    row.status, row.attempts, row.next_attempt_at = OutboxStatus.pending, 0, now
    session.add(row)
    session.flush()


def retry_dead(session: Session, *, now: datetime) -> int:
    """Put every dead message back in the queue; returns how many."""
    statement = (
        sa.update(OutboxMessage)
        .where(col(OutboxMessage.status) == OutboxStatus.dead)
        .values(status=OutboxStatus.pending, attempts=0, next_attempt_at=now)
    )
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def count_outbox(session: Session) -> dict[str, int]:
    """How many messages are pending, sent and dead."""
    query = sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)  # type: ignore[call-overload]
    counts = {status.value: 0 for status in OutboxStatus}
    counts.update({str(status): int(n) for status, n in session.execute(query).all()})
    return counts
