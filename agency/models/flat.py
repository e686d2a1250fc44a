"""Flats offered by landlords, their photos and their vetting."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from agency.enums import FlatStatus, VettingDecision, VettingRejection
from agency.models.base import created_at_field, enum_column, enum_field, timestamp_field


class Flat(SQLModel, table=True):
    __table_args__ = (
        sa.CheckConstraint(
            "rent >= 0 AND services >= 0 AND deposit >= 0", name="money_non_negative"
        ),
        sa.CheckConstraint("rooms BETWEEN 1 AND 9", name="rooms"),
        sa.CheckConstraint("floor BETWEEN -1 AND 60", name="floor"),
        sa.CheckConstraint("area_m2 > 0", name="area"),
        sa.CheckConstraint("max_occupants IS NULL OR max_occupants >= 1", name="occupants"),
        sa.Index("ix_flat_status_municipality", "status", "municipality_code"),
        # The staff list and the vetting queue: newest first, with and without a status.
        sa.Index("ix_flat_created", "created_at", "id"),
        sa.Index("ix_flat_status_created", "status", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    landlord_id: int = Field(foreign_key="landlord.id", index=True)
    status: FlatStatus = enum_field(FlatStatus, default=FlatStatus.submitted, index=True)
    street: str = Field(max_length=200, description="street and house number")
    postcode: str = Field(max_length=6)
    municipality_code: int = Field(foreign_key="municipality.code", index=True)
    building_key: str = Field(max_length=300, index=True, description="normalised address")
    floor: int = 0
    lift: bool = False
    step_free: bool = False
    layout: str = Field(max_length=10, description="Czech notation: 1+kk, 2+1, ...")
    rooms: int
    area_m2: float
    max_occupants: int | None = Field(default=None, description="set at vetting")
    rent: int = Field(description="CZK per month")
    services: int = Field(description="service charges, CZK per month")
    deposit: int = Field(description="CZK")
    available_from: date
    min_lease_months: int = 12
    pets_allowed: bool = False
    furnished: bool = False
    energy_class: str | None = Field(default=None, max_length=1)
    notes: str | None = Field(default=None, max_length=4000)
    created_at: datetime = created_at_field()
    status_changed_at: datetime | None = timestamp_field(index=True)


class FlatStatusCount(SQLModel, table=True):
    """How many flats are in each status, kept by database triggers on flat (migration
    0009) so that the dashboard does not count 100,000 flats; nothing else writes it."""

    __tablename__ = "flat_status_count"

    status: FlatStatus = Field(sa_type=enum_column(FlatStatus), primary_key=True)
    flats: int = 0


class FlatPhoto(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    flat_id: int = Field(foreign_key="flat.id", index=True, ondelete="CASCADE")
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=50)
    size_bytes: int
    created_at: datetime = created_at_field()


class Vetting(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_vetting_decided_at", "decided_at"),)

    id: int | None = Field(default=None, primary_key=True)
    flat_id: int = Field(foreign_key="flat.id", index=True)
    inspector_id: int = Field(foreign_key="user_account.id", index=True)
    inspection_date: date
    ownership_checked: bool = Field(description="against the cadastre")
    condition_ok: bool
    gas_safety_ok: bool
    electrical_safety_ok: bool
    rent_within_cap: bool
    energy_costs_realistic: bool
    decision: VettingDecision = enum_field(VettingDecision)
    rejection_reason: VettingRejection | None = enum_field(VettingRejection, nullable=True)
    reasons: str | None = Field(default=None, max_length=4000)
    max_occupants: int | None = None
    decided_at: datetime = created_at_field()


class RentCap(SQLModel, table=True):
    """The agency's maximum rent for a flat of some rooms in an ORP (or one municipality)."""

    __table_args__ = (sa.UniqueConstraint("orp_code", "municipality_code", "rooms"),)

    id: int | None = Field(default=None, primary_key=True)
    orp_code: int | None = Field(default=None, index=True)
    municipality_code: int | None = Field(default=None, foreign_key="municipality.code")
    rooms: int
    max_rent: int
