"""What the placement pages read: the sign-off queue, one offer as each party may see it,
and anonymised household profiles. A fixed number of queries per page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import accumulate
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

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


def _table(model: type[SQLModel]) -> sa.FromClause:
    """The model's table: a statement of its columns is plain Core and reads plain rows."""
    table: sa.FromClause = sa.inspect(model).local_table
    return table


class HouseholdFacts(NamedTuple):
    """What a profile reads of a household, as a plain row: not its name, contact or notes."""

    id: int
    monthly_income: int
    housing_allowance: int
    housing_supplement: int
    urgency: int
    max_housing_cost: int
    needs_step_free: bool
    needs_ground_floor: bool
    has_pets: bool
    min_rooms: int


def _needs(household: Household | HouseholdFacts) -> list[str]:
    flags = (
        ("step_free", household.needs_step_free),
        ("ground_floor", household.needs_ground_floor),
        ("pets", household.has_pets),
    )
    return [name for name, on in flags if on] + (
        [f"rooms:{household.min_rooms}"] if household.min_rooms > 1 else []
    )


def profiles(
    session: Session, households: Sequence[Household | HouseholdFacts], *, today: date
) -> dict[int, Profile]:
    """Anonymised profiles of `households` (entities or rows), with their members in one query."""
    ids = [h.id for h in households if h.id is not None]
    ages: dict[tuple[int, str], list[int]] = defaultdict(list)
    if ids:
        member = _table(HouseholdMember).c
        query = (
            sa.select(member.household_id, member.kind, member.birth_year)
            .where(member.household_id.in_(ids))
            .order_by(member.household_id, member.id)
        )
        for household_id, kind, birth_year in session.execute(query):
            age = today.year - birth_year if birth_year else -1
            ages[(household_id, str(kind))].append(age)
    return {h.id or 0: _profile(h, ages) for h in households}


def _profile(h: Household | HouseholdFacts, ages: dict[tuple[int, str], list[int]]) -> Profile:
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


class QueueMatch(NamedTuple):
    """What a queue row shows of a proposal: not its scores, explanation or note."""

    id: int
    flat_id: int
    created_at: datetime
    proposed_by_id: int


class QueueFlat(NamedTuple):
    """What `flat_line` shows of a flat."""

    id: int
    street: str
    layout: str
    rent: int
    services: int


class Place(NamedTuple):
    name: str


class QueueItem(NamedTuple):
    match: QueueMatch
    flat: QueueFlat
    municipality: Place
    profile: Profile
    proposer_name: str | None


@dataclass(frozen=True)
class Queue:
    items: list[QueueItem]
    total: int
    page: int
    pages: int


def _slices(*parts: tuple[str, ...]) -> list[slice]:
    """Where each part lies in a row that holds the parts' fields one after another."""
    ends = list(accumulate(len(fields) for fields in parts))
    return [slice(end - len(fields), end) for fields, end in zip(parts, ends, strict=True)]


QUEUE_PARTS = (
    (Match, QueueMatch),
    (Flat, QueueFlat),
    (Municipality, Place),
    (Household, HouseholdFacts),
)
_MATCH, _FLAT, _PLACE, _FACTS = _slices(*(part._fields for _, part in QUEUE_PARTS))
_proposal, _flat, _place, _household, _user = (
    _table(model) for model in (Match, Flat, Municipality, Household, User)
)
_PROPOSED = _proposal.c.status == MatchStatus.proposed
_QUEUE_ORDER = (_proposal.c.created_at, _proposal.c.id)
# What a queue row shows, each part's columns named by its fields, then the proposer's name.
QUEUE_ROWS = (
    sa.select(
        *(_table(model).c[name] for model, part in QUEUE_PARTS for name in part._fields),
        _user.c.name,
    )
    .join(_flat, _flat.c.id == _proposal.c.flat_id)
    .join(_place, _place.c.code == _flat.c.municipality_code)
    .join(_household, _household.c.id == _proposal.c.household_id)
    .outerjoin(_user, _user.c.id == _proposal.c.proposed_by_id)
    .order_by(*_QUEUE_ORDER)
)


def signoff_queue(session: Session, *, today: date, page: int = 1, per_page: int = 25) -> Queue:
    """Proposals waiting for sign-off, oldest first, one page: plain rows, no entities."""
    total = int(session.execute(sa.select(sa.func.count()).where(_PROPOSED)).scalar_one())
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    # The page's keys first, from the matches alone; then only those rows are joined.
    keys = sa.select(_proposal.c.id).where(_PROPOSED).order_by(*_QUEUE_ORDER)
    keys = keys.offset((page - 1) * per_page).limit(per_page)
    query = QUEUE_ROWS.where(_proposal.c.id.in_(keys.scalar_subquery()))
    rows = session.execute(query).all()
    facts = [HouseholdFacts._make(row[_FACTS]) for row in rows]
    found = profiles(session, facts, today=today)
    return Queue(
        items=[
            QueueItem(
                QueueMatch._make(row[_MATCH]),
                QueueFlat._make(row[_FLAT]),
                Place._make(row[_PLACE]),
                found[household.id],
                row[-1],
            )
            for row, household in zip(rows, facts, strict=True)
        ],
        total=total,
        page=page,
        pages=pages,
    )


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
