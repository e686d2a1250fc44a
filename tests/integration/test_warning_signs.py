"""The early-warning facts kept on each household, the flat counts kept per status, and the
dashboard's first page of households at risk."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from sqlmodel import Session, col, select

from agency.enums import (
    FlatStatus,
    HouseholdStatus,
    LeaseEndReason,
    LeaseStatus,
    RiskLevel,
    UserRole,
)
from agency.models import Flat, Household, Lease, RentCharge, SupportVisit, User
from agency.services.flat_queries import (
    FlatFilters,
    count_flats,
    count_flats_by_status,
    flats_query,
)
from agency.services.rent import charge_rent, record_payment
from agency.services.risk import risk_overview
from agency.services.support import default_template, generate_schedule
from tests.factories import Factory
from tests.integration.test_rent import NOW
from web.pagination import count_rows

Facts = tuple[Any, ...]


def _lease(factory: Factory, worker: User | None = None, **values: object) -> Lease:
    household = factory.household(HouseholdStatus.housed, social_worker=worker)
    return factory.lease(factory.flat(FlatStatus.let), household, **values)


def _expected(session: Session, household_id: int) -> Facts:
    """A household's facts worked out afresh from its leases and visits."""
    leases = session.exec(select(Lease).where(Lease.household_id == household_id)).all()
    active = [lease for lease in leases if lease.status == LeaseStatus.active]
    lease = active[0] if active else None
    visits = session.exec(select(SupportVisit).where(SupportVisit.household_id == household_id))
    visits_list = list(visits)
    open_dates = [v.planned_on for v in visits_list if v.done_on is None]
    done = sorted(
        (v for v in visits_list if v.done_on is not None), key=lambda v: (v.done_on, v.id)
    )
    return (
        lease.id if lease else None,
        lease.ledger_balance if lease else None,
        lease.rent + lease.services if lease else None,
        min(open_dates, default=None),
        bool(done) and done[-1].risk == RiskLevel.red,
    )


def _assert_in_step(session: Session) -> None:
    session.flush()
    session.expire_all()
    households = session.exec(select(Household)).all()
    stored = {
        h.id: (
            h.active_lease_id,
            h.lease_balance,
            h.lease_monthly,
            h.open_visit_since,
            bool(h.last_visit_red),
        )
        for h in households
    }
    expected = {h.id: _expected(session, int(h.id or 0)) for h in households}
    assert stored == expected


def test_every_writer_keeps_the_household_facts(session: Session, factory: Factory) -> None:
    lease, other = _lease(factory), _lease(factory)
    _assert_in_step(session)
    charge_rent(session, month=date(2026, 2, 1), now=NOW)
    record_payment(session, lease=lease, amount=4000, paid_on=date(2026, 2, 4), reference=None)
    generate_schedule(session, lease=lease, template=default_template(session))
    _assert_in_step(session)
    visits = session.exec(
        select(SupportVisit)
        .where(SupportVisit.household_id == lease.household_id)
        .order_by(col(SupportVisit.planned_on))
    ).all()
    first, second, third = visits[:3]
    first.done_on, first.risk = first.planned_on, RiskLevel.red
    session.add(first)
    _assert_in_step(session)
    second.done_on, second.risk = first.planned_on, RiskLevel.green  # same day, done later
    session.add(second)
    _assert_in_step(session)
    second.risk = RiskLevel.red
    third.household_id = other.household_id  # a visit moved to another household
    session.add_all([second, third])
    _assert_in_step(session)
    session.delete(second)
    lease.rent = lease.rent + 500
    session.add(lease)
    _assert_in_step(session)
    lease.status, lease.end_reason, lease.ended_on = (
        LeaseStatus.ended,
        LeaseEndReason.regular_end,
        date(2026, 3, 1),
    )
    session.add(lease)
    _assert_in_step(session)
    session.delete(session.exec(select(RentCharge)).first())
    spare = _lease(factory)
    _assert_in_step(session)
    session.delete(spare)
    _assert_in_step(session)


def _counted(session: Session) -> dict[FlatStatus, int]:
    found = Counter(FlatStatus(s) for s in session.exec(select(Flat.status)).all())
    return {status: found.get(status, 0) for status in FlatStatus}


def test_flat_counts_follow_every_change(session: Session, factory: Factory) -> None:
    flats = [factory.flat(status) for status in (FlatStatus.submitted, FlatStatus.available)]
    assert count_flats_by_status(session) == _counted(session)
    flats[0].status = FlatStatus.vetting
    flats[1].rent = 9100  # no status change
    session.add_all(flats)
    session.flush()
    assert count_flats_by_status(session) == _counted(session)
    session.delete(flats[0])
    session.flush()
    assert count_flats_by_status(session) == _counted(session)


def test_the_flats_lists_totals_are_the_kept_counts_or_counted(
    session: Session, factory: Factory
) -> None:
    for status in (FlatStatus.submitted, FlatStatus.available, FlatStatus.available):
        factory.flat(status)
    kept = [FlatFilters(), FlatFilters(status=FlatStatus.available), FlatFilters(text="  ")]
    kept += [FlatFilters(status=FlatStatus.let)]
    for filters in kept:
        assert count_flats(session, filters) == count_rows(session, flats_query(filters))
    assert count_flats(session, FlatFilters(status=FlatStatus.available)) == 2
    for filters in (FlatFilters(orp_code=1), FlatFilters(kraj_code="CZ032"), FlatFilters(text="a")):
        assert count_flats(session, filters) is None  # counted from the query itself


def _with_signs(session: Session, factory: Factory, worker: User, signs: str) -> Lease:
    """A housed household with the signs named by letters: a(rrears), m(issed), r(ed)."""
    lease = _lease(factory, worker, start_date=date(2026, 1, 1))
    owed = 2 if "a" in signs else 0
    for n in range(owed):
        session.add(
            RentCharge(
                lease_id=lease.id or 0,
                period=date(2026, n + 1, 1),
                amount=11500 + 100 * (lease.id or 0),  # a different arrears for each
                due_on=date(2026, n + 1, 5),
            )
        )
    planned: list[tuple[date, date | None, RiskLevel | None]] = []
    if "m" in signs:
        planned.append((date(2026, 1, 10), None, None))
    if "r" in signs:
        planned.append((date(2026, 2, 10), date(2026, 2, 10), RiskLevel.red))
    for day, done_on, risk in planned:
        session.add(
            SupportVisit(
                plan_id=_plan(session, lease),
                household_id=lease.household_id,
                social_worker_id=worker.id or 0,
                planned_on=day,
                done_on=done_on,
                risk=risk,
            )
        )
    session.flush()
    return lease


def _plan(session: Session, lease: Lease) -> int:
    plan = generate_schedule(session, lease=lease, template=default_template(session))
    for visit in session.exec(select(SupportVisit).where(SupportVisit.plan_id == plan.id)):
        session.delete(visit)  # only the visits the test adds
    session.flush()
    return int(plan.id or 0)


@pytest.mark.parametrize("several", [0, 2, 5])
def test_the_first_page_is_the_whole_ranking_cut(
    session: Session, factory: Factory, several: int
) -> None:
    worker = factory.user()
    staff = factory.user(UserRole.staff)
    for signs in ["amr", "am", "ar", "mr", "a", "m", "r", "a", ""][: 4 + several]:
        _with_signs(session, factory, worker, signs)
    today = date(2026, 3, 20)
    for actor in (staff, worker):
        whole = risk_overview(session, actor=actor, today=today)
        assert [len(item.reasons) for item in whole.items] == sorted(
            (len(item.reasons) for item in whole.items), reverse=True
        )
        for limit in range(1, len(whole.items) + 2):
            page = risk_overview(session, actor=actor, today=today, limit=limit)
            assert page.items == whole.items[:limit]
            assert page.total == whole.total == len(whole.items)
