"""Who did what to which record, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from agency.enums import AuditAction
from agency.models.base import created_at_field, enum_field, json_field


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_entity", "entity", "entity_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = created_at_field()
    actor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    action: AuditAction = enum_field(AuditAction)
    entity: str = Field(max_length=50)
    entity_id: int
    from_status: str | None = Field(default=None, max_length=30)
    to_status: str | None = Field(default=None, max_length=30)
    reason: str | None = Field(default=None, max_length=2000)
    details: dict[str, Any] | None = json_field()


class Setting(SQLModel, table=True):
    """An agency setting editable by admins (offer expiry days, k threshold, ...)."""

    __tablename__ = "agency_setting"

    key: str = Field(primary_key=True, max_length=100)
    value: Any = json_field(nullable=False)
    updated_at: datetime = created_at_field()
