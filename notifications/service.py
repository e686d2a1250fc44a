"""Queueing notifications in the transaction of the change that causes them.

`notify` writes one outbox row per email recipient and one in-app row per user; the same
event (kind of change + record + period, as the caller's `event_key`) is never queued twice
for one recipient, whatever the number of calls. It flushes, never commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from agency.models import User
from agency.models.base import utcnow
from notifications.inbox import forget_unread
from notifications.kinds import KINDS, check_context
from notifications.models import Notification, NotificationPreference, OutboxMessage, OutboxStatus
from notifications.render import DEFAULT_LANGUAGE, LANGUAGES, LINK_KEY

MESSAGE_ID_DOMAIN = "outbox.agency.localhost"
MAX_EVENT_KEY = 200


@dataclass(frozen=True)
class Recipient:
    """Someone to write to: a user (`user_id`) or a plain address, e.g. a landlord."""

    email: str
    language: str = DEFAULT_LANGUAGE
    user_id: int | None = None

    @classmethod
    def of_user(cls, user: User) -> Recipient:
        return cls(email=user.email, language=str(user.language), user_id=user.id)


@dataclass(frozen=True)
class Queued:
    """How many rows this call added (0 and 0 when the event was queued before)."""

    emails: int
    in_app: int


def notify(
    session: Session,
    *,
    kind: str,
    event_key: str,
    recipients: Iterable[User | Recipient],
    context: dict[str, Any],
    link: str | None = None,
    now: datetime | None = None,
) -> Queued:
    """Queue `kind` for `recipients` in the session's transaction (flushes, never commits).

    Users get an in-app notification always and an email unless they turned that kind off;
    plain addresses get the email. Safe to call twice for one `event_key`.
    """
    check_context(kind, context)
    if len(event_key) > MAX_EVENT_KEY:
        raise ValueError(f"event_key longer than {MAX_EVENT_KEY} characters")
    people = _recipients(recipients)
    stored = jsonable(context) | ({LINK_KEY: link} if link else {})
    now = now or utcnow()
    muted = _muted(session, kind, {p.user_id for p in people if p.user_id is not None})
    mail = [_outbox_row(kind, event_key, p, stored, now) for p in people if p.user_id not in muted]
    users = sorted({p.user_id for p in people if p.user_id is not None})
    in_app = [_notification_row(kind, event_key, user_id, context, link, now) for user_id in users]
    forget_unread(session)
    queued = Queued(
        emails=_insert_new(session, OutboxMessage, mail),
        in_app=_insert_new(session, Notification, in_app),
    )
    session.flush()
    return queued


def new_message_id() -> str:
    """A Message-ID fixed at queueing, so that a re-send after a crash carries the same one."""
    return f"<{uuid.uuid4().hex}@{MESSAGE_ID_DOMAIN}>"


def jsonable(value: Any) -> Any:
    """`value` with dates as ISO text, ready for a JSON column."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in a notification context: use aware UTC")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


def _recipients(recipients: Iterable[User | Recipient]) -> list[Recipient]:
    found: dict[str, Recipient] = {}
    for item in recipients:
        if isinstance(item, User) and not item.active:
            continue  # a deactivated account hears nothing more
        person = Recipient.of_user(item) if isinstance(item, User) else item
        email = person.email.strip().lower()
        language = person.language if person.language in LANGUAGES else DEFAULT_LANGUAGE
        found.setdefault(email, Recipient(email, language, person.user_id))
    return list(found.values())


def _muted(session: Session, kind: str, user_ids: set[int]) -> set[int]:
    if not user_ids:
        return set()
    query = select(NotificationPreference.user_id).where(
        NotificationPreference.kind == kind,
        col(NotificationPreference.email_enabled).is_(False),
        col(NotificationPreference.user_id).in_(user_ids),
    )
    return set(session.exec(query).all())


def _outbox_row(
    kind: str, event_key: str, person: Recipient, context: dict[str, Any], now: datetime
) -> dict[str, Any]:
    return {
        "event_key": event_key,
        "kind": kind,
        "recipient": person.email,
        "user_id": person.user_id,
        "language": person.language,
        "context": context,
        "message_id": new_message_id(),
        "status": OutboxStatus.pending,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def _notification_row(
    kind: str,
    event_key: str,
    user_id: int,
    context: dict[str, Any],
    link: str | None,
    now: datetime,
) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "event_key": event_key,
        "kind": kind,
        "context": jsonable(context),
        "link": link,
        "created_at": now,
    }


def _insert_new(session: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> int:
    """Insert `rows`, silently skipping those whose unique event key exists (race-safe)."""
    if not rows:
        return 0
    table = model.__table__
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).on_conflict_do_nothing().returning(table.c.id)
    return len(session.execute(statement, list(rows)).all())


def set_email_preference(session: Session, *, user_id: int, kind: str, enabled: bool) -> None:
    """Turn the emails of one kind on or off for a user (in-app notifications always stay)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    found = session.exec(
        select(NotificationPreference).where(
            NotificationPreference.user_id == user_id, NotificationPreference.kind == kind
        )
    ).first()
    preference = found or NotificationPreference(user_id=user_id, kind=kind)
    preference.email_enabled = enabled
    session.add(preference)
    session.flush()
