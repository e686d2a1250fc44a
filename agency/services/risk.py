"""Early warning: which housed households risk losing their flat, and why.

Three set-based queries (arrears, missed visits, a red last visit), each over all the
households the actor sees at once; never a query per household.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from agency.enums import LeaseStatus, RiskLevel
from agency.models import Household, Lease, SupportVisit, User
from agency.services.households import visible_to
from agency.services.rent import arrears_column

MISSED_AFTER_DAYS = 14
ARREARS_MONTHS = 1  # more than one month's rent + services owed

REASON_ARREARS = "arrears"
REASON_MISSED = "missed_visits"
REASON_RED = "red_visit"


@dataclass
class AtRisk:
    household_id: int
    name: str
    lease_id: int | None = None
    reasons: list[str] = field(default_factory=list)
    arrears: int = 0
    days_overdue: int = 0


def _arrears(session: Session, actor: User, today: date) -> list[tuple[int, str, int, int]]:
    owed = arrears_column(today)
    query = (
        sa.select(col(Household.id), col(Household.reference_name), col(Lease.id), owed)
        .join(Lease, col(Lease.household_id) == col(Household.id))
        .where(col(Lease.status) == LeaseStatus.active, visible_to(actor))
        .where(owed > ARREARS_MONTHS * (col(Lease.rent) + col(Lease.services)))
    )
    return [(int(h), n, int(lease), int(a)) for h, n, lease, a in session.execute(query).all()]


def _missed(session: Session, actor: User, today: date) -> list[tuple[int, str, date]]:
    cutoff = today - timedelta(days=MISSED_AFTER_DAYS)
    query = (
        sa.select(
            col(Household.id), col(Household.reference_name), sa.func.min(SupportVisit.planned_on)
        )
        .join(SupportVisit, col(SupportVisit.household_id) == col(Household.id))
        .where(col(SupportVisit.done_on).is_(None), col(SupportVisit.planned_on) < cutoff)
        .where(visible_to(actor), _housed())
        .group_by(col(Household.id), col(Household.reference_name))
    )
    return [(int(h), n, d) for h, n, d in session.execute(query).all()]


def _housed() -> sa.ColumnElement[bool]:
    active = sa.select(col(Lease.id)).where(
        col(Lease.household_id) == col(Household.id), col(Lease.status) == LeaseStatus.active
    )
    found: sa.ColumnElement[bool] = active.exists()
    return found


def _red(session: Session, actor: User) -> list[tuple[int, str]]:
    """Households whose last visit done was red: a red visit with no later one done
    (each checked through the index on household, done_on, id)."""
    later = aliased(SupportVisit)
    newer = sa.select(col(later.id)).where(
        col(later.household_id) == col(SupportVisit.household_id),
        col(later.done_on).is_not(None),
        sa.tuple_(col(later.done_on), col(later.id))
        > sa.tuple_(col(SupportVisit.done_on), col(SupportVisit.id)),
    )
    query = (
        sa.select(col(Household.id), col(Household.reference_name))
        .join(SupportVisit, col(SupportVisit.household_id) == col(Household.id))
        .where(col(SupportVisit.risk) == RiskLevel.red, col(SupportVisit.done_on).is_not(None))
        .where(~newer.exists(), visible_to(actor), _housed())
    )
    return [(int(h), n) for h, n in session.execute(query).all()]


def households_at_risk(session: Session, *, actor: User, today: date) -> list[AtRisk]:
    """The housed households `actor` sees with at least one warning sign, most reasons first."""
    found: dict[int, AtRisk] = {}
    for household_id, name, lease_id, owed in _arrears(session, actor, today):
        item = found.setdefault(household_id, AtRisk(household_id, name))
        item.lease_id, item.arrears = lease_id, owed
        item.reasons.append(REASON_ARREARS)
    for household_id, name, oldest in _missed(session, actor, today):
        item = found.setdefault(household_id, AtRisk(household_id, name))
        item.days_overdue = (today - oldest).days
        item.reasons.append(REASON_MISSED)
    for household_id, name in _red(session, actor):
        found.setdefault(household_id, AtRisk(household_id, name)).reasons.append(REASON_RED)
    return sorted(found.values(), key=lambda i: (-len(i.reasons), -i.arrears, i.household_id))
