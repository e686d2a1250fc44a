"""Shared fixtures: a database per backend (SQLite and PostgreSQL), each test rolled back.

PostgreSQL comes from TEST_DATABASE_URL, or 127.0.0.1:5432 when reachable; each test run
creates its own databases and drops them at the end. Without PostgreSQL the PostgreSQL
half of the suite skips with one clear line; with REQUIRE_POSTGRES=1 it fails instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from agency.db import make_engine, normalise_url
from agency.migrate import upgrade
from tests.factories import Factory

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _pg_admin_url() -> str:
    return normalise_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_PG))


def _pg_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    engine = sa.create_engine(_pg_admin_url(), connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return None
    except Exception as exc:  # any failure to connect means "not available"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    finally:
        engine.dispose()


_PG_PROBLEM: str | None = _pg_available()


def require_postgres() -> None:
    """Skip (or fail with REQUIRE_POSTGRES=1) when PostgreSQL is not reachable."""
    if _PG_PROBLEM is None:
        return
    message = f"PostgreSQL not reachable at {make_url(_pg_admin_url()).render_as_string()}"
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{message} and REQUIRE_POSTGRES=1: {_PG_PROBLEM}")
    pytest.skip(f"{message} (set TEST_DATABASE_URL or start PostgreSQL)")


def create_pg_database() -> str:
    """A new empty PostgreSQL database; returns its URL."""
    name = f"agency_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(_pg_admin_url()).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    name = make_url(url).database
    admin = sa.create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def new_database_url(backend: str, tmp_dir: Path) -> str:
    if backend == "postgres":
        require_postgres()
        return create_pg_database()
    return f"sqlite:///{tmp_dir / f'agency-{uuid.uuid4().hex[:8]}.db'}"


def discard_database(backend: str, url: str) -> None:
    if backend == "postgres":
        drop_pg_database(url)


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        require_postgres()
    return str(request.param)


@pytest.fixture(scope="session")
def engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One migrated database per backend for the whole run."""
    url = new_database_url(backend, tmp_path_factory.mktemp("db"))
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()
    discard_database(backend, url)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test, whatever it committed."""
    connection = engine.connect()
    outer = connection.begin()
    with Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    ) as session:
        yield session
    outer.rollback()
    connection.close()


@pytest.fixture
def fresh_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """A brand-new migrated database, for tests whose work must really commit."""
    url = new_database_url(backend, tmp_path)
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()
    discard_database(backend, url)


@pytest.fixture
def empty_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database (no tables), dropped afterwards."""
    url = new_database_url(backend, tmp_path)
    yield url
    discard_database(backend, url)


@pytest.fixture
def factory(session: Session) -> Factory:
    return Factory(session)


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    """A brand-new migrated PostgreSQL database, for tests of real concurrency."""
    require_postgres()
    url = create_pg_database()
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()
    drop_pg_database(url)
