"""Placement proposals and the matching runs that suggest them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from agency.enums import MatchingScope, MatchStatus, OfferAnswer, Party
from agency.models.base import (
    created_at_field,
    enum_field,
    json_field,
    open_match_where,
    timestamp_field,
)


class MatchingRun(SQLModel, table=True):
    __tablename__ = "matching_run"

    id: int | None = Field(default=None, primary_key=True)
    run_by_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    started_at: datetime = created_at_field()
    finished_at: datetime | None = timestamp_field()
    scope: MatchingScope = enum_field(MatchingScope)
    scope_value: str | None = Field(default=None, max_length=50)
    policy: dict[str, Any] | None = json_field()
    households_count: int = 0
    flats_count: int = 0
    pairs_count: int = 0
    solve_ms: int = 0
    status: str = Field(default="done", max_length=30)
    objective: dict[str, Any] | None = json_field()
    suggestions: list[Any] | None = json_field()
    explanations: dict[str, Any] | None = json_field()


class Match(SQLModel, table=True):
    __tablename__ = "placement_match"
    # Columns the database fills (the organisation copied by a trigger, which on SQLite runs
    # after the insert's RETURNING) are read back when first used, not taken from RETURNING.
    __mapper_args__ = {"eager_defaults": False}
    __table_args__ = (
        # At most one open match per flat and per household, held by the database itself.
        sa.Index(
            "uq_match_open_flat",
            "flat_id",
            unique=True,
            sqlite_where=open_match_where(),
            postgresql_where=open_match_where(),
        ),
        sa.Index(
            "uq_match_open_household",
            "household_id",
            unique=True,
            sqlite_where=open_match_where(),
            postgresql_where=open_match_where(),
        ),
        sa.Index("ix_match_status_created", "status", "created_at"),
        sa.Index("ix_match_created", "created_at", "id"),
        # A social worker's list and its counts, with or without a status, from the index.
        sa.Index("ix_match_org_created", "organisation_id", "created_at", "id"),
        sa.Index("ix_match_org_status_created", "organisation_id", "status", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    flat_id: int = Field(foreign_key="flat.id", index=True)
    matching_run_id: int | None = Field(default=None, foreign_key="matching_run.id")
    proposed_by_id: int = Field(foreign_key="user_account.id", index=True)
    status: MatchStatus = enum_field(MatchStatus, default=MatchStatus.proposed)
    score: int | None = Field(default=None, sa_type=sa.BigInteger)
    score_terms: dict[str, Any] | None = json_field()
    explanation: dict[str, Any] | None = json_field()
    note: str | None = Field(default=None, max_length=2000)
    reviewed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    reviewed_at: datetime | None = timestamp_field(index=True)
    review_reason: str | None = Field(default=None, max_length=2000)
    offer_expires_at: datetime | None = timestamp_field(index=True)
    landlord_answer: OfferAnswer | None = enum_field(OfferAnswer, nullable=True, name="landlord")
    landlord_answered_at: datetime | None = timestamp_field()
    landlord_reason: str | None = Field(default=None, max_length=50)
    household_answer: OfferAnswer | None = enum_field(OfferAnswer, nullable=True, name="household")
    household_answered_at: datetime | None = timestamp_field()
    household_reason: str | None = Field(default=None, max_length=50)
    declined_by: Party | None = enum_field(Party, nullable=True)
    decline_note: str | None = Field(default=None, max_length=2000)
    created_at: datetime = created_at_field()
    status_changed_at: datetime | None = timestamp_field()
    # The household's organisation, copied by database triggers (migration 0010), so that a
    # social worker's list is counted from this table alone; nothing writes it. Read it in
    # queries: on SQLite a record inserted in this session shows 0 until it is refreshed.
    organisation_id: int | None = Field(
        default=None, nullable=False, sa_column_kwargs={"server_default": "0"}
    )
