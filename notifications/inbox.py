"""In-app notifications: what a user has not read yet, the list, marking read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from agency.errors import NotFound
from notifications.models import Notification
from notifications.render import render_title


@dataclass(frozen=True)
class InboxItem:
    id: int
    kind: str
    title: str
    link: str | None
    created_at: datetime
    read_at: datetime | None


def count_unread(session: Session, *, user_id: int) -> int:
    """How many notifications `user_id` has not read."""
    query = sa.select(sa.func.count()).where(
        col(Notification.user_id) == user_id, col(Notification.read_at).is_(None)
    )
    return int(session.execute(query).scalar_one())


def list_notifications(
    session: Session, *, user_id: int, language: str, unread_only: bool = False, limit: int = 50
) -> list[InboxItem]:
    """The user's newest notifications, titled in `language`."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(col(Notification.read_at).is_(None))
    query = query.order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
    return [_item(row, language) for row in session.exec(query.limit(limit)).all()]


def mark_read(session: Session, *, user_id: int, notification_id: int, now: datetime) -> None:
    """Mark one of the user's notifications read; someone else's is NotFound."""
    found = session.get(Notification, notification_id)
    if found is None or found.user_id != user_id:
        raise NotFound("no such notification")
    if found.read_at is None:
        found.read_at = now
        session.add(found)
        session.flush()


def mark_all_read(session: Session, *, user_id: int, now: datetime) -> int:
    """Mark every unread notification of the user read; returns how many."""
    statement = (
        sa.update(Notification)
        .where(col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
        .values(read_at=now)
    )
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def _item(row: Notification, language: str) -> InboxItem:
    assert row.id is not None
    return InboxItem(
        id=row.id,
        kind=row.kind,
        title=render_title(row.kind, language, row.context or {}),
        link=row.link,
        created_at=row.created_at,
        read_at=row.read_at,
    )
