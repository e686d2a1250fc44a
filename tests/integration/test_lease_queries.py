"""The leases list (page keys first) and the early-warning overview against plain references."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import product

import sqlalchemy as sa
from sqlmodel import Session, col

from agency.enums import FlatStatus, HouseholdStatus, LeaseStatus, RiskLevel, UserRole
from agency.models import (
    Flat,
    Household,
    Lease,
    Municipality,
    SupportPlan,
    SupportPlanTemplate,
    SupportVisit,
    User,
)
from agency.services.households import visible_to
from agency.services.leases import ENDING_SOON_DAYS, LeaseFilters, list_leases
from agency.services.rent import arrears_column, charge_rent, record_payment
from agency.services.risk import households_at_risk, risk_overview
from tests.factories import Factory

NOW = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)


def _reference(session: Session, actor: User, filters: LeaseFilters) -> list[tuple[int, int]]:
    """(lease id, arrears) of every lease the list should show, in its order: one joined
    query with the correlated arrears, as the list was computed before."""
    owed = arrears_column(TODAY)
    query = (
        sa.select(col(Lease.id), owed)
        .join(Household, col(Household.id) == col(Lease.household_id))
        .join(Flat, col(Flat.id) == col(Lease.flat_id))
        .join(Municipality, col(Municipality.code) == col(Flat.municipality_code))
        .where(visible_to(actor))
    )
    if filters.status is not None:
        query = query.where(col(Lease.status) == filters.status)
    if filters.ending_soon:
        soon = TODAY + timedelta(days=ENDING_SOON_DAYS)
        query = query.where(col(Lease.end_date) >= TODAY, col(Lease.end_date) <= soon)
    if filters.in_arrears:
        query = query.where(owed > 0)
    if filters.orp_code is not None:
        query = query.where(col(Municipality.orp_code) == filters.orp_code)
    rows = session.execute(query.order_by(col(Lease.end_date), col(Lease.id))).all()
    return [(int(i), int(a)) for i, a in rows]


def _two_orp_codes(session: Session) -> list[tuple[int, int]]:
    """(municipality code, ORP code) of two municipalities in different ORPs."""
    rows = session.execute(
        sa.select(sa.func.min(Municipality.code), col(Municipality.orp_code))
        .group_by(col(Municipality.orp_code))
        .order_by(col(Municipality.orp_code))
        .limit(2)
    ).all()
    return [(int(m), int(o)) for m, o in rows]


def _leases(session: Session, factory: Factory, worker: User) -> None:
    places = _two_orp_codes(session)
    ends = [date(2026, 4, 1), date(2026, 4, 1), None, date(2026, 12, 31), date(2026, 3, 20)]
    for n, end in enumerate(ends * 2):
        flat = factory.flat(FlatStatus.let, municipality_code=places[n % 2][0])
        household = factory.household(HouseholdStatus.housed, social_worker=worker)
        lease = factory.lease(flat, household, end_date=end)
        if n % 3 == 0:
            record_payment(session, lease=lease, amount=11500, paid_on=TODAY, reference=None)
    ended = factory.lease(
        factory.flat(FlatStatus.let),
        factory.household(HouseholdStatus.housed, social_worker=worker),
        status=LeaseStatus.ended,
        end_reason="by_tenant",
    )
    assert ended.id is not None
    for month in (2, 3, 4):  # April's charge exists on 10 March but is not due
        charge_rent(session, month=date(2026, month, 1), now=NOW)


def test_page_keys_first_give_the_rows_order_and_total_of_the_joined_query(
    session: Session, factory: Factory
) -> None:
    worker = factory.user()
    _leases(session, factory, worker)
    other = Factory(session)
    _leases(session, other, other.user())
    staff = factory.user(UserRole.staff)
    orps = [None, *(orp for _, orp in _two_orp_codes(session))]
    for actor, ending, arrears, orp, status in product(
        (worker, staff), (False, True), (False, True), orps, (LeaseStatus.active, None)
    ):
        filters = LeaseFilters(ending_soon=ending, in_arrears=arrears, orp_code=orp, status=status)
        expected = _reference(session, actor, filters)
        for page in (1, 2, 3):
            rows, total = list_leases(
                session, actor=actor, filters=filters, today=TODAY, page=page, per_page=4
            )
            got = [(r.lease.id, r.arrears) for r in rows]
            assert got == expected[(page - 1) * 4 : page * 4], (filters, actor.role, page)
            assert total == len(expected), filters
    assert len(_reference(session, worker, LeaseFilters(in_arrears=True))) >= 2


def _at_risk_household(
    session: Session, factory: Factory, worker: User, *, owed_months: int, visit: str | None
) -> Household:
    household = factory.household(HouseholdStatus.housed, social_worker=worker)
    lease = factory.lease(factory.flat(FlatStatus.let), household, start_date=date(2025, 12, 1))
    paid = (3 - owed_months) * (lease.rent + lease.services)
    if paid:
        record_payment(session, lease=lease, amount=paid, paid_on=TODAY, reference=None)
    if visit == "missed":
        _visit(session, household, worker, planned_on=TODAY - timedelta(days=30))
    if visit == "red":
        _visit(session, household, worker, planned_on=TODAY - timedelta(days=3), red=True)
    return household


def _visit(
    session: Session, household: Household, worker: User, *, planned_on: date, red: bool = False
) -> None:
    template = SupportPlanTemplate(name=f"t{household.id}", steps=[])
    session.add(template)
    session.flush()
    lease = session.execute(
        sa.select(col(Lease.id)).where(col(Lease.household_id) == household.id)
    ).scalar_one()
    plan = SupportPlan(lease_id=lease, template_id=template.id or 0)
    session.add(plan)
    session.flush()
    done = planned_on if red else None
    session.add(
        SupportVisit(
            plan_id=plan.id or 0,
            household_id=household.id or 0,
            social_worker_id=worker.id or 0,
            planned_on=planned_on,
            done_on=done,
            risk=RiskLevel.red if red else None,
        )
    )
    session.flush()


def test_the_overview_ranks_cuts_and_counts_like_the_full_list(
    session: Session, factory: Factory
) -> None:
    worker = factory.user()
    cases = [(3, "missed"), (2, None), (0, "red"), (3, None), (2, "red"), (0, "missed"), (1, None)]
    made = [_at_risk_household(session, factory, worker, owed_months=m, visit=v) for m, v in cases]
    for month in (1, 2, 3):
        charge_rent(session, month=date(2026, month, 1), now=NOW)
    staff = factory.user(UserRole.staff)
    full = households_at_risk(session, actor=staff, today=TODAY)
    ids = [made[i].id for i in (0, 4, 3, 1, 2, 5)]  # two reasons, then by arrears, then id
    assert [item.household_id for item in full] == ids
    assert full[0].reasons == ["arrears", "missed_visits"] and full[0].arrears == 34500
    assert full[1].reasons == ["arrears", "red_visit"] and full[0].days_overdue == 30
    for limit in (1, 3, 6, 10):
        cut = risk_overview(session, actor=staff, today=TODAY, limit=limit)
        assert cut.items == full[:limit] and cut.total == len(full) == 6
    mine = risk_overview(session, actor=worker, today=TODAY, limit=2)
    assert mine.total == 6 and [i.household_id for i in mine.items] == ids[:2]
    stranger = risk_overview(session, actor=Factory(session).user(), today=TODAY, limit=2)
    assert stranger.items == [] and stranger.total == 0


def test_the_overview_reads_the_day_it_is_given_each_time(
    session: Session, factory: Factory
) -> None:
    """The ranking statement is built once per scope and the day is its parameter: a visit
    10 days late is no sign yet, the same visit 20 days late is a missed visit; and one
    organisation's statement never answers for another."""
    worker = factory.user()
    household = factory.household(HouseholdStatus.housed, social_worker=worker)
    factory.lease(factory.flat(FlatStatus.let), household, start_date=date(2025, 12, 1))
    _visit(session, household, worker, planned_on=TODAY - timedelta(days=10))
    assert risk_overview(session, actor=worker, today=TODAY, limit=5).total == 0
    later = risk_overview(session, actor=worker, today=TODAY + timedelta(days=10), limit=5)
    assert [(i.household_id, i.reasons, i.days_overdue) for i in later.items] == [
        (household.id, ["missed_visits"], 20)
    ]
    assert risk_overview(session, actor=worker, today=TODAY, limit=5).total == 0
    stranger = Factory(session).user()
    assert stranger.organisation_id != worker.organisation_id
    assert risk_overview(session, actor=stranger, today=TODAY + timedelta(days=10)).total == 0
