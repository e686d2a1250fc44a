"""Support plans after the move and the social workers' visits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from agency.enums import RiskLevel, VisitKind
from agency.models.base import created_at_field, enum_field, json_field


class SupportPlanTemplate(SQLModel, table=True):
    """A visit schedule: `steps` is a list of {"until_month": m, "every_days": d}."""

    __tablename__ = "support_plan_template"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    steps: list[dict[str, Any]] | None = json_field(nullable=False)
    is_default: bool = False
    created_at: datetime = created_at_field()


class SupportPlan(SQLModel, table=True):
    __tablename__ = "support_plan"

    id: int | None = Field(default=None, primary_key=True)
    lease_id: int = Field(foreign_key="lease.id", unique=True)
    template_id: int = Field(foreign_key="support_plan_template.id")
    created_at: datetime = created_at_field()


class SupportVisit(SQLModel, table=True):
    __tablename__ = "support_visit"
    __table_args__ = (
        sa.Index("ix_visit_worker_due", "social_worker_id", "done_on", "planned_on"),
        sa.Index("ix_visit_due", "done_on", "planned_on"),
        # The last visit done per household (early warning).
        sa.Index("ix_visit_household_done", "household_id", "done_on", "id"),
        # Open visits by date (the calendar for staff, who see everyone's).
        sa.Index(
            "ix_visit_open",
            "planned_on",
            "id",
            sqlite_where=sa.text("done_on IS NULL"),
            postgresql_where=sa.text("done_on IS NULL"),
        ),
        # Red visits (early warning: is the last visit done red?).
        sa.Index(
            "ix_visit_red",
            "household_id",
            "done_on",
            "id",
            sqlite_where=sa.text("risk = 'red'"),
            postgresql_where=sa.text("risk = 'red'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="support_plan.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    social_worker_id: int = Field(foreign_key="user_account.id")
    planned_on: date
    done_on: date | None = None
    kind: VisitKind | None = enum_field(VisitKind, nullable=True)
    topics: list[str] | None = json_field()
    risk: RiskLevel | None = enum_field(RiskLevel, nullable=True)
    notes: str | None = Field(default=None, max_length=4000)
    follow_up: str | None = Field(default=None, max_length=2000)
    created_at: datetime = created_at_field()
