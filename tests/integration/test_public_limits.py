"""The public rate limits hold under a parallel burst: every submission in its own session and
transaction, all at the same moment, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from itertools import product

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from agency.db import session_scope
from agency.models import LoginAttempt
from agency.models.base import utcnow
from agency.services.users import PublicLimit, TooManySubmissions, count_public_submission

KIND = "offer"
HOLD = 0.05  # seconds an accepted submission stays in its transaction (the rest of a request)


def _burst(
    engine: Engine, submissions: list[tuple[str, str]], limit: PublicLimit, read_first: bool = False
) -> Counter[str]:
    """Submit each (email, ip) at the same moment; "ok" or "429" each, anything else raises."""
    barrier, now = threading.Barrier(len(submissions)), utcnow()

    def submit(email: str, ip: str) -> str:
        with session_scope(engine) as session:
            if read_first:  # as the offer form does (it looks up the municipality first)
                session.execute(sa.select(sa.func.count()).select_from(LoginAttempt)).one()
            barrier.wait()
            try:
                count_public_submission(
                    session, kind=KIND, email=email, ip=ip, now=now, limit=limit
                )
            except TooManySubmissions:
                return "429"
            time.sleep(HOLD)
        return "ok"

    with ThreadPoolExecutor(len(submissions)) as pool:
        return Counter(pool.map(lambda s: submit(*s), submissions))


def _stored(engine: Engine, column: str) -> Counter[str]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(getattr(LoginAttempt, column)).where(col(LoginAttempt.kind) == KIND)
        )
        return Counter(str(value) for (value,) in rows)


def test_a_burst_from_many_origins_gets_exactly_the_limit_per_email(fresh_engine: Engine) -> None:
    limit = PublicLimit(per_ip=100, per_email=4)
    burst = [("Burst@example.cz", f"10.0.0.{n}") for n in range(3 * limit.per_email)]
    outcomes = _burst(fresh_engine, burst, limit)
    assert outcomes == Counter(ok=limit.per_email, **{"429": 2 * limit.per_email})
    assert _stored(fresh_engine, "email") == Counter({"burst@example.cz": limit.per_email})


def test_a_burst_from_one_origin_gets_exactly_the_limit_per_origin(fresh_engine: Engine) -> None:
    limit = PublicLimit(per_ip=4, per_email=100)
    burst = [(f"x{n}@example.cz", "10.0.0.1") for n in range(3 * limit.per_ip)]
    outcomes = _burst(fresh_engine, burst, limit)
    assert outcomes == Counter(ok=limit.per_ip, **{"429": 2 * limit.per_ip})
    assert _stored(fresh_engine, "ip") == Counter({"10.0.0.1": limit.per_ip})


def test_crossed_origins_and_emails_neither_deadlock_nor_pass_a_limit(
    fresh_engine: Engine,
) -> None:
    limit = PublicLimit(per_ip=3, per_email=3)
    pairs = list(product(["a@example.cz", "b@example.cz"], ["10.0.0.1", "10.0.0.2"]))
    outcomes = _burst(fresh_engine, pairs * 3, limit)
    by_email, by_ip = _stored(fresh_engine, "email"), _stored(fresh_engine, "ip")
    assert outcomes["ok"] + outcomes["429"] == len(pairs) * 3
    assert outcomes["ok"] == by_email.total() == by_ip.total() > 0
    assert max(by_email.values()) <= limit.per_email and max(by_ip.values()) <= limit.per_ip


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_on_sqlite_late_writers_are_asked_to_wait_not_failed(fresh_engine: Engine) -> None:
    """A deferred SQLite transaction that read first cannot wait for the write lock: those
    submissions get a 429 (try again), never "database is locked"."""
    limit = PublicLimit(per_ip=100, per_email=4)
    burst = [("late@example.cz", f"10.0.0.{n}") for n in range(3 * limit.per_email)]
    outcomes = _burst(fresh_engine, burst, limit, read_first=True)
    assert set(outcomes) <= {"ok", "429"} and 1 <= outcomes["ok"] <= limit.per_email
    assert _stored(fresh_engine, "email") == Counter({"late@example.cz": outcomes["ok"]})
