"""Early warning: which housed households risk losing their flat, and why.

The signs come from facts the database keeps on each household (its active lease's balance
and rent, its oldest open visit, whether its last visit done was red; migration 0009), read
for all the households the actor sees at once and ranked in SQL; what depends on the day
(a visit missed after 14 days, charges not yet due) is decided here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from agency.models import Household, User
from agency.services.households import visible_to
from agency.services.rent import AnySelect, pending_charges
from agency.services.statements import TODAY, built_once, scope

MISSED_AFTER_DAYS = 14
ARREARS_MONTHS = 1  # more than one month's rent + services owed

REASON_ARREARS = "arrears"
REASON_MISSED = "missed_visits"
REASON_RED = "red_visit"
REASONS = (REASON_ARREARS, REASON_MISSED, REASON_RED)


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


def _one_if(condition: Any) -> sa.ColumnElement[int]:
    return sa.case((condition, 1), else_=0)


# The day enters the statements as parameters, so that each statement is built once per
# scope (below) and reused: building and keying it cost about 2 ms of Python per dashboard.
MISSED_BEFORE = sa.bindparam("missed_before", type_=sa.Date)


def _signs(actor: User) -> sa.Subquery:
    """One row per housed household `actor` sees with a warning sign: its flags, figures and
    number of reasons. Read from the facts the database keeps on the household (migration
    0009) and from two of its indexes alone: the households with a missed visit, then the
    others owing more than a month's rent or last seen red."""
    pending = pending_charges(TODAY)
    h = Household
    owed = col(h.lease_balance) - sa.func.coalesce(pending.c.amount, 0)
    # The stored balance above a month too: implied, as pending charges are never negative
    # (nor rent), and the condition of the index.
    owing = col(h.lease_balance) > col(h.lease_monthly)
    arrears = sa.and_(owing, owed > ARREARS_MONTHS * col(h.lease_monthly))
    missed = col(h.open_visit_since) < MISSED_BEFORE
    signs = {REASON_ARREARS: arrears, REASON_MISSED: missed, REASON_RED: col(h.last_visit_red)}
    flags = [_one_if(signs[r]) for r in REASONS]
    columns = (
        col(h.id).label("household_id"),
        sa.case((arrears, col(h.active_lease_id))).label("lease_id"),
        sa.case((arrears, owed), else_=0).label("arrears"),
        sa.case((missed, col(h.open_visit_since))).label("oldest"),
        *(flag.label(_flag(r)) for flag, r in zip(flags, REASONS, strict=True)),
        sum(flags, sa.literal(0)).label("reasons"),
    )
    housed = (
        sa.select(*columns)
        .outerjoin(pending, pending.c.lease_id == col(h.active_lease_id))
        .where(col(h.active_lease_id).is_not(None), visible_to(actor))
    )
    not_missed = sa.or_(col(h.open_visit_since).is_(None), sa.not_(missed))
    others = housed.where(sa.or_(owing, col(h.last_visit_red)), not_missed)
    return sa.union_all(
        housed.where(missed), others.where(sa.or_(arrears, col(h.last_visit_red)))
    ).subquery("signs")


def _ranked(signs: sa.Subquery, *, at_least: int, limit: int | None) -> AnySelect:
    """The households with at least `at_least` reasons, the most urgent first, named, with
    the number of all households with a sign on every row."""
    order = (signs.c.reasons.desc(), signs.c.arrears.desc(), signs.c.household_id)
    first = sa.select(signs).where(signs.c.reasons >= at_least).order_by(*order)
    top = (first.limit(limit) if limit is not None else first).subquery("top")
    total = sa.select(sa.func.count()).select_from(signs).scalar_subquery()
    return (
        sa.select(top, col(Household.reference_name), total.label("total"))
        .join(Household, col(Household.id) == top.c.household_id)
        .order_by(top.c.reasons.desc(), top.c.arrears.desc(), top.c.household_id)
    )


def _statement(actor: User, *, at_least: int, limit: int | None) -> AnySelect:
    """The ranking for `actor`'s scope, built once (the day is a parameter)."""
    key = ("risk", *scope(actor), at_least, limit)
    return built_once(key, lambda: _ranked(_signs(actor), at_least=at_least, limit=limit))


def risk_overview(
    session: Session, *, actor: User, today: date, limit: int | None = None
) -> RiskOverview:
    """The housed households `actor` sees with at least one warning sign, most reasons
    first (then the largest arrears): the first `limit` of them (all when None) and how
    many there are."""
    day = {"today": today, "missed_before": today - timedelta(days=MISSED_AFTER_DAYS)}
    rows: Sequence[Any] = []
    if limit is not None:
        # Households with several signs come before all others: usually enough of them
        # fill the page, without ranking every household with a single sign.
        ranked = _statement(actor, at_least=2, limit=limit)
        rows = session.execute(ranked, day).mappings().all()
    if len(rows) < (limit or 1):
        ranked = _statement(actor, at_least=1, limit=limit)
        rows = session.execute(ranked, day).mappings().all()
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
