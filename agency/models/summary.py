"""The Platform's periodic summaries and the recommendations recorded against them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from agency.enums import RecommendationStatus, SummaryScope, SummaryStatus
from agency.models.base import created_at_field, enum_field, json_field, timestamp_field


class Summary(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("period_start", "period_end", "scope", "scope_code"),
        sa.CheckConstraint("period_end > period_start", name="period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    period_start: date
    period_end: date
    scope: SummaryScope = enum_field(SummaryScope)
    scope_code: str = Field(default="", max_length=10)
    status: SummaryStatus = enum_field(SummaryStatus, default=SummaryStatus.draft)
    k_threshold: int = 5
    figures: dict[str, Any] | None = json_field()
    what_ifs: list[Any] | None = json_field()
    built_at: datetime = created_at_field()
    published_at: datetime | None = timestamp_field()
    published_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class Recommendation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    summary_id: int = Field(foreign_key="summary.id", index=True)
    text: str = Field(max_length=4000)
    status: RecommendationStatus = enum_field(
        RecommendationStatus, default=RecommendationStatus.proposed
    )
    responsible_body: str | None = Field(default=None, max_length=200)
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = created_at_field()
    updated_at: datetime | None = timestamp_field()
