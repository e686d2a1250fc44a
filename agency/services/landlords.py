"""Landlords: found by email or created from an offer, their login links, and what the portal
shows them of their own flats (never anyone else's)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from agency.enums import LandlordKind, Language, MatchStatus
from agency.errors import NotFound
from agency.models import (
    AuditEntry,
    Flat,
    GuaranteeClaim,
    HouseholdMember,
    Landlord,
    Lease,
    Match,
    Municipality,
    RentPayment,
    Vetting,
)
from agency.services.gazetteer import get_municipality
from notifications.service import Recipient, notify


@dataclass(frozen=True)
class LandlordDetails:
    """Who offers a flat, as typed in the public form or sent to the API."""

    kind: LandlordKind
    name: str
    email: str
    phone: str | None = None
    company_id: str | None = None
    language: Language = Language.cs


@dataclass(frozen=True)
class MagicLink:
    url: str
    expires_at: datetime


# Signed links are made by the web layer (it holds the secret and the base URL).
LinkMaker = Callable[[int], MagicLink]


def find_landlord(session: Session, *, email: str) -> Landlord | None:
    """The landlord with this email (case-insensitive), or None."""
    query = select(Landlord).where(Landlord.email == email.strip().lower())
    return session.exec(query).first()


def find_or_create_landlord(
    session: Session, *, details: LandlordDetails, now: datetime
) -> Landlord:
    """The landlord with `details.email`, created when new.

    An existing landlord's contact details are not overwritten from a public form (anyone
    may type anyone's email); only a missing consent time is filled in.
    """
    found = find_landlord(session, email=details.email)
    if found is not None:
        if found.terms_consented_at is None:
            found.terms_consented_at = now
            session.add(found)
        return found
    landlord = Landlord(
        kind=details.kind,
        name=details.name,
        company_id=details.company_id if details.kind == LandlordKind.company else None,
        email=details.email.strip().lower(),
        phone=details.phone,
        preferred_language=details.language,
        terms_consented_at=now,
        created_at=now,
    )
    session.add(landlord)
    session.flush()
    return landlord


def send_login_link(session: Session, *, email: str, link: LinkMaker, now: datetime) -> bool:
    """Queue a new login link when `email` belongs to a landlord; at most one per hour.

    Returns whether the address is a landlord's; callers must not reveal it.
    """
    landlord = find_landlord(session, email=email)
    if landlord is None or landlord.id is None:
        return False
    made = link(landlord.id)
    notify(
        session,
        kind="magic_link",
        event_key=f"magic_link:{landlord.id}:{now:%Y-%m-%dT%H}",
        recipients=[Recipient(landlord.email, str(landlord.preferred_language))],
        context={"magic_link_url": made.url, "expires_at": made.expires_at},
        now=now,
    )
    return True


def get_landlord_flat(session: Session, *, landlord_id: int | None, flat_id: int) -> Flat:
    """The landlord's own flat; NotFound for anyone else's (its existence is not revealed)."""
    flat = session.get(Flat, flat_id)
    if flat is None or landlord_id is None or flat.landlord_id != landlord_id:
        raise NotFound("No such flat.")
    return flat


OFFER_STATUSES = (
    MatchStatus.approved,
    MatchStatus.accepted,
    MatchStatus.declined,
    MatchStatus.expired,
    MatchStatus.leased,
)


@dataclass(frozen=True)
class FlatPage:
    rows: list[tuple[Flat, str]]
    total: int
    page: int
    pages: int


def list_landlord_flats(
    session: Session, *, landlord_id: int | None, page: int = 1, per_page: int = 20
) -> FlatPage:
    """The landlord's flats with their municipality names, newest first, one page."""
    where = Flat.landlord_id == (landlord_id or -1)
    total = session.exec(select(sa.func.count()).select_from(Flat).where(where)).one()
    pages = max(1, -(-int(total) // per_page))
    page = min(max(1, page), pages)
    query = (
        select(Flat, Municipality.name)
        .join(Municipality, col(Municipality.code) == col(Flat.municipality_code))
        .where(where)
        .order_by(col(Flat.created_at).desc(), col(Flat.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    rows = [(flat, str(name)) for flat, name in session.exec(query).all()]
    return FlatPage(rows=rows, total=int(total), page=page, pages=pages)


def flat_history(session: Session, *, flat_id: int) -> list[AuditEntry]:
    """The flat's audit trail, oldest first."""
    query = select(AuditEntry).where(AuditEntry.entity == "flat", AuditEntry.entity_id == flat_id)
    return list(session.exec(query.order_by(col(AuditEntry.at), col(AuditEntry.id))).all())


@dataclass(frozen=True)
class Offer:
    """A household proposed for the flat, as the landlord may see it: no names, only counts."""

    match: Match
    adults: int
    children: int


@dataclass(frozen=True)
class FlatOverview:
    flat: Flat
    municipality: Municipality
    history: list[AuditEntry]
    vetting: Vetting | None
    offers: list[Offer]
    leases: list[Lease]
    payments: list[RentPayment] = field(default_factory=list)
    claims: list[GuaranteeClaim] = field(default_factory=list)


def flat_overview(session: Session, *, landlord_id: int | None, flat_id: int) -> FlatOverview:
    """Everything the landlord's detail page shows, in a fixed number of queries."""
    flat = get_landlord_flat(session, landlord_id=landlord_id, flat_id=flat_id)
    vetting = session.exec(
        select(Vetting).where(Vetting.flat_id == flat_id).order_by(col(Vetting.decided_at).desc())
    ).first()
    leases = session.exec(
        select(Lease).where(Lease.flat_id == flat_id).order_by(col(Lease.start_date).desc())
    ).all()
    return FlatOverview(
        flat=flat,
        municipality=get_municipality(session, code=flat.municipality_code),
        history=flat_history(session, flat_id=flat_id),
        vetting=vetting,
        offers=_offers(session, flat_id),
        leases=list(leases),
        payments=_flat_rows(session, RentPayment, flat_id, RentPayment.paid_on),
        claims=_flat_rows(session, GuaranteeClaim, flat_id, GuaranteeClaim.claimed_on),
    )


def _flat_rows(session: Session, model: Any, flat_id: int, order: Any) -> list[Any]:
    """The flat's rent payments or guarantee claims over all its leases, newest first:
    the landlord sees what was paid for the flat, never who the household is."""
    query = (
        select(model)
        .join(Lease, col(Lease.id) == col(model.lease_id))
        .where(col(Lease.flat_id) == flat_id)
        .order_by(col(order).desc())
        .limit(60)
    )
    return list(session.exec(query).all())


def _offers(session: Session, flat_id: int) -> list[Offer]:
    matches = session.exec(
        select(Match)
        .where(Match.flat_id == flat_id, col(Match.status).in_(OFFER_STATUSES))
        .order_by(col(Match.created_at).desc())
    ).all()
    ids = {m.household_id for m in matches}
    counts: dict[tuple[int, str], int] = {}
    if ids:
        query = (
            select(HouseholdMember.household_id, HouseholdMember.kind, sa.func.count())
            .where(col(HouseholdMember.household_id).in_(ids))
            .group_by(col(HouseholdMember.household_id), col(HouseholdMember.kind))
        )
        counts = {(h, str(k)): int(n) for h, k, n in session.exec(query).all()}
    return [
        Offer(m, counts.get((m.household_id, "adult"), 0), counts.get((m.household_id, "child"), 0))
        for m in matches
    ]
