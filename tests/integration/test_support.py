"""Support plans and visits, the tenancy-risk flag, the engine's structural barriers."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlmodel import Session, col, select

from agency.enums import FlatStatus, HouseholdStatus, MatchingScope, RiskLevel, UserRole, VisitKind
from agency.errors import InvalidInput, NotFound
from agency.models import Barrier, BarrierCategory, Lease, MatchingRun, SupportVisit, User
from agency.services.rent import charge_rent, record_payment
from agency.services.risk import households_at_risk
from agency.services.support import (
    VisitRecord,
    calendar_overview,
    check_steps,
    default_template,
    generate_schedule,
    overdue_overview,
    record_visit,
    save_template,
    visit_calendar,
)
from agency.services.taxonomy import record_run_barriers
from tests.factories import Factory
from tests.integration.test_rent import NOW


def _lease(factory: Factory, worker: User, **values: object) -> Lease:
    flat = factory.flat(FlatStatus.let)
    household = factory.household(HouseholdStatus.housed, social_worker=worker)
    return factory.lease(flat, household, **values)


def _planned(session: Session, lease: Lease) -> list[date]:
    query = select(SupportVisit.planned_on).where(SupportVisit.household_id == lease.household_id)
    return list(session.exec(query.order_by(col(SupportVisit.planned_on))).all())


def test_default_schedule_weekly_fortnightly_monthly_quarterly(
    session: Session, factory: Factory
) -> None:
    lease = _lease(factory, factory.user(), start_date=date(2026, 1, 1), end_date=None)
    generate_schedule(session, lease=lease, template=default_template(session))
    days = _planned(session, lease)
    gaps = [(b - a).days for a, b in zip([lease.start_date, *days], days, strict=False)]
    assert days[:4] == [date(2026, 1, 8), date(2026, 1, 15), date(2026, 1, 22), date(2026, 1, 29)]
    assert set(gaps[:4]) == {7}
    in_months_2_3 = [d for d in days if date(2026, 2, 1) <= d < date(2026, 4, 1)]
    assert len(in_months_2_3) == 4  # fortnightly
    in_months_4_12 = [d for d in days if date(2026, 4, 1) <= d < date(2027, 1, 1)]
    assert 8 <= len(in_months_4_12) <= 10  # monthly
    after = [d for d in days if d >= date(2027, 1, 15)]
    assert after and {(b - a).days for a, b in itertools.pairwise(after)} == {91}
    # A second call keeps the one plan.
    generate_schedule(session, lease=lease, template=default_template(session))
    assert len(_planned(session, lease)) == len(days)


def test_a_fixed_term_ends_the_schedule(session: Session, factory: Factory) -> None:
    lease = _lease(factory, factory.user(), start_date=date(2026, 1, 1), end_date=date(2026, 3, 31))
    generate_schedule(session, lease=lease, template=default_template(session))
    assert max(_planned(session, lease)) <= date(2026, 3, 31)


def test_templates_are_checked(session: Session) -> None:
    with pytest.raises(InvalidInput):
        check_steps([(3, 14), (2, 7)])
    with pytest.raises(InvalidInput):
        check_steps([])
    template = save_template(
        session, template_id=None, name="Intenzivní", steps=[(2, 3), (6, 7)], is_default=True
    )
    assert default_template(session).id == template.id
    assert template.steps == [
        {"until_month": 2, "every_days": 3},
        {"until_month": 6, "every_days": 7},
    ]


def test_calendar_and_recording_a_visit(session: Session, factory: Factory) -> None:
    worker, colleague = factory.user(), factory.user()
    lease = _lease(factory, worker, start_date=date(2026, 1, 1))
    generate_schedule(session, lease=lease, template=default_template(session))
    _lease(factory, colleague, start_date=date(2026, 1, 1))
    today = date(2026, 1, 20)
    calendar = visit_calendar(session, actor=worker, today=today)
    assert [i.visit.planned_on for i in calendar.overdue] == [date(2026, 1, 8), date(2026, 1, 15)]
    assert [i.visit.planned_on for i in calendar.this_week] == [date(2026, 1, 22)]
    assert visit_calendar(session, actor=colleague, today=today).overdue == []
    visit = calendar.overdue[0].visit
    data = VisitRecord(
        kind=VisitKind.home, topics=("debts", "rent"), risk=RiskLevel.amber, done_on=today
    )
    record_visit(session, actor=worker, visit_id=visit.id, data=data, today=today)
    recorded = session.get(SupportVisit, visit.id)
    assert recorded is not None
    assert (recorded.done_on, recorded.topics) == (today, ["rent", "debts"])
    future = VisitRecord(
        kind=VisitKind.phone, topics=(), risk=RiskLevel.green, done_on=date(2026, 2, 1)
    )
    with pytest.raises(InvalidInput):
        record_visit(session, actor=worker, visit_id=visit.id, data=future, today=today)
    other_org = Factory(session).user()
    with pytest.raises(NotFound):
        record_visit(session, actor=other_org, visit_id=visit.id, data=data, today=today)


def test_risk_flag_reasons(session: Session, factory: Factory) -> None:
    worker = factory.user()
    staff = factory.user(UserRole.staff)
    owing = _lease(factory, worker, start_date=date(2026, 1, 1))
    paying = _lease(factory, worker, start_date=date(2026, 1, 1))
    for month in (1, 2):
        charge_rent(session, month=date(2026, month, 1), now=NOW)
    for lease in (paying, owing):
        record_payment(session, lease=lease, amount=11500, paid_on=date(2026, 1, 4), reference=None)
    record_payment(session, lease=paying, amount=11500, paid_on=date(2026, 2, 4), reference=None)
    generate_schedule(session, lease=paying, template=default_template(session))
    today = date(2026, 2, 20)
    # One month owed is not yet a flag; paying's January visits are overdue > 14 days.
    flagged = {
        i.household_id: i.reasons for i in households_at_risk(session, actor=worker, today=today)
    }
    assert flagged == {paying.household_id: ["missed_visits"]}
    charge_rent(session, month=date(2026, 3, 1), now=NOW)
    visit = session.exec(
        select(SupportVisit).where(SupportVisit.household_id == owing.household_id)
    ).first()
    assert visit is None
    later = date(2026, 3, 6)
    for item in session.exec(
        select(SupportVisit).where(SupportVisit.household_id == paying.household_id)
    ):
        if item.planned_on < later:
            item.done_on, item.risk = item.planned_on, RiskLevel.green
    last = session.exec(
        select(SupportVisit)
        .where(SupportVisit.household_id == paying.household_id, SupportVisit.planned_on < later)
        .order_by(col(SupportVisit.planned_on).desc())
    ).first()
    assert last is not None
    last.risk = RiskLevel.red
    session.flush()
    flagged = {
        i.household_id: i.reasons for i in households_at_risk(session, actor=staff, today=later)
    }
    assert flagged[owing.household_id] == ["arrears"]
    assert flagged[paying.household_id] == ["red_visit"]
    assert households_at_risk(session, actor=Factory(session).user(), today=later) == []


def test_run_barriers_once_per_household(session: Session, factory: Factory) -> None:
    poor, big, outranked = (factory.household() for _ in range(3))
    unmatched = [
        {
            "household_id": poor.id,
            "compatible_flats": 0,
            "excluded_by": {"budget": 3, "size": 1},
            "near_misses": [{"flat_id": 1, "constraint": "budget"}],
        },
        {
            "household_id": big.id,
            "compatible_flats": 0,
            "excluded_by": {"size": 4, "location": 2},
            "near_misses": [],
        },
        {"household_id": outranked.id, "compatible_flats": 2, "excluded_by": {}, "near_misses": []},
    ]
    run = MatchingRun(scope=MatchingScope.all, explanations={"unmatched": unmatched, "stats": {}})
    session.add(run)
    session.flush()
    assert record_run_barriers(session, run_id=run.id or 0, observed_on=date(2026, 3, 1)) == 2
    assert record_run_barriers(session, run_id=run.id or 0, observed_on=date(2026, 3, 2)) == 0
    found = session.exec(
        select(Barrier.household_id, BarrierCategory.code).join(BarrierCategory)
    ).all()
    assert sorted(found) == sorted(
        [(poor.id, "rent_unaffordable"), (big.id, "household_too_large")]
    )
    with pytest.raises(NotFound):
        record_run_barriers(session, run_id=2**31 - 1, observed_on=date(2026, 3, 1))


def test_the_calendar_overview_shows_the_first_visits_and_counts_them_all(
    session: Session, factory: Factory
) -> None:
    """Each part keeps the calendar's order and is cut at the limit; its total is the true
    size, the same as the whole list (social worker: own visits; staff: everyone's)."""
    worker, colleague = factory.user(), factory.user()
    staff = factory.user(UserRole.staff)
    for owner in (worker, worker, colleague):
        lease = _lease(factory, owner, start_date=date(2026, 1, 1))
        generate_schedule(session, lease=lease, template=default_template(session))
    today = date(2026, 3, 2)
    for actor in (worker, colleague, staff):
        full = visit_calendar(session, actor=actor, today=today)
        cut = calendar_overview(session, actor=actor, today=today, limit=3)
        for part in ("overdue", "this_week", "upcoming"):
            whole, section = getattr(full, part), getattr(cut, part)
            assert section.total == len(whole), (actor.role, part)
            assert [i.visit.id for i in section.items] == [i.visit.id for i in whole[:3]]
        overdue = overdue_overview(session, actor=actor, today=today, limit=3)
        assert overdue.total == len(full.overdue) > 3
        assert [i.visit.id for i in overdue.items] == [i.visit.id for i in full.overdue[:3]]
    mine = calendar_overview(session, actor=worker, today=today, limit=3).overdue.total
    theirs = calendar_overview(session, actor=colleague, today=today, limit=3).overdue.total
    everyone = calendar_overview(session, actor=staff, today=today, limit=3).overdue.total
    assert mine == 2 * theirs and everyone == mine + theirs
    # The statements are built once; the day is a parameter of each call.
    later = date(2026, 6, 1)
    overdue_later = calendar_overview(session, actor=worker, today=later, limit=3).overdue
    assert overdue_later.total == len(visit_calendar(session, actor=worker, today=later).overdue)
    assert overdue_later.total > mine
