"""Fixtures of the notification tests: a committed database of the tables, a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from agency.db import make_engine, metadata
from tests.notifications.helpers import (
    MailRecorder,
    SmtpServer,
    create_pg_database,
    drop_pg_database,
    free_port,
)


@pytest.fixture
def tables_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """A new database holding the product's tables (no reference data); work really commits.

    Faster than `fresh_engine` (no migration run, no gazetteer) for tests of the outbox alone.
    Commits skip the disk flush (SQLite synchronous=NORMAL, PostgreSQL synchronous_commit=off):
    that only matters when the machine loses power, which no test does; a killed process, the
    case under test, loses nothing either way.
    """
    url = create_pg_database() if backend == "postgres" else f"sqlite:///{tmp_path / 'mail.db'}"
    engine = make_engine(url)
    if backend == "sqlite":
        event.listen(engine, "connect", _no_flush_on_commit)
    metadata().create_all(engine)
    yield engine
    engine.dispose()
    if backend == "postgres":
        drop_pg_database(url)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free loopback port, recording what it accepts."""
    server = SmtpServer(port=free_port(), recorder=MailRecorder())
    server.start()
    yield server
    server.stop()


def _no_flush_on_commit(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")
