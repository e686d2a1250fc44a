"""The households counted per organisation and status (kept by the database, migration 0011)
and the households list's total read from them, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from litestar.testing import TestClient
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from agency.db import session_scope
from agency.enums import (
    EthosCategory,
    FlatStatus,
    HouseholdCloseReason,
    HouseholdStatus,
    MatchStatus,
    UserRole,
)
from agency.migrate import alembic_config, upgrade
from agency.models import Household, HouseholdStatusCount, User
from agency.services.household_queries import (
    HouseholdFilters,
    count_households,
    households_query,
)
from agency.services.households import close_household, queue_household, register_household
from agency.services.leases import create_lease
from agency.services.matches import Locked
from agency.services.privacy import pseudonymise_expired, pseudonymise_household
from tests.factories import Factory
from tests.integration.test_household_services import CONSENT, TODAY, details
from tests.web.test_api_households import API
from tests.web.test_households import make_households, other_org_worker
from tests.webutil import login
from web.pagination import count_rows

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
Counts = dict[tuple[int, str], int]
# The list's COUNT of households, as `web.pagination.count_rows` writes it.
COUNTING = re.compile(r"SELECT count\(\*\) AS \w+\s+FROM household\b", re.IGNORECASE)


def _kept(connection: Session | Connection) -> Counts:
    """The kept counts, without the rows whose count fell to zero."""
    rows = connection.execute(
        sa.select(
            col(HouseholdStatusCount.organisation_id),
            col(HouseholdStatusCount.status),
            col(HouseholdStatusCount.households),
        )
    )
    return {(int(org), str(status)): int(n) for org, status, n in rows if n != 0}


def _counted(connection: Session | Connection) -> Counts:
    query = sa.select(
        col(Household.organisation_id), col(Household.status), sa.func.count()
    ).group_by(col(Household.organisation_id), col(Household.status))
    return {(int(org), str(status)): int(n) for org, status, n in connection.execute(query)}


def _assert_in_step(session: Session) -> Counts:
    session.flush()
    counted = _counted(session)
    assert _kept(session) == counted
    return counted


def _set(session: Session, household: Household, **values: object) -> None:
    """A set-based update, as a job or a script writes (no ORM record involved)."""
    query = sa.update(Household).where(col(Household.id) == household.id).values(**values)
    session.execute(query, execution_options={"synchronize_session": False})


def test_direct_writes_keep_the_counts(session: Session, factory: Factory) -> None:
    other = Factory(session)
    worker, elsewhere = factory.user(), other.user()
    first = factory.household(HouseholdStatus.waiting, social_worker=worker)
    second = factory.household(HouseholdStatus.registered, social_worker=worker)
    third = other.household(HouseholdStatus.waiting, social_worker=elsewhere)
    counted = _assert_in_step(session)
    assert counted[(int(worker.organisation_id or 0), "waiting")] == 1
    first.status = HouseholdStatus.offered  # a status change through the ORM
    second.urgency = 5  # no change of status or organisation
    session.add_all([first, second])
    _assert_in_step(session)
    _set(session, third, organisation_id=worker.organisation_id)  # another organisation
    _assert_in_step(session)
    _set(session, third, organisation_id=elsewhere.organisation_id, status="registered")
    _assert_in_step(session)
    _set(session, third, status="registered")  # named, but unchanged
    _assert_in_step(session)
    session.execute(  # many rows in one statement
        sa.update(Household)
        .where(col(Household.status) == HouseholdStatus.registered)
        .values(status=HouseholdStatus.waiting),
        execution_options={"synchronize_session": False},
    )
    _assert_in_step(session)
    session.delete(first)
    _assert_in_step(session)
    session.execute(sa.delete(Household).where(col(Household.id) == third.id))
    assert _assert_in_step(session) == {(int(worker.organisation_id or 0), "waiting"): 1}


def test_the_services_keep_the_counts(session: Session, factory: Factory) -> None:
    worker, staff = factory.user(), factory.user(UserRole.staff)
    data = details(worker)
    registered = register_household(session, actor=worker, data=data, consent=CONSENT, today=TODAY)
    hid = int(registered.id or 0)
    _assert_in_step(session)
    queue_household(session, actor=worker, household_id=hid)
    _assert_in_step(session)
    offered = factory.household(HouseholdStatus.offered, social_worker=worker)
    flat = factory.flat(FlatStatus.offered)
    match = factory.match(flat, offered, worker, status=MatchStatus.accepted)
    create_lease(session, locked=Locked(match, flat, offered), actor_id=worker.id, now=NOW)
    _assert_in_step(session)
    close_household(session, actor=worker, household_id=hid, reason=HouseholdCloseReason.need_ended)
    _assert_in_step(session)
    pseudonymise_household(
        session, actor=staff, household_id=hid, reason="request", confirmed=True, now=NOW
    )
    _assert_in_step(session)
    old = factory.household(
        HouseholdStatus.closed,
        social_worker=worker,
        close_reason=HouseholdCloseReason.moved_away,
        closed_at=datetime(2015, 1, 1, tzinfo=UTC),
    )
    assert pseudonymise_expired(session, now=NOW, years=5) == 1
    session.refresh(old)
    assert old.pseudonymised_at is not None
    counted = _assert_in_step(session)
    org = int(worker.organisation_id or 0)
    assert {status for o, status in counted if o == org} == {"closed", "housed"}


def _actors(session: Session, factory: Factory) -> dict[str, User]:
    """Households in two organisations, and one actor of each kind of visibility."""
    other = Factory(session)
    worker, elsewhere = factory.user(), other.user()
    statuses = (HouseholdStatus.waiting, HouseholdStatus.waiting, HouseholdStatus.registered)
    for status in statuses:
        factory.household(status, social_worker=worker)
    other.household(HouseholdStatus.waiting, social_worker=elsewhere, urgency=2)
    return {
        "staff": factory.user(UserRole.staff),
        "worker": worker,
        "elsewhere": elsewhere,
        "nowhere": factory.user(organisation_id=None),
        "landlord": factory.user(UserRole.landlord),
    }


def test_the_lists_total_is_the_kept_count_or_counted(session: Session, factory: Factory) -> None:
    actors = _actors(session, factory)
    kept = [HouseholdFilters(), HouseholdFilters(text="   ")]
    kept += [HouseholdFilters(status=status) for status in HouseholdStatus]
    for name, actor in actors.items():
        for filters in kept:
            expected = count_rows(session, households_query(actor, filters))
            assert count_households(session, actor, filters) == expected, (name, filters)
    totals = {name: count_households(session, a, HouseholdFilters()) for name, a in actors.items()}
    assert totals == {"staff": 4, "worker": 3, "elsewhere": 1, "nowhere": 0, "landlord": 0}
    waiting = HouseholdFilters(status=HouseholdStatus.waiting)
    assert count_households(session, actors["worker"], waiting) == 2


@pytest.mark.parametrize(
    "filters",
    [
        HouseholdFilters(urgency=2),
        HouseholdFilters(orp_code=3212),
        HouseholdFilters(ethos_category=EthosCategory.roofless),
        HouseholdFilters(text="Domácnost"),
        HouseholdFilters(text="Domácnost", status=HouseholdStatus.waiting),
    ],
)
def test_other_filters_are_counted_from_the_query(
    session: Session, factory: Factory, filters: HouseholdFilters
) -> None:
    for actor in _actors(session, factory).values():
        assert count_households(session, actor, filters) is None


def _downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_the_migration_counts_what_is_there_and_goes_back(fresh_engine: Engine) -> None:
    _downgrade(fresh_engine, "0010_scoped_counts")
    assert "household_status_count" not in sa.inspect(fresh_engine).get_table_names()
    with session_scope(fresh_engine) as session:  # written while nothing counts
        factory, other = Factory(session), Factory(session)
        worker, elsewhere = factory.user(), other.user()
        for status in (HouseholdStatus.waiting, HouseholdStatus.waiting, HouseholdStatus.housed):
            factory.household(status, social_worker=worker)
        other.household(HouseholdStatus.registered, social_worker=elsewhere)
    upgrade(fresh_engine)
    with fresh_engine.connect() as connection:
        assert _kept(connection) == _counted(connection)
        assert sum(_kept(connection).values()) == 4
    with session_scope(fresh_engine) as session:  # and counted again from now on
        Factory(session).household(HouseholdStatus.offered)
    with fresh_engine.connect() as connection:
        assert _kept(connection) == _counted(connection)


def _add_offered(engine: Engine, worker: User, started: threading.Event) -> None:
    started.set()
    with session_scope(engine) as session:
        Factory(session).household(HouseholdStatus.offered, social_worker=worker)


# PostgreSQL only: SQLite's writers take turns for the whole transaction, so there is no
# concurrent writer to wait for.
@pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_concurrent_writers_count_a_new_key_once(fresh_engine: Engine) -> None:
    """Two transactions add the first household of one organisation and status: the second
    waits for the first's new row of counts, then adds to it (no duplicate key, no loss)."""
    with session_scope(fresh_engine) as session:
        worker = Factory(session).user()
    started = threading.Event()
    second = threading.Thread(target=_add_offered, args=(fresh_engine, worker, started))
    with session_scope(fresh_engine) as session:
        Factory(session).household(HouseholdStatus.offered, social_worker=worker)
        second.start()
        started.wait(10)
        second.join(0.5)
        assert second.is_alive()  # waiting for this transaction's row of counts
    second.join(10)
    with fresh_engine.connect() as connection:
        assert _kept(connection) == _counted(connection)
        assert _kept(connection)[(int(worker.organisation_id or 0), "offered")] == 2


def test_the_list_and_the_api_show_the_kept_total(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    with session_scope(web_engine) as session:
        elsewhere = session.exec(select(User).where(User.email == other_org_worker(web_engine)))
        make_households(web_engine, elsewhere.one(), 4)
    make_households(web_engine, users["social_worker"], 3)
    make_households(web_engine, users["social_worker"], 2, status="registered", urgency=5)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if COUNTING.match(statement):
            statements.append(statement)

    sa.event.listen(web_engine, "before_cursor_execute", record)
    try:
        login(client, "staff@example.cz")
        assert "9 domácností" in client.get("/households").text
        assert "2 domácnosti" in client.get("/households?status=registered").text
        assert client.get(API).json()["pagination"]["total"] == 9
        login(client, "social_worker@example.cz")
        assert "5 domácností" in client.get("/households").text
        waiting = client.get(API, params={"status": "waiting"}).json()["pagination"]
        assert (waiting["total"], waiting["pages"]) == (3, 1)
        assert statements == []  # every total so far was a kept count
        assert "2 domácnosti" in client.get("/households?urgency=5").text
        assert client.get(API, params={"urgency": "5"}).json()["pagination"]["total"] == 2
        assert len(statements) == 2  # counted from the query
    finally:
        sa.event.remove(web_engine, "before_cursor_execute", record)
