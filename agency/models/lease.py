"""Leases, their renewals, and the rent ledger: charges, payments, guarantee claims."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from agency.enums import (
    ClaimKind,
    DepositPayer,
    LeaseEndReason,
    LeaseModel,
    LeaseStatus,
    PaymentSource,
)
from agency.models.base import created_at_field, enum_field, timestamp_field

_ACTIVE = sa.text("status = 'active'")
_OWING = sa.text("status = 'active' AND ledger_balance > 0")


class Lease(SQLModel, table=True):
    # Columns the database fills (the organisation copied by a trigger, which on SQLite runs
    # after the insert's RETURNING) are read back when first used, not taken from RETURNING.
    __mapper_args__ = {"eager_defaults": False}
    __table_args__ = (
        # At most one active lease per flat and per household, held by the database.
        sa.Index(
            "uq_lease_active_flat",
            "flat_id",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
        sa.Index(
            "uq_lease_active_household",
            "household_id",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
        sa.CheckConstraint(
            "rent >= 0 AND services >= 0 AND deposit >= 0", name="money_non_negative"
        ),
        sa.CheckConstraint("end_date IS NULL OR end_date > start_date", name="dates"),
        sa.CheckConstraint("(status = 'ended') = (end_reason IS NOT NULL)", name="end_reason"),
        sa.Index("ix_lease_status_end", "status", "end_date", "id"),
        # A social worker's list, its count and its "ending soon" filter, from the index alone.
        sa.Index("ix_lease_org_status_end", "organisation_id", "status", "end_date", "id"),
        # Active leases that owe anything: the few candidates of the arrears filters.
        sa.Index(
            "ix_lease_active_balance",
            "ledger_balance",
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
        # The arrears list's count and page, for everyone and per organisation, from these
        # small indexes alone (id joins the pending charges, end_date orders the page).
        sa.Index(
            "ix_lease_owing",
            "ledger_balance",
            "end_date",
            "id",
            sqlite_where=_OWING,
            postgresql_where=_OWING,
        ),
        sa.Index(
            "ix_lease_org_owing",
            "organisation_id",
            "ledger_balance",
            "end_date",
            "id",
            sqlite_where=_OWING,
            postgresql_where=_OWING,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    flat_id: int = Field(foreign_key="flat.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    match_id: int | None = Field(default=None, foreign_key="placement_match.id", unique=True)
    model: LeaseModel = enum_field(LeaseModel)
    start_date: date
    end_date: date | None = Field(default=None, description="fixed term end")
    rent: int
    services: int
    deposit: int
    deposit_paid_by: DepositPayer = enum_field(DepositPayer)
    guarantee_terms: str | None = Field(default=None, max_length=2000)
    status: LeaseStatus = enum_field(LeaseStatus, default=LeaseStatus.active)
    end_reason: LeaseEndReason | None = enum_field(LeaseEndReason, nullable=True)
    ended_on: date | None = None
    end_note: str | None = Field(default=None, max_length=2000)
    created_at: datetime = created_at_field()
    # All charges minus all payments, kept by database triggers on rent_charge and
    # rent_payment (migration 0008); rent.arrears_stored reads it, nothing writes it.
    ledger_balance: int = Field(
        default=0, sa_type=sa.BigInteger, sa_column_kwargs={"server_default": "0"}
    )
    # The household's organisation, copied by database triggers (migration 0010), so that a
    # social worker's list is counted from this table alone; nothing writes it. Read it in
    # queries: on SQLite a record inserted in this session shows 0 until it is refreshed.
    organisation_id: int | None = Field(
        default=None, nullable=False, sa_column_kwargs={"server_default": "0"}
    )


class LeaseRenewal(SQLModel, table=True):
    __tablename__ = "lease_renewal"

    id: int | None = Field(default=None, primary_key=True)
    lease_id: int = Field(foreign_key="lease.id", index=True)
    previous_end: date | None = None
    new_end: date
    renewed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = created_at_field()


class RentCharge(SQLModel, table=True):
    """The monthly charge of rent and services; one per lease and month."""

    __tablename__ = "rent_charge"
    __table_args__ = (
        sa.UniqueConstraint("lease_id", "period", name="uq_rent_charge_month"),
        sa.CheckConstraint("amount >= 0", name="charge_amount"),
        sa.Index("ix_rent_charge_due", "due_on", "lease_id", "amount"),
    )

    id: int | None = Field(default=None, primary_key=True)
    lease_id: int = Field(foreign_key="lease.id", index=True)
    period: date = Field(index=True, description="first day of the month charged")
    amount: int
    due_on: date
    created_at: datetime = created_at_field()


class RentPayment(SQLModel, table=True):
    __tablename__ = "rent_payment"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="payment_amount"),)

    id: int | None = Field(default=None, primary_key=True)
    lease_id: int = Field(foreign_key="lease.id", index=True)
    paid_on: date = Field(index=True)
    amount: int
    source: PaymentSource = enum_field(PaymentSource, default=PaymentSource.manual)
    bank_reference: str | None = Field(default=None, max_length=100, unique=True)
    note: str | None = Field(default=None, max_length=500)
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = created_at_field()


class GuaranteeClaim(SQLModel, table=True):
    """What the agency paid the landlord under its guarantee."""

    __tablename__ = "guarantee_claim"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="claim_amount"),)

    id: int | None = Field(default=None, primary_key=True)
    lease_id: int = Field(foreign_key="lease.id", index=True)
    kind: ClaimKind = enum_field(ClaimKind)
    claimed_on: date
    amount: int
    paid_on: date | None = None
    note: str | None = Field(default=None, max_length=1000)
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = created_at_field()
    updated_at: datetime | None = timestamp_field()
