"""The placement invariants are held by the database itself, on both backends."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from agency.db import session_scope
from agency.enums import FlatStatus, HouseholdStatus, LeaseStatus, MatchStatus, UserRole
from agency.errors import Conflict
from agency.models import Match
from agency.services.matches import propose_match
from tests.factories import Factory


def _insert_match(
    session: Session, household_id: int, flat_id: int, user_id: int, **kw: object
) -> None:
    with session.begin_nested():
        session.add(Match(household_id=household_id, flat_id=flat_id, proposed_by_id=user_id, **kw))


def test_second_open_match_for_a_flat_is_refused(session: Session, factory: Factory) -> None:
    flat, worker = factory.flat(), factory.user()
    first, second = factory.household(), factory.household()
    propose_match(session, household_id=first.id, flat_id=flat.id, proposed_by_id=worker.id)
    with pytest.raises(Conflict, match="flat already has an open"):
        propose_match(session, household_id=second.id, flat_id=flat.id, proposed_by_id=worker.id)


def test_second_open_match_for_a_household_is_refused(session: Session, factory: Factory) -> None:
    household, worker = factory.household(), factory.user()
    propose_match(
        session, household_id=household.id, flat_id=factory.flat().id, proposed_by_id=worker.id
    )
    with pytest.raises(Conflict, match="household already has an open"):
        propose_match(
            session, household_id=household.id, flat_id=factory.flat().id, proposed_by_id=worker.id
        )


@pytest.mark.parametrize("status", [MatchStatus.approved, MatchStatus.accepted])
def test_every_open_status_holds_the_flat(
    session: Session, factory: Factory, status: MatchStatus
) -> None:
    flat, worker = factory.flat(), factory.user()
    _insert_match(session, factory.household().id, flat.id, worker.id, status=status)
    with pytest.raises(IntegrityError):
        _insert_match(session, factory.household().id, flat.id, worker.id)


@pytest.mark.parametrize(
    "status", [MatchStatus.rejected, MatchStatus.declined, MatchStatus.expired, MatchStatus.leased]
)
def test_closed_matches_do_not_hold_the_flat(
    session: Session, factory: Factory, status: MatchStatus
) -> None:
    flat, worker = factory.flat(), factory.user()
    for _ in range(2):
        _insert_match(session, factory.household().id, flat.id, worker.id, status=status)
    propose_match(
        session, household_id=factory.household().id, flat_id=flat.id, proposed_by_id=worker.id
    )
    count = session.execute(sa.select(sa.func.count()).select_from(Match)).scalar_one()
    assert count == 3


def test_one_active_lease_per_flat_and_per_household(session: Session, factory: Factory) -> None:
    flat = factory.flat(status=FlatStatus.let)
    household = factory.household(status=HouseholdStatus.housed)
    factory.lease(flat, household)
    with pytest.raises(IntegrityError), session.begin_nested():
        factory.lease(flat, factory.household(status=HouseholdStatus.housed))
    with pytest.raises(IntegrityError), session.begin_nested():
        factory.lease(factory.flat(status=FlatStatus.let), household)


def test_ended_leases_do_not_block_a_new_one(session: Session, factory: Factory) -> None:
    flat = factory.flat(status=FlatStatus.let)
    ended = dict(status=LeaseStatus.ended, end_reason="regular_end", ended_on=date(2026, 6, 30))
    factory.lease(
        flat, factory.household(status=HouseholdStatus.closed, close_reason="other"), **ended
    )
    factory.lease(flat, factory.household(status=HouseholdStatus.housed))


def test_check_constraints_refuse_bad_values(session: Session, factory: Factory) -> None:
    for bad in ({"urgency": 6}, {"monthly_income": -1}, {"status": HouseholdStatus.closed}):
        with pytest.raises(IntegrityError), session.begin_nested():
            factory.household(**bad)
    with pytest.raises(IntegrityError), session.begin_nested():
        factory.flat(rent=-100)


def _race(engine: Engine, attempts: list[tuple[int, int, int]]) -> list[str]:
    """Propose each (household, flat, user) at the same moment, each in its own transaction."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(household_id: int, flat_id: int, user_id: int) -> None:
        barrier.wait()
        try:
            with session_scope(engine) as session:
                propose_match(
                    session, household_id=household_id, flat_id=flat_id, proposed_by_id=user_id
                )
            result = "ok"
        except Conflict as exc:
            result = f"conflict: {exc.message}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=a) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _seed(engine: Engine, households: int, flats: int) -> tuple[list[int], list[int], list[int]]:
    with session_scope(engine) as session:
        factory = Factory(session)
        workers = [factory.user(UserRole.social_worker) for _ in range(max(households, flats))]
        hh = [factory.household(social_worker=w).id for w in workers[:households]]
        ff = [factory.flat().id for _ in range(flats)]
        return hh, ff, [w.id for w in workers]


@pytest.mark.postgres
def test_concurrent_proposals_for_one_flat_exactly_one_wins(pg_engine: Engine) -> None:
    households, (flat,), users = _seed(pg_engine, households=50, flats=1)
    outcomes = _race(pg_engine, [(h, flat, u) for h, u in zip(households, users, strict=True)])
    assert outcomes.count("ok") == 1
    assert outcomes.count("conflict: the flat already has an open placement proposal") == 49
    with session_scope(pg_engine) as session:
        assert session.execute(sa.select(sa.func.count()).select_from(Match)).scalar_one() == 1


@pytest.mark.postgres
def test_concurrent_proposals_for_one_household_exactly_one_wins(pg_engine: Engine) -> None:
    (household,), flats, users = _seed(pg_engine, households=1, flats=50)
    outcomes = _race(pg_engine, [(household, f, u) for f, u in zip(flats, users, strict=True)])
    assert outcomes.count("ok") == 1
    assert outcomes.count("conflict: the household already has an open placement proposal") == 49
