"""The placement workflow: propose, sign off (four eyes), answers, lease, expiry, withdrawal."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agency.db import session_scope
from agency.enums import (
    AuditAction,
    BarrierSource,
    BarrierStage,
    DepositPayer,
    FlatStatus,
    HouseholdStatus,
    LeaseModel,
    MatchStatus,
    Party,
    UserRole,
)
from agency.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from agency.models import (
    AuditEntry,
    Barrier,
    BarrierCategory,
    Flat,
    Household,
    Lease,
    Match,
    Setting,
    User,
)
from agency.services.matches import propose_suggested_match, release_open_matches, withdraw_match
from agency.services.offers import (
    Answer,
    answer_as_landlord,
    answer_for_household,
    expire_offers,
    remind_expiring_offers,
)
from agency.services.signoff import approve_match, reject_match
from notifications.models import Notification, OutboxMessage
from tests.factories import Factory
from tests.integration.placement_data import NOW, household, offer, proposal

LATER = NOW + timedelta(days=1)


def _kinds(session: Session) -> list[str]:
    return list(session.exec(select(OutboxMessage.kind).order_by(col(OutboxMessage.id))).all())


def _statuses(session: Session, match: Match) -> tuple[str, str, str]:
    for record in (match,):
        session.refresh(record)
    flat, hh = session.get(Flat, match.flat_id), session.get(Household, match.household_id)
    assert flat is not None and hh is not None
    session.refresh(flat)
    session.refresh(hh)
    return str(match.status), str(flat.status), str(hh.status)


def _accept(party: Party) -> Answer:
    return Answer(party=party, accept=True)


def _landlord_answer(session: Session, match: Match, answer: Answer, now: object = LATER) -> Match:
    flat = session.get(Flat, match.flat_id)
    assert flat is not None
    return answer_as_landlord(
        session,
        landlord_id=flat.landlord_id,
        match_id=match.id or 0,
        answer=answer,
        actor_id=None,
        now=now,  # type: ignore[arg-type]
    )


def test_proposal_stores_the_engine_snapshot_and_asks_for_signoff(
    session: Session, factory: Factory
) -> None:
    match, worker, _staff = proposal(session, factory)
    assert match.status == MatchStatus.proposed and match.proposed_by_id == worker.id
    assert match.explanation is not None and match.explanation["ranked"] is True
    assert match.explanation["rank"] == 1 and match.score == match.explanation["fit"]
    assert match.score_terms is not None and set(match.score_terms) >= {"cost_burden", "occupancy"}
    assert {"match_proposed", "signoff_needed"} <= set(_kinds(session))


def test_a_social_worker_proposes_only_for_own_organisation(
    session: Session, factory: Factory
) -> None:
    worker = factory.user(UserRole.social_worker)
    stranger = household(Factory(session))
    with pytest.raises(NotFound):
        propose_suggested_match(
            session,
            actor=worker,
            household_id=stranger.id or 0,
            flat_id=factory.flat().id or 0,
            now=NOW,
        )


def test_approval_offers_the_flat_and_notifies_everyone(session: Session, factory: Factory) -> None:
    match, _worker, staff = offer(session, factory)
    assert _statuses(session, match) == ("approved", "offered", "offered")
    assert match.reviewed_by_id == staff.id
    assert match.offer_expires_at is not None
    assert match.offer_expires_at - (NOW + timedelta(hours=1)) == timedelta(days=7)
    assert {"offer_to_landlord", "offer_to_household", "match_approved"} <= set(_kinds(session))
    landlord_mail = session.exec(
        select(OutboxMessage).where(OutboxMessage.kind == "offer_to_landlord")
    ).one()
    assert landlord_mail.context["answer_url"].endswith(f"/portal/offers/{match.id}")
    signoffs = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "match",
            AuditEntry.entity_id == match.id,
            AuditEntry.action == AuditAction.signoff,
        )
    ).all()
    assert [(s.actor_id, s.to_status) for s in signoffs] == [(staff.id, "approved")]


def test_offer_expiry_days_come_from_the_agency_setting(session: Session, factory: Factory) -> None:
    session.add(Setting(key="offer_expiry_days", value=3))
    session.flush()
    match, _, _ = offer(session, factory)
    assert match.offer_expires_at == NOW + timedelta(hours=1, days=3)


def test_nobody_signs_off_their_own_proposal(session: Session, factory: Factory) -> None:
    staff = factory.user(UserRole.staff)
    made = household(factory, social_worker=factory.user())
    match = propose_suggested_match(
        session, actor=staff, household_id=made.id or 0, flat_id=factory.flat().id or 0, now=NOW
    )
    with pytest.raises(Forbidden, match="four eyes"):
        approve_match(session, match_id=match.id or 0, reviewer=staff, now=LATER)
    with pytest.raises(Forbidden, match="four eyes"):
        reject_match(session, match_id=match.id or 0, reviewer=staff, reason="x", now=LATER)
    worker = factory.user(UserRole.social_worker)
    with pytest.raises(Forbidden, match="Only agency staff"):
        approve_match(session, match_id=match.id or 0, reviewer=worker, now=LATER)
    assert _statuses(session, match)[0] == "proposed"


def test_rejection_needs_a_reason_and_tells_the_proposer(
    session: Session, factory: Factory
) -> None:
    match, _worker, staff = proposal(session, factory)
    with pytest.raises(InvalidInput):
        reject_match(session, match_id=match.id or 0, reviewer=staff, reason="  ", now=LATER)
    reject_match(session, match_id=match.id or 0, reviewer=staff, reason="Příliš daleko", now=LATER)
    assert _statuses(session, match) == ("rejected", "available", "waiting")
    assert match.review_reason == "Příliš daleko" and "match_rejected" in _kinds(session)
    with pytest.raises(Conflict, match="decided already"):
        approve_match(session, match_id=match.id or 0, reviewer=staff, now=LATER)


def test_both_accept_and_the_lease_is_created(session: Session, factory: Factory) -> None:
    match, worker, _ = offer(session, factory, available_from=date(2026, 12, 15))
    _landlord_answer(session, match, _accept(Party.landlord))
    assert _statuses(session, match) == ("approved", "offered", "offered")
    answer_for_household(
        session, actor=worker, match_id=match.id or 0, answer=_accept(Party.household), now=LATER
    )
    assert _statuses(session, match) == ("leased", "let", "housed")
    lease = session.exec(select(Lease).where(Lease.match_id == match.id)).one()
    assert (lease.model, lease.start_date, lease.end_date) == (
        LeaseModel.direct,
        date(2026, 12, 15),
        date(2027, 12, 14),
    )
    assert (lease.rent, lease.services, lease.deposit) == (9000, 2500, 18000)
    assert lease.deposit_paid_by == DepositPayer.agency_fund  # the household has 5 000 CZK
    assert {"offer_answered", "lease_starts"} <= set(_kinds(session))
    trail = session.exec(
        select(AuditEntry.to_status).where(
            AuditEntry.entity == "match", AuditEntry.entity_id == match.id
        )
    ).all()
    assert [t for t in trail if t] == ["proposed", "approved", "approved", "accepted", "leased"]
    answers = session.exec(
        select(AuditEntry.details).where(
            AuditEntry.entity == "match",
            AuditEntry.entity_id == match.id,
            AuditEntry.action == AuditAction.update,
        )
    ).all()
    assert [(a["party"], a["answer"]) for a in answers] == [
        ("landlord", "accept"),
        ("household", "accept"),
    ]


@pytest.mark.parametrize(
    ("party", "reason", "category", "source"),
    [
        (
            Party.landlord,
            "landlord_discrimination",
            "landlord_discrimination",
            BarrierSource.landlord_decline,
        ),
        (
            Party.landlord,
            "household_too_large",
            "household_too_large",
            BarrierSource.landlord_decline,
        ),
        (Party.household, "location", "no_flat_in_area", BarrierSource.household_decline),
        (Party.household, "condition", "flat_defects", BarrierSource.household_decline),
        (Party.household, "cost", "rent_unaffordable", BarrierSource.household_decline),
    ],
)
def test_a_decline_frees_both_and_records_a_barrier(
    session: Session,
    factory: Factory,
    party: Party,
    reason: str,
    category: str,
    source: BarrierSource,
) -> None:
    match, worker, _ = offer(session, factory)
    answer = Answer(party=party, accept=False, reason=reason, note="poznámka")
    if party == Party.landlord:
        _landlord_answer(session, match, answer)
    else:
        answer_for_household(
            session, actor=worker, match_id=match.id or 0, answer=answer, now=LATER
        )
    assert _statuses(session, match) == ("declined", "available", "waiting")
    assert (match.declined_by, match.decline_note) == (party, "poznámka")
    barrier, code = session.exec(
        select(Barrier, BarrierCategory.code)
        .join(BarrierCategory)
        .where(Barrier.flat_id == match.flat_id)
    ).one()
    flat = session.get(Flat, match.flat_id)
    assert flat is not None
    assert (code, barrier.source, barrier.stage) == (category, source, BarrierStage.access)
    assert (barrier.household_id, barrier.landlord_id, barrier.orp_code) == (
        match.household_id,
        flat.landlord_id,
        3209,
    )
    assert "offer_answered" in _kinds(session)


def test_an_other_reason_is_a_barrier_once_the_category_exists(
    session: Session, factory: Factory
) -> None:
    first, _, _ = offer(session, factory)
    other = Answer(party=Party.landlord, accept=False, reason="other", note="prodává byt")
    _landlord_answer(session, first, other)
    assert _statuses(session, first) == ("declined", "available", "waiting")
    assert first.decline_note == "prodává byt" and first.landlord_reason == "other"
    assert session.exec(select(Barrier).where(Barrier.flat_id == first.flat_id)).first() is None
    session.add(BarrierCategory(code="other", name_cs="Jiný důvod", name_en="Other reason"))
    second, _, _ = offer(session, factory)
    _landlord_answer(session, second, other)
    barrier = session.exec(select(Barrier).where(Barrier.flat_id == second.flat_id)).one()
    assert barrier.note == "prodává byt"


def test_a_decline_needs_a_reason_of_that_party(session: Session, factory: Factory) -> None:
    match, _worker, _ = offer(session, factory)
    for answer in (
        Answer(party=Party.landlord, accept=False, reason=None),
        Answer(party=Party.landlord, accept=False, reason="location"),
        Answer(party=Party.landlord, accept=False, reason="other", note=" "),
    ):
        with pytest.raises(InvalidInput):
            _landlord_answer(session, match, answer)
    assert _statuses(session, match)[0] == "approved"


def test_answers_are_refused_once_given_after_expiry_or_for_others(
    session: Session, factory: Factory
) -> None:
    match, worker, _ = offer(session, factory)
    _landlord_answer(session, match, _accept(Party.landlord))
    with pytest.raises(Conflict, match="recorded already"):
        _landlord_answer(session, match, _accept(Party.landlord))
    with pytest.raises(Conflict, match="expired"):
        answer_for_household(
            session,
            actor=worker,
            match_id=match.id or 0,
            answer=_accept(Party.household),
            now=NOW + timedelta(days=9),
        )
    stranger = factory.landlord()
    with pytest.raises(NotFound):
        answer_as_landlord(
            session,
            landlord_id=stranger.id,
            match_id=match.id or 0,
            answer=_accept(Party.landlord),
            actor_id=None,
            now=LATER,
        )
    outsider = Factory(session).user(UserRole.social_worker)
    with pytest.raises(NotFound):
        answer_for_household(
            session,
            actor=outsider,
            match_id=match.id or 0,
            answer=_accept(Party.household),
            now=LATER,
        )


def test_a_withdrawn_flat_or_closed_household_stops_the_answer(
    session: Session, factory: Factory
) -> None:
    match, _worker, _ = offer(session, factory)
    flat = session.get(Flat, match.flat_id)
    assert flat is not None
    flat.status = FlatStatus.withdrawn
    session.flush()
    with pytest.raises(Conflict, match="no longer on offer"):
        _landlord_answer(session, match, _accept(Party.landlord))
    released = release_open_matches(
        session, actor_id=None, reason="flat withdrawn", now=LATER, flat_id=flat.id
    )
    assert released == 1
    assert _statuses(session, match) == ("withdrawn", "withdrawn", "waiting")


def test_approval_checks_the_flat_and_household_again(session: Session, factory: Factory) -> None:
    match, _, staff = proposal(session, factory)
    household_row = session.get(Household, match.household_id)
    assert household_row is not None
    household_row.status, household_row.close_reason = HouseholdStatus.closed, "other"
    session.flush()
    with pytest.raises(Conflict, match="no longer waiting"):
        approve_match(session, match_id=match.id or 0, reviewer=staff, now=LATER)


def test_withdrawal_by_the_social_worker(session: Session, factory: Factory) -> None:
    match, worker, _ = offer(session, factory)
    outsider = Factory(session).user(UserRole.social_worker)
    with pytest.raises(NotFound):
        withdraw_match(session, match_id=match.id or 0, actor=outsider, now=LATER)
    withdraw_match(session, match_id=match.id or 0, actor=worker, now=LATER, reason="moved")
    assert _statuses(session, match) == ("withdrawn", "available", "waiting")
    with pytest.raises(Conflict):
        withdraw_match(session, match_id=match.id or 0, actor=worker, now=LATER)


def test_expiry_is_idempotent_and_frees_both(session: Session, factory: Factory) -> None:
    match, _, _ = offer(session, factory)
    assert expire_offers(session, now=NOW + timedelta(days=5)) == 0
    assert remind_expiring_offers(session, now=NOW + timedelta(days=6)) == 2
    assert remind_expiring_offers(session, now=NOW + timedelta(days=6, hours=1)) == 0
    assert expire_offers(session, now=NOW + timedelta(days=8)) == 1
    assert expire_offers(session, now=NOW + timedelta(days=9)) == 0
    assert _statuses(session, match) == ("expired", "available", "waiting")
    assert _kinds(session).count("offer_expired") >= 1
    in_app = session.exec(
        select(Notification.kind).where(Notification.kind == "offer_expired")
    ).all()
    assert len(in_app) >= 1


# --- concurrency on PostgreSQL: the database decides ------------------------------------------


def _race(engine: Engine, calls: list[Callable[[Session], object]]) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call: Callable[[Session], object]) -> None:
        barrier.wait()
        try:
            with session_scope(engine) as session:
                call(session)
            result = "ok"
        except DomainError as exc:
            result = type(exc).__name__
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _seed_people(
    engine: Engine, households: int, flats: int
) -> tuple[list[int], list[int], list[User]]:
    with session_scope(engine) as session:
        factory = Factory(session)
        workers = [factory.user(UserRole.social_worker) for _ in range(max(households, flats))]
        hh = [household(factory, social_worker=w).id or 0 for w in workers[:households]]
        ff = [factory.flat().id or 0 for _ in range(flats)]
        return hh, ff, workers


def _proposer(household_id: int, flat_id: int, worker: User) -> Callable[[Session], object]:
    def call(session: Session) -> object:
        actor = session.get(User, worker.id)
        assert actor is not None
        return propose_suggested_match(
            session, actor=actor, household_id=household_id, flat_id=flat_id, now=NOW
        )

    return call


def _open_matches(engine: Engine) -> int:
    with session_scope(engine) as session:
        query = sa.select(sa.func.count()).select_from(Match).where(col(Match.status) == "proposed")
        return int(session.execute(query).scalar_one())


@pytest.mark.postgres
def test_fifty_social_workers_race_for_one_flat(pg_engine: Engine) -> None:
    households, (flat,), workers = _seed_people(pg_engine, households=50, flats=1)
    calls = [_proposer(h, flat, w) for h, w in zip(households, workers, strict=True)]
    outcomes = _race(pg_engine, calls)
    assert outcomes.count("ok") == 1 and outcomes.count("Conflict") == 49
    assert _open_matches(pg_engine) == 1


@pytest.mark.postgres
def test_fifty_flats_race_for_one_household(pg_engine: Engine) -> None:
    (hh,), flats, _workers = _seed_people(pg_engine, households=1, flats=50)
    with session_scope(pg_engine) as session:
        owner = session.get(Household, hh)
        assert owner is not None
        colleagues = select(User).where(User.organisation_id == owner.organisation_id)
        same_org = list(session.exec(colleagues).all())[:50]
    calls = [_proposer(hh, f, same_org[i % len(same_org)]) for i, f in enumerate(flats)]
    outcomes = _race(pg_engine, calls)
    assert outcomes.count("ok") == 1 and outcomes.count("Conflict") == 49
    assert _open_matches(pg_engine) == 1


def _seed_proposal(engine: Engine, reviewers: int) -> tuple[int, list[int], int]:
    with session_scope(engine) as session:
        factory = Factory(session)
        worker = factory.user(UserRole.social_worker)
        staff = [factory.user(UserRole.staff).id or 0 for _ in range(reviewers)]
        made = household(factory, social_worker=worker)
        flat = factory.flat()
        match = propose_suggested_match(
            session, actor=worker, household_id=made.id or 0, flat_id=flat.id or 0, now=NOW
        )
        return match.id or 0, staff, flat.id or 0


def _approver(match_id: int, reviewer_id: int) -> Callable[[Session], object]:
    def call(session: Session) -> object:
        reviewer = session.get(User, reviewer_id)
        assert reviewer is not None
        return approve_match(session, match_id=match_id, reviewer=reviewer, now=LATER)

    return call


def _final(engine: Engine, match_id: int) -> tuple[str, str, str, int]:
    with session_scope(engine) as session:
        match = session.get(Match, match_id)
        assert match is not None
        flat, hh = session.get(Flat, match.flat_id), session.get(Household, match.household_id)
        assert flat is not None and hh is not None
        signoffs = session.exec(
            select(AuditEntry).where(
                AuditEntry.entity == "match", AuditEntry.action == AuditAction.signoff
            )
        ).all()
        return str(match.status), str(flat.status), str(hh.status), len(signoffs)


@pytest.mark.postgres
def test_ten_staff_approving_at_once_sign_off_once(pg_engine: Engine) -> None:
    match_id, reviewers, _ = _seed_proposal(pg_engine, reviewers=10)
    outcomes = _race(pg_engine, [_approver(match_id, r) for r in reviewers])
    assert outcomes.count("ok") == 1 and outcomes.count("Conflict") == 9
    assert _final(pg_engine, match_id) == ("approved", "offered", "offered", 1)


@pytest.mark.postgres
def test_a_flat_withdrawn_during_approval_leaves_nothing_half_written(pg_engine: Engine) -> None:
    match_id, (reviewer,), flat_id = _seed_proposal(pg_engine, reviewers=1)

    def withdraw_flat(session: Session) -> object:
        # What the flat's withdrawal does: close its open match first, then the flat.
        release_open_matches(session, actor_id=None, reason="withdrawn", now=LATER, flat_id=flat_id)
        flat = session.get(Flat, flat_id)
        assert flat is not None
        flat.status = FlatStatus.withdrawn
        return session.flush()

    outcomes = _race(pg_engine, [_approver(match_id, reviewer), withdraw_flat])
    status, flat_status, household_status, signoffs = _final(pg_engine, match_id)
    assert (status, flat_status, household_status) == ("withdrawn", "withdrawn", "waiting")
    assert signoffs == outcomes.count("ok") - 1  # the approval counts only when it came first
