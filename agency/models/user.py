"""People who log in, and the organisations they work for."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from agency.enums import Language, OrganisationKind, UserRole
from agency.models.base import created_at_field, enum_field, timestamp_field


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    kind: OrganisationKind = enum_field(OrganisationKind)
    created_at: datetime = created_at_field()


class User(SQLModel, table=True):
    __tablename__ = "user_account"
    __table_args__ = (sa.CheckConstraint("email = lower(email)", name="email_lower"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    role: UserRole = enum_field(UserRole, index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    landlord_id: int | None = Field(default=None, foreign_key="landlord.id", index=True)
    password_hash: str | None = Field(default=None, max_length=200)
    language: Language = enum_field(Language, default=Language.cs)
    active: bool = True
    # Sessions are signed cookies: a session carries the generation it was made in, and
    # logging out or changing the password moves this on, so older cookies stop working.
    session_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = created_at_field()
    last_login_at: datetime | None = timestamp_field()


class LoginAttempt(SQLModel, table=True):
    """Password logins and public form submissions (`kind`), kept for the rate limits
    (shared by every web worker)."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        sa.Index("ix_login_attempt_email_at", "email", "at"),
        sa.Index("ix_login_attempt_ip_at", "ip", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="login", max_length=20, sa_column_kwargs={"server_default": "login"})
    email: str = Field(max_length=254)
    ip: str = Field(max_length=45)
    success: bool
    at: datetime = created_at_field()
