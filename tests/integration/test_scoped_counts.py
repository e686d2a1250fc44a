"""A lease's and a match's copy of their household's organisation (kept by the database),
and the lists that read it: the same rows and totals as through the household."""

from __future__ import annotations

from datetime import date
from itertools import product

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from agency.enums import FlatStatus, MatchStatus, UserRole
from agency.models import Household, Landlord, Lease, Match, User
from agency.services.flat_queries import landlords_query
from agency.services.households import visible_to
from agency.services.leases import LeaseFilters, list_leases
from agency.services.placement_views import list_matches
from tests.factories import Factory

COPIES = (Lease, Match)


def _out_of_step(session: Session) -> list[tuple[str, int, int, int]]:
    """(model, id, copied, household's) of every lease and match whose copy differs."""
    session.flush()
    wrong = []
    for model in COPIES:
        query = sa.select(
            col(model.id), col(model.organisation_id), col(Household.organisation_id)
        ).join(Household, col(Household.id) == col(model.household_id))
        for row_id, copied, own in session.execute(query):
            if copied != own:
                wrong.append((model.__name__, int(row_id), int(copied), int(own)))
    return wrong


def test_every_writer_keeps_the_copied_organisation(session: Session, factory: Factory) -> None:
    other = Factory(session)
    worker, elsewhere = factory.user(), other.user()
    household = factory.household(social_worker=worker)
    lease = factory.lease(factory.flat(FlatStatus.let), household)
    match = factory.match(factory.flat(), household, worker, status=MatchStatus.expired)
    assert _out_of_step(session) == []
    session.refresh(lease)
    assert lease.organisation_id == worker.organisation_id
    # A writer that names no organisation at all (as COPY does in the load benchmark).
    moved = other.household(social_worker=elsewhere)
    session.execute(
        sa.insert(Match).values(
            household_id=moved.id,
            flat_id=factory.flat().id,
            proposed_by_id=worker.id,
            status=MatchStatus.declined,
        )
    )
    assert _out_of_step(session) == []
    # A record moved to another household takes that household's organisation.
    session.execute(sa.update(Lease).where(col(Lease.id) == lease.id).values(household_id=moved.id))
    assert _out_of_step(session) == []
    # Should a household ever change organisation, its records follow.
    session.execute(
        sa.update(Household)
        .where(col(Household.id) == household.id)
        .values(organisation_id=elsewhere.organisation_id)
    )
    assert _out_of_step(session) == []
    matches = session.exec(select(Match).where(col(Match.id) == match.id)).one()
    session.refresh(matches)
    assert matches.organisation_id == elsewhere.organisation_id


def _reference_matches(session: Session, actor: User, status: MatchStatus | None) -> list[int]:
    """The ids the offers list should show, newest first: through the household, as before."""
    query = (
        sa.select(col(Match.id))
        .join(Household, col(Household.id) == col(Match.household_id))
        .where(visible_to(actor))
    )
    if status is not None:
        query = query.where(col(Match.status) == status)
    order = (col(Match.created_at).desc(), col(Match.id).desc())
    return [int(i) for i in session.execute(query.order_by(*order)).scalars()]


def _matches(factory: Factory, worker: User) -> None:
    statuses = (MatchStatus.expired, MatchStatus.declined, MatchStatus.proposed)
    for n in range(7):
        household = factory.household(social_worker=worker)
        factory.match(factory.flat(), household, worker, status=statuses[n % 3])


def test_matches_lists_show_and_count_what_the_actor_may_see(
    session: Session, factory: Factory
) -> None:
    worker = factory.user()
    _matches(factory, worker)
    other = Factory(session)
    _matches(other, other.user())
    actors = [
        worker,
        factory.user(UserRole.staff),
        factory.user(UserRole.admin),
        factory.user(organisation_id=None),
        factory.user(UserRole.platform_member),
    ]
    statuses = (None, MatchStatus.proposed, MatchStatus.declined, MatchStatus.accepted)
    for actor, status in product(actors, statuses):
        expected = _reference_matches(session, actor, status)
        for page in (1, 2, 3):
            found, total = list_matches(session, actor=actor, status=status, page=page, per_page=3)
            assert [m.id for m in found] == expected[(page - 1) * 3 : page * 3], (actor, status)
            assert total == len(expected), (actor.role, status)
    assert len(_reference_matches(session, worker, None)) == 7
    assert len(_reference_matches(session, actors[1], None)) == 14


def test_lists_count_a_social_workers_records_without_the_households(
    session: Session, factory: Factory
) -> None:
    worker = factory.user()
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    engine = session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        list_matches(session, actor=worker, status=None)
        list_leases(
            session,
            actor=worker,
            filters=LeaseFilters(in_arrears=True),
            today=date(2026, 3, 1),
            page=1,
            per_page=25,
        )
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    counts = [s for s in statements if "count(*)" in s]
    assert len(counts) == 2 and not any("household" in s for s in counts), counts


@pytest.fixture
def on_postgres(backend: str) -> None:
    if backend != "postgres":
        pytest.skip("the plans are PostgreSQL's")


@pytest.mark.usefixtures("on_postgres")
def test_landlords_page_walks_the_name_index(session: Session) -> None:
    """A deep page reads the landlords in name order (ties sorted by id on the way), not
    every landlord sorted."""
    query = landlords_query().with_only_columns(col(Landlord.id)).limit(25).offset(1200)
    compiled = query.compile(dialect=session.get_bind().dialect)
    connection = session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    lines = connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).scalars()
    found = "\n".join(lines)
    assert "Index Scan using ix_landlord_name" in found, found
