"""The embedded SQLite engine: a transaction that reads, then writes after someone else
committed, fails at once when deferred; the jobs' write-first engine waits its turn instead."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from agency.db import make_engine


def _table(url: str) -> None:
    with make_engine(url).begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (n INTEGER)")


def test_a_deferred_reader_that_writes_late_is_refused_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'deferred.db'}"
    _table(url)
    engine = make_engine(url)
    refused = pytest.raises(sa.exc.OperationalError, match="locked")
    with engine.connect() as slow, refused, slow.begin():
        slow.exec_driver_sql("SELECT count(*) FROM t").all()
        with engine.begin() as other:
            other.exec_driver_sql("INSERT INTO t VALUES (1)")
        slow.exec_driver_sql("INSERT INTO t VALUES (2)")


def test_a_write_first_transaction_makes_the_other_writer_wait(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'write_first.db'}"
    _table(url)
    jobs, web = make_engine(url, write_first=True), make_engine(url)
    started, failures = threading.Event(), []

    def other_writer() -> None:
        started.wait(5)
        try:
            with web.begin() as connection:
                connection.exec_driver_sql("INSERT INTO t VALUES (1)")
        except sa.exc.OperationalError as exc:  # pragma: no cover - the failure we look for
            failures.append(exc)

    thread = threading.Thread(target=other_writer)
    thread.start()
    with jobs.begin() as job:
        job.exec_driver_sql("SELECT count(*) FROM t").all()
        started.set()
        thread.join(0.3)  # the other writer is waiting for the lock, not failing
        assert thread.is_alive()
        job.exec_driver_sql("INSERT INTO t VALUES (2)")
    thread.join(10)
    assert failures == []
    with web.connect() as connection:
        assert sorted(connection.exec_driver_sql("SELECT n FROM t").scalars()) == [1, 2]
