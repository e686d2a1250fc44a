"""Fuzz every JSON API operation with schemathesis, anonymously and as a staff user.

`python -m web.fuzz_api --cases 5000 [--database-url URL]` builds a fresh migrated database
(a temporary SQLite file, or a new PostgreSQL database next to URL), loads the demo data,
generates cases from the app's own OpenAPI document and prints, per operation, the cases run,
the server errors and the schema violations. The exit status is 1 when anything failed.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import hypothesis
import hypothesis.errors
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase
from litestar import Litestar
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err
from schemathesis.python.asgi import ASGIClient, get_client
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.engine import Engine, make_url

from agency.db import make_engine, session_scope
from agency.migrate import upgrade
from agency.passwords import make_hasher
from notifications.config import MailConfig
from web.settings import Settings

API_PREFIX = "/api/v1/"
SCHEMA_PATH = "/schema/openapi.json"
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')
DEMO_STAFF = "staff@demo.example.cz"
IDENTITIES = ("anonymous", "staff")
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


@dataclass
class Tally:
    """What one operation, called as one identity, answered."""

    label: str
    cases: int = 0
    server_errors: int = 0
    violations: int = 0
    samples: dict[str, str] = field(default_factory=dict)  # failure kind → first example

    def record(self, status: int, failure: tuple[str, str] | None) -> None:
        self.cases += 1
        if status >= 500:
            self.server_errors += 1
        elif failure is not None:
            self.violations += 1
        if failure is not None:
            self.samples.setdefault(f"{status} {failure[0]}", failure[1])


def api_operations(app: Litestar) -> list[Any]:
    """The schema's operations under /api/v1, in the document's order."""
    schema = schemathesis.openapi.from_asgi(SCHEMA_PATH, app)
    found = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()  # a broken schema is a failure of its own
        found.append(result.ok())
    return [op for op in found if op.path.startswith(API_PREFIX)]


def new_client(app: Any) -> ASGIClient:
    """An in-process HTTP client of `app` with its own cookies."""
    return get_client(app)


def login(app: Litestar, email: str, password: str) -> ASGIClient:
    """A client carrying the session cookie of `email`, logged in through the login form."""
    client = new_client(app)
    found = CSRF_RE.search(client.get("http://testserver/login").text)
    assert found, "the login page has no CSRF field"
    data = {"email": email, "password": password, "_csrf_token": found.group(1)}
    answer = client.post("http://testserver/login", data=data, allow_redirects=False)
    if answer.status_code != 303:
        raise RuntimeError(f"could not log in as {email}: {answer.status_code}")
    return client


def fuzz_operation(operation: Any, client: ASGIClient, examples: int, tally: Tally) -> None:
    """Up to `examples` cases per generation mode, derandomized, every failure counted."""
    for mode in MODES:
        strategy = operation.as_strategy(generation_mode=mode)

        @hypothesis.given(case=strategy)
        @hypothesis.settings(
            max_examples=examples,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            response = case.call(session=client)
            try:
                case.validate_response(response, checks=CHECKS)
            except FailureGroup as exc:
                tally.record(response.status_code, _first_line(exc, case, response))
                return
            tally.record(response.status_code, None)

        try:
            run()
        except hypothesis.errors.Unsatisfiable:
            continue  # nothing to break (e.g. negative cases of an operation without input)


def _first_line(exc: FailureGroup, case: Any, response: Any) -> tuple[str, str]:
    kind = "; ".join(sorted({type(f).__name__ for f in exc.exceptions}))
    body = case.body if not isinstance(case.body, str) else case.body[:200]
    return kind, f"{case.formatted_path} {body!r} -> {response.text[:200]}"[:600]


def fuzz_app(
    app: Litestar, *, examples: int, staff: tuple[str, str], identities: Sequence[str] = IDENTITIES
) -> list[Tally]:
    """Fuzz every API operation as each identity; one tally per (identity, operation)."""
    tallies: list[Tally] = []
    operations = api_operations(app)
    for identity in identities:
        client = new_client(app) if identity == "anonymous" else login(app, *staff)
        for operation in operations:
            tally = Tally(f"{identity:9} {operation.method.upper():6} {operation.path}")
            fuzz_operation(operation, client, examples, tally)
            tallies.append(tally)
    return tallies


def report(tallies: Sequence[Tally], out: Any = sys.stdout) -> None:
    width = max(len(t.label) for t in tallies)
    print(f"{'operation':{width}}  cases  5xx  schema", file=out)
    for t in tallies:
        print(f"{t.label:{width}}  {t.cases:5}  {t.server_errors:3}  {t.violations:6}", file=out)
        for kind, sample in t.samples.items():
            print(f"    {kind}: {sample}", file=out)
    total = sum(t.cases for t in tallies)
    errors = sum(t.server_errors for t in tallies)
    violations = sum(t.violations for t in tallies)
    print(f"total: {total} cases, {errors} server errors, {violations} schema violations", file=out)


@contextmanager
def demo_database(admin_url: str | None, work_dir: Path) -> Iterator[Engine]:
    """A new migrated database holding the demo data, dropped afterwards (PostgreSQL)."""
    from agency.demo import load_demo

    url, drop = _new_database(admin_url, work_dir)
    engine = make_engine(url)
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            load_demo(session, today=date.today(), hasher=make_hasher(cheap=True))
        yield engine
    finally:
        engine.dispose()
        drop()


def _new_database(admin_url: str | None, work_dir: Path) -> tuple[str, Any]:
    if not admin_url or admin_url.startswith("sqlite"):
        return f"sqlite:///{work_dir / 'fuzz.db'}", lambda: None
    name = f"agency_fuzz_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), drop


def build_app(engine: Engine, work_dir: Path) -> Litestar:
    from web.app import create_app

    settings = Settings(
        database_url=str(engine.url),
        secret_key=uuid.uuid4().hex,
        var_dir=work_dir,
        mail=MailConfig(backend="file", mail_dir=work_dir / "mail"),
    )
    app = create_app(settings, engine=engine, hasher=make_hasher(cheap=True))
    # Every 4xx would print a traceback; the tallies count what matters.
    logging.getLogger("litestar").setLevel(logging.CRITICAL)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000, help="cases in total (at least)")
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL server URL to create the fuzzed database on (default: SQLite)",
    )
    args = parser.parse_args(argv)
    from agency.demo.people import DEMO_PASSWORD

    with tempfile.TemporaryDirectory() as tmp, demo_database(args.database_url, Path(tmp)) as eng:
        app = build_app(eng, Path(tmp))
        slots = len(api_operations(app)) * len(IDENTITIES) * len(MODES)
        # A quarter more: an operation with little input runs out of distinct cases early.
        examples = max(1, -(-args.cases * 5 // (slots * 4)))
        print(f"database: {eng.url.get_backend_name()}, {examples} examples per operation/mode")
        tallies = fuzz_app(app, examples=examples, staff=(DEMO_STAFF, DEMO_PASSWORD))
    report(tallies)
    failed = any(t.server_errors or t.violations for t in tallies)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
