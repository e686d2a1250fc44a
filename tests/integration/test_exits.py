"""A withdrawn flat or a closed household releases its open placement proposal."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from agency.enums import (
    FlatStatus,
    HouseholdCloseReason,
    HouseholdStatus,
    MatchStatus,
    UserRole,
)
from agency.models import Match
from agency.services.exits import close_household_and_release, withdraw_flat_from_matching
from tests.factories import Factory

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def _offer(session: Session, factory: Factory) -> Match:
    worker = factory.user(UserRole.social_worker)
    flat = factory.flat(status=FlatStatus.offered)
    household = factory.household(status=HouseholdStatus.offered, social_worker=worker)
    match = Match(
        household_id=household.id,
        flat_id=flat.id,
        proposed_by_id=worker.id,
        status=MatchStatus.approved,
    )
    session.add(match)
    session.flush()
    return match


def test_withdrawn_flat_gives_the_household_back_to_matching(
    session: Session, factory: Factory
) -> None:
    match = _offer(session, factory)
    landlord_id = session.get(type(factory.flat()), match.flat_id).landlord_id  # type: ignore[union-attr]
    flat = withdraw_flat_from_matching(
        session, landlord_id=landlord_id, flat_id=match.flat_id, actor_id=None, now=NOW
    )
    assert flat.status == FlatStatus.withdrawn
    session.refresh(match)
    assert match.status == MatchStatus.withdrawn
    assert match.household_id is not None
    household = session.get(type(factory.household()), match.household_id)
    assert household is not None and household.status == HouseholdStatus.waiting


def test_closed_household_gives_the_flat_back(session: Session, factory: Factory) -> None:
    match = _offer(session, factory)
    staff = factory.user(UserRole.staff)
    household = close_household_and_release(
        session,
        actor=staff,
        household_id=match.household_id,
        reason=HouseholdCloseReason.moved_away,
        note=None,
        now=NOW,
    )
    assert household.status == HouseholdStatus.closed
    session.refresh(match)
    assert match.status == MatchStatus.withdrawn
    flat = session.get(type(factory.flat()), match.flat_id)
    assert flat is not None and flat.status == FlatStatus.available
