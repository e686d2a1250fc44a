"""The raw figures of a summary (DESIGN §7 points 1 and 2), each one SQL aggregate.

A figure is a dict: `count` {value}, `stat` {value, n, unit} (a median or share over n
records), `breakdown` {keys, values}, `table` {rows, columns, cells}. Suppression comes
after (`summaries.publish_figures`); nothing here names a person or a record.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from agency.enums import (
    LeaseEndReason,
    LeaseStatus,
    MatchStatus,
    SummaryScope,
    VettingDecision,
)
from agency.models import (
    Flat,
    Household,
    Landlord,
    Lease,
    Match,
    RentCharge,
    RentPayment,
    SupportPlan,
    SupportVisit,
    Vetting,
)
from agency.services.summary_sql import (
    Period,
    Where,
    add_months,
    days_between,
    lease_active_on,
    median,
    months_before,
)

Figure = dict[str, Any]
OFFERED_STATUSES = (
    MatchStatus.approved,
    MatchStatus.accepted,
    MatchStatus.declined,
    MatchStatus.expired,
    MatchStatus.leased,
)


def count(figure_id: str, value: int) -> Figure:
    return {"id": figure_id, "kind": "count", "value": int(value or 0)}


def stat(figure_id: str, value: float | None, n: int, unit: str) -> Figure:
    return {"id": figure_id, "kind": "stat", "value": value, "n": int(n), "unit": unit}


def breakdown(figure_id: str, rows: list[tuple[Any, int]]) -> Figure:
    keys = ["none" if key is None else str(key) for key, _ in rows]
    return {"id": figure_id, "kind": "breakdown", "keys": keys, "values": [int(v) for _, v in rows]}


def _scalar(session: Session, query: Any) -> int:
    return int(session.execute(query).scalar_one() or 0)


def _pairs(session: Session, query: Any) -> list[tuple[Any, int]]:
    return [(key, int(n)) for key, n in session.execute(query).all()]


def _when(condition: Any) -> Any:
    """COUNT of rows meeting a condition (portable: CASE, not FILTER)."""
    return sa.func.count(sa.case((condition, 1)))


def _distinct_when(condition: Any, column: Any) -> Any:
    return sa.func.count(sa.distinct(sa.case((condition, column))))


# --- 1. flow ---------------------------------------------------------------------------------


def flow_figures(session: Session, period: Period, where: Where) -> list[Figure]:
    """Households registered, waiting, offered, housed; flats offered, vetted, rejected, let;
    landlords active, new, lost."""
    return [
        *_household_flow(session, period, where),
        *_flat_flow(session, period, where),
        *_landlord_flow(session, period, where),
    ]


def _household_flow(session: Session, period: Period, where: Where) -> list[Figure]:
    """Waiting at the end: registered by then, not closed by then, no lease running then
    (those still needing housing after a lease ended count again)."""
    closed = col(Household.closed_at)
    open_at_end = sa.and_(
        col(Household.registered_on) <= period.end,
        sa.or_(closed.is_(None), closed >= period.until),
        where.household(),
    )
    row = session.execute(
        sa.select(_when(period.dates(Household.registered_on)), _when(open_at_end)).where(
            where.household()
        )
    ).one()
    housed_at_end = (
        sa.select(sa.func.count(sa.distinct(col(Lease.household_id))))
        .select_from(Lease)
        .join(Household, col(Household.id) == col(Lease.household_id))
        .where(lease_active_on(period.end), open_at_end)
    )
    waiting = row[1] - _scalar(session, housed_at_end)
    offered = sa.select(sa.func.count(sa.distinct(col(Match.household_id)))).where(
        col(Match.status).in_(OFFERED_STATUSES),
        period.moments(Match.reviewed_at),
        col(Match.flat_id).in_(sa.select(col(Flat.id)).where(where.place(Flat.municipality_code))),
    )
    housed = _leases_started(period, where, sa.func.count(sa.distinct(col(Lease.household_id))))
    return [
        count("households_registered", row[0]),
        count("households_waiting", waiting),
        count("households_offered", _scalar(session, offered)),
        count("households_housed", _scalar(session, housed)),
    ]


def _leases_started(period: Period, where: Where, *columns: Any) -> Any:
    return (
        sa.select(*columns)
        .select_from(Lease)
        .join(Flat, col(Flat.id) == col(Lease.flat_id))
        .where(period.dates(Lease.start_date), where.place(Flat.municipality_code))
    )


def _flat_flow(session: Session, period: Period, where: Where) -> list[Figure]:
    in_scope = where.place(Flat.municipality_code)
    offered = _scalar(
        session,
        sa.select(sa.func.count())
        .select_from(Flat)
        .where(period.moments(Flat.created_at), in_scope),
    )
    vetted = (
        sa.select(sa.func.count(sa.distinct(col(Vetting.flat_id))))
        .select_from(Vetting)
        .join(Flat, col(Flat.id) == col(Vetting.flat_id))
        .where(period.moments(Vetting.decided_at), in_scope)
    )
    rejected = (
        sa.select(col(Vetting.rejection_reason), sa.func.count())
        .select_from(Vetting)
        .join(Flat, col(Flat.id) == col(Vetting.flat_id))
        .where(
            period.moments(Vetting.decided_at),
            in_scope,
            col(Vetting.decision) == VettingDecision.rejected,
        )
        .group_by(col(Vetting.rejection_reason))
        .order_by(col(Vetting.rejection_reason))
    )
    let = _leases_started(period, where, sa.func.count(sa.distinct(col(Lease.flat_id))))
    return [
        count("flats_offered", offered),
        count("flats_vetted", _scalar(session, vetted)),
        breakdown("flats_rejected_by_reason", _pairs(session, rejected)),
        count("flats_let", _scalar(session, let)),
    ]


def _landlord_flow(session: Session, period: Period, where: Where) -> list[Figure]:
    """Active: a lease running in the period or a flat offered in it. New: registered in the
    period. Lost: a lease ended in the period and none running at its end."""
    flats = (
        sa.select(col(Flat.landlord_id), col(Flat.id))
        .where(where.place(Flat.municipality_code))
        .subquery()
    )
    running = sa.and_(
        col(Lease.start_date) <= period.end,
        sa.or_(col(Lease.ended_on).is_(None), col(Lease.ended_on) >= period.start),
    )
    with_lease = sa.select(flats.c.landlord_id).join(Lease, col(Lease.flat_id) == flats.c.id)
    active_ids = with_lease.where(running).union(
        sa.select(col(Flat.landlord_id)).where(
            period.moments(Flat.created_at), where.place(Flat.municipality_code)
        )
    )
    ended = with_lease.where(period.dates(Lease.ended_on))
    still = with_lease.where(lease_active_on(period.end))
    ids = col(Landlord.id)
    query = sa.select(
        _when(ids.in_(active_ids)),
        _when(
            sa.and_(period.moments(Landlord.created_at), ids.in_(sa.select(flats.c.landlord_id)))
        ),
        _when(sa.and_(ids.in_(ended), ids.not_in(still))),
    )
    active, new, lost = session.execute(query).one()
    return [
        count("landlords_active", active),
        count("landlords_new", new),
        count("landlords_lost", lost),
    ]


# --- 2. outcomes -----------------------------------------------------------------------------


def outcome_figures(session: Session, period: Period, where: Where) -> list[Figure]:
    """Placements, days to housing, sustainment, lease ends, arrears, support visits."""
    return [
        count("placements", _scalar(session, _leases_started(period, where, sa.func.count()))),
        _days_to_housing(session, period, where),
        _sustainment(session, period, where, 6),
        _sustainment(session, period, where, 12),
        _lease_ends(session, period, where),
        _arrears(session, period, where),
        *_visits(session, period, where),
    ]


def _days_to_housing(session: Session, period: Period, where: Where) -> Figure:
    """Median days from registration to the lease's start, over the period's placements."""
    days = days_between(col(Lease.start_date), col(Household.registered_on))
    query = (
        _leases_started(period, where, days)
        .join(Household, col(Household.id) == col(Lease.household_id))
        .order_by(days)
    )
    values = [int(v) for v in session.execute(query).scalars().all()]
    return stat("median_days_to_housing", median(values), len(values), "days")


def _sustainment(session: Session, period: Period, where: Where, months: int) -> Figure:
    """Of leases started at least `months` before the period's end: the share still running
    at that age, or ended regularly."""
    age = add_months(col(Lease.start_date), months)
    ended = col(Lease.ended_on)
    kept = sa.or_(
        ended.is_(None),
        ended >= age,
        col(Lease.end_reason) == LeaseEndReason.regular_end,
    )
    query = (
        sa.select(sa.func.count(), _when(kept))
        .select_from(Lease)
        .join(Flat, col(Flat.id) == col(Lease.flat_id))
        .where(
            col(Lease.start_date) <= months_before(period.end, months),
            where.place(Flat.municipality_code),
        )
    )
    total, sustained = session.execute(query).one()
    share = sustained / total if total else None
    return stat(f"sustainment_{months}m", share, total, "share")


def _lease_ends(session: Session, period: Period, where: Where) -> Figure:
    query = (
        sa.select(col(Lease.end_reason), sa.func.count())
        .join(Flat, col(Flat.id) == col(Lease.flat_id))
        .where(
            col(Lease.status) == LeaseStatus.ended,
            period.dates(Lease.ended_on),
            where.place(Flat.municipality_code),
        )
        .group_by(col(Lease.end_reason))
        .order_by(col(Lease.end_reason))
    )
    return breakdown("lease_ends_by_reason", _pairs(session, query))


def _arrears(session: Session, period: Period, where: Where) -> Figure:
    """The share of leases running at the period's end whose charges due by then exceed
    their payments by then."""
    due = (
        sa.select(col(RentCharge.lease_id), sa.func.sum(col(RentCharge.amount)).label("amount"))
        .where(col(RentCharge.due_on) <= period.end)
        .group_by(col(RentCharge.lease_id))
        .subquery()
    )
    paid = (
        sa.select(col(RentPayment.lease_id), sa.func.sum(col(RentPayment.amount)).label("amount"))
        .where(col(RentPayment.paid_on) <= period.end)
        .group_by(col(RentPayment.lease_id))
        .subquery()
    )
    owing = sa.func.coalesce(due.c.amount, 0) > sa.func.coalesce(paid.c.amount, 0)
    query = (
        sa.select(sa.func.count(), _when(owing))
        .select_from(Lease)
        .join(Flat, col(Flat.id) == col(Lease.flat_id))
        .outerjoin(due, due.c.lease_id == col(Lease.id))
        .outerjoin(paid, paid.c.lease_id == col(Lease.id))
        .where(lease_active_on(period.end), where.place(Flat.municipality_code))
    )
    total, in_arrears = session.execute(query).one()
    return stat("arrears_incidence", in_arrears / total if total else None, total, "share")


def _visits(session: Session, period: Period, where: Where) -> list[Figure]:
    """Visits done in the period; visits planned before its end and not done by then."""
    done = col(SupportVisit.done_on)
    overdue = sa.and_(
        col(SupportVisit.planned_on) < period.end, sa.or_(done.is_(None), done > period.end)
    )
    query = sa.select(_when(period.dates(SupportVisit.done_on)), _when(overdue)).select_from(
        SupportVisit
    )
    if where.scope != SummaryScope.agency:  # the whole agency needs no join to the flat
        query = (
            query.join(SupportPlan, col(SupportPlan.id) == col(SupportVisit.plan_id))
            .join(Lease, col(Lease.id) == col(SupportPlan.lease_id))
            .join(Flat, col(Flat.id) == col(Lease.flat_id))
            .where(where.place(Flat.municipality_code))
        )
    made, late = session.execute(query).one()
    return [count("visits_done", made), count("visits_overdue", late)]
