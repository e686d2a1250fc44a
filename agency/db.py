"""Engines and sessions for SQLite (embedded default) and PostgreSQL (production).

The database URL is passed in by the caller; this module reads no settings.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel


def metadata() -> sa.MetaData:
    """The metadata of every table of the product."""
    import agency.models  # noqa: F401  (registers the tables)
    import notifications.models  # noqa: F401

    return SQLModel.metadata


def normalise_url(url: str) -> str:
    """Accept `postgresql://` and `postgres://` as psycopg 3 URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, write_first: bool = False, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets foreign keys, WAL and a busy timeout.

    `write_first` (SQLite): every transaction takes the write lock when it begins, waiting
    its turn, for work that reads and then writes while others write (the scheduler's jobs).
    A deferred transaction that read before another one committed cannot take the lock later
    ("database is locked" at once, without waiting)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, write_first=write_first, **kwargs)
    kwargs.setdefault("pool_pre_ping", True)
    # The queries are short; PostgreSQL's JIT compiling them costs more than it saves.
    kwargs.setdefault("connect_args", {"options": "-c jit=off"})
    return sa.create_engine(url, **kwargs)


def _sqlite_engine(url: str, *, write_first: bool, **kwargs: Any) -> Engine:
    database = sa.engine.make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
    engine = sa.create_engine(url, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin_immediate if write_first else _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy's documented recipe
    # turns it off and emits BEGIN itself (see _sqlite_on_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL loses no committed data on a process crash, and commits are much faster.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_on_begin(connection: sa.Connection) -> None:
    # A deferred BEGIN: readers never wait for one another (WAL), and a writer takes the
    # lock at its first write, waiting up to busy_timeout for another writer to finish.
    connection.exec_driver_sql("BEGIN")


def _sqlite_on_begin_immediate(connection: sa.Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error (the one place that commits)."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
