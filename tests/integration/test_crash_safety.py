"""Crash safety with real processes on PostgreSQL: the web server and the scheduler are killed
with SIGKILL in the middle of their work, and nothing is left half-written.

A test holds a transaction still inside the database with a gate: a test-only trigger that waits
for an advisory lock the test holds. The process is killed while its transaction waits there;
the orphaned transaction then runs on, finds its client gone and is rolled back. The kill
between commit and response uses a TCP proxy in front of PostgreSQL that holds back the reply
to COMMIT, so the server has committed but can never answer.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from agency.db import session_scope
from agency.enums import FlatStatus, HouseholdStatus, UserRole
from agency.jobs import notify_stale_listings, remind_after_move
from agency.models.base import utcnow
from agency.passwords import make_hasher
from agency.services.offers import expire_offers
from agency.services.rent import charge_rent
from agency.services.support import default_template, generate_schedule
from notifications.formatting import LOCAL_TIME
from tests.factories import Factory
from tests.integration.placement_data import offer, proposal
from tests.notifications.helpers import ROOT, SchedulerProcess, free_port
from tests.webutil import PASSWORD, csrf_from
from web.scheduler import build_scheduler, collect_jobs, sync_jobs

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.parametrize("backend", ["postgres"], indirect=True),
]

GATE_KEY = 0x43524153  # the test's advisory lock ("CRAS")
WEB_APP, SCHEDULER_APP = "crash-web", "crash-scheduler"  # application_name of their connections
DECIDED = "O tomto návrhu už bylo rozhodnuto."  # "This proposal has been decided already."
COUNTED = ("placement_match", "audit_log", "outbox_message", "notification", "rent_charge")


# --- the gate: a transaction held inside the database -------------------------------------


def install_gate(engine: Engine, *targets: tuple[str, str]) -> None:
    """A trigger on each (table, INSERT|UPDATE) that waits for the test's advisory lock."""
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE OR REPLACE FUNCTION crash_gate() RETURNS trigger LANGUAGE plpgsql AS"
            f" $$ BEGIN PERFORM pg_advisory_xact_lock({GATE_KEY}); RETURN NEW; END $$"
        )
        for table, operation in targets:
            connection.exec_driver_sql(
                f"CREATE TRIGGER crash_gate_{table} BEFORE {operation} ON {table}"
                " FOR EACH ROW EXECUTE FUNCTION crash_gate()"
            )


def remove_gate(engine: Engine, *tables: str) -> None:
    with engine.begin() as connection:
        for table in tables:
            connection.exec_driver_sql(f"DROP TRIGGER crash_gate_{table} ON {table}")
        connection.exec_driver_sql("DROP FUNCTION crash_gate()")


@contextmanager
def gate_closed(engine: Engine) -> Iterator[Callable[[], None]]:
    """Hold the gate's lock; yields the function that opens it (it opens at exit anyway)."""
    holder = engine.connect()
    holder.execute(sa.select(sa.func.pg_advisory_lock(GATE_KEY)))
    holder.commit()
    opened = False

    def open_gate() -> None:
        nonlocal opened
        if not opened:
            holder.execute(sa.select(sa.func.pg_advisory_unlock(GATE_KEY)))
            holder.commit()
            opened = True

    try:
        yield open_gate
    finally:
        open_gate()
        holder.close()


def backends(engine: Engine, app: str, *, at_gate: bool = False) -> int:
    """Connections of `app` to this database (only those waiting at the gate, if asked)."""
    waiting = " AND wait_event_type = 'Lock' AND wait_event = 'advisory'" if at_gate else ""
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        f" AND application_name = :app{waiting}"
    )
    with engine.connect() as connection:
        return int(connection.execute(query, {"app": app}).scalar_one())


def writing(engine: Engine, app: str, table: str) -> bool:
    """True when a transaction of `app` holds the lock of one that has written `table`."""
    query = sa.text(
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE a.application_name = :app AND l.granted AND l.mode = 'RowExclusiveLock'"
        " AND l.relation = CAST(:table AS regclass)"
    )
    with engine.connect() as connection:
        return bool(connection.execute(query, {"app": app, "table": table}).scalar_one())


def wait_for(condition: Callable[[], bool], timeout: float = 90.0) -> bool:
    """Poll `condition` until it holds; False when `timeout` passes first (a liveness bound)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def app_url(engine: Engine, app: str, port: int | None = None) -> str:
    url = make_url(engine.url.render_as_string(hide_password=False))
    url = url.update_query_dict({"application_name": app, "sslmode": "disable"})
    return (url.set(port=port) if port else url).render_as_string(hide_password=False)


# --- the web server in a process of its own ----------------------------------------------


class WebServer:
    """`uvicorn web.app:create_app` on a free port, as production starts it."""

    def __init__(self, database_url: str, tmp_path: Path) -> None:
        self.port = free_port()
        self.log_path = tmp_path / f"web-{self.port}.log"
        env = {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "crash-test-secret-key-0123456789",
            "AGENCY_VAR_DIR": str(tmp_path / "var"),
            "RUN_SCHEDULER": "0",
        }
        command = ["-m", "uvicorn", "web.app:create_app", "--factory", "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, *command], cwd=ROOT, env=os.environ | env, stdout=log, stderr=log
            )
        self.base_url = f"http://127.0.0.1:{self.port}"
        assert wait_for(self._ready, timeout=60), self.log()

    def _ready(self) -> bool:
        assert self.process.poll() is None, self.log()
        try:
            return httpx.get(f"{self.base_url}/health", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def client(self, email: str) -> httpx.Client:
        """A logged-in browser-like client (cookies, CSRF tokens)."""
        client = httpx.Client(base_url=self.base_url, timeout=120, follow_redirects=False)
        token = csrf_from(client.get("/login").text)
        form = {"email": email, "password": PASSWORD, "_csrf_token": token}
        assert client.post("/login", data=form).status_code == 303, self.log()
        return client

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)
        assert self.process.returncode == -signal.SIGKILL

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class InFlight(threading.Thread):
    """A POST sent from a thread, so that the test can act while it is in flight."""

    def __init__(self, client: httpx.Client, path: str, data: dict[str, str]) -> None:
        super().__init__(daemon=True)
        self.client, self.path, self.data = client, path, data
        self.response: httpx.Response | None = None
        self.error: Exception | None = None

    def run(self) -> None:
        try:
            self.response = self.client.post(self.path, data=self.data)
        except httpx.HTTPError as exc:
            self.error = exc


def sign_off(client: httpx.Client, match_id: int) -> httpx.Response:
    token = csrf_from(client.get(f"/signoff/{match_id}").text)
    return client.post(f"/signoff/{match_id}/approve", data={"_csrf_token": token})


class CommitHoldingProxy:
    """A TCP proxy to PostgreSQL. Once armed, a connection that sends COMMIT (psycopg's simple
    query) gets no reply any more: the server commits, the client never learns it."""

    COMMIT = b"Q\x00\x00\x00\x0bCOMMIT\x00"

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.armed = threading.Event()
        self.held = threading.Event()
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            self.sockets += [client, server]
            holding = threading.Event()
            threading.Thread(target=self._up, args=(client, server, holding), daemon=True).start()
            threading.Thread(target=self._down, args=(server, client, holding), daemon=True).start()

    def _up(self, source: socket.socket, target: socket.socket, holding: threading.Event) -> None:
        for chunk in self._chunks(source):
            if self.armed.is_set() and self.COMMIT in chunk:
                holding.set()  # before COMMIT goes out, so its reply is always held
                self.held.set()
            self._send(target, chunk)
        self._shut(target)  # the client went away: so does the proxy's connection to PostgreSQL

    def _down(self, source: socket.socket, target: socket.socket, holding: threading.Event) -> None:
        for chunk in self._chunks(source):
            if not holding.is_set():
                self._send(target, chunk)
        self._shut(target)

    @staticmethod
    def _chunks(source: socket.socket) -> Iterator[bytes]:
        try:
            while chunk := source.recv(65536):
                yield chunk
        except OSError:
            return

    @staticmethod
    def _send(target: socket.socket, chunk: bytes) -> None:
        with suppress(OSError):
            target.sendall(chunk)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._shut(self.listener)
        self.listener.close()
        for sock in self.sockets:
            self._shut(sock)
            sock.close()


# --- records and what must hold -----------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    match_id: int
    flat_id: int
    household_id: int
    reviewer_id: int
    reviewer_email: str = "reviewer@example.cz"


def make_proposal(engine: Engine) -> Proposal:
    """A proposed match waiting for the second staff member, who can log in."""
    with session_scope(engine) as session:
        factory = Factory(session)
        match, _, _ = proposal(session, factory)
        reviewer = factory.user(
            UserRole.staff,
            email=Proposal.reviewer_email,
            password_hash=make_hasher(cheap=True).hash(PASSWORD),
        )
        return Proposal(int(match.id or 0), match.flat_id, match.household_id, reviewer.id or 0)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: int(connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())
            for table in COUNTED
        }


def placement(engine: Engine, p: Proposal) -> tuple[str, int | None, str, str, int, int]:
    """(match status, reviewer, flat status, household status, sign-off audits, outbox rows)."""
    query = sa.text(
        "SELECT m.status, m.reviewed_by_id, f.status, h.status,"
        " (SELECT count(*) FROM audit_log a WHERE a.entity = 'match' AND a.entity_id = m.id"
        "   AND a.action = 'signoff'),"
        " (SELECT count(*) FROM outbox_message o WHERE o.event_key LIKE '%:' || m.id)"
        " FROM placement_match m JOIN flat f ON f.id = m.flat_id"
        " JOIN household h ON h.id = m.household_id WHERE m.id = :id"
    )
    with engine.connect() as connection:
        row = connection.execute(query, {"id": p.match_id}).one()
    return (str(row[0]), row[1], str(row[2]), str(row[3]), int(row[4]), int(row[5]))


VIOLATIONS = {
    "two open matches on a flat": "SELECT flat_id FROM placement_match"
    " WHERE status IN ('proposed', 'approved', 'accepted') GROUP BY flat_id HAVING count(*) > 1",
    "two open matches of a household": "SELECT household_id FROM placement_match"
    " WHERE status IN ('proposed', 'approved', 'accepted')"
    " GROUP BY household_id HAVING count(*) > 1",
    "two active leases on a flat": "SELECT flat_id FROM lease WHERE status = 'active'"
    " GROUP BY flat_id HAVING count(*) > 1",
    "an approved match whose flat or household is not offered": "SELECT m.id"
    " FROM placement_match m JOIN flat f ON f.id = m.flat_id"
    " JOIN household h ON h.id = m.household_id"
    " WHERE m.status = 'approved' AND (f.status <> 'offered' OR h.status <> 'offered')",
    "an offered flat without its offer": "SELECT f.id FROM flat f WHERE f.status = 'offered'"
    " AND NOT EXISTS (SELECT 1 FROM placement_match m WHERE m.flat_id = f.id"
    " AND m.status IN ('approved', 'accepted'))",
    "an offered household without its offer": "SELECT h.id FROM household h"
    " WHERE h.status = 'offered' AND NOT EXISTS (SELECT 1 FROM placement_match m"
    " WHERE m.household_id = h.id AND m.status IN ('approved', 'accepted'))",
    "a month charged twice": "SELECT lease_id FROM rent_charge"
    " GROUP BY lease_id, period HAVING count(*) > 1",
    "a mail queued twice": "SELECT event_key FROM outbox_message"
    " GROUP BY event_key, recipient HAVING count(*) > 1",
    "a notification given twice": "SELECT event_key FROM notification"
    " GROUP BY user_id, event_key HAVING count(*) > 1",
    "an invalid index": "SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid",
}


def assert_invariants(engine: Engine) -> None:
    with engine.connect() as connection:
        found = {
            name: rows
            for name, sql in VIOLATIONS.items()
            if (rows := connection.exec_driver_sql(sql).all())
        }
    assert found == {}


# --- the web server killed during a sign-off ----------------------------------------------


def test_a_web_server_killed_inside_a_signoff_leaves_nothing_and_the_retry_signs_once(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    p = make_proposal(fresh_engine)
    url = app_url(fresh_engine, WEB_APP)
    install_gate(fresh_engine, ("outbox_message", "INSERT"))  # the last writes of a sign-off
    server = WebServer(url, tmp_path)
    try:
        client = server.client(p.reviewer_email)
        token = csrf_from(client.get(f"/signoff/{p.match_id}").text)
        before, state = counts(fresh_engine), placement(fresh_engine, p)
        with gate_closed(fresh_engine) as open_gate:
            path = f"/signoff/{p.match_id}/approve"
            request = InFlight(client, path, {"_csrf_token": token})
            request.start()
            assert wait_for(lambda: backends(fresh_engine, WEB_APP, at_gate=True) == 1)
            # Stopped after its updates: the match, flat, household and audit are written.
            for table in ("placement_match", "flat", "household", "audit_log"):
                assert writing(fresh_engine, WEB_APP, table), table
            server.kill()
            request.join(timeout=60)
            # The client got no answer; the dead server's transaction still waits in the database.
            assert request.response is None and isinstance(request.error, httpx.TransportError)
            assert backends(fresh_engine, WEB_APP, at_gate=True) == 1
            open_gate()
            assert wait_for(lambda: backends(fresh_engine, WEB_APP) == 0)
    finally:
        server.stop()
    assert state[:5] == ("proposed", None, "available", "waiting", 0)
    assert placement(fresh_engine, p) == state  # nothing of the sign-off was kept
    assert counts(fresh_engine) == before  # no outbox, audit, notification row either
    assert_invariants(fresh_engine)

    remove_gate(fresh_engine, "outbox_message")
    server = WebServer(url, tmp_path)
    try:
        client = server.client(p.reviewer_email)
        done = sign_off(client, p.match_id)
        assert done.status_code == 303, done.text
        assert done.headers["location"] == f"/signoff?decided={p.match_id}"
        signed = counts(fresh_engine)
        again = sign_off(client, p.match_id)
        assert again.status_code == 409 and DECIDED in again.text
    finally:
        server.stop()
    status, reviewer, flat, household, audits, mails = placement(fresh_engine, p)
    assert (status, reviewer, flat, household, audits) == (
        "approved",
        p.reviewer_id,
        "offered",
        "offered",
        1,
    )
    assert mails >= state[5] + 2  # the offers to the landlord and the social worker
    assert counts(fresh_engine) == signed  # the refused retry added nothing
    assert_invariants(fresh_engine)


def test_a_web_server_killed_between_commit_and_response_is_committed_and_refuses_a_retry(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    p = make_proposal(fresh_engine)
    proxy = CommitHoldingProxy(fresh_engine.url.port or 5432)
    server = WebServer(app_url(fresh_engine, WEB_APP, proxy.port), tmp_path)
    try:
        client = server.client(p.reviewer_email)
        token = csrf_from(client.get(f"/signoff/{p.match_id}").text)
        proposed_mails = placement(fresh_engine, p)[5]
        proxy.armed.set()
        request = InFlight(client, f"/signoff/{p.match_id}/approve", {"_csrf_token": token})
        request.start()
        assert wait_for(lambda: placement(fresh_engine, p)[0] == "approved"), server.log()
        assert proxy.held.is_set() and request.is_alive()  # committed, and no answer yet
        server.kill()
        request.join(timeout=60)
        assert request.response is None and isinstance(request.error, httpx.TransportError)
    finally:
        server.stop()
        proxy.close()
    assert wait_for(lambda: backends(fresh_engine, WEB_APP) == 0)
    status, reviewer, flat, household, audits, mails = placement(fresh_engine, p)
    assert (status, reviewer, flat, household, audits) == (
        "approved",
        p.reviewer_id,
        "offered",
        "offered",
        1,
    )
    assert mails >= proposed_mails + 2
    committed = counts(fresh_engine)
    assert_invariants(fresh_engine)

    server = WebServer(app_url(fresh_engine, WEB_APP), tmp_path)
    try:
        client = server.client(p.reviewer_email)
        again = sign_off(client, p.match_id)
        assert again.status_code == 409 and DECIDED in again.text
        api = client.post(f"/api/v1/matches/{p.match_id}/approve")
        assert api.status_code == 409 and api.json()["detail"]
    finally:
        server.stop()
    assert placement(fresh_engine, p) == (status, reviewer, flat, household, audits, mails)
    assert counts(fresh_engine) == committed  # never duplicated
    assert_invariants(fresh_engine)


# --- the scheduler killed during its jobs -------------------------------------------------

LEASES, OFFERS, STALE = 6, 3, 2
DAILY_JOBS = ("agency.stale_listings", "agency.after_move_reminders")
GATED = ("rent_charge", "placement_match", "notification", "outbox_message")


@dataclass(frozen=True)
class Work:
    leases: list[int]
    offers: list[int]
    stale_flats: list[int]


def make_work(engine: Engine) -> Work:
    """Leases to charge (with visits overdue), offers past their answer date, stale flats."""
    now = utcnow()
    today = now.astimezone(LOCAL_TIME).date()
    with session_scope(engine) as session:
        factory = Factory(session)
        factory.user(UserRole.staff)
        worker = factory.user()
        leases = []
        for _ in range(LEASES):
            flat = factory.flat(FlatStatus.let)
            household = factory.household(HouseholdStatus.housed, social_worker=worker)
            lease = factory.lease(flat, household, start_date=today - timedelta(days=40))
            generate_schedule(session, lease=lease, template=default_template(session))
            leases.append(lease.id or 0)
        offers = []
        for _ in range(OFFERS):
            match, _, _ = offer(session, factory)
            match.offer_expires_at = now - timedelta(hours=1)
            offers.append(match.id or 0)
        old = now - timedelta(days=90)
        stale = [factory.flat(created_at=old, status_changed_at=old).id or 0 for _ in range(STALE)]
    return Work(leases, offers, stale)


def make_due_soon(engine: Engine, *job_ids: str) -> None:
    """Store the declared jobs with `job_ids` due in a few seconds, as when their daily time
    comes. (Not due at once: APScheduler's last pass at shutdown would skip a due job.)"""
    specs, soon = collect_jobs(), utcnow() + timedelta(seconds=3)
    scheduler = build_scheduler(engine)
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, specs, now=soon)
        for spec in specs:
            if spec.run_at_start or spec.id in job_ids:
                scheduler.modify_job(spec.id, next_run_time=soon)
    finally:
        scheduler.shutdown(wait=False)


def next_runs(engine: Engine) -> dict[str, str]:
    query = sa.text("SELECT id, next_run_time FROM apscheduler_jobs WHERE id = ANY(:ids)")
    with engine.connect() as connection:
        rows = connection.execute(query, {"ids": list(DAILY_JOBS)}).all()
    return {job: f"{datetime.fromtimestamp(at, UTC):%Y-%m-%d %H:%M} UTC" for job, at in rows}


def work_done(engine: Engine, work: Work) -> bool:
    query = sa.text(
        "SELECT (SELECT count(DISTINCT lease_id) FROM rent_charge),"
        " (SELECT count(*) FROM placement_match WHERE id = ANY(:offers) AND status = 'expired'),"
        " (SELECT count(DISTINCT event_key) FROM notification WHERE kind = 'stale_listing'),"
        " (SELECT count(*) FROM notification WHERE kind = 'visit_overdue')"
    )
    with engine.connect() as connection:
        charged, expired, stale, overdue = connection.execute(query, {"offers": work.offers}).one()
    return (charged, expired, stale) == (LEASES, OFFERS, STALE) and overdue >= LEASES


def scheduler_env(engine: Engine, tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": app_url(engine, SCHEDULER_APP),
        "AGENCY_VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": "crash-test-secret-key-0123456789",
        "MAIL_BACKEND": "file",
        "SCHEDULER_POLL_SECONDS": "0.2",
    }


def test_a_scheduler_killed_inside_its_jobs_leaves_nothing_and_the_rerun_is_exact(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    work = make_work(fresh_engine)
    make_due_soon(fresh_engine, *DAILY_JOBS)
    install_gate(
        fresh_engine,
        ("rent_charge", "INSERT"),
        ("placement_match", "UPDATE"),
        ("notification", "INSERT"),
        ("outbox_message", "INSERT"),
    )
    before = counts(fresh_engine)
    env = scheduler_env(fresh_engine, tmp_path)
    with gate_closed(fresh_engine) as open_gate:
        first = SchedulerProcess(env)
        try:
            # Rent charges, offer expiry, stale listings and reminders: four jobs, each in its
            # own transaction, each stopped at its first write.
            blocked = wait_for(lambda: backends(fresh_engine, SCHEDULER_APP, at_gate=True) == 4)
            assert blocked, "".join(first.log)
            os.kill(first.pid, signal.SIGKILL)
        finally:
            first.process.wait(timeout=20)
        assert first.process.returncode == -signal.SIGKILL
        assert backends(fresh_engine, SCHEDULER_APP, at_gate=True) == 4
        open_gate()
        assert wait_for(lambda: backends(fresh_engine, SCHEDULER_APP) == 0)
    assert counts(fresh_engine) == before  # no charge, no expiry, no notification was kept
    assert_invariants(fresh_engine)
    print(f"\nafter the kill, the daily jobs are stored to run next at {next_runs(fresh_engine)}")

    remove_gate(fresh_engine, *GATED)
    # A daily job killed mid-run runs again at its next time (tomorrow); bring that forward.
    make_due_soon(fresh_engine, *DAILY_JOBS)
    second = SchedulerProcess(env)
    try:
        assert wait_for(lambda: work_done(fresh_engine, work), timeout=120), "".join(second.log)
    finally:
        assert second.stop() == 0, "".join(second.log)
    assert_invariants(fresh_engine)
    with session_scope(fresh_engine) as session:  # a further run in the same period adds nothing
        now = utcnow()
        month = now.astimezone(LOCAL_TIME).date()
        again = (
            charge_rent(session, month=month, now=now),
            expire_offers(session, now=now),
            notify_stale_listings(session, now=now),
            remind_after_move(session, now=now),
        )
    assert again == (0, 0, 0, 0)
    assert_expired_offers_released(fresh_engine, work)


def assert_expired_offers_released(engine: Engine, work: Work) -> None:
    query = sa.text(
        "SELECT m.status, f.status, h.status, (SELECT count(*) FROM audit_log a"
        "  WHERE a.entity = 'match' AND a.entity_id = m.id AND a.to_status = 'expired')"
        " FROM placement_match m JOIN flat f ON f.id = m.flat_id"
        " JOIN household h ON h.id = m.household_id WHERE m.id = ANY(:ids)"
    )
    with engine.connect() as connection:
        rows = connection.execute(query, {"ids": work.offers}).all()
    assert [tuple(row) for row in rows] == [("expired", "available", "waiting", 1)] * OFFERS
