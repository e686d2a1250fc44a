"""Early warning: which housed households risk losing their flat, and why.

Three set-based queries (arrears, missed visits, a red last visit), each over all the
households the actor sees at once, merged, ranked and cut in SQL; never a query per
household. Arrears come from the stored ledger balance (rent.arrears_stored).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from agency.enums import LeaseStatus, RiskLevel
from agency.models import Household, Lease, SupportVisit, User
from agency.services.households import is_staff, visible_to
from agency.services.rent import AnySelect, arrears_stored, owing_more_than

MISSED_AFTER_DAYS = 14
ARREARS_MONTHS = 1  # more than one month's rent + services owed

REASON_ARREARS = "arrears"
REASON_MISSED = "missed_visits"
REASON_RED = "red_visit"
REASONS = (REASON_ARREARS, REASON_MISSED, REASON_RED)
Housed = sa.CTE | None  # see _housed


@dataclass
class AtRisk:
    household_id: int
    name: str
    lease_id: int | None = None
    reasons: list[str] = field(default_factory=list)
    arrears: int = 0
    days_overdue: int = 0


@dataclass(frozen=True)
class RiskOverview:
    items: list[AtRisk]  # most reasons first, then the largest arrears
    total: int  # every household with a warning sign, shown or not


def _flag(reason: str) -> str:
    return f"has_{reason}"


def _signs(
    household_id: Any, lease_id: Any, arrears: Any, oldest: Any, reason: str
) -> list[sa.ColumnElement[Any]]:
    """The columns every sign query yields, so that they can be stacked in one union."""
    flags = [sa.literal(int(reason == r), sa.Integer).label(_flag(r)) for r in REASONS]
    return [
        household_id.label("household_id"),
        lease_id.label("lease_id"),
        arrears.label("arrears"),
        oldest.label("oldest"),
        *flags,
    ]


def _arrears(housed: Housed, today: date) -> AnySelect:
    query, owed = arrears_stored(sa.select(col(Lease.id)), today)
    monthly = ARREARS_MONTHS * (col(Lease.rent) + col(Lease.services))
    query = query.where(col(Lease.status) == LeaseStatus.active, owing_more_than(owed, monthly))
    columns = _signs(
        col(Lease.household_id), col(Lease.id), owed, sa.null().cast(sa.Date), REASON_ARREARS
    )
    query = query.with_only_columns(*columns)
    if housed is None:
        return query
    return query.join(housed, housed.c.household_id == col(Lease.household_id))


def _housed(actor: User) -> Housed:
    """How the sign queries keep to housed households the actor sees. Staff: an indexed
    check for an active lease per household found. Others: the set of their households
    with an active lease, computed once (a few thousand at most) and joined, rather than
    checked per visit or hashed from every lease in the country."""
    if is_staff(actor):
        return None
    seen = (
        sa.select(col(Lease.household_id))
        .join(Household, col(Household.id) == col(Lease.household_id))
        .where(col(Lease.status) == LeaseStatus.active, visible_to(actor))
    )
    return seen.cte("housed").prefix_with("MATERIALIZED", dialect="postgresql")


def _only_housed(query: AnySelect, housed: Housed, household_id: Any) -> AnySelect:
    if housed is not None:
        return query.join(housed, housed.c.household_id == household_id)
    active = sa.select(col(Lease.id)).where(
        col(Lease.household_id) == household_id, col(Lease.status) == LeaseStatus.active
    )
    return query.where(active.exists())


def _missed(housed: Housed, today: date) -> AnySelect:
    cutoff = today - timedelta(days=MISSED_AFTER_DAYS)
    household = col(SupportVisit.household_id)
    none = sa.null().cast(sa.Integer)
    columns = _signs(household, none, none, sa.func.min(SupportVisit.planned_on), REASON_MISSED)
    query = sa.select(*columns).where(
        col(SupportVisit.done_on).is_(None), col(SupportVisit.planned_on) < cutoff
    )
    return _only_housed(query, housed, household).group_by(household)


def _red(housed: Housed) -> AnySelect:
    """Households whose last visit done was red: a red visit with no later one done
    (each checked through the index on household, done_on, id)."""
    later = aliased(SupportVisit)
    newer = sa.select(col(later.id)).where(
        col(later.household_id) == col(SupportVisit.household_id),
        col(later.done_on).is_not(None),
        sa.tuple_(col(later.done_on), col(later.id))
        > sa.tuple_(col(SupportVisit.done_on), col(SupportVisit.id)),
    )
    household = col(SupportVisit.household_id)
    none = sa.null().cast(sa.Integer)
    columns = _signs(household, none, none, sa.null().cast(sa.Date), REASON_RED)
    query = (
        sa.select(*columns)
        .where(col(SupportVisit.risk) == RiskLevel.red, col(SupportVisit.done_on).is_not(None))
        .where(~newer.exists())
    )
    return _only_housed(query, housed, household)


def _ranked(actor: User, today: date, limit: int | None) -> AnySelect:
    """One row per household with a sign: its flags and figures, the most urgent first,
    with the number of such households on every row."""
    housed = _housed(actor)
    parts = (_arrears(housed, today), _missed(housed, today), _red(housed))
    signs = sa.union_all(*parts).subquery()
    flags = [sa.func.max(signs.c[_flag(r)]).label(_flag(r)) for r in REASONS]
    owed = sa.func.coalesce(sa.func.max(signs.c.arrears), 0)
    grouped = (
        sa.select(
            signs.c.household_id,
            sa.func.max(signs.c.lease_id).label("lease_id"),
            owed.label("arrears"),
            sa.func.min(signs.c.oldest).label("oldest"),
            *flags,
            sa.func.count().over().label("total"),
        )
        .group_by(signs.c.household_id)
        .order_by(sa.desc(sum(flags, sa.literal(0))), owed.desc(), signs.c.household_id)
    )
    return grouped.limit(limit) if limit is not None else grouped


def risk_overview(
    session: Session, *, actor: User, today: date, limit: int | None = None
) -> RiskOverview:
    """The housed households `actor` sees with at least one warning sign, most reasons
    first (then the largest arrears): the first `limit` of them (all when None) and how
    many there are."""
    top = _ranked(actor, today, limit).subquery()
    query = (
        sa.select(top, col(Household.reference_name))
        .join(Household, col(Household.id) == top.c.household_id)
        .order_by(
            sa.desc(sum((top.c[_flag(r)] for r in REASONS), sa.literal(0))),
            top.c.arrears.desc(),
            top.c.household_id,
        )
    )
    rows = session.execute(query).mappings().all()
    items = [_item(row, today) for row in rows]
    return RiskOverview(items=items, total=int(rows[0]["total"]) if rows else 0)


def _item(row: Any, today: date) -> AtRisk:
    oldest = row["oldest"]
    return AtRisk(
        household_id=int(row["household_id"]),
        name=row["reference_name"],
        lease_id=row["lease_id"],
        reasons=[r for r in REASONS if row[_flag(r)]],
        arrears=int(row["arrears"]),
        days_overdue=(today - oldest).days if oldest is not None else 0,
    )


def households_at_risk(session: Session, *, actor: User, today: date) -> list[AtRisk]:
    """The housed households `actor` sees with at least one warning sign, most reasons first."""
    return risk_overview(session, actor=actor, today=today).items
