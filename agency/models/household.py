"""Households in housing need, their members and acceptable area.

Deliberately no ethnicity field: discrimination is recorded as a barrier, never as a
trait of a person.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from agency.enums import EthosCategory, HouseholdCloseReason, HouseholdStatus, MemberKind
from agency.models.base import created_at_field, enum_column, enum_field, timestamp_field

_WARNING_COLUMNS = ("id", "active_lease_id", "lease_balance", "lease_monthly", "last_visit_red")
_HOUSED = sa.text("active_lease_id IS NOT NULL")
_WARNED = sa.text(
    "active_lease_id IS NOT NULL AND (lease_balance > lease_monthly OR last_visit_red)"
)


class Household(SQLModel, table=True):
    __table_args__ = (
        sa.CheckConstraint("urgency BETWEEN 1 AND 5", name="urgency"),
        sa.CheckConstraint(
            "monthly_income >= 0 AND housing_allowance >= 0 AND housing_supplement >= 0"
            " AND max_housing_cost >= 0 AND deposit_available >= 0",
            name="money_non_negative",
        ),
        sa.CheckConstraint("(status = 'closed') = (close_reason IS NOT NULL)", name="close_reason"),
        sa.Index("ix_household_org_status", "organisation_id", "status"),
        sa.Index("ix_household_status_urgency", "status", "urgency"),
        # The list's order (most urgent, then longest waiting), for staff and per organisation;
        # ascending (SQLite does not report DESC), read backwards by urgency.
        sa.Index("ix_household_queue", "urgency", "registered_on", "id"),
        sa.Index("ix_household_org_queue", "organisation_id", "urgency", "registered_on", "id"),
        # Early warning, read from these indexes alone: the housed by their oldest open
        # visit (missed visits), and the housed owing more than a month or last seen red.
        sa.Index(
            "ix_household_open_visit",
            "open_visit_since",
            "organisation_id",
            *_WARNING_COLUMNS,
            sqlite_where=_HOUSED,
            postgresql_where=_HOUSED,
        ),
        sa.Index(
            "ix_household_warning",
            "organisation_id",
            "open_visit_since",
            *_WARNING_COLUMNS,
            sqlite_where=_WARNED,
            postgresql_where=_WARNED,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference_name: str = Field(max_length=200, description="kept only here")
    reference_phone: str | None = Field(default=None, max_length=40)
    reference_email: str | None = Field(default=None, max_length=254)
    organisation_id: int = Field(foreign_key="organisation.id")
    social_worker_id: int = Field(foreign_key="user_account.id", index=True)
    status: HouseholdStatus = enum_field(HouseholdStatus, default=HouseholdStatus.registered)
    close_reason: HouseholdCloseReason | None = enum_field(HouseholdCloseReason, nullable=True)
    monthly_income: int = Field(description="net, CZK")
    housing_allowance: int = 0
    housing_supplement: int = 0
    max_housing_cost: int = Field(description="rent + services the household can carry")
    deposit_available: int = 0
    anchor_municipality_code: int | None = Field(
        default=None, foreign_key="municipality.code", index=True
    )
    anchor_label: str | None = Field(default=None, max_length=200, description="e.g. school")
    max_distance_km: int | None = None
    needs_step_free: bool = False
    needs_ground_floor: bool = False
    has_pets: bool = False
    min_rooms: int = 1
    ethos_category: EthosCategory = enum_field(EthosCategory)
    urgency: int = Field(default=3, description="1 (low) to 5 (most urgent)")
    urgency_reasons: str | None = Field(default=None, max_length=2000)
    eviction_date: date | None = None
    move_in_by: date | None = None
    registered_on: date = Field(index=True)
    consent_on: date
    consent_scope: str = Field(max_length=500)
    consent_recorded_by_id: int = Field(foreign_key="user_account.id")
    consent_withdrawn_on: date | None = None
    notes: str | None = Field(default=None, max_length=4000)
    created_at: datetime = created_at_field()
    status_changed_at: datetime | None = timestamp_field()
    closed_at: datetime | None = timestamp_field()
    pseudonymised_at: datetime | None = timestamp_field()
    # Early-warning facts kept by database triggers on lease and support_visit (migration
    # 0009); nothing else writes them. From the active lease (NULL without one): its id,
    # its ledger balance (every charge minus every payment) and its rent + services.
    active_lease_id: int | None = None
    lease_balance: int | None = Field(default=None, sa_type=sa.BigInteger)
    lease_monthly: int | None = None
    # From the visits: the planned date of the oldest open one, and whether the last one
    # done (by done_on, then id) was red.
    open_visit_since: date | None = None
    last_visit_red: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class HouseholdStatusCount(SQLModel, table=True):
    """How many households an organisation has in each status, kept by database triggers on
    household (migration 0011) so that the list does not count 100,000 households; nothing
    else writes it. A count that fell to zero keeps its row."""

    __tablename__ = "household_status_count"

    organisation_id: int = Field(primary_key=True)
    status: HouseholdStatus = Field(sa_type=enum_column(HouseholdStatus), primary_key=True)
    households: int = 0


class HouseholdMember(SQLModel, table=True):
    """A member by kind and birth year only; no names beyond the reference person's."""

    __table_args__ = (sa.CheckConstraint("birth_year IS NULL OR birth_year >= 1900", name="year"),)

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True, ondelete="CASCADE")
    kind: MemberKind = enum_field(MemberKind)
    birth_year: int | None = None
    is_reference: bool = False


class HouseholdArea(SQLModel, table=True):
    """One municipality or one ORP that the household accepts."""

    __table_args__ = (
        sa.CheckConstraint("(municipality_code IS NULL) <> (orp_code IS NULL)", name="one_of"),
        sa.UniqueConstraint("household_id", "municipality_code", "orp_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True, ondelete="CASCADE")
    municipality_code: int | None = Field(default=None, foreign_key="municipality.code", index=True)
    orp_code: int | None = Field(default=None, index=True)
