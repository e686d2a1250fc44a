"""The load benchmark's database: `agency_load`, migrated and seeded by COPY with a
national-scale dataset (see `agency.bench_load`, which serves the app on it and drives it)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from agency.bench_summary import (
    FLAT_COLUMNS,
    HOUSEHOLD_COLUMNS,
    Loader,
    _copy,
    _moment,
    drop_database,
    popular_places,
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
        places = popular_places(conn)
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
