"""Builders for the placement tests: households with members and areas, proposals, offers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from agency.enums import MemberKind, UserRole
from agency.models import Household, HouseholdArea, HouseholdMember, Match, User
from agency.services.matches import propose_suggested_match
from agency.services.signoff import approve_match
from tests.factories import PLZEN, Factory

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
ROKYCANY = 559717  # ORP 3211, Plzeňský kraj
BRNO = 582786  # ORP 6203, Jihomoravský kraj


def household(
    factory: Factory,
    *,
    adults: int = 2,
    children: Sequence[int] = (),
    municipalities: Sequence[int] = (PLZEN,),
    orps: Sequence[int] = (),
    **values: object,
) -> Household:
    """A waiting household with adults (born 1990), children born in `children` years."""
    made = factory.household(**values)
    session = factory.session
    for i in range(adults):
        session.add(
            HouseholdMember(
                household_id=made.id or 0,
                kind=MemberKind.adult,
                birth_year=1990,
                is_reference=i == 0,
            )
        )
    for year in children:
        session.add(
            HouseholdMember(household_id=made.id or 0, kind=MemberKind.child, birth_year=year)
        )
    for code in municipalities:
        session.add(HouseholdArea(household_id=made.id or 0, municipality_code=code))
    for orp in orps:
        session.add(HouseholdArea(household_id=made.id or 0, orp_code=orp))
    session.flush()
    return made


def worker_and_staff(factory: Factory) -> tuple[User, User, User]:
    """A social worker and two staff members of one organisation."""
    return (
        factory.user(UserRole.social_worker),
        factory.user(UserRole.staff),
        factory.user(UserRole.staff),
    )


def proposal(session: Session, factory: Factory, **flat_values: object) -> tuple[Match, User, User]:
    """A fresh household and flat, proposed by a social worker; returns (match, worker, staff)."""
    worker, staff, _ = worker_and_staff(factory)
    made = household(factory, social_worker=worker)
    flat = factory.flat(**flat_values)
    match = propose_suggested_match(
        session, actor=worker, household_id=made.id or 0, flat_id=flat.id or 0, now=NOW
    )
    return match, worker, staff


def offer(session: Session, factory: Factory, **flat_values: object) -> tuple[Match, User, User]:
    """A proposal approved by staff: the offer is out, answers due in 7 days."""
    match, worker, staff = proposal(session, factory, **flat_values)
    approve_match(session, match_id=match.id or 0, reviewer=staff, now=NOW + timedelta(hours=1))
    return match, worker, staff
