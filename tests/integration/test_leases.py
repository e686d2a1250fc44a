"""Leases after the move: the schedule at the start, listing, renewal, ending."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, col, select

from agency.enums import (
    BarrierSource,
    BarrierStage,
    FlatStatus,
    HouseholdStatus,
    LeaseEndReason,
    LeaseStatus,
    MatchStatus,
    UserRole,
)
from agency.errors import Conflict, InvalidInput, NotFound
from agency.models import (
    AuditEntry,
    Barrier,
    BarrierCategory,
    Flat,
    Household,
    Lease,
    LeaseRenewal,
    Match,
    SupportPlan,
    SupportVisit,
    User,
)
from agency.services.leases import (
    LeaseEnding,
    LeaseFilters,
    create_lease,
    end_lease,
    get_lease,
    lease_detail,
    list_leases,
    renew_lease,
)
from agency.services.matches import Locked
from agency.services.rent import charge_rent
from tests.factories import Factory

NOW = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def _active(factory: Factory, worker: User, **values: object) -> Lease:
    flat = factory.flat(FlatStatus.let)
    household = factory.household(HouseholdStatus.housed, social_worker=worker)
    return factory.lease(flat, household, **values)


def test_a_new_lease_gets_its_visit_schedule(session: Session, factory: Factory) -> None:
    worker = factory.user()
    flat = factory.flat(FlatStatus.offered)
    household = factory.household(HouseholdStatus.offered, social_worker=worker)
    match = Match(
        household_id=household.id,
        flat_id=flat.id,
        proposed_by_id=worker.id,
        status=MatchStatus.accepted,
    )
    session.add(match)
    session.flush()
    lease = create_lease(
        session, locked=Locked(match, flat, household), actor_id=worker.id, now=NOW
    )
    plan = session.exec(select(SupportPlan).where(SupportPlan.lease_id == lease.id)).one()
    visits = session.exec(
        select(SupportVisit)
        .where(SupportVisit.plan_id == plan.id)
        .order_by(col(SupportVisit.planned_on))
    ).all()
    assert lease.start_date == date(2026, 2, 1)
    assert visits[0].planned_on == date(2026, 2, 8)
    assert {v.social_worker_id for v in visits} == {worker.id}
    assert all(v.planned_on <= (lease.end_date or date.max) for v in visits)


def test_social_workers_see_only_their_organisations_leases(
    session: Session, factory: Factory
) -> None:
    worker = factory.user()
    mine = _active(factory, worker)
    other_org = Factory(session)
    theirs = _active(other_org, other_org.user())
    staff = factory.user(UserRole.staff)
    rows, total = list_leases(
        session, actor=worker, filters=LeaseFilters(), today=date(2026, 3, 1), page=1, per_page=50
    )
    assert mine.id in {r.lease.id for r in rows} and theirs.id not in {r.lease.id for r in rows}
    with pytest.raises(NotFound):
        get_lease(session, actor=worker, lease_id=theirs.id or 0)
    assert get_lease(session, actor=staff, lease_id=theirs.id or 0).id == theirs.id
    assert total == len(rows)


def test_filters_ending_soon_and_in_arrears(session: Session, factory: Factory) -> None:
    worker = factory.user()
    soon = _active(factory, worker, end_date=date(2026, 4, 15))
    later = _active(factory, worker)
    charge_rent(session, month=date(2026, 2, 1), now=NOW)

    def ids(**flags: bool) -> set[int | None]:
        rows, _ = list_leases(
            session,
            actor=worker,
            filters=LeaseFilters(**flags),
            today=date(2026, 3, 1),
            page=1,
            per_page=50,
        )
        return {r.lease.id for r in rows}

    assert ids(ending_soon=True) == {soon.id}
    assert ids(in_arrears=True) == {soon.id, later.id}
    detail = lease_detail(session, actor=worker, lease_id=later.id or 0, today=date(2026, 3, 1))
    assert detail.row.arrears == 11500 and len(detail.charges) == 1


def test_renewal_moves_the_end_and_is_recorded(session: Session, factory: Factory) -> None:
    worker = factory.user()
    lease = _active(factory, worker)
    with pytest.raises(InvalidInput):
        renew_lease(session, actor=worker, lease_id=lease.id or 0, new_end=date(2027, 1, 31))
    renewal = renew_lease(session, actor=worker, lease_id=lease.id or 0, new_end=date(2028, 1, 31))
    assert (renewal.previous_end, lease.end_date) == (date(2027, 1, 31), date(2028, 1, 31))
    assert session.exec(select(LeaseRenewal).where(LeaseRenewal.lease_id == lease.id)).one()
    audit = session.exec(select(AuditEntry).where(AuditEntry.entity == "lease")).all()
    assert [a.reason for a in audit if a.entity_id == lease.id] == ["renewal"]


def test_ending_for_arrears_is_a_sustain_barrier(session: Session, factory: Factory) -> None:
    worker = factory.user()
    lease = _active(factory, worker)
    ending = LeaseEnding(
        reason=LeaseEndReason.landlord_arrears,
        ended_on=date(2026, 6, 30),
        household_next=HouseholdStatus.waiting,
        flat_next=FlatStatus.available,
        note="Dluh tři měsíce",
    )
    end_lease(session, actor=worker, lease_id=lease.id or 0, ending=ending)
    assert (lease.status, lease.ended_on) == (LeaseStatus.ended, date(2026, 6, 30))
    assert session.get(Household, lease.household_id).status == HouseholdStatus.waiting  # type: ignore[union-attr]
    assert session.get(Flat, lease.flat_id).status == FlatStatus.available  # type: ignore[union-attr]
    barrier, category = session.exec(
        select(Barrier, BarrierCategory)
        .join(BarrierCategory)
        .where(Barrier.household_id == lease.household_id)
    ).one()
    assert (category.code, barrier.stage, barrier.source) == (
        "rent_arrears",
        BarrierStage.sustain,
        BarrierSource.lease_end,
    )
    with pytest.raises(Conflict):
        end_lease(session, actor=worker, lease_id=lease.id or 0, ending=ending)


def test_a_regular_end_closes_the_household_without_a_barrier(
    session: Session, factory: Factory
) -> None:
    worker = factory.user()
    lease = _active(factory, worker)
    ending = LeaseEnding(
        reason=LeaseEndReason.moved_on,
        ended_on=date(2026, 6, 30),
        household_next=HouseholdStatus.closed,
        flat_next=FlatStatus.withdrawn,
    )
    end_lease(session, actor=worker, lease_id=lease.id or 0, ending=ending)
    household = session.get(Household, lease.household_id)
    assert household is not None and household.status == HouseholdStatus.closed
    assert household.close_reason == "housed_elsewhere"
    assert session.get(Flat, lease.flat_id).status == FlatStatus.withdrawn  # type: ignore[union-attr]
    assert session.exec(select(Barrier).where(Barrier.household_id == household.id)).all() == []


def test_an_ending_before_the_start_is_refused(session: Session, factory: Factory) -> None:
    worker = factory.user()
    lease = _active(factory, worker)
    ending = LeaseEnding(
        reason=LeaseEndReason.other,
        ended_on=date(2025, 12, 1),
        household_next=HouseholdStatus.waiting,
        flat_next=FlatStatus.available,
    )
    with pytest.raises(InvalidInput) as bad:
        end_lease(session, actor=worker, lease_id=lease.id or 0, ending=ending)
    assert bad.value.field == "ended_on" and lease.status == LeaseStatus.active
