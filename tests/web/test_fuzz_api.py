"""Every JSON API operation fuzzed from the app's own OpenAPI document (the CI-sized run).

A few derandomized schemathesis cases per operation and generation mode (valid and invalid
input), anonymously and as a staff user: no 5xx, every response as the schema declares it
(status code and body). `python -m web.fuzz_api --cases 5000` is the full run.
"""

from __future__ import annotations

import io
import re
from typing import Any

import sqlalchemy as sa
from litestar.testing import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agency.models import Flat, User
from tests.webutil import PASSWORD
from web.fuzz_api import IDENTITIES, api_operations, fuzz_app, report

EXAMPLES = 3  # per operation, generation mode and identity


def api_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every /api/v1 handler in the app's route table, as OpenAPI spells it."""
    found = set()
    for route in app.routes:
        if not route.path.startswith("/api/v1/"):
            continue
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        for handler in getattr(route, "route_handlers", []):
            methods = set(getattr(handler, "http_methods", ())) - {"OPTIONS", "HEAD"}
            found |= {(method, path) for method in methods}
    return found


def test_the_schema_documents_every_api_route(client: TestClient[Any]) -> None:
    documented = {(op.method.upper(), op.path) for op in api_operations(client.app)}
    assert documented == api_routes(client.app)


def test_fuzzing_finds_no_server_error_and_no_schema_violation(
    client: TestClient[Any], users: dict[str, User]
) -> None:
    tallies = fuzz_app(client.app, examples=EXAMPLES, staff=("staff@example.cz", PASSWORD))
    out = io.StringIO()
    report(tallies, out)
    printed = out.getvalue()
    operations = len(api_routes(client.app))
    assert len(tallies) == operations * len(IDENTITIES)
    assert all(t.cases > 0 for t in tallies), printed
    failed = [t.label for t in tallies if t.server_errors or t.violations]
    assert failed == [], printed


def test_api_text_with_control_characters_is_refused_with_a_reason(
    client: TestClient[Any], web_engine: Engine
) -> None:
    body = {"street": "Slovanská\x1b[31m 1", "notes": "ok"}
    answer = client.post("/api/v1/flats", json=body)
    assert answer.status_code == 400
    assert "street: remove the control characters" in answer.text
    with Session(web_engine) as session:
        assert session.exec(select(sa.func.count()).select_from(Flat)).one() == 0
