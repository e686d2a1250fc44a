"""The demo data set: complete, consistent with the life cycles, and loaded only once."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from agency.db import make_engine, metadata, session_scope
from agency.demo import DEMO_PASSWORD, DemoResult, load_demo
from agency.enums import (
    OPEN_MATCH_STATUSES,
    VISIT_TOPICS,
    BarrierSource,
    BarrierStage,
    FlatStatus,
    HouseholdStatus,
    LeaseStatus,
    MatchStatus,
    Party,
    UserRole,
    VettingDecision,
    VettingRejection,
)
from agency.migrate import upgrade
from agency.models import (
    Barrier,
    Flat,
    GuaranteeClaim,
    Household,
    HouseholdMember,
    Landlord,
    Lease,
    Match,
    RentCharge,
    RentPayment,
    SupportPlan,
    SupportVisit,
    User,
    Vetting,
)
from agency.passwords import make_hasher, verify_password

TODAY = date(2026, 3, 31)
HASHER = make_hasher(cheap=True)


def load(engine: Engine, today: date = TODAY) -> DemoResult:
    with session_scope(engine) as session:
        return load_demo(session, today=today, hasher=HASHER)


def row_counts(engine: Engine) -> dict[str, int]:
    existing = set(sa.inspect(engine).get_table_names())
    with engine.connect() as connection:
        return {
            table.name: connection.execute(sa.select(func.count()).select_from(table)).scalar_one()
            for table in metadata().sorted_tables
            if table.name in existing
        }


def count(session: Session, model: Any) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def most_per(session: Session, column: Any, *where: Any) -> int:
    """The largest number of rows sharing one value of `column` (0 when none)."""
    query = select(func.count()).where(*where).group_by(column)
    return max(session.exec(query).all(), default=0)


@pytest.fixture
def loaded(fresh_engine: Engine) -> Engine:
    result = load(fresh_engine)
    assert result.loaded
    assert result.counts["flats"] > 0
    return fresh_engine


def test_demo_is_complete_and_its_logins_work(loaded: Engine) -> None:
    again = load(loaded)  # before the session below: SQLite has one writer at a time
    with Session(loaded) as session:
        check_sizes_and_statuses(session)
        check_logins(session, again)


def test_loading_twice_changes_nothing(loaded: Engine) -> None:
    before = row_counts(loaded)
    again = load(loaded)
    assert not again.loaded
    assert again.counts == {}
    assert {c.role for c in again.credentials} == set(UserRole)
    assert row_counts(loaded) == before


def test_placements_agree_with_the_statuses(loaded: Engine) -> None:
    with Session(loaded) as session:
        check_nothing_booked_twice(session)
        check_active_leases(session)
        check_open_matches(session)
        check_four_eyes(session)
        check_declines_are_barriers(session)


def test_ledger_visits_vettings_and_barriers_look_real(loaded: Engine) -> None:
    with Session(loaded) as session:
        check_rent_ledger(session)
        check_visits(session)
        check_vettings(session)
        check_barriers(session)
        check_reference_members(session)
        check_no_ethnicity(session)


def check_sizes_and_statuses(session: Session) -> None:
    assert 25 <= count(session, Landlord) <= 35
    assert 50 <= count(session, Flat) <= 70
    assert 100 <= count(session, Household) <= 140
    assert set(session.exec(select(Flat.status)).all()) == set(FlatStatus)
    assert set(session.exec(select(Household.status)).all()) == set(HouseholdStatus)
    assert set(session.exec(select(Match.status)).all()) == set(MatchStatus)
    assert set(session.exec(select(Lease.status)).all()) == set(LeaseStatus)


def check_logins(session: Session, result: DemoResult) -> None:
    assert {c.role for c in result.credentials} == set(UserRole)
    for credential in result.credentials:
        user = session.exec(select(User).where(User.email == credential.email)).one()
        assert user.role == credential.role
        assert credential.password == DEMO_PASSWORD
        assert verify_password(HASHER, user.password_hash, credential.password)
    landlord_user = session.exec(select(User).where(User.role == UserRole.landlord)).one()
    assert landlord_user.landlord_id is not None
    staff = session.exec(select(User).where(User.role == UserRole.staff)).all()
    assert len(staff) >= 2


def check_nothing_booked_twice(session: Session) -> None:
    open_match = col(Match.status).in_(OPEN_MATCH_STATUSES)
    active = Lease.status == LeaseStatus.active
    assert most_per(session, Match.flat_id, open_match) == 1
    assert most_per(session, Match.household_id, open_match) == 1
    assert most_per(session, Lease.flat_id, active) == 1
    assert most_per(session, Lease.household_id, active) == 1


def ids(session: Session, column: Any, *where: Any) -> list[int]:
    return sorted(session.exec(select(column).where(*where)).all())


def check_active_leases(session: Session) -> None:
    """Every let flat and every housed household has exactly one active lease, and back."""
    active = Lease.status == LeaseStatus.active
    assert ids(session, Lease.flat_id, active) == ids(session, Flat.id, Flat.status == "let")
    housed = Household.status == HouseholdStatus.housed
    assert ids(session, Lease.household_id, active) == ids(session, Household.id, housed)


def check_open_matches(session: Session) -> None:
    """Offered flats and households hold an approved or accepted offer; proposals wait."""
    offer = col(Match.status).in_([MatchStatus.approved, MatchStatus.accepted])
    assert ids(session, Match.flat_id, offer) == ids(session, Flat.id, Flat.status == "offered")
    offered = Household.status == HouseholdStatus.offered
    assert ids(session, Match.household_id, offer) == ids(session, Household.id, offered)
    proposed = session.exec(select(Match).where(Match.status == MatchStatus.proposed)).all()
    for match in proposed:
        assert session.get_one(Flat, match.flat_id).status == FlatStatus.available
        assert session.get_one(Household, match.household_id).status == HouseholdStatus.waiting


def check_four_eyes(session: Session) -> None:
    roles = dict(session.exec(select(User.id, User.role)).all())
    for match in session.exec(select(Match)).all():
        assert roles[match.proposed_by_id] == UserRole.social_worker
        if match.status != MatchStatus.proposed:
            assert match.reviewed_by_id is not None
            assert roles[match.reviewed_by_id] == UserRole.staff


def check_declines_are_barriers(session: Session) -> None:
    sources = {BarrierSource.landlord_decline, BarrierSource.household_decline}
    declined = session.exec(select(Match).where(Match.status == MatchStatus.declined)).all()
    barriers = session.exec(select(Barrier).where(col(Barrier.source).in_(sources))).all()
    assert {m.declined_by for m in declined} == set(Party)
    assert sorted((m.household_id, m.flat_id) for m in declined) == sorted(
        (b.household_id, b.flat_id) for b in barriers
    )


def check_rent_ledger(session: Session) -> None:
    charges = session.exec(select(RentCharge)).all()
    months = Counter((c.lease_id, c.period) for c in charges)
    assert max(months.values()) == 1
    assert all(c.period.day == 1 and c.period <= TODAY for c in charges)
    owed: Counter[int] = Counter()
    for charge in charges:
        owed[charge.lease_id] += charge.amount
    for payment in session.exec(select(RentPayment)).all():
        assert payment.paid_on <= TODAY
        owed[payment.lease_id] -= payment.amount
    in_arrears = [lease for lease, balance in owed.items() if balance > 0]
    assert 1 <= len(in_arrears) < len(owed) / 2
    assert count(session, GuaranteeClaim) >= 2


def check_visits(session: Session) -> None:
    visits = session.exec(select(SupportVisit)).all()
    assert count(session, SupportPlan) == count(session, Lease)
    assert all(v.done_on <= TODAY for v in visits if v.done_on)
    assert any(v.planned_on < TODAY and v.done_on is None for v in visits)
    assert any(v.planned_on > TODAY for v in visits)
    assert all(set(v.topics or ()) <= set(VISIT_TOPICS) for v in visits)


def check_vettings(session: Session) -> None:
    vettings = session.exec(select(Vetting)).all()
    approved = [v for v in vettings if v.decision == VettingDecision.approved]
    assert all(v.max_occupants for v in approved)
    reasons = {v.rejection_reason for v in vettings if v not in approved}
    assert VettingRejection.rent_above_cap in reasons


def check_barriers(session: Session) -> None:
    barriers = session.exec(select(Barrier)).all()
    assert {b.source for b in barriers} == set(BarrierSource)
    assert {b.stage for b in barriers} == set(BarrierStage)
    assert all(b.orp_code is not None for b in barriers)
    overcome = [b for b in barriers if b.overcome_on is not None]
    assert all(b.intervention_id is not None for b in overcome)
    assert 0.3 < len(overcome) / len(barriers) < 0.7
    assert min(b.observed_on for b in barriers) < TODAY - timedelta(days=365)


def check_reference_members(session: Session) -> None:
    references = select(HouseholdMember.household_id).where(HouseholdMember.is_reference)
    counts = Counter(session.exec(references).all())
    assert len(counts) == count(session, Household)
    assert set(counts.values()) == {1}


ETHNICITY_WORDS = ("etnic", "etnik", "romsk", "rómsk", "národnost", "ethnic")


def check_no_ethnicity(session: Session) -> None:
    """Neither a column nor a word of any demo text speaks of ethnicity."""
    existing = set(sa.inspect(session.connection()).get_table_names())
    for table in metadata().sorted_tables:
        assert not any("ethnic" in column.name for column in table.columns)
        texts = [c for c in table.columns if isinstance(c.type, sa.String)]
        if not texts or table.name not in existing:
            continue
        for row in session.execute(sa.select(*texts)):
            words = " ".join(str(v).lower() for v in row if v)
            assert not any(word in words for word in ETHNICITY_WORDS), table.name


def snapshot(engine: Engine) -> tuple[list[Any], list[Any]]:
    with Session(engine) as session:
        flat = select(Flat.street, Flat.layout, Flat.rent, Flat.status)
        household = select(
            Household.reference_name, col(Household.status), col(Household.registered_on)
        )
        return (
            list(session.exec(flat.order_by(col(Flat.id))).all()),
            list(session.exec(household.order_by(col(Household.id))).all()),
        )


@pytest.mark.parametrize("today", [date(2027, 1, 31), date(2028, 2, 29)])
def test_the_same_day_gives_the_same_demo(tmp_path: Path, today: date) -> None:
    engines = [make_engine(f"sqlite:///{tmp_path / f'demo-{i}.db'}") for i in range(2)]
    for engine in engines:
        upgrade(engine)
        assert load(engine, today).loaded
    first, second = (snapshot(engine) for engine in engines)
    assert first == second
    assert len(first[0]) >= 50
    for engine in engines:
        engine.dispose()
