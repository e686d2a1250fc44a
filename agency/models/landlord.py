"""Landlords who offer flats to the agency."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from agency.enums import LandlordKind, Language
from agency.models.base import created_at_field, enum_field, timestamp_field


class Landlord(SQLModel, table=True):
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lower"),
        # The landlords list's order, so that a page is read from the index, not sorted.
        sa.Index("ix_landlord_name", "name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: LandlordKind = enum_field(LandlordKind, default=LandlordKind.person)
    name: str = Field(max_length=200)
    company_id: str | None = Field(default=None, max_length=20, description="IČO")
    email: str = Field(max_length=254, unique=True)
    phone: str | None = Field(default=None, max_length=40)
    preferred_language: Language = enum_field(Language, default=Language.cs)
    terms_consented_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
