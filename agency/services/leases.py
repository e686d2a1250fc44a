"""Leases: created from a match that both the landlord and the household accepted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlmodel import Session

from agency.enums import DepositPayer, FlatStatus, HouseholdStatus, LeaseModel, MatchStatus
from agency.errors import InvalidInput
from agency.models import Flat, Household, Landlord, Lease, User
from agency.services.matches import (
    Locked,
    address_of,
    household_ref,
    landlord_recipients,
    require,
    user_of,
)
from agency.services.status import change_status
from notifications.service import Recipient, notify

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
