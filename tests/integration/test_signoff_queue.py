"""The sign-off queue pages through the proposals oldest first, whatever else is open."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from agency.enums import FlatStatus, HouseholdStatus, MatchStatus, UserRole
from agency.models import Match
from agency.services.placement_views import signoff_queue
from tests.factories import Factory
from tests.integration.placement_data import household as placed_household

START = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def test_pages_hold_the_oldest_proposals_first_and_only_proposals(
    session: Session, factory: Factory
) -> None:
    worker = factory.user(UserRole.social_worker)
    # Created out of order, two at the same moment (then by id), and other statuses mixed in.
    offsets = (5, 1, 3, 3, 0, 7, 2)
    made: list[Match] = []
    for n, (offset, status) in enumerate(
        zip((*offsets, 4, 6), [MatchStatus.proposed] * 7 + [MatchStatus.approved] * 2, strict=True)
    ):
        flat = factory.flat(FlatStatus.offered)
        household = factory.household(HouseholdStatus.offered, social_worker=worker)
        match = factory.match(
            flat, household, worker, status=status, created_at=START + timedelta(days=offset)
        )
        if n < len(offsets):
            made.append(match)
    expected = [m.id for m in sorted(made, key=lambda m: (m.created_at, m.id))]
    today = date(2026, 11, 21)
    pages = [signoff_queue(session, today=today, page=p, per_page=3) for p in (1, 2, 3)]
    assert [i.match.id for q in pages for i in q.items] == expected
    assert {(q.total, q.pages) for q in pages} == {(7, 3)}
    assert [len(q.items) for q in pages] == [3, 3, 1]
    assert all(i.flat.id == i.match.flat_id for q in pages for i in q.items)
    # A page past the end shows the last one.
    assert [i.match.id for i in signoff_queue(session, today=today, page=9, per_page=3).items] == (
        expected[6:]
    )


def test_a_page_takes_the_same_statements_however_many_proposals_it_shows(
    session: Session, factory: Factory
) -> None:
    worker = factory.user(UserRole.social_worker)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    def statements_for_a_page() -> int:
        session.expunge_all()  # read from the database, as a request does
        statements.clear()
        queue = signoff_queue(session, today=date(2026, 11, 21), per_page=25)
        shown = [  # what the page shows of each
            (i.match.created_at, i.match.proposed_by_id, i.profile.persons, i.flat.street)
            for i in queue.items
        ]
        assert all(None not in row for row in shown)
        return len(statements)

    engine = session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        counts = []
        for proposals in (1, 6):
            while len(signoff_queue(session, today=date(2026, 11, 21)).items) < proposals:
                flat = factory.flat(FlatStatus.offered)
                household = factory.household(HouseholdStatus.offered, social_worker=worker)
                factory.match(flat, household, worker, status=MatchStatus.proposed)
            counts.append(statements_for_a_page())
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert counts[0] == counts[1] <= 3, statements  # the count, the page, the members


def test_the_queue_reads_plain_rows_and_nothing_that_names_the_household(
    session: Session, factory: Factory
) -> None:
    worker = factory.user(UserRole.social_worker)
    household = placed_household(
        factory, adults=1, children=(2016,), social_worker=worker, status=HouseholdStatus.offered
    )
    factory.match(factory.flat(FlatStatus.offered), household, worker)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    session.expunge_all()
    engine = session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        queue = signoff_queue(session, today=date(2026, 11, 21))
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert [(i.profile.adults, i.profile.children) for i in queue.items] == [(1, 1)]
    assert [i.proposer_name for i in queue.items] == [worker.name]
    # No entity is built: not the proposal, flat, place, household, members nor proposer.
    assert list(session.identity_map.values()) == []
    read = " ".join(statements).lower()
    assert not [name for name in ("reference_", "notes", "email") if name in read], statements
