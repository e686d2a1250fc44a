"""The scheduler's offer jobs: expiry and reminders, each idempotent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from agency.db import session_scope
from agency.enums import FlatStatus, HouseholdStatus, MatchStatus, UserRole
from agency.jobs import expire_offers_job, remind_expiring_offers_job
from agency.models import Flat, Household, Match
from agency.models.base import utcnow
from notifications.config import MailConfig
from notifications.runtime import JobContext, using_context
from notifications.senders import MemorySender
from tests.factories import Factory


def _approved_offer(engine: Engine, expires_in: timedelta) -> int:
    with session_scope(engine) as session:
        factory = Factory(session)
        worker, reviewer = factory.user(UserRole.social_worker), factory.user(UserRole.staff)
        flat = factory.flat(status=FlatStatus.offered)
        household = factory.household(status=HouseholdStatus.offered, social_worker=worker)
        match = Match(
            household_id=household.id,
            flat_id=flat.id,
            proposed_by_id=worker.id,
            reviewed_by_id=reviewer.id,
            status=MatchStatus.approved,
            offer_expires_at=utcnow() + expires_in,
        )
        session.add(match)
        session.flush()
        return int(match.id or 0)


def _context(engine: Engine) -> JobContext:
    return JobContext(engine=engine, mail=MailConfig(backend="memory"), sender=MemorySender())


def test_expired_offers_go_back_to_matching_once(fresh_engine: Engine) -> None:
    match_id = _approved_offer(fresh_engine, timedelta(hours=-1))
    still_open = _approved_offer(fresh_engine, timedelta(days=3))
    with using_context(_context(fresh_engine)):
        assert (expire_offers_job(), expire_offers_job()) == (1, 0)
    with session_scope(fresh_engine) as session:
        match = session.get(Match, match_id)
        assert match is not None and match.status == MatchStatus.expired
        assert session.get(Flat, match.flat_id).status == FlatStatus.available  # type: ignore[union-attr]
        household = session.get(Household, match.household_id)
        assert household is not None and household.status == HouseholdStatus.waiting
        assert session.get(Match, still_open).status == MatchStatus.approved  # type: ignore[union-attr]


def test_reminders_are_sent_once(fresh_engine: Engine) -> None:
    _approved_offer(fresh_engine, timedelta(days=1))
    with using_context(_context(fresh_engine)):
        first, second = remind_expiring_offers_job(), remind_expiring_offers_job()
    assert first > 0 and second == 0
