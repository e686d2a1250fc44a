"""Processes, gates and checks for the crash-safety tests (tests/integration/test_crash_safety.py).

A gate is a test-only trigger that waits for an advisory lock the test holds, so a process's
transaction can be held still inside the database while the process is killed.
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
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from agency.db import session_scope
from agency.enums import UserRole
from agency.passwords import make_hasher
from tests.factories import Factory
from tests.integration.placement_data import proposal
from tests.notifications.helpers import ROOT, free_port
from tests.webutil import PASSWORD, csrf_from

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
