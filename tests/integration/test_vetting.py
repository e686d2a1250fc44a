"""The vetting service: decisions, status changes, barriers, the landlord's email."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from agency.enums import (
    BarrierSource,
    BarrierStage,
    FlatStatus,
    UserRole,
    VettingDecision,
    VettingRejection,
)
from agency.errors import Conflict, InvalidInput, NotFound
from agency.models import AuditEntry, Barrier, BarrierCategory
from agency.services.barriers import record_barrier
from agency.services.vetting import VettingInput, record_vetting, start_vetting
from notifications.models import Notification, OutboxMessage
from tests.factories import Factory


def decision(
    approved: bool = True,
    reason: VettingRejection | None = None,
    occupants: int | None = 4,
) -> VettingInput:
    return VettingInput(
        inspection_date=date(2026, 11, 20),
        ownership_checked=True,
        condition_ok=True,
        gas_safety_ok=True,
        electrical_safety_ok=True,
        rent_within_cap=approved,
        energy_costs_realistic=True,
        decision=VettingDecision.approved if approved else VettingDecision.rejected,
        rejection_reason=reason,
        reasons="Prohlídka proběhla.",
        max_occupants=occupants,
    )


def barrier_codes(session: Session) -> list[str]:
    query = sa.select(BarrierCategory.code).join(Barrier)
    return list(session.execute(query).scalars())


def test_approval_from_submitted_passes_through_vetting(session: Session, factory: Factory) -> None:
    inspector = factory.user(UserRole.staff)
    flat = factory.flat(FlatStatus.submitted, max_occupants=None)
    vetting = record_vetting(
        session, flat_id=int(flat.id or 0), inspector_id=int(inspector.id or 0), data=decision()
    )
    assert flat.status == FlatStatus.available and flat.max_occupants == 4
    assert vetting.id is not None and vetting.decision == VettingDecision.approved
    audits = session.exec(select(AuditEntry).where(AuditEntry.entity_id == flat.id)).all()
    assert [a.to_status for a in audits] == ["vetting", "available"]
    assert {a.actor_id for a in audits} == {inspector.id}
    mail = session.exec(select(OutboxMessage)).one()
    assert mail.event_key == f"vetting_result:{vetting.id}" and mail.context["max_occupants"] == 4
    assert barrier_codes(session) == []


def test_landlord_with_a_login_also_sees_it_in_the_app(session: Session, factory: Factory) -> None:
    landlord = factory.landlord(preferred_language="en")
    account = factory.user(UserRole.landlord, landlord_id=landlord.id, email=landlord.email)
    flat = factory.flat(FlatStatus.vetting, landlord_id=landlord.id)
    inspector = factory.user(UserRole.staff)
    record_vetting(
        session, flat_id=int(flat.id or 0), inspector_id=int(inspector.id or 0), data=decision()
    )
    mail = session.exec(select(OutboxMessage)).one()
    assert mail.recipient == landlord.email and mail.language == "en"
    assert mail.user_id == account.id
    assert session.exec(select(Notification)).one().user_id == account.id


@pytest.mark.parametrize(
    ("reason", "category"),
    [
        (VettingRejection.rent_above_cap, "rent_unaffordable"),
        (VettingRejection.landlord_conditions, "landlord_conditions"),
        (VettingRejection.condition, "flat_defects"),
        (VettingRejection.safety, "flat_defects"),
        (VettingRejection.ownership, None),
        (VettingRejection.other, None),
    ],
)
def test_rejection_records_supply_barriers(
    session: Session, factory: Factory, reason: VettingRejection, category: str | None
) -> None:
    inspector = factory.user(UserRole.staff)
    flat = factory.flat(FlatStatus.vetting)
    record_vetting(
        session,
        flat_id=int(flat.id or 0),
        inspector_id=int(inspector.id or 0),
        data=decision(approved=False, reason=reason, occupants=7),
    )
    assert flat.status == FlatStatus.rejected and flat.max_occupants == 4  # unchanged
    assert barrier_codes(session) == ([category] if category else [])
    if category:
        barrier = session.exec(select(Barrier)).one()
        assert (barrier.stage, barrier.source) == (BarrierStage.access, BarrierSource.vetting)
        assert barrier.orp_code == 3209 and barrier.observed_on == date(2026, 11, 20)
        assert barrier.flat_id == flat.id and barrier.landlord_id == flat.landlord_id


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (decision(approved=False, reason=None), "rejection_reason"),
        (decision(occupants=None), "max_occupants"),
        (decision(occupants=0), "max_occupants"),
        (decision(occupants=21), "max_occupants"),
    ],
)
def test_incomplete_decisions_are_refused(
    session: Session, factory: Factory, data: VettingInput, field: str
) -> None:
    flat = factory.flat(FlatStatus.vetting)
    with pytest.raises(InvalidInput) as caught:
        record_vetting(session, flat_id=int(flat.id or 0), inspector_id=1, data=data)
    assert caught.value.field == field and flat.status == FlatStatus.vetting


@pytest.mark.parametrize(
    "status", [FlatStatus.available, FlatStatus.rejected, FlatStatus.let, FlatStatus.withdrawn]
)
def test_only_submitted_or_vetting_flats_are_vetted(
    session: Session, factory: Factory, status: FlatStatus
) -> None:
    inspector = factory.user(UserRole.staff)
    flat = factory.flat(status)
    with pytest.raises(Conflict):
        record_vetting(
            session, flat_id=int(flat.id or 0), inspector_id=int(inspector.id or 0), data=decision()
        )
    with pytest.raises(Conflict):
        start_vetting(session, flat_id=int(flat.id or 0), actor_id=int(inspector.id or 0))
    assert session.exec(select(OutboxMessage)).first() is None


def test_start_vetting(session: Session, factory: Factory) -> None:
    inspector = factory.user(UserRole.staff)
    flat = factory.flat(FlatStatus.submitted)
    start_vetting(session, flat_id=int(flat.id or 0), actor_id=int(inspector.id or 0))
    start_vetting(session, flat_id=int(flat.id or 0), actor_id=int(inspector.id or 0))
    assert flat.status == FlatStatus.vetting
    assert len(session.exec(select(AuditEntry)).all()) == 1
    with pytest.raises(NotFound):
        start_vetting(session, flat_id=987654, actor_id=1)


def test_record_barrier_needs_a_known_category(session: Session, factory: Factory) -> None:
    flat = factory.flat()
    barrier = record_barrier(
        session,
        category_code="flat_defects",
        stage=BarrierStage.access,
        source=BarrierSource.social_worker,
        observed_on=date(2026, 5, 1),
        flat_id=flat.id,
        note="x" * 3000,
    )
    assert barrier.id is not None and barrier.note is not None and len(barrier.note) == 2000
    with pytest.raises(InvalidInput):
        record_barrier(
            session,
            category_code="no_such_thing",
            stage=BarrierStage.access,
            source=BarrierSource.vetting,
            observed_on=date(2026, 5, 1),
        )
