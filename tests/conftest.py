"""Shared fixtures: a database per backend (SQLite and PostgreSQL), each test rolled back.

PostgreSQL comes from TEST_DATABASE_URL, or 127.0.0.1:5432 when reachable; each test run
creates its own databases and drops them at the end. Without PostgreSQL the PostgreSQL
half of the suite skips with one clear line; with REQUIRE_POSTGRES=1 it fails instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from agency.db import make_engine, normalise_url, session_scope
from agency.enums import UserRole
from agency.migrate import upgrade
from agency.models import User
from agency.passwords import make_hasher
from notifications.config import MailConfig
from tests.factories import Factory
from tests.webutil import PASSWORD
from web.app import create_app
from web.settings import Settings

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


def create_pg_database(template: str | None = None) -> str:
    """A new PostgreSQL database, empty or a copy of `template`; returns its URL."""
    name = f"agency_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    copy = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"{copy}')
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


@pytest.fixture(scope="session")
def migrated_template(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database that fresh databases are copied from (faster than migrating)."""
    url = new_database_url(backend, tmp_path_factory.mktemp("template"))
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    discard_database(backend, url)


@pytest.fixture
def fresh_engine(backend: str, migrated_template: str, tmp_path: Path) -> Iterator[Engine]:
    """A brand-new migrated database, for tests whose work must really commit."""
    if backend == "postgres":
        url = create_pg_database(template=make_url(migrated_template).database)
    else:
        url = f"sqlite:///{tmp_path / f'fresh-{uuid.uuid4().hex[:8]}.db'}"
        shutil.copyfile(str(make_url(migrated_template).database), str(make_url(url).database))
    engine = make_engine(url)
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


@pytest.fixture
def web_engine(fresh_engine: Engine) -> Engine:
    """The database behind `client`: committed data, visible to every request."""
    return fresh_engine


@pytest.fixture
def client(web_engine: Engine, tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    """The whole app over a fresh database, with cheap password hashing."""
    settings = Settings(
        database_url="sqlite://",
        secret_key="test-secret",
        var_dir=tmp_path,
        mail=MailConfig(backend="file", mail_dir=tmp_path / "mail"),
    )
    app = create_app(settings, engine=web_engine, hasher=make_hasher(cheap=True))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def users(web_engine: Engine) -> dict[str, User]:
    """One user per role (password tests.webutil.PASSWORD), committed."""
    hasher = make_hasher(cheap=True)
    made: dict[str, User] = {}
    with session_scope(web_engine) as session:
        factory = Factory(session)
        for role in UserRole:
            made[role.value] = factory.user(
                role, password_hash=hasher.hash(PASSWORD), email=f"{role.value}@example.cz"
            )
        made["staff2"] = factory.user(
            UserRole.staff, password_hash=hasher.hash(PASSWORD), email="staff2@example.cz"
        )
    return made
