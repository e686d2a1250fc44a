"""What the placement pages read: the sign-off queue, one offer as each party may see it,
and anonymised household profiles. A fixed number of queries per page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import load_only
from sqlmodel import Session, col, select

from agency.enums import MatchStatus, MemberKind
from agency.errors import NotFound
from agency.models import (
    AuditEntry,
    Flat,
    Household,
    HouseholdMember,
    Landlord,
    Lease,
    Match,
    Municipality,
    User,
)
from agency.services.households import visible_to

# The statuses in which a landlord has received the offer.
LANDLORD_VISIBLE = (
    MatchStatus.approved,
    MatchStatus.accepted,
    MatchStatus.declined,
    MatchStatus.expired,
    MatchStatus.leased,
)
BOTH_ACCEPTED = (MatchStatus.accepted, MatchStatus.leased)
INCOME_BAND_CZK = 5000


@dataclass(frozen=True)
class Profile:
    """A household without name or contact: what a landlord and staff reviewers may see."""

    household_id: int
    adults: int
    children: int
    adult_ages: list[int]
    child_ages: list[int]
    income_low: int  # thousands of CZK a month, income with benefits
    income_high: int
    urgency: int
    max_housing_cost: int
    needs: list[str] = field(default_factory=list)

    @property
    def persons(self) -> int:
        return max(self.adults, 1) + self.children


def income_band(amount: int) -> tuple[int, int]:
    """The 5 000 CZK band of a monthly income, in thousands: 17 800 → (15, 20)."""
    low = max(amount, 0) // INCOME_BAND_CZK * INCOME_BAND_CZK // 1000
    return low, low + INCOME_BAND_CZK // 1000


def _needs(household: Household) -> list[str]:
    flags = (
        ("step_free", household.needs_step_free),
        ("ground_floor", household.needs_ground_floor),
        ("pets", household.has_pets),
    )
    return [name for name, on in flags if on] + (
        [f"rooms:{household.min_rooms}"] if household.min_rooms > 1 else []
    )


def profiles(
    session: Session, households: Sequence[Household], *, today: date
) -> dict[int, Profile]:
    """Anonymised profiles of `households`, with their members in one query."""
    ids = [h.id for h in households if h.id is not None]
    ages: dict[tuple[int, str], list[int]] = defaultdict(list)
    if ids:
        member = HouseholdMember
        query = (
            sa.select(col(member.household_id), col(member.kind), col(member.birth_year))
            .where(col(member.household_id).in_(ids))
            .order_by(col(member.household_id), col(member.id))
        )
        for household_id, kind, birth_year in session.execute(query):
            age = today.year - birth_year if birth_year else -1
            ages[(household_id, str(kind))].append(age)
    return {h.id or 0: _profile(h, ages) for h in households}


def _profile(h: Household, ages: dict[tuple[int, str], list[int]]) -> Profile:
    adults, children = ages[(h.id or 0, MemberKind.adult)], ages[(h.id or 0, MemberKind.child)]
    low, high = income_band(h.monthly_income + h.housing_allowance + h.housing_supplement)
    return Profile(
        household_id=h.id or 0,
        adults=len(adults),
        children=len(children),
        adult_ages=sorted(a for a in adults if a >= 0),
        child_ages=sorted(a for a in children if a >= 0),
        income_low=low,
        income_high=high,
        urgency=h.urgency,
        max_housing_cost=h.max_housing_cost,
        needs=_needs(h),
    )


@dataclass(frozen=True)
class OfferView:
    """One match with its flat, place, landlord, household profile and lease."""

    match: Match
    flat: Flat
    municipality: Municipality
    landlord: Landlord
    household: Household
    profile: Profile
    lease: Lease | None
    proposer: User | None = None
    reviewer: User | None = None
    social_worker: User | None = None
    audit: list[AuditEntry] = field(default_factory=list)

    @property
    def both_accepted(self) -> bool:
        return self.match.status in BOTH_ACCEPTED


def _rows(session: Session, where: list[Any]) -> list[Any]:
    query = (
        sa.select(Match, Flat, Municipality, Landlord, Household)
        .join(Flat, col(Flat.id) == col(Match.flat_id))
        .join(Municipality, col(Municipality.code) == col(Flat.municipality_code))
        .join(Landlord, col(Landlord.id) == col(Flat.landlord_id))
        .join(Household, col(Household.id) == col(Match.household_id))
        .where(*where)
    )
    return list(session.execute(query).all())


def offer_view(
    session: Session, *, match_id: int, today: date, where: Sequence[Any] = (), audit: bool = False
) -> OfferView:
    """One match for a page, if it meets `where` (else NotFound, whether or not it exists)."""
    rows = _rows(session, [col(Match.id) == match_id, *where])
    if not rows:
        raise NotFound("This placement proposal does not exist.")
    match, flat, municipality, landlord, household = rows[0]
    people = users_by_id(
        session, match.proposed_by_id, match.reviewed_by_id, household.social_worker_id
    )
    lease = session.exec(select(Lease).where(col(Lease.match_id) == match_id)).first()
    return OfferView(
        match=match,
        flat=flat,
        municipality=municipality,
        landlord=landlord,
        household=household,
        profile=profiles(session, [household], today=today)[household.id or 0],
        lease=lease,
        proposer=people.get(match.proposed_by_id),
        reviewer=people.get(match.reviewed_by_id or 0),
        social_worker=people.get(household.social_worker_id),
        audit=match_audit(session, match_id=match_id) if audit else [],
    )


def users_by_id(session: Session, *ids: int | None) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    users = session.exec(select(User).where(col(User.id).in_(wanted))).all()
    return {u.id or 0: u for u in users}


def match_audit(session: Session, *, match_id: int) -> list[AuditEntry]:
    """The match's audit trail (status changes and sign-offs), oldest first."""
    query = select(AuditEntry).where(
        col(AuditEntry.entity) == "match", col(AuditEntry.entity_id) == match_id
    )
    return list(session.exec(query.order_by(col(AuditEntry.at), col(AuditEntry.id))).all())


def landlord_match(session: Session, *, landlord_id: int | None, match_id: int) -> Match:
    """A match offered for one of the landlord's flats, else NotFound."""
    rows = _rows(session, _landlord_where(landlord_id, match_id))
    if not rows:
        raise NotFound("This offer does not exist.")
    found: Match = rows[0][0]
    return found


def _landlord_where(landlord_id: int | None, match_id: int) -> list[Any]:
    return [
        col(Match.id) == match_id,
        col(Flat.landlord_id) == (landlord_id or -1),
        col(Match.status).in_(LANDLORD_VISIBLE),
    ]


def landlord_offer(
    session: Session, *, landlord_id: int | None, match_id: int, today: date
) -> OfferView:
    """The offer as its landlord sees it (the page hides the household until both accept)."""
    return offer_view(
        session, match_id=match_id, today=today, where=_landlord_where(landlord_id, match_id)
    )


def household_offer(session: Session, *, actor: User, match_id: int, today: date) -> OfferView:
    """A match of a household the actor works with, else NotFound."""
    return offer_view(session, match_id=match_id, today=today, where=[visible_to(actor)])


@dataclass(frozen=True)
class QueueItem:
    match: Match
    flat: Flat
    municipality: Municipality
    profile: Profile
    proposer: User | None


@dataclass(frozen=True)
class Queue:
    items: list[QueueItem]
    total: int
    page: int
    pages: int


# What a queue row shows of the proposal and of the household (its anonymised profile):
# not the household's contact details and notes nor the match's scores and explanation.
QUEUE_COLUMNS = (
    load_only(
        *(
            getattr(Match, name)
            for name in ("id", "household_id", "flat_id", "status", "created_at", "proposed_by_id")
        )
    ),
    load_only(
        *(
            getattr(Household, name)
            for name in (
                "id",
                "urgency",
                "max_housing_cost",
                "monthly_income",
                "housing_allowance",
                "housing_supplement",
                "needs_step_free",
                "needs_ground_floor",
                "has_pets",
                "min_rooms",
            )
        )
    ),
)


def signoff_queue(session: Session, *, today: date, page: int = 1, per_page: int = 25) -> Queue:
    """Proposals waiting for sign-off, oldest first, one page."""
    where = [col(Match.status) == MatchStatus.proposed]
    total = int(session.execute(sa.select(sa.func.count()).where(*where)).scalar_one())
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    order = (col(Match.created_at), col(Match.id))
    # The page's keys first, from the matches alone; then only those rows are joined.
    keys = (
        sa.select(col(Match.id))
        .where(*where)
        .order_by(*order)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    query = (
        sa.select(Match, Flat, Municipality, Household)
        .join(Flat, col(Flat.id) == col(Match.flat_id))
        .join(Municipality, col(Municipality.code) == col(Flat.municipality_code))
        .join(Household, col(Household.id) == col(Match.household_id))
        .where(col(Match.id).in_(keys.scalar_subquery()))
        .order_by(*order)
        .options(*QUEUE_COLUMNS)
    )
    rows = session.execute(query).all()
    found = profiles(session, [r[3] for r in rows], today=today)
    people = users_by_id(session, *(r[0].proposed_by_id for r in rows))
    items = [
        QueueItem(m, f, place, found[h.id or 0], people.get(m.proposed_by_id))
        for m, f, place, h in rows
    ]
    return Queue(items=items, total=total, page=page, pages=pages)


def list_matches(
    session: Session, *, actor: User, status: MatchStatus | None, page: int = 1, per_page: int = 50
) -> tuple[list[Match], int]:
    """Matches of the households the actor works with, newest first, one page and the total."""
    # From the matches alone: each carries its household's organisation, and an index on
    # (organisation, status, created) answers the count and the page.
    query = select(Match).where(visible_to(actor, Match.organisation_id))
    if status is not None:
        query = query.where(col(Match.status) == status)
    counted = query.with_only_columns(sa.func.count(), maintain_column_froms=True)
    total = int(session.execute(counted).scalar_one())
    query = query.order_by(col(Match.created_at).desc(), col(Match.id).desc())
    rows = session.exec(query.offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def flat_places(session: Session, *, ids: set[int]) -> dict[int, tuple[Flat, Municipality]]:
    """Flats with their municipalities, by id (one query)."""
    if not ids:
        return {}
    query = (
        sa.select(Flat, Municipality)
        .join(Municipality, col(Municipality.code) == col(Flat.municipality_code))
        .where(col(Flat.id).in_(ids))
    )
    return {flat.id or 0: (flat, place) for flat, place in session.execute(query).all()}


def household_names(session: Session, *, actor: User, ids: set[int]) -> dict[int, str]:
    """Reference names of those of `ids` the actor works with (one query)."""
    if not ids:
        return {}
    query = sa.select(col(Household.id), col(Household.reference_name)).where(
        col(Household.id).in_(ids), visible_to(actor)
    )
    return {int(i): str(name) for i, name in session.execute(query).all()}
