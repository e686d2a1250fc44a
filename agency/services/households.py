"""Households in housing need: registration with consent, changes, closing, lists, detail.

Who may see a household: its own organisation's social workers, and agency staff and admins.
Everyone else is told it does not exist (NotFound), never that it is someone else's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import Select
from sqlmodel import Session, col, select

from agency.enums import (
    AuditAction,
    EthosCategory,
    HouseholdCloseReason,
    HouseholdStatus,
    MemberKind,
    UserRole,
)
from agency.errors import Conflict, InvalidInput, NotFound
from agency.models import (
    Household,
    HouseholdArea,
    HouseholdMember,
    Municipality,
    User,
)
from agency.models.base import utcnow
from agency.services.audit import record_audit
from agency.services.status import change_status

ENTITY = "household"
STAFF_ROLES = frozenset({UserRole.staff, UserRole.admin})
WORKER_ROLES = frozenset({UserRole.social_worker, UserRole.staff, UserRole.admin})
MAX_ROOMS = 10
MAX_MEMBERS = 12
MAX_DISTANCE_KM = 300
MONEY_MAX = 10_000_000

AnySelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class MemberInput:
    kind: MemberKind
    birth_year: int | None = None


@dataclass(frozen=True)
class HouseholdInput:
    """A household's details as a social worker records them (codes already resolved)."""

    reference_name: str
    social_worker_id: int
    members: tuple[MemberInput, ...]
    monthly_income: int
    max_housing_cost: int
    ethos_category: EthosCategory
    urgency: int
    reference_phone: str | None = None
    reference_email: str | None = None
    housing_allowance: int = 0
    housing_supplement: int = 0
    deposit_available: int = 0
    municipality_codes: tuple[int, ...] = ()
    orp_codes: tuple[int, ...] = ()
    anchor_municipality_code: int | None = None
    anchor_label: str | None = None
    max_distance_km: int | None = None
    needs_step_free: bool = False
    needs_ground_floor: bool = False
    has_pets: bool = False
    min_rooms: int = 1
    urgency_reasons: str | None = None
    eviction_date: date | None = None
    move_in_by: date | None = None
    notes: str | None = None


@dataclass(frozen=True)
class ConsentInput:
    given: bool
    on: date
    scope: str


# --- who sees what -------------------------------------------------------------------------


def is_staff(actor: User) -> bool:
    return actor.role in STAFF_ROLES


def visible_to(
    actor: User, organisation: Any = Household.organisation_id
) -> sa.ColumnElement[bool]:
    """The SQL condition for the households `actor` works with; on a lease or a match, which
    carry a copy of their household's organisation, without joining the household."""
    if is_staff(actor):
        return sa.true()
    if actor.role == UserRole.social_worker and actor.organisation_id is not None:
        return col(organisation) == actor.organisation_id
    return sa.false()


def get_household(session: Session, *, actor: User, household_id: int) -> Household:
    """The household if `actor` works with it, else NotFound (whether or not it exists)."""
    query = select(Household).where(col(Household.id) == household_id, visible_to(actor))
    found = session.exec(query).first()
    if found is None:
        raise NotFound("This household does not exist.")
    return found


def processing_stopped(household: Household) -> bool:
    """Consent withdrawn or data pseudonymised: the household is no longer worked on."""
    return household.consent_withdrawn_on is not None or household.pseudonymised_at is not None


def require_not_pseudonymised(household: Household) -> None:
    """Conflict when the household's personal data were erased: it cannot change any more."""
    if household.pseudonymised_at is not None:
        raise Conflict("This household's data were pseudonymised; it can no longer be changed.")


def require_processing(household: Household) -> None:
    """Conflict when the household's consent was withdrawn or its data pseudonymised."""
    require_not_pseudonymised(household)
    if household.consent_withdrawn_on is not None:
        raise Conflict("The household withdrew its consent; its data are no longer processed.")


def list_workers(session: Session, *, organisation_id: int | None) -> Sequence[User]:
    """Active social workers of the organisation, who may be assigned a household."""
    query = (
        select(User)
        .where(
            col(User.organisation_id) == organisation_id,
            col(User.role) == UserRole.social_worker,
            col(User.active).is_(True),
        )
        .order_by(col(User.name), col(User.id))
    )
    return session.exec(query).all()


# --- checks shared by registration and changes -----------------------------------------------


def _check(session: Session, *, organisation_id: int, data: HouseholdInput) -> None:
    if not data.reference_name.strip():
        raise InvalidInput("Enter the reference person's name.", field="reference_name")
    if len(data.members) > MAX_MEMBERS:
        raise InvalidInput("At most 12 members.", field="members")
    if not any(m.kind == MemberKind.adult for m in data.members):
        raise InvalidInput("The household needs at least one adult.", field="members")
    money = (data.monthly_income, data.housing_allowance, data.housing_supplement)
    if min(*money, data.max_housing_cost, data.deposit_available) < 0:
        raise InvalidInput("Amounts must not be negative.", field="monthly_income")
    if not 1 <= data.urgency <= 5:
        raise InvalidInput("Urgency is from 1 to 5.", field="urgency")
    if not 1 <= data.min_rooms <= MAX_ROOMS:
        raise InvalidInput("Rooms are from 1 to 10.", field="min_rooms")
    _check_area(data)
    _check_worker(session, organisation_id=organisation_id, worker_id=data.social_worker_id)


def _check_area(data: HouseholdInput) -> None:
    anchor = data.anchor_municipality_code is not None
    if anchor != (data.max_distance_km is not None):
        raise InvalidInput(
            "Give both the anchor place and the maximum distance.", field="max_distance_km"
        )
    if data.max_distance_km is not None and not 1 <= data.max_distance_km <= MAX_DISTANCE_KM:
        raise InvalidInput("The distance is from 1 to 300 km.", field="max_distance_km")
    if not (data.municipality_codes or data.orp_codes or anchor):
        raise InvalidInput(
            "Give the acceptable area: municipalities, ORPs or an anchor place.",
            field="municipalities",
        )


def _check_worker(session: Session, *, organisation_id: int, worker_id: int) -> None:
    worker = session.get(User, worker_id)
    if (
        worker is None
        or not worker.active
        or worker.organisation_id != organisation_id
        or worker.role not in WORKER_ROLES
    ):
        raise InvalidInput(
            "Choose a social worker of the household's organisation.", field="social_worker_id"
        )


def _check_codes(session: Session, data: HouseholdInput) -> None:
    codes = set(data.municipality_codes)
    if data.anchor_municipality_code is not None:
        codes.add(data.anchor_municipality_code)
    found = session.execute(
        sa.select(sa.func.count()).where(col(Municipality.code).in_(codes))
    ).scalar_one()
    if found != len(codes):
        raise InvalidInput("No municipality has this code.", field="municipalities")
    orps = set(data.orp_codes)
    known = session.execute(
        sa.select(sa.func.count(sa.distinct(col(Municipality.orp_code)))).where(
            col(Municipality.orp_code).in_(orps)
        )
    ).scalar_one()
    if known != len(orps):
        raise InvalidInput("No ORP has this code.", field="orps")


# --- writing -----------------------------------------------------------------------------------

_DETAIL_FIELDS = tuple(
    name
    for name in HouseholdInput.__dataclass_fields__
    if name not in ("members", "municipality_codes", "orp_codes")
)


def _apply(household: Household, data: HouseholdInput) -> None:
    for name in _DETAIL_FIELDS:
        setattr(household, name, getattr(data, name))


def _replace_parts(session: Session, household_id: int, data: HouseholdInput) -> None:
    """Members (the first adult is the reference member) and the acceptable area."""
    for table in (HouseholdMember, HouseholdArea):
        session.execute(sa.delete(table).where(col(table.household_id) == household_id))
    reference = next(i for i, m in enumerate(data.members) if m.kind == MemberKind.adult)
    for index, member in enumerate(data.members):
        session.add(
            HouseholdMember(
                household_id=household_id,
                kind=member.kind,
                birth_year=member.birth_year,
                is_reference=index == reference,
            )
        )
    for code in dict.fromkeys(data.municipality_codes):
        session.add(HouseholdArea(household_id=household_id, municipality_code=code))
    for orp in dict.fromkeys(data.orp_codes):
        session.add(HouseholdArea(household_id=household_id, orp_code=orp))
    session.flush()


def register_household(
    session: Session, *, actor: User, data: HouseholdInput, consent: ConsentInput, today: date
) -> Household:
    """Register a household with its consent, in `actor`'s organisation; status `registered`."""
    if actor.organisation_id is None:
        raise InvalidInput("Your account belongs to no organisation.", field="social_worker_id")
    if not consent.given:
        raise InvalidInput("The household's consent is required.", field="consent_given")
    if consent.on > today:
        raise InvalidInput("The consent date cannot be in the future.", field="consent_on")
    if not consent.scope.strip():
        raise InvalidInput("Describe the scope of the consent.", field="consent_scope")
    _check(session, organisation_id=actor.organisation_id, data=data)
    _check_codes(session, data)
    household = Household(
        organisation_id=actor.organisation_id,
        registered_on=today,
        consent_on=consent.on,
        consent_scope=consent.scope.strip()[:500],
        consent_recorded_by_id=int(actor.id or 0),
        status=HouseholdStatus.registered,
        status_changed_at=utcnow(),
        **{name: getattr(data, name) for name in _DETAIL_FIELDS},
    )
    session.add(household)
    session.flush()
    _replace_parts(session, int(household.id or 0), data)
    _audit(session, actor, household, AuditAction.create, to_status=household.status)
    return household


def update_household(
    session: Session, *, actor: User, household_id: int, data: HouseholdInput
) -> Household:
    """Change a household's details (not its status); a closed household cannot change."""
    household = get_household(session, actor=actor, household_id=household_id)
    require_not_pseudonymised(household)
    if household.status == HouseholdStatus.closed:
        raise Conflict("A closed household cannot be changed.")
    _check(session, organisation_id=household.organisation_id, data=data)
    _check_codes(session, data)
    _apply(household, data)
    session.add(household)
    session.flush()
    _replace_parts(session, household_id, data)
    _audit(session, actor, household, AuditAction.update)
    return household


def queue_household(session: Session, *, actor: User, household_id: int) -> Household:
    """Move a registered household among those waiting for a flat."""
    household = get_household(session, actor=actor, household_id=household_id)
    require_processing(household)
    if household.status != HouseholdStatus.registered:
        raise Conflict("Only a registered household can be put on the waiting list.")
    change_status(session, household, HouseholdStatus.waiting, entity=ENTITY, actor_id=actor.id)
    return household


def close_household(
    session: Session,
    *,
    actor: User,
    household_id: int,
    reason: HouseholdCloseReason,
    note: str | None = None,
) -> Household:
    """Close a household for `reason` (audited with the note); a consent withdrawal is dated."""
    household = get_household(session, actor=actor, household_id=household_id)
    require_not_pseudonymised(household)
    if household.status == HouseholdStatus.closed:
        raise Conflict("This household is closed already.")
    now = utcnow()
    household.close_reason = reason
    household.closed_at = now
    if reason == HouseholdCloseReason.consent_withdrawn:
        household.consent_withdrawn_on = now.date()
    text = reason.value + (f": {note.strip()}" if note and note.strip() else "")
    change_status(
        session,
        household,
        HouseholdStatus.closed,
        entity=ENTITY,
        actor_id=actor.id,
        reason=text[:2000],
        now=now,
    )
    return household


def record_view(session: Session, *, actor: User, household: Household) -> None:
    """Note that `actor` opened the household's personal data."""
    _audit(session, actor, household, AuditAction.view)


def _audit(
    session: Session,
    actor: User,
    household: Household,
    action: AuditAction,
    *,
    to_status: str | None = None,
) -> None:
    record_audit(
        session,
        actor_id=actor.id,
        action=action,
        entity=ENTITY,
        entity_id=int(household.id or 0),
        to_status=to_status,
    )
    session.flush()
