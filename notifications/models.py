"""The outbox of messages to send, in-app notifications, and per-user choices."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from agency.models.base import created_at_field, enum_field, json_field, timestamp_field


class OutboxStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    dead = "dead"


class OutboxMessage(SQLModel, table=True):
    """One email to one recipient, written in the transaction of the change that causes it."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        sa.UniqueConstraint("event_key", "recipient", name="uq_outbox_event_recipient"),
        sa.Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_key: str = Field(max_length=200)
    kind: str = Field(max_length=50)
    recipient: str = Field(max_length=254)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    language: str = Field(default="cs", max_length=2)
    context: dict[str, Any] | None = json_field()
    message_id: str = Field(max_length=200, unique=True)
    status: OutboxStatus = enum_field(OutboxStatus, default=OutboxStatus.pending)
    attempts: int = 0
    next_attempt_at: datetime = created_at_field()
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = created_at_field()
    sent_at: datetime | None = timestamp_field()


class Notification(SQLModel, table=True):
    """An in-app notification shown to a user until read."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "event_key", name="uq_notification_event"),
        sa.Index("ix_notification_unread", "user_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    event_key: str = Field(max_length=200)
    kind: str = Field(max_length=50)
    context: dict[str, Any] | None = json_field()
    link: str | None = Field(default=None, max_length=300)
    created_at: datetime = created_at_field()
    read_at: datetime | None = timestamp_field()


class NotificationPreference(SQLModel, table=True):
    __tablename__ = "notification_preference"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    kind: str = Field(max_length=50)
    email_enabled: bool = True
