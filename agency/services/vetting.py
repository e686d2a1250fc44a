"""Vetting of offered flats: inspection, decision, the landlord told, barriers recorded."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlmodel import Session, select

from agency.enums import (
    BarrierSource,
    BarrierStage,
    FlatStatus,
    VettingDecision,
    VettingRejection,
)
from agency.errors import Conflict, InvalidInput, NotFound
from agency.models import Flat, Landlord, Municipality, User, Vetting
from agency.services.barriers import record_barrier
from agency.services.status import change_status
from notifications.service import Recipient, notify

MAX_OCCUPANTS = 20
VETTABLE = (FlatStatus.submitted, FlatStatus.vetting)

# A rejection for one of these reasons says something about the supply of flats.
BARRIER_OF_REJECTION: dict[VettingRejection, str] = {
    VettingRejection.rent_above_cap: "rent_unaffordable",
    VettingRejection.landlord_conditions: "landlord_conditions",
    VettingRejection.condition: "flat_defects",
    VettingRejection.safety: "flat_defects",
}

NOT_VETTABLE = "Only a flat that is submitted or in vetting can be vetted."
REASON_REQUIRED = "Choose the reason of the rejection."
OCCUPANTS_REQUIRED = "Enter the maximum number of occupants (1 to 20) for an approved flat."
NO_SUCH_FLAT = "This flat does not exist."


@dataclass(frozen=True)
class VettingInput:
    """What the inspector records; the checklist items are True when the check passed."""

    inspection_date: date
    ownership_checked: bool
    condition_ok: bool
    gas_safety_ok: bool
    electrical_safety_ok: bool
    rent_within_cap: bool
    energy_costs_realistic: bool
    decision: VettingDecision
    rejection_reason: VettingRejection | None = None
    reasons: str | None = None
    max_occupants: int | None = None


def check_vetting_input(data: VettingInput) -> None:
    """InvalidInput (with the field) when the decision lacks what it needs."""
    if data.decision == VettingDecision.rejected and data.rejection_reason is None:
        raise InvalidInput(REASON_REQUIRED, field="rejection_reason")
    occupants = data.max_occupants
    if data.decision == VettingDecision.approved and (
        occupants is None or not 1 <= occupants <= MAX_OCCUPANTS
    ):
        raise InvalidInput(OCCUPANTS_REQUIRED, field="max_occupants")


def start_vetting(session: Session, *, flat_id: int, actor_id: int) -> Flat:
    """Move a submitted flat into vetting (a flat already in vetting stays there)."""
    flat = _locked_flat(session, flat_id)
    if flat.status == FlatStatus.vetting:
        return flat
    if flat.status != FlatStatus.submitted:
        raise Conflict(NOT_VETTABLE)
    change_status(session, flat, FlatStatus.vetting, entity="flat", actor_id=actor_id)
    return flat


def record_vetting(
    session: Session, *, flat_id: int, inspector_id: int, data: VettingInput
) -> Vetting:
    """Record the vetting of a submitted or in-vetting flat and apply its decision.

    Approved: the flat becomes available for at most `max_occupants`. Rejected: the flat
    is rejected and, when the reason is a supply problem, a barrier is recorded. Either
    way the landlord is told by email. Flushes, never commits.
    """
    check_vetting_input(data)
    flat = _locked_flat(session, flat_id)
    if flat.status not in VETTABLE:
        raise Conflict(NOT_VETTABLE)
    vetting = Vetting(flat_id=flat_id, inspector_id=inspector_id, **asdict(data))
    if data.decision == VettingDecision.rejected:
        vetting.max_occupants = None
    session.add(vetting)
    session.flush()
    if data.decision == VettingDecision.approved:
        _approve(session, flat, vetting, inspector_id)
    else:
        _reject(session, flat, vetting, inspector_id)
    _tell_landlord(session, flat, vetting)
    return vetting


def _locked_flat(session: Session, flat_id: int) -> Flat:
    # FOR UPDATE on PostgreSQL: two inspectors deciding at once cannot both apply.
    flat = session.get(Flat, flat_id, with_for_update=True)
    if flat is None:
        raise NotFound(NO_SUCH_FLAT)
    return flat


def _approve(session: Session, flat: Flat, vetting: Vetting, actor_id: int) -> None:
    flat.max_occupants = vetting.max_occupants
    if flat.status == FlatStatus.submitted:
        change_status(session, flat, FlatStatus.vetting, entity="flat", actor_id=actor_id)
    change_status(
        session,
        flat,
        FlatStatus.available,
        entity="flat",
        actor_id=actor_id,
        reason=f"vetting {vetting.id} approved",
    )


def _reject(session: Session, flat: Flat, vetting: Vetting, actor_id: int) -> None:
    reason = VettingRejection(vetting.rejection_reason or VettingRejection.other)
    change_status(
        session,
        flat,
        FlatStatus.rejected,
        entity="flat",
        actor_id=actor_id,
        reason=f"vetting {vetting.id} rejected: {reason.value}",
    )
    category = BARRIER_OF_REJECTION.get(reason)
    if category is None:
        return
    municipality = session.get(Municipality, flat.municipality_code)
    record_barrier(
        session,
        category_code=category,
        stage=BarrierStage.access,
        source=BarrierSource.vetting,
        observed_on=vetting.inspection_date,
        flat_id=flat.id,
        landlord_id=flat.landlord_id,
        orp_code=municipality.orp_code if municipality else None,
        note=vetting.reasons,
        recorded_by_id=actor_id,
    )


def flat_address(flat: Flat, municipality: Municipality | None) -> str:
    place = municipality.name if municipality else flat.postcode
    return f"{flat.street}, {place}"


def _landlord_recipient(session: Session, landlord: Landlord) -> Recipient:
    """The landlord's address, tied to their login when they have one (in-app too)."""
    user = session.exec(select(User).where(User.landlord_id == landlord.id)).first()
    user_id = user.id if user is not None and user.active else None
    return Recipient(landlord.email, str(landlord.preferred_language), user_id)


def _tell_landlord(session: Session, flat: Flat, vetting: Vetting) -> None:
    landlord = session.get(Landlord, flat.landlord_id)
    if landlord is None:  # the foreign key makes this impossible; keep mypy honest
        return
    municipality = session.get(Municipality, flat.municipality_code)
    notify(
        session,
        kind="vetting_result",
        event_key=f"vetting_result:{vetting.id}",
        recipients=[_landlord_recipient(session, landlord)],
        context={
            "address": flat_address(flat, municipality),
            "approved": vetting.decision == VettingDecision.approved,
            "reasons": vetting.reasons or "",
            "max_occupants": vetting.max_occupants,
        },
        link=f"/portal/flats/{flat.id}",
    )
