"""Benchmark: a half-year summary at national scale on PostgreSQL.

    .venv/bin/python -m agency.bench_summary [--admin-url URL] [--skip-engine] [--keep]

Creates a fresh database (from DATABASE_URL's server, else 127.0.0.1:5432), migrates it,
bulk-loads synthetic rows with COPY (100,000 households, 50,000 flats, 1,000,000 barriers,
200,000 visits, leases, rent ledger, vettings, matches), then times the SQL figures of
DESIGN §7 points 1-3 for the whole agency and for one kraj, and separately the engine's
structural gaps (point 4). The database is dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session

from agency.db import make_engine, normalise_url
from agency.enums import SummaryScope
from agency.migrate import upgrade
from agency.services.summary_barriers import barrier_figures
from agency.services.summary_figures import flow_figures, outcome_figures
from agency.services.summary_publish import publish_sections
from agency.services.summary_sql import Period, Where
from agency.services.summary_whatif import structural_gaps

SIZES = {"households": 100_000, "flats": 50_000, "barriers": 1_000_000, "visits": 200_000}
PERIOD = Period(date(2026, 1, 1), date(2026, 6, 30))
DEFAULT_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SEED = 7


def _admin_url(given: str | None) -> str:
    return normalise_url(given or os.environ.get("DATABASE_URL") or DEFAULT_ADMIN)


def create_database(admin_url: str) -> str:
    name = f"agency_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    admin.dispose()


# --- synthetic rows ---------------------------------------------------------------------------


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


def _copy(raw: Any, table: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> int:
    count = 0
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


HOUSEHOLD_COLUMNS = (
    "id",
    "reference_name",
    "organisation_id",
    "social_worker_id",
    "status",
    "close_reason",
    "closed_at",
    "monthly_income",
    "housing_allowance",
    "housing_supplement",
    "max_housing_cost",
    "deposit_available",
    "anchor_municipality_code",
    "needs_step_free",
    "needs_ground_floor",
    "has_pets",
    "min_rooms",
    "ethos_category",
    "urgency",
    "registered_on",
    "consent_on",
    "consent_scope",
    "consent_recorded_by_id",
    "created_at",
)
FLAT_COLUMNS = (
    "id",
    "landlord_id",
    "status",
    "street",
    "postcode",
    "municipality_code",
    "building_key",
    "floor",
    "lift",
    "step_free",
    "layout",
    "rooms",
    "area_m2",
    "max_occupants",
    "rent",
    "services",
    "deposit",
    "available_from",
    "min_lease_months",
    "pets_allowed",
    "furnished",
    "created_at",
)


class Loader:
    """Generates and COPYs the rows; ids are assigned in order, so they are known here."""

    def __init__(self, raw: Any, places: list[tuple[int, int]], refs: dict[str, list[int]]) -> None:
        self.raw, self.places, self.refs = raw, places, refs
        self.rng = random.Random(SEED)
        self.now = _moment(date(2026, 11, 1))

    def people(self) -> None:
        _copy(
            self.raw,
            "organisation",
            ("id", "name", "kind", "created_at"),
            [(1, "Bench agency", "agency", self.now)],
        )
        users = [
            (i, f"sw{i}@bench.cz", f"Worker {i}", "social_worker", 1, "cs", True, self.now)
            for i in range(1, 201)
        ]
        _copy(
            self.raw,
            "user_account",
            ("id", "email", "name", "role", "organisation_id", "language", "active", "created_at"),
            users,
        )
        landlords = (
            (
                i,
                "person",
                f"L{i}",
                f"l{i}@bench.cz",
                "cs",
                _moment(_day(self.rng, date(2023, 1, 1), date(2026, 6, 30))),
            )
            for i in range(1, 25_001)
        )
        _copy(
            self.raw,
            "landlord",
            ("id", "kind", "name", "email", "preferred_language", "created_at"),
            landlords,
        )

    def flats(self) -> None:
        statuses = ("available", "let", "let", "offered", "withdrawn", "rejected")
        flats = (self._flat(i, statuses) for i in range(1, SIZES["flats"] + 1))
        _copy(self.raw, "flat", FLAT_COLUMNS, flats)

    def _flat(self, i: int, statuses: tuple[str, ...]) -> tuple[Any, ...]:
        rng = self.rng
        code = self.places[i % len(self.places)][0]
        rooms = rng.randint(1, 4)
        rent = 5_000 + 2_000 * rooms + rng.randrange(4_000)
        created = _day(rng, date(2023, 1, 1), date(2026, 10, 1))
        return (
            i,
            rng.randint(1, 25_000),
            statuses[i % len(statuses)],
            f"Ulice {i}",
            "30100",
            code,
            f"b{i}",
            1,
            False,
            False,
            f"{rooms}+1",
            rooms,
            40.0 + 10 * rooms,
            2 * rooms,
            rent,
            2_500,
            rent,
            created,
            12,
            False,
            False,
            _moment(created),
        )

    def households(self) -> None:
        households = (self._household(i) for i in range(1, SIZES["households"] + 1))
        _copy(self.raw, "household", HOUSEHOLD_COLUMNS, households)
        areas = (
            (i, self.places[i % len(self.places)][1]) for i in range(1, SIZES["households"] + 1)
        )
        _copy(self.raw, "householdarea", ("household_id", "orp_code"), areas)

    def _household(self, i: int) -> tuple[Any, ...]:
        rng = self.rng
        registered = _day(rng, date(2023, 1, 1), date(2026, 10, 1))
        closed = i % 10 == 0
        status = "closed" if closed else ("housed" if i <= 30_000 else "waiting")
        return (
            i,
            f"H{i}",
            1,
            1 + i % 200,
            status,
            "need_ended" if closed else None,
            _moment(registered + timedelta(days=200)) if closed else None,
            25_000,
            3_000,
            0,
            9_000 + rng.randrange(8_000),
            rng.randrange(15_000),
            self.places[i % len(self.places)][0],
            False,
            False,
            False,
            1,
            "homeless_accommodation",
            rng.randint(1, 5),
            registered,
            registered,
            "bench",
            1,
            _moment(registered),
        )

    def leases(self) -> list[tuple[int, int, date, bool]]:
        """30,000 leases: household i in flat i (flat ids 1..30,000); a fifth ended."""
        cols = (
            "id",
            "flat_id",
            "household_id",
            "model",
            "start_date",
            "rent",
            "services",
            "deposit",
            "deposit_paid_by",
            "status",
            "end_reason",
            "ended_on",
            "created_at",
        )
        made, rows = [], []
        for i in range(1, 30_001):
            start = _day(self.rng, date(2023, 6, 1), date(2026, 9, 1))
            ended = i % 5 == 0
            end_on = start + timedelta(days=120 + self.rng.randrange(400)) if ended else None
            reason = ("regular_end", "landlord_arrears", "by_tenant")[i % 3] if ended else None
            rows.append(
                (
                    i,
                    i,
                    i,
                    "direct",
                    start,
                    9_000,
                    2_500,
                    9_000,
                    "agency_fund",
                    "ended" if ended else "active",
                    reason,
                    end_on,
                    _moment(start),
                )
            )
            made.append((i, i, start, ended))
        _copy(self.raw, "lease", cols, rows)
        return made

    def ledger(self, leases: list[tuple[int, int, date, bool]]) -> None:
        charges, payments = [], []
        for lease_id, _, start, _ in leases:
            for m in range(6):
                month = date(2026, 1 + m, 1)
                if month >= start:
                    charges.append((lease_id, month, 11_500, month + timedelta(days=4), self.now))
                    if lease_id % 7:
                        payments.append(
                            (lease_id, month + timedelta(days=2), 11_500, "manual", self.now)
                        )
        _copy(
            self.raw,
            "rent_charge",
            ("lease_id", "period", "amount", "due_on", "created_at"),
            charges,
        )
        _copy(
            self.raw,
            "rent_payment",
            ("lease_id", "paid_on", "amount", "source", "created_at"),
            payments,
        )

    def support(self, leases: list[tuple[int, int, date, bool]]) -> None:
        template = self.refs["template"][0]
        _copy(
            self.raw,
            "support_plan",
            ("id", "lease_id", "template_id", "created_at"),
            ((lid, lid, template, self.now) for lid, _, _, _ in leases),
        )
        visits = (self._visit(v, leases[v % len(leases)]) for v in range(SIZES["visits"]))
        _copy(
            self.raw,
            "support_visit",
            ("plan_id", "household_id", "social_worker_id", "planned_on", "done_on", "created_at"),
            visits,
        )

    def _visit(self, v: int, lease: tuple[int, int, date, bool]) -> tuple[Any, ...]:
        planned = _day(self.rng, date(2025, 6, 1), date(2026, 10, 1))
        done = planned + timedelta(days=self.rng.randrange(5)) if v % 6 else None
        return (lease[0], lease[1], 1 + v % 200, planned, done, self.now)

    def barriers(self) -> None:
        cats, acts = self.refs["category"], self.refs["intervention"]
        stages, sources = ("access", "sustain"), ("social_worker", "engine", "landlord_decline")
        rng = self.rng

        def rows() -> Iterator[tuple[Any, ...]]:
            for b in range(SIZES["barriers"]):
                observed = _day(rng, date(2024, 1, 1), date(2026, 10, 1))
                over = observed + timedelta(days=30 + rng.randrange(200)) if b % 4 == 0 else None
                yield (
                    cats[b % len(cats)],
                    stages[b % 2],
                    sources[b % 3],
                    1 + b % SIZES["households"],
                    self.places[b % len(self.places)][1],
                    observed,
                    over,
                    acts[b % len(acts)] if over else None,
                    self.now,
                )

        _copy(
            self.raw,
            "barrier",
            (
                "category_id",
                "stage",
                "source",
                "household_id",
                "orp_code",
                "observed_on",
                "overcome_on",
                "intervention_id",
                "created_at",
            ),
            rows(),
        )

    def vetting_and_matches(self) -> None:
        rng = self.rng

        def vettings() -> Iterator[tuple[Any, ...]]:
            for f in range(1, SIZES["flats"] + 1):
                day = _day(rng, date(2023, 1, 1), date(2026, 10, 1))
                bad = f % 6 == 5
                yield (
                    f,
                    1,
                    day,
                    True,
                    not bad,
                    True,
                    True,
                    True,
                    True,
                    "rejected" if bad else "approved",
                    "condition" if bad else None,
                    _moment(day),
                )

        _copy(
            self.raw,
            "vetting",
            (
                "flat_id",
                "inspector_id",
                "inspection_date",
                "ownership_checked",
                "condition_ok",
                "gas_safety_ok",
                "electrical_safety_ok",
                "rent_within_cap",
                "energy_costs_realistic",
                "decision",
                "rejection_reason",
                "decided_at",
            ),
            vettings(),
        )

        def matches() -> Iterator[tuple[Any, ...]]:
            for m in range(1, 40_001):
                day = _moment(_day(rng, date(2024, 1, 1), date(2026, 10, 1)))
                declined = m % 4 == 0
                yield (
                    1 + (m * 7) % SIZES["households"],
                    1 + (m * 13) % SIZES["flats"],
                    1,
                    "declined" if declined else "expired",
                    day,
                    day,
                    "landlord" if declined else None,
                    "rental_history" if declined else None,
                    day if declined else None,
                )

        _copy(
            self.raw,
            "placement_match",
            (
                "household_id",
                "flat_id",
                "proposed_by_id",
                "status",
                "created_at",
                "reviewed_at",
                "declined_by",
                "landlord_reason",
                "landlord_answered_at",
            ),
            matches(),
        )


def popular_places(conn: Connection) -> list[tuple[int, int]]:
    """(municipality code, ORP code) of the 600 most populous places: where the synthetic
    households live and the flats stand."""
    query = "SELECT code, orp_code FROM municipality ORDER BY population DESC LIMIT 600"
    return [(int(c), int(o)) for c, o in conn.exec_driver_sql(query)]


def load(engine: Engine) -> float:
    started = time.perf_counter()
    with engine.begin() as conn:
        places = popular_places(conn)
        refs = {
            "category": [r[0] for r in conn.exec_driver_sql("SELECT id FROM barrier_category")],
            "intervention": [r[0] for r in conn.exec_driver_sql("SELECT id FROM intervention")],
            "template": [
                r[0] for r in conn.exec_driver_sql("SELECT id FROM support_plan_template")
            ],
        }
        loader = Loader(conn.connection.driver_connection, places, refs)
        loader.people()
        loader.flats()
        loader.households()
        leases = loader.leases()
        loader.ledger(leases)
        loader.support(leases)
        loader.barriers()
        loader.vetting_and_matches()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


def time_sql(engine: Engine, where: Where) -> tuple[float, float, int]:
    """Seconds for every SQL figure, seconds to suppress them, and how many there are."""
    with Session(engine) as session:
        started = time.perf_counter()
        sections = {
            "flow": flow_figures(session, PERIOD, where),
            "outcomes": outcome_figures(session, PERIOD, where),
            "barriers": barrier_figures(session, PERIOD, where),
        }
        sql = time.perf_counter() - started
        started = time.perf_counter()
        publish_sections(sections, 5)
        return sql, time.perf_counter() - started, sum(len(f) for f in sections.values())


def time_baseline(engine: Engine) -> float:
    """The floor to compare with: one grouped pass over the barrier table, the largest."""
    with engine.connect() as connection:
        started = time.perf_counter()
        connection.execute(
            sa.text("SELECT category_id, count(*) FROM barrier GROUP BY category_id")
        ).all()
        return time.perf_counter() - started


def time_engine(engine: Engine, where: Where) -> float:
    with Session(engine) as session:
        started = time.perf_counter()
        structural_gaps(
            session, scope=where.scope, scope_code=where.code, period_end=PERIOD.end, scenarios=[]
        )
        return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default=None)
    parser.add_argument("--skip-engine", action="store_true", help="skip the engine's gaps")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--url", default=None, help="time an existing (kept) bench database")
    args = parser.parse_args(argv)
    admin = _admin_url(args.admin_url)
    url = normalise_url(args.url) if args.url else create_database(admin)
    engine = make_engine(url)
    try:
        if not args.url:
            upgrade(engine)
            print(f"loaded {SIZES} in {load(engine):.1f} s", flush=True)
            print(f"database: {url}", flush=True)
        time_baseline(engine)  # warm the caches once
        baseline = time_baseline(engine)
        print(f"baseline, one grouped pass over the barriers: {baseline:.3f} s", flush=True)
        for where in (Where(SummaryScope.agency), Where(SummaryScope.kraj, "CZ032")):
            time_sql(engine, where)  # warm the caches once
            seconds, suppressing, count = time_sql(engine, where)
            print(
                f"SQL figures, scope {where.scope.value} {where.code}: {count} figures "
                f"in {seconds:.2f} s ({seconds / baseline:.1f}x the baseline), "
                f"suppression {suppressing:.3f} s",
                flush=True,
            )
        if not args.skip_engine:
            for where in (Where(SummaryScope.kraj, "CZ032"), Where(SummaryScope.agency)):
                seconds = time_engine(engine, where)
                print(f"engine gaps, scope {where.scope.value} {where.code}: {seconds:.2f} s")
    finally:
        engine.dispose()
        if not (args.keep or args.url):
            drop_database(admin, url)
    print(
        "command: .venv/bin/python -m agency.bench_summary"
        + (" " + " ".join(sys.argv[1:]) if sys.argv[1:] else "")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
