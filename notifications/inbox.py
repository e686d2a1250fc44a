"""In-app notifications: what a user has not read yet, the list, marking read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from agency.errors import NotFound
from notifications.models import Notification
from notifications.render import render_title

_UNREAD = "unread notifications"


@dataclass(frozen=True)
class InboxItem:
    id: int
    kind: str
    title: str
    link: str | None
    created_at: datetime
    read_at: datetime | None


def count_unread(session: Session, *, user_id: int) -> int:
    """How many notifications `user_id` has not read: as counted earlier in this session
    (see `unread_column`) when nothing in it has touched notifications since, else now."""
    kept = session.info.get(_UNREAD)
    if kept is not None and kept[0] == user_id:
        return int(kept[1])
    return int(session.execute(sa.select(unread_column(user_id))).scalar_one())


def unread_column(user_id: Any) -> sa.ScalarSelect[int]:
    """The count of `user_id`'s unread notifications, to read with other columns (`user_id`
    may be a column, as the user's id in a query for the user)."""
    return (
        sa.select(sa.func.count())
        .where(col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
        .scalar_subquery()
    )


def keep_unread(session: Session, *, user_id: int, unread: int) -> None:
    """Remember `user_id`'s unread count read with `unread_column` for this session."""
    session.info[_UNREAD] = (user_id, unread)


def forget_unread(session: Session) -> None:
    """A notification was written or read in this session: count again when asked."""
    session.info.pop(_UNREAD, None)


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
    forget_unread(session)
    if found.read_at is None:
        found.read_at = now
        session.add(found)
        session.flush()


def mark_all_read(session: Session, *, user_id: int, now: datetime) -> int:
    """Mark every unread notification of the user read; returns how many."""
    forget_unread(session)
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
