"""Leases: created from a match that both the landlord and the household accepted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from agency.enums import (
    AuditAction,
    BarrierSource,
    BarrierStage,
    DepositPayer,
    FlatStatus,
    HouseholdCloseReason,
    HouseholdStatus,
    LeaseEndReason,
    LeaseModel,
    LeaseStatus,
    MatchStatus,
)
from agency.errors import Conflict, InvalidInput, NotFound
from agency.models import (
    AuditEntry,
    Flat,
    GuaranteeClaim,
    Household,
    Landlord,
    Lease,
    LeaseRenewal,
    Municipality,
    RentCharge,
    RentPayment,
    User,
)
from agency.models.base import utcnow
from agency.services import rent
from agency.services.audit import record_audit
from agency.services.barriers import record_barrier
from agency.services.households import visible_to
from agency.services.matches import (
    Locked,
    address_of,
    household_ref,
    landlord_recipients,
    require,
    user_of,
)
from agency.services.status import change_status
from agency.services.support import default_template, generate_schedule
from notifications.service import Recipient, notify

ENTITY = "lease"
DEFAULT_TERM_MONTHS = 12
DEFAULT_GUARANTEE = (
    "Agentura ručí pronajímateli za nájemné a škody po celou dobu nájmu "
    "a domácnost podporuje sociální pracovník."
)


@dataclass(frozen=True)
class LeaseTerms:
    """What a new lease says; `default_terms` fills it from the flat and household."""

    model: LeaseModel
    start_date: date
    end_date: date
    rent: int
    services: int
    deposit: int
    deposit_paid_by: DepositPayer
    guarantee_terms: str


def _first_of_next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _months_later(start: date, months: int) -> date:
    """The day before the same day `months` later (a fixed term of whole months)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, 28)) - timedelta(days=1)


def default_terms(flat: Flat, household: Household, *, today: date) -> LeaseTerms:
    """A direct lease with the agency's guarantee for 12 months from the first of the next
    month (not before the flat is available), at the flat's rent; the agency's deposit
    fund pays the deposit when the household cannot."""
    start = max(_first_of_next_month(today), flat.available_from)
    payer = (
        DepositPayer.household
        if household.deposit_available >= flat.deposit
        else DepositPayer.agency_fund
    )
    return LeaseTerms(
        model=LeaseModel.direct,
        start_date=start,
        end_date=_months_later(start, DEFAULT_TERM_MONTHS),
        rent=flat.rent,
        services=flat.services,
        deposit=flat.deposit,
        deposit_paid_by=payer,
        guarantee_terms=DEFAULT_GUARANTEE,
    )


def check_terms(terms: LeaseTerms) -> LeaseTerms:
    """The terms, or InvalidInput naming the field that is wrong."""
    if terms.end_date <= terms.start_date:
        raise InvalidInput("The lease must end after it starts.", field="end_date")
    for name in ("rent", "services", "deposit"):
        if getattr(terms, name) < 0:
            raise InvalidInput("Amounts must not be negative.", field=name)
    return replace(terms, guarantee_terms=terms.guarantee_terms.strip()[:2000])


def create_lease(
    session: Session,
    *,
    locked: Locked,
    actor_id: int | None,
    now: datetime,
    terms: LeaseTerms | None = None,
) -> Lease:
    """The lease of an accepted match: the match becomes `leased`, the flat `let` and the
    household `housed`; the social worker and the landlord are told when it starts."""
    match, flat, household = locked.match, locked.flat, locked.household
    require(match.status == MatchStatus.accepted, "Only an accepted offer becomes a lease.")
    chosen = check_terms(terms or default_terms(flat, household, today=now.date()))
    lease = Lease(
        flat_id=flat.id or 0,
        household_id=household.id or 0,
        match_id=match.id,
        model=chosen.model,
        start_date=chosen.start_date,
        end_date=chosen.end_date,
        rent=chosen.rent,
        services=chosen.services,
        deposit=chosen.deposit,
        deposit_paid_by=chosen.deposit_paid_by,
        guarantee_terms=chosen.guarantee_terms or None,
        created_at=now,
    )
    session.add(lease)
    session.flush()
    for record, target, entity in (
        (match, MatchStatus.leased, "match"),
        (flat, FlatStatus.let, "flat"),
        (household, HouseholdStatus.housed, "household"),
    ):
        change_status(session, record, target, entity=entity, actor_id=actor_id, now=now)
    start_support(session, lease)
    _notify_lease(session, locked, lease, now)
    return lease


def _notify_lease(session: Session, locked: Locked, lease: Lease, now: datetime) -> None:
    landlord = session.get(Landlord, locked.flat.landlord_id)
    assert landlord is not None  # a foreign key
    context = {
        "household_ref": household_ref(locked.household.id or 0),
        "address": address_of(session, locked.flat),
        "start_date": lease.start_date,
        "rent": lease.rent,
    }
    audiences: list[tuple[Sequence[User | Recipient], str]] = [
        (user_of(session, locked.household.social_worker_id), f"/offers/{locked.match.id}"),
        (
            landlord_recipients(session, landlord) if landlord else [],
            f"/portal/offers/{locked.match.id}",
        ),
    ]
    for recipients, link in audiences:
        notify(
            session,
            kind="lease_starts",
            event_key=f"lease_starts:{lease.id}",
            recipients=recipients,
            context=context,
            link=link,
            now=now,
        )


# --- after the move: the schedule, listing, renewal and ending ---------------------------


def start_support(session: Session, lease: Lease) -> None:
    """The new lease's visit schedule from the default plan template (when one exists)."""
    try:
        template = default_template(session)
    except NotFound:
        return  # no template configured: the plan can be made later
    generate_schedule(session, lease=lease, template=template)


ENDING_SOON_DAYS = 60
FAILED_ENDS: dict[LeaseEndReason, str] = {
    LeaseEndReason.landlord_arrears: "rent_arrears",
    LeaseEndReason.landlord_damage: "flat_defects",
    LeaseEndReason.landlord_conflict: "neighbours_conflict",
}


@dataclass(frozen=True)
class LeaseFilters:
    ending_soon: bool = False
    in_arrears: bool = False
    orp_code: int | None = None
    status: LeaseStatus | None = LeaseStatus.active


@dataclass(frozen=True)
class LeaseRow:
    lease: Lease
    household_name: str
    street: str
    municipality: str
    orp_code: int
    arrears: int


def _rows_query(today: date) -> rent.AnySelect:
    # Arrears per lease of the page only (two indexed sums per row), not over every lease.
    return (
        sa.select(
            Lease,
            col(Household.reference_name),
            col(Flat.street),
            col(Municipality.name),
            col(Municipality.orp_code),
            rent.arrears_column(today),
        )
        .join(Household, col(Household.id) == col(Lease.household_id))
        .join(Flat, col(Flat.id) == col(Lease.flat_id))
        .join(Municipality, col(Municipality.code) == col(Flat.municipality_code))
    )


def _filtered(
    query: rent.AnySelect, actor: User, filters: LeaseFilters, today: date
) -> rent.AnySelect:
    """`query` over Lease narrowed to what `actor` sees and `filters` ask, with only the
    joins those need: none for visibility (a lease carries its household's organisation),
    the flat's municipality for the ORP."""
    query = query.where(visible_to(actor, Lease.organisation_id))
    if filters.status is not None:
        query = query.where(col(Lease.status) == filters.status)
    if filters.ending_soon:
        soon = today + timedelta(days=ENDING_SOON_DAYS)
        query = query.where(col(Lease.end_date) >= today, col(Lease.end_date) <= soon)
    if filters.in_arrears:
        query, owed = rent.arrears_stored(query, today)
        query = query.where(rent.owing_more_than(owed, 0))
    if filters.orp_code is not None:
        query = query.join(Flat, col(Flat.id) == col(Lease.flat_id)).join(
            Municipality, col(Municipality.code) == col(Flat.municipality_code)
        )
        query = query.where(col(Municipality.orp_code) == filters.orp_code)
    return query


ORDER = (col(Lease.end_date), col(Lease.id))


def list_leases(
    session: Session, *, actor: User, filters: LeaseFilters, today: date, page: int, per_page: int
) -> tuple[list[LeaseRow], int]:
    """One page of the leases `actor` may see, with arrears, and the total (three queries:
    the page's lease ids and the total from `lease` with only the joins the filters need,
    then the joined rows of those ids)."""
    keys = _filtered(sa.select(col(Lease.id)), actor, filters, today)
    page_ids = keys.order_by(*ORDER).limit(per_page).offset((page - 1) * per_page)
    ids = list(session.execute(page_ids).scalars())
    counted = _filtered(sa.select(sa.func.count()).select_from(Lease), actor, filters, today)
    total = session.execute(counted).scalar_one()
    if not ids:
        return [], int(total)
    rows = session.execute(_rows_query(today).where(col(Lease.id).in_(ids)).order_by(*ORDER))
    return [LeaseRow(*row) for row in rows.all()], int(total)


def get_lease(session: Session, *, actor: User, lease_id: int) -> Lease:
    """The lease if `actor` works with its household, else NotFound."""
    query = (
        select(Lease)
        .join(Household, col(Household.id) == col(Lease.household_id))
        .where(col(Lease.id) == lease_id, visible_to(actor))
    )
    found = session.exec(query).first()
    if found is None:
        raise NotFound("This lease does not exist.")
    return found


@dataclass(frozen=True)
class LeaseDetail:
    row: LeaseRow
    renewals: list[LeaseRenewal]
    history: list[AuditEntry]
    charges: list[RentCharge]
    payments: list[RentPayment]
    claims: list[GuaranteeClaim]


def lease_detail(session: Session, *, actor: User, lease_id: int, today: date) -> LeaseDetail:
    """The lease with its renewals, audit history and ledger (a fixed number of queries)."""
    get_lease(session, actor=actor, lease_id=lease_id)
    query = _rows_query(today).where(col(Lease.id) == lease_id)
    row = LeaseRow(*session.execute(query).one())
    renewals = select(LeaseRenewal).where(LeaseRenewal.lease_id == lease_id)
    history = select(AuditEntry).where(
        AuditEntry.entity == ENTITY, AuditEntry.entity_id == lease_id
    )
    charges, payments, claims = rent.lease_ledger(session, lease_id=lease_id)
    return LeaseDetail(
        row=row,
        renewals=list(session.exec(renewals.order_by(col(LeaseRenewal.id).desc())).all()),
        history=list(session.exec(history.order_by(col(AuditEntry.id).desc())).all()),
        charges=charges,
        payments=payments,
        claims=claims,
    )


def renew_lease(session: Session, *, actor: User, lease_id: int, new_end: date) -> LeaseRenewal:
    """Extend an active lease to `new_end` (after the current end), recorded and audited."""
    lease = get_lease(session, actor=actor, lease_id=lease_id)
    if lease.status != LeaseStatus.active:
        raise Conflict("Only an active lease can be renewed.")
    current = lease.end_date or lease.start_date
    if new_end <= current:
        raise InvalidInput("The new end must be after the current end.", field="new_end")
    renewal = LeaseRenewal(
        lease_id=lease_id, previous_end=lease.end_date, new_end=new_end, renewed_by_id=actor.id
    )
    lease.end_date = new_end
    session.add_all([lease, renewal])
    session.flush()
    record_audit(
        session,
        actor_id=actor.id,
        action=AuditAction.update,
        entity=ENTITY,
        entity_id=lease_id,
        reason="renewal",
        details={"previous_end": str(renewal.previous_end), "new_end": str(new_end)},
    )
    return renewal


@dataclass(frozen=True)
class LeaseEnding:
    reason: LeaseEndReason
    ended_on: date
    household_next: HouseholdStatus  # waiting (the need remains) or closed
    flat_next: FlatStatus  # available or withdrawn
    note: str | None = None


def end_lease(session: Session, *, actor: User, lease_id: int, ending: LeaseEnding) -> Lease:
    """End an active lease for a reason: the household back to waiting or closed, the flat
    back to available or withdrawn; a failed tenancy is also a `sustain` barrier."""
    lease = get_lease(session, actor=actor, lease_id=lease_id)
    if lease.status != LeaseStatus.active:
        raise Conflict("This lease has ended already.")
    _check_ending(lease, ending)
    note = (ending.note or "").strip()[:2000] or None
    lease.status, lease.end_reason = LeaseStatus.ended, ending.reason
    lease.ended_on, lease.end_note = ending.ended_on, note
    session.add(lease)
    session.flush()
    record_audit(
        session,
        actor_id=actor.id,
        action=AuditAction.status_change,
        entity=ENTITY,
        entity_id=lease_id,
        from_status="active",
        to_status="ended",
        reason=ending.reason.value + (f": {note}" if note else ""),
    )
    _release(session, actor, lease, ending)
    _failure_barrier(session, actor, lease, ending)
    return lease


def _check_ending(lease: Lease, ending: LeaseEnding) -> None:
    if ending.ended_on < lease.start_date:
        raise InvalidInput("The lease cannot end before it started.", field="ended_on")
    if ending.household_next not in (HouseholdStatus.waiting, HouseholdStatus.closed):
        raise InvalidInput("Choose one of the options.", field="household_next")
    if ending.flat_next not in (FlatStatus.available, FlatStatus.withdrawn):
        raise InvalidInput("Choose one of the options.", field="flat_next")


def _release(session: Session, actor: User, lease: Lease, ending: LeaseEnding) -> None:
    household = session.get(Household, lease.household_id)
    flat = session.get(Flat, lease.flat_id)
    assert household is not None and flat is not None  # foreign keys
    reason = f"lease {lease.id} ended: {ending.reason.value}"
    if ending.household_next == HouseholdStatus.closed:
        household.close_reason = _CLOSE_REASONS.get(ending.reason, HouseholdCloseReason.other)
        household.closed_at = utcnow()
    for record, target, entity in (
        (household, ending.household_next, "household"),
        (flat, ending.flat_next, "flat"),
    ):
        change_status(session, record, target, entity=entity, actor_id=actor.id, reason=reason)


_CLOSE_REASONS = {
    LeaseEndReason.moved_on: HouseholdCloseReason.housed_elsewhere,
    LeaseEndReason.regular_end: HouseholdCloseReason.need_ended,
}


def _failure_barrier(session: Session, actor: User, lease: Lease, ending: LeaseEnding) -> None:
    code = FAILED_ENDS.get(ending.reason)
    if code is None:
        return
    flat = session.get(Flat, lease.flat_id)
    orp = session.get(Municipality, flat.municipality_code) if flat else None
    record_barrier(
        session,
        category_code=code,
        stage=BarrierStage.sustain,
        source=BarrierSource.lease_end,
        observed_on=ending.ended_on,
        household_id=lease.household_id,
        flat_id=lease.flat_id,
        landlord_id=flat.landlord_id if flat else None,
        orp_code=orp.orp_code if orp else None,
        note=ending.note,
        recorded_by_id=actor.id,
    )
