"""Shared column types and helpers for the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

from agency.enums import OPEN_MATCH_STATUSES

# CHECK constraints are named after their table, so that names are unique per database.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class AwareDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no offset; PostgreSQL keeps `timestamptz`. Naive values are refused
    on the way in so that no local time slips into the records.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum: type[StrEnum], name: str | None = None, **kwargs: Any) -> Any:
    """A VARCHAR column holding the enum's values, checked by the database."""
    column_type = sa.Enum(
        enum,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum),
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        name=name or enum.__name__.lower(),
        **kwargs,
    )
    return column_type


def created_at_field() -> Any:
    return Field(default_factory=utcnow, sa_type=AwareDateTime, nullable=False)


def timestamp_field(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=AwareDateTime, nullable=nullable, index=index)


def open_match_where() -> sa.TextClause:
    """The SQL condition for a match that still holds its flat and household."""
    values = ", ".join(f"'{s.value}'" for s in OPEN_MATCH_STATUSES)
    return sa.text(f"status IN ({values})")


def money_field(*, default: int | None = None, nullable: bool = False) -> Any:
    """Whole CZK, never negative."""
    return Field(default=default, ge=0, nullable=nullable, sa_type=sa.Integer)


JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def json_field(*, nullable: bool = True) -> Any:
    return Field(default=None, sa_type=JSONType, nullable=nullable)


def enum_field(
    enum: type[StrEnum],
    *,
    default: Any = None,
    nullable: bool = False,
    index: bool = False,
    name: str | None = None,
) -> Any:
    """A column of enum values; `name` tells apart two columns of one enum in a table."""
    column_type = enum_column(enum, name)
    return Field(default=default, sa_type=column_type, nullable=nullable, index=index)
