"""Barriers to getting and keeping housing, and the interventions that overcome them."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from agency.enums import BarrierSource, BarrierStage
from agency.models.base import created_at_field, enum_field


class BarrierCategory(SQLModel, table=True):
    __tablename__ = "barrier_category"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=50, unique=True)
    name_cs: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    active: bool = True
    sort_order: int = 0


class Intervention(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=50, unique=True)
    name_cs: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    active: bool = True
    sort_order: int = 0


class Barrier(SQLModel, table=True):
    __table_args__ = (
        sa.CheckConstraint("(overcome_on IS NULL) OR (overcome_on >= observed_on)", name="dates"),
        sa.Index("ix_barrier_observed_category", "observed_on", "category_id"),
        sa.Index("ix_barrier_orp_observed", "orp_code", "observed_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    category_id: int = Field(foreign_key="barrier_category.id")
    stage: BarrierStage = enum_field(BarrierStage)
    source: BarrierSource = enum_field(BarrierSource)
    household_id: int | None = Field(default=None, foreign_key="household.id", index=True)
    flat_id: int | None = Field(default=None, foreign_key="flat.id", index=True)
    landlord_id: int | None = Field(default=None, foreign_key="landlord.id", index=True)
    orp_code: int | None = Field(default=None, description="where it was met, for summaries")
    observed_on: date
    note: str | None = Field(default=None, max_length=2000)
    overcome_on: date | None = Field(default=None, index=True)
    intervention_id: int | None = Field(default=None, foreign_key="intervention.id")
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = created_at_field()
