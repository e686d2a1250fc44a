"""Load benchmark: the web app on a national-scale PostgreSQL database under concurrent clients.

    .venv/bin/python -m agency.bench_load [--reuse] [--clients 50] [--seconds 60] [--workers 2]

Creates the database `agency_load` (on DATABASE_URL's server, else 127.0.0.1:5432), migrates
it and COPYs 100,000 households and 100,000 flats with landlords, members, areas, matches in
every open and closed status, leases, rent, visits, barriers, summaries and users (staff,
social workers of eight organisations, a platform member, a landlord). `--reuse` keeps a
database seeded with the same sizes (it is only upgraded). Then it serves the real app with
uvicorn on loopback (RUN_SCHEDULER=0), logs each client in as the role that uses the page,
drives the list and queue pages and the API for `--seconds` and prints, per page, requests,
errors, p50/p95/p99 and p95 against /health's p95 measured in the same run; the same goes
to var/bench_load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from agency.bench_summary import (
    FLAT_COLUMNS,
    HOUSEHOLD_COLUMNS,
    SEED,
    Loader,
    _admin_url,
    _copy,
    _moment,
    drop_database,
)
from agency.db import make_engine
from agency.migrate import upgrade
from agency.passwords import make_hasher

DATABASE = "agency_load"
SIZES = {"households": 100_000, "flats": 100_000, "landlords": 25_000, "leases": 30_000}
ORGANISATIONS = 8
WORKERS = 200  # social workers, user ids 1..200
STAFF_IDS = range(201, 204)
PLATFORM_ID, LANDLORD_USER_ID = 204, 205
PASSWORD = "load-bench-password"
OPEN_MATCHES = {"proposed": 3_000, "approved": 2_000, "accepted": 500}
RISKS = ("green",) * 20 + ("amber",) * 4 + ("red",)
FLAT_MIX = ("available", "available", "offered", "submitted", "vetting", "withdrawn", "rejected")
SEQUENCES = ("organisation", "user_account", "landlord", "flat", "household", "lease")


def org_of(worker_id: int) -> int:
    return 1 + (worker_id - 1) % ORGANISATIONS


def worker_of(household_id: int) -> int:
    return 1 + household_id % WORKERS


# --- the database -----------------------------------------------------------------------------


def database_url(admin_url: str) -> str:
    return make_url(admin_url).set(database=DATABASE).render_as_string(hide_password=False)


def _exists(admin_url: str) -> bool:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.exec_driver_sql(
            "SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": DATABASE}
        ).first()
    admin.dispose()
    return found is not None


def _create(admin_url: str) -> None:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{DATABASE}"')
    admin.dispose()


def seeded_sizes(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table: int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())
            for table in ("household", "flat")
        }


def prepare(admin_url: str, *, reuse: bool) -> tuple[Engine, float | None]:
    """The seeded, upgraded database; seconds spent seeding (None when reused)."""
    url = database_url(admin_url)
    if reuse and _exists(admin_url):
        engine = make_engine(url)
        upgrade(engine)
        wanted = {"household": SIZES["households"], "flat": SIZES["flats"]}
        if seeded_sizes(engine) == wanted:
            return engine, None
        engine.dispose()
    drop_database(admin_url, url)
    _create(admin_url)
    engine = make_engine(url)
    upgrade(engine)
    return engine, seed(engine)


# --- synthetic rows ---------------------------------------------------------------------------


@dataclass
class Plan:
    """Which households and flats take part in which open match (ids known in advance)."""

    matches: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    household_status: dict[int, str] = field(default_factory=dict)


def _flat_status(i: int) -> str:
    return "let" if i <= SIZES["leases"] else FLAT_MIX[i % len(FLAT_MIX)]


def plan_matches() -> Plan:
    """Open matches on waiting households and on available (proposed) or offered flats."""
    households = (h for h in range(SIZES["leases"] + 1, SIZES["households"] + 1) if h % 10)
    available = (f for f in range(1, SIZES["flats"] + 1) if _flat_status(f) == "available")
    offered = (f for f in range(1, SIZES["flats"] + 1) if _flat_status(f) == "offered")
    plan = Plan()
    for status, count in OPEN_MATCHES.items():
        flats = available if status == "proposed" else offered
        pairs = [(next(households), next(flats)) for _ in range(count)]
        plan.matches[status] = pairs
        if status != "proposed":
            plan.household_status.update((h, "offered") for h, _ in pairs)
    return plan


class LoadLoader(Loader):
    """bench_summary's loader with several organisations, users who log in, open matches,
    members and visits around today."""

    def __init__(self, raw: Any, places: list[tuple[int, int]], refs: dict[str, list[int]]):
        super().__init__(raw, places, refs)
        self.today = date.today()
        self.plan = plan_matches()

    def people(self) -> None:
        orgs = [(1, "Load agency", "agency", self.now)] + [
            (n, f"Load NGO {n}", "ngo", self.now) for n in range(2, ORGANISATIONS + 1)
        ]
        _copy(self.raw, "organisation", ("id", "name", "kind", "created_at"), orgs)
        landlords = (
            (i, "person", f"Pronajímatel {i}", f"l{i}@load.cz", "cs", self.now)
            for i in range(1, SIZES["landlords"] + 1)
        )
        cols: tuple[str, ...] = ("id", "kind", "name", "email", "preferred_language", "created_at")
        _copy(self.raw, "landlord", cols, landlords)
        cols = ("id", "email", "name", "role", "organisation_id", "landlord_id", "password_hash")
        _copy(self.raw, "user_account", (*cols, "language", "active", "created_at"), self._users())

    def _users(self) -> Iterator[tuple[Any, ...]]:
        hashed = make_hasher().hash(PASSWORD)
        tail = ("cs", True, self.now)
        for i in range(1, WORKERS + 1):
            yield (
                i,
                f"sw{i}@load.cz",
                f"Worker {i}",
                "social_worker",
                org_of(i),
                None,
                hashed,
                *tail,
            )
        for i in STAFF_IDS:
            yield (i, f"staff{i}@load.cz", f"Staff {i}", "staff", 1, None, hashed, *tail)
        yield (
            PLATFORM_ID,
            "platform@load.cz",
            "Platform",
            "platform_member",
            1,
            None,
            hashed,
            *tail,
        )
        yield (LANDLORD_USER_ID, "landlord@load.cz", "Landlord", "landlord", None, 1, hashed, *tail)

    def flats(self) -> None:
        rows = (
            (*row[:2], _flat_status(i), *row[3:])
            for i in range(1, SIZES["flats"] + 1)
            for row in (self._flat(i, FLAT_MIX),)
        )
        _copy(self.raw, "flat", FLAT_COLUMNS, rows)

    def households(self) -> None:
        _copy(self.raw, "household", HOUSEHOLD_COLUMNS, map(self._load_household, self._ids()))
        cols: tuple[str, ...] = ("household_id", "kind", "birth_year", "is_reference")
        _copy(self.raw, "householdmember", cols, self._members())
        cols = ("household_id", "orp_code", "municipality_code")
        _copy(self.raw, "householdarea", cols, self._areas())

    def _ids(self) -> range:
        return range(1, SIZES["households"] + 1)

    def _load_household(self, i: int) -> tuple[Any, ...]:
        row = list(self._household(i))
        worker = worker_of(i)
        row[2], row[3] = org_of(worker), worker
        if row[4] == "waiting":
            row[4] = self.plan.household_status.get(i, "registered" if i % 7 == 0 else "waiting")
        return tuple(row)

    def _members(self) -> Iterator[tuple[Any, ...]]:
        for i in self._ids():
            yield (i, "adult", 1960 + i % 40, True)
            for extra in range(i % 4):
                yield (i, "child" if extra else "adult", 2005 + (i + extra) % 18, False)

    def _areas(self) -> Iterator[tuple[Any, ...]]:
        for i in self._ids():
            orp = self.places[i % len(self.places)][1]
            yield (i, orp, None)
            if i % 3 == 0:
                yield (i, None, self.places[(i * 7) % len(self.places)][0])

    def open_matches(self) -> None:
        cols: tuple[str, ...] = (
            "household_id",
            "flat_id",
            "proposed_by_id",
            "status",
            "score",
            "created_at",
        )
        cols += ("reviewed_by_id", "reviewed_at", "offer_expires_at", "status_changed_at")
        _copy(self.raw, "placement_match", cols, self._open_matches())

    def _open_matches(self) -> Iterator[tuple[Any, ...]]:
        now = datetime.now(UTC)
        for status, pairs in self.plan.matches.items():
            for n, (household, flat) in enumerate(pairs):
                created = now - timedelta(hours=1 + n)
                reviewed = None if status == "proposed" else created + timedelta(minutes=30)
                expires = None if reviewed is None else reviewed + timedelta(days=7)
                reviewer = None if reviewed is None else STAFF_IDS[0]
                head = (household, flat, worker_of(household), status, 1000 - n % 1000, created)
                yield (*head, reviewer, reviewed, expires, reviewed or created)

    def visits(self, leases: list[tuple[int, int, date, bool]]) -> None:
        template = self.refs["template"][0]
        cols: tuple[str, ...] = ("id", "lease_id", "template_id", "created_at")
        _copy(self.raw, "support_plan", cols, ((i, i, template, self.now) for i, *_ in leases))
        cols = ("plan_id", "household_id", "social_worker_id", "planned_on", "done_on")
        cols += ("risk", "created_at")
        _copy(self.raw, "support_visit", cols, self._visits(leases))

    def _visits(self, leases: list[tuple[int, int, date, bool]]) -> Iterator[tuple[Any, ...]]:
        """Six visits per lease, a month apart, around today; the past ones done but 2 %,
        one in twenty-five red."""
        rng = self.rng
        for lease_id, household, _, _ in leases:
            for k in range(6):
                planned = self.today + timedelta(days=30 * (k - 4) + lease_id % 30)
                done = planned if planned < self.today and rng.random() < 0.98 else None
                risk = rng.choice(RISKS) if done else None
                yield (lease_id, household, worker_of(household), planned, done, risk, self.now)

    def summaries(self) -> None:
        cols: tuple[str, ...] = (
            "period_start",
            "period_end",
            "scope",
            "scope_code",
            "status",
            "k_threshold",
        )
        cols += ("figures", "built_at", "published_at")
        _copy(self.raw, "summary", cols, self._summaries())

    def _summaries(self) -> Iterator[tuple[Any, ...]]:
        for n in range(12):
            start = date(2021 + n // 2, 1 + 6 * (n % 2), 1)
            end = date(start.year, 6, 30) if n % 2 == 0 else date(start.year, 12, 31)
            figures = {
                "sections": {
                    "flow": [
                        {"id": "households_registered", "value": 1_000 + 10 * n},
                        {"id": "households_housed", "value": 300 + 5 * n},
                        {"id": "placements", "value": 280 + 5 * n},
                    ]
                }
            }
            moment = _moment(end + timedelta(days=10))
            yield (start, end, "agency", "", "published", 5, json.dumps(figures), moment, moment)


def seed(engine: Engine) -> float:
    """COPY the synthetic rows; seconds taken."""
    started = time.perf_counter()
    with engine.begin() as conn:
        places = [
            (int(c), int(o))
            for c, o in conn.exec_driver_sql(
                "SELECT code, orp_code FROM municipality ORDER BY population DESC LIMIT 600"
            )
        ]
        refs = {
            name: [r[0] for r in conn.exec_driver_sql(f"SELECT id FROM {table}")]
            for name, table in (
                ("category", "barrier_category"),
                ("intervention", "intervention"),
                ("template", "support_plan_template"),
            )
        }
        loader = LoadLoader(conn.connection.driver_connection, places, refs)
        _run(loader)
        for table in SEQUENCES:
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    return time.perf_counter() - started


def _run(loader: LoadLoader) -> None:
    loader.people()
    loader.flats()
    loader.households()
    leases = loader.leases()
    loader.ledger(leases)
    loader.visits(leases)
    loader.barriers()
    loader.vetting_and_matches()
    loader.open_matches()
    loader.summaries()


# --- the server -------------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(url: str, *, port: int, workers: int) -> subprocess.Popen[bytes]:
    """uvicorn with `workers` processes on loopback, in its own process group."""
    env = os.environ | {
        "DATABASE_URL": url,
        "RUN_SCHEDULER": "0",
        "SECRET_KEY": os.urandom(32).hex(),
        "AGENCY_VAR_DIR": str(Path("var") / "bench_load"),
        "MAIL_BACKEND": "memory",
    }
    command = [sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers), "--log-level", "warning"]
    return subprocess.Popen(command, env=env, start_new_session=True)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


async def wait_healthy(base: str, server: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=base, timeout=5) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit("the server exited before answering /health")
            try:
                if (await client.get("/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    raise SystemExit("the server did not answer /health in time")


# --- the clients ------------------------------------------------------------------------------

# Who uses which page: (label, path); "{page}" becomes a page number, "{orp}" / "{kraj}" the
# ORP and kraj of the most populous place.
PAGES: dict[str, tuple[tuple[str, str], ...]] = {
    "staff": (
        ("flats list", "/staff/flats"),
        ("flats list, page n", "/staff/flats?page={page}"),
        ("flats list, status", "/staff/flats?status=available"),
        ("flats list, kraj", "/staff/flats?kraj={kraj}"),
        ("flats list, search", "/staff/flats?q=ulice+4711"),
        ("vetting queue", "/staff/flats?status=submitted"),
        ("sign-off queue", "/signoff"),
        ("sign-off queue, page n", "/signoff?page={page}"),
        ("dashboard (staff)", "/dashboard"),
        ("households (staff)", "/households"),
        ("leases (staff)", "/leases"),
        ("visit calendar (staff)", "/visits"),
        ("api flats", "/api/v1/flats?page={page}"),
        ("api flats, status", "/api/v1/flats?status=available"),
        ("api landlords", "/api/v1/landlords?page={page}"),
        ("api matches (staff)", "/api/v1/matches?status=proposed"),
    ),
    "social_worker": (
        ("households list", "/households"),
        ("households list, page n", "/households?page={page}"),
        ("households list, status", "/households?status=waiting"),
        ("households list, ORP", "/households?orp={orp}"),
        ("offers", "/offers"),
        ("offers, approved", "/offers?status=approved"),
        ("leases", "/leases"),
        ("leases, in arrears", "/leases?arrears=1"),
        ("visit calendar", "/visits"),
        ("dashboard", "/dashboard"),
        ("api households", "/api/v1/households?page={page}"),
        ("api matches", "/api/v1/matches"),
        ("api leases", "/api/v1/leases"),
        ("api visits", "/api/v1/visits"),
    ),
    "platform_member": (
        ("summaries list", "/summaries"),
        ("api summaries", "/api/v1/summaries"),
    ),
    "landlord": (("landlord portal", "/portal"),),
}
HEALTH = ("health (baseline)", "/health")
ACCOUNTS = {
    "staff": [f"staff{i}@load.cz" for i in STAFF_IDS],
    "social_worker": [f"sw{i}@load.cz" for i in range(1, ORGANISATIONS + 1)],
    "platform_member": ["platform@load.cz"],
    "landlord": ["landlord@load.cz"],
}
# Ten clients in a row: five social workers, three staff, a platform member, a landlord.
CLIENT_ROLES = ("social_worker",) * 5 + ("staff",) * 3 + ("platform_member", "landlord")


async def log_in(base: str, email: str) -> httpx.AsyncClient:
    """A client with the session cookie of `email`."""
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    client = httpx.AsyncClient(base_url=base, timeout=60, limits=limits)
    await client.get("/login")
    token = client.cookies.get("csrftoken") or ""
    answer = await client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "_csrf_token": token},
        headers={"x-csrftoken": token},
    )
    if answer.status_code != 303:
        raise SystemExit(f"logging in as {email} failed: HTTP {answer.status_code}")
    return client


@dataclass
class Samples:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    codes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    cpu: dict[str, float] = field(default_factory=dict)


class CpuMeter:
    """CPU seconds spent by the web workers, by PostgreSQL (every postgres process of the
    machine) and by this load generator between `start` and `stop`."""

    def __init__(self, server_pid: int) -> None:
        self.workers = processes("python", parent=server_pid) or [server_pid]
        self.before: dict[str, dict[int, float]] = {}
        self.own = 0.0

    def _read(self) -> dict[str, dict[int, float]]:
        postgres = cpu_seconds(processes("postgres"))
        return {"web workers": cpu_seconds(self.workers), "postgres": postgres}

    def start(self) -> None:
        self.before, self.own = self._read(), time.process_time()

    def stop(self) -> dict[str, float]:
        spent = {k: cpu_spent(self.before[k], now) for k, now in self._read().items()}
        return spent | {"load generator": round(time.process_time() - self.own, 1)}


async def drive(
    client: httpx.AsyncClient,
    pages: tuple[tuple[str, str], ...],
    fill: dict[str, str],
    window: tuple[float, float],
    samples: Samples,
    rng: random.Random,
    think: float,
) -> None:
    """Request random pages of the role until the window closes; record those inside it.
    Between two pages the client reads for `think` seconds on average (0: back to back)."""
    start, end = window
    choices = (*pages, HEALTH)
    while (now := time.monotonic()) < end:
        if think > 0:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
            now = time.monotonic()
        label, path = rng.choice(choices)
        path = path.format(page=rng.randint(2, 200), **fill)
        began = time.perf_counter()
        try:
            status = (await client.get(path)).status_code
        except httpx.HTTPError as exc:
            status, reason = 0, type(exc).__name__
        else:
            reason = str(status)
        elapsed = (time.perf_counter() - began) * 1000
        if now < start:
            continue
        samples.times[label].append(elapsed)
        if not 200 <= status < 400:
            samples.errors[label] += 1
            samples.codes[label].add(reason)


async def run_load(
    base: str,
    *,
    clients: int,
    seconds: float,
    warmup: float,
    fill: dict[str, str],
    think: float = 0.0,
    meter: CpuMeter | None = None,
) -> Samples:
    sessions = {
        email: await log_in(base, email) for emails in ACCOUNTS.values() for email in emails
    }
    samples = Samples()
    start = time.monotonic() + warmup
    tasks = []
    for n in range(clients):
        role = CLIENT_ROLES[n % len(CLIENT_ROLES)]
        emails = ACCOUNTS[role]
        client = sessions[emails[(n // len(CLIENT_ROLES)) % len(emails)]]
        rng = random.Random(SEED + n)
        window = (start, start + seconds)
        tasks.append(drive(client, PAGES[role], fill, window, samples, rng, think))

    async def metered() -> None:
        if meter is not None:
            await asyncio.sleep(max(0.0, start - time.monotonic()))
            meter.start()

    await asyncio.gather(metered(), *tasks)
    if meter is not None:
        samples.cpu = meter.stop()
    for client in sessions.values():
        await client.aclose()
    return samples


# --- the report -------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of non-empty `values`."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def summarise(samples: Samples) -> list[dict[str, Any]]:
    health = samples.times.get(HEALTH[0]) or [float("nan")]
    base = percentile(health, 0.95)
    order = [HEALTH[0]] + [label for pages in PAGES.values() for label, _ in pages]
    rows = []
    for label in order:
        times = samples.times.get(label)
        if not times:
            continue
        p95 = percentile(times, 0.95)
        rows.append(
            {
                "page": label,
                "requests": len(times),
                "errors": samples.errors.get(label, 0),
                "error_codes": sorted(samples.codes.get(label, ())),
                "p50_ms": round(percentile(times, 0.50), 1),
                "p95_ms": round(p95, 1),
                "p99_ms": round(percentile(times, 0.99), 1),
                "p95_vs_health": round(p95 / base, 1),
            }
        )
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    header = f"{'page':<28} {'requests':>8} {'errors':>6} {'p50':>7} {'p95':>7} {'p99':>7}"
    header += f" {'×health':>8}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['page']:<28} {r['requests']:>8} {r['errors']:>6} {r['p50_ms']:>7.1f} "
            f"{r['p95_ms']:>7.1f} {r['p99_ms']:>7.1f} {r['p95_vs_health']:>8.1f}"
        )
    for r in rows:
        if r["errors"]:
            print(f"errors on {r['page']}: {', '.join(r['error_codes'])}")


TARGET_P95_MS = 50.0


def verdict(rows: list[dict[str, Any]], samples: Samples) -> dict[str, Any]:
    """The issue's target: p95 <= 50 ms on every list and queue page (every page but
    /health), and no errors anywhere."""
    pages = [r for r in rows if r["page"] != HEALTH[0]]
    pooled = [t for label, times in samples.times.items() if label != HEALTH[0] for t in times]
    over = [r["page"] for r in pages if r["p95_ms"] > TARGET_P95_MS]
    errors = sum(r["errors"] for r in rows)
    return {
        "target_p95_ms": TARGET_P95_MS,
        "pooled_p95_ms": round(percentile(pooled, 0.95), 1) if pooled else None,
        "worst_page": max(pages, key=lambda r: r["p95_ms"])["page"] if pages else None,
        "worst_p95_ms": max((r["p95_ms"] for r in pages), default=None),
        "pages_over_target": over,
        "errors": errors,
        "pages": len(pages),
        "met": not over and errors == 0 and bool(pages),
    }


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each of the processes `pids` still running."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / tick
    return found


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two readings (a process born meanwhile counts whole)."""
    return round(sum(used - before.get(pid, 0.0) for pid, used in after.items()), 1)


def processes(name: str, parent: int | None = None) -> list[int]:
    """Pids of running processes called `name` (children of `parent` when given)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        command, rest = stat.split("(", 1)[1].rsplit(")", 1)
        if command.startswith(name) and (parent is None or int(rest.split()[1]) == parent):
            found.append(int(entry.name))
    return found


def load_average() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def place_filters(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        orp, kraj = conn.exec_driver_sql(
            "SELECT orp_code, kraj_code FROM municipality ORDER BY population DESC LIMIT 1"
        ).one()
    return {"orp": str(orp), "kraj": str(kraj)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--admin-url", default=None)
    parser.add_argument("--reuse", action="store_true", help="keep a seeded agency_load")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="seconds a client reads a page before the next, on average (0: back to back)",
    )
    parser.add_argument("--output", default=str(Path("var") / "bench_load.json"))
    args = parser.parse_args(argv)
    admin = _admin_url(args.admin_url)
    engine, seeded = prepare(admin, reuse=args.reuse)
    sizes = seeded_sizes(engine)
    print("seeded in " + (f"{seeded:.1f} s" if seeded else "an earlier run (--reuse)"), sizes)
    fill = place_filters(engine)
    engine.dispose()
    port = _free_port()
    server = start_server(database_url(admin), port=port, workers=args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(wait_healthy(base, server))
        before = load_average()
        samples = asyncio.run(
            run_load(
                base,
                clients=args.clients,
                seconds=args.seconds,
                warmup=args.warmup,
                fill=fill,
                think=args.think,
                meter=CpuMeter(server.pid),
            )
        )
        after = load_average()
    finally:
        stop_server(server)
    rows = summarise(samples)
    total = sum(r["requests"] for r in rows)
    print_table(rows)
    judged = verdict(rows, samples)
    print(
        f"list and queue pages: pooled p95 {judged['pooled_p95_ms']} ms, worst "
        f"{judged['worst_page']} {judged['worst_p95_ms']} ms, "
        f"{len(judged['pages_over_target'])} of {judged['pages']} over "
        f"{TARGET_P95_MS:.0f} ms, {judged['errors']} errors: target "
        + ("met" if judged["met"] else "NOT met")
    )
    print(
        "CPU seconds during the measured window ("
        + ", ".join(f"{k} {v}" for k, v in samples.cpu.items())
        + f") in {args.seconds:.0f} s on {os.cpu_count()} cores"
    )
    print(
        f"{total} requests in {args.seconds:.0f} s ({total / args.seconds:.0f}/s), "
        f"{args.clients} clients thinking {args.think} s, {args.workers} workers, "
        f"{os.cpu_count()} cores, "
        f"load average before {before} after {after}"
    )
    command = ".venv/bin/python -m agency.bench_load" + "".join(f" {a}" for a in sys.argv[1:])
    report = {
        "command": command,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "clients": args.clients,
        "think_seconds": args.think,
        "seconds": args.seconds,
        "workers": args.workers,
        "cores": os.cpu_count(),
        "load_average_before": before,
        "load_average_after": after,
        "sizes": sizes,
        "requests_per_second": round(total / args.seconds, 1),
        "verdict": judged,
        "cpu_seconds": samples.cpu,
        "pages": rows,
    }
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {output}")
    print(f"command: {command}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
