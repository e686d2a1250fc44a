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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from agency.db import session_scope
from agency.enums import FlatStatus, HouseholdStatus, UserRole
from agency.jobs import notify_stale_listings, remind_after_move
from agency.models.base import utcnow
from agency.services.offers import expire_offers
from agency.services.rent import charge_rent
from agency.services.support import default_template, generate_schedule
from notifications.formatting import LOCAL_TIME
from tests.factories import Factory
from tests.integration.crash_helpers import (
    DECIDED,
    SCHEDULER_APP,
    WEB_APP,
    CommitHoldingProxy,
    InFlight,
    WebServer,
    app_url,
    assert_invariants,
    backends,
    counts,
    gate_closed,
    install_gate,
    make_proposal,
    placement,
    remove_gate,
    sign_off,
    wait_for,
    writing,
)
from tests.integration.placement_data import offer
from tests.notifications.helpers import SchedulerProcess
from tests.webutil import csrf_from
from web.scheduler import build_scheduler, collect_jobs, sync_jobs

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.parametrize("backend", ["postgres"], indirect=True),
]


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
