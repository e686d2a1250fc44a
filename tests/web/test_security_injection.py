"""Hostile text in search and filter fields: a normal answer (200 with the honest result or
a 400 with a reason), never a 500, never more rows than the honest filter, HTML escaped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy.engine import Engine

from agency.db import session_scope
from agency.enums import FlatStatus
from agency.models import User
from tests.factories import Factory
from tests.webutil import csrf_from, login

SCRIPT = "<script>alert(1)</script>"
HOSTILE = (
    "' OR 1=1 --",
    "' OR '1'='1",
    '" OR ""="',
    "'; DROP TABLE flat; --",
    "%",
    "%%",
    "_",
    "__%",
    "\\",
    "\\%",
    "[a-z]*",
    "a\x00b",
    "\x00",
    "x" * 5000,
    SCRIPT,
    "Americká\x00' OR 1=1 --",
)
# Filters that take codes: every hostile text, plus numbers no column can hold.
HOSTILE_CODES = (*HOSTILE, "99999999999999999999999", "-1", "1e9", "0x10")


@dataclass(frozen=True)
class World:
    streets: tuple[str, ...]
    households: tuple[str, ...]


@pytest.fixture
def world(web_engine: Engine, users: dict[str, User]) -> World:
    """Two flats and two households of the social worker, with plain names."""
    with session_scope(web_engine) as session:
        factory = Factory(session)
        worker = session.get(User, users["social_worker"].id)
        streets = ("Americká 1", "Husova 2")
        for street in streets:
            factory.flat(FlatStatus.available, street=street)
        names = ("Rodina Dvořákova", "Rodina Malých")
        for name in names:
            factory.household(social_worker=worker, reference_name=name)
    return World(streets, names)


def shown(text: str, names: tuple[str, ...]) -> set[str]:
    return {name for name in names if name in text}


def problems(responses: list[tuple[str, Any]], names: tuple[str, ...] = ()) -> list[str]:
    """What went wrong per hostile value: a 500 (or other status), rows it must not show,
    hostile HTML echoed unescaped."""
    wrong = []
    for value, response in responses:
        if response.status_code not in (200, 400):
            wrong.append(f"{value[:30]!r}: HTTP {response.status_code}")
        elif shown(response.text, names):
            wrong.append(f"{value[:30]!r}: rows {sorted(shown(response.text, names))}")
        elif SCRIPT in response.text:
            wrong.append(f"{value[:30]!r}: unescaped HTML")
    return wrong


def test_staff_flat_search_and_filters(
    client: TestClient[Any], world: World, users: dict[str, User]
) -> None:
    login(client, "staff@example.cz")
    responses = [(v, client.get("/staff/flats", params={"q": v})) for v in HOSTILE]
    for name in ("status", "orp", "kraj", "page"):
        responses += [(v, client.get("/staff/flats", params={name: v})) for v in HOSTILE_CODES]
    assert problems(responses, world.streets) == []
    echoed = client.get("/staff/flats", params={"q": SCRIPT}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in echoed


def test_the_honest_search_still_finds(
    client: TestClient[Any], world: World, users: dict[str, User]
) -> None:
    login(client, "staff@example.cz")
    found = client.get("/staff/flats", params={"q": "Americká"})
    assert found.status_code == 200 and shown(found.text, world.streets) == {"Americká 1"}
    everything = client.get("/staff/flats")
    assert shown(everything.text, world.streets) == set(world.streets)
    login(client, "social_worker@example.cz")
    token = csrf_from(client.get("/households").text)
    households = client.post("/households", data={"q": "Dvořák", "_csrf_token": token})
    assert shown(households.text, world.households) == {"Rodina Dvořákova"}


def test_household_search_and_filters(
    client: TestClient[Any], world: World, users: dict[str, User]
) -> None:
    login(client, "social_worker@example.cz")
    listing = client.get("/households")
    assert shown(listing.text, world.households) == set(world.households)
    token = csrf_from(listing.text)
    # Names are searched by POST only (never in a URL); a q in the URL is not a filter.
    in_url = [(v, client.get("/households", params={"q": v})) for v in HOSTILE]
    assert problems(in_url) == []
    responses = []
    for value in HOSTILE:
        posted = client.post("/households", data={"q": value, "_csrf_token": token})
        responses.append((value, posted))
    for name in ("status", "urgency", "orp", "ethos"):
        responses += [(v, client.get("/households", params={name: v})) for v in HOSTILE_CODES]
    assert problems(responses, world.households) == []
    pages = [(v, client.get("/households", params={"page": v})) for v in HOSTILE_CODES]
    assert problems(pages) == []
    echoed = client.post("/households", data={"q": SCRIPT, "_csrf_token": token}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in echoed


def api_problems(responses: list[tuple[str, Any]]) -> list[str]:
    """A 200 must list nothing; anything else must be a 4xx with a reason."""
    wrong = []
    for value, response in responses:
        status = response.status_code
        if status == 200:
            body = response.json()
            items = body["items"] if isinstance(body, dict) else body
            if items:
                wrong.append(f"{value[:30]!r}: {len(items)} rows")
        elif not (400 <= status < 500 and response.json().get("detail")):
            wrong.append(f"{value[:30]!r}: HTTP {status}")
    return wrong


def test_municipality_api(client: TestClient[Any]) -> None:
    responses = [(v, client.get("/api/v1/municipalities", params={"q": v})) for v in HOSTILE]
    assert api_problems(responses) == []
    honest = client.get("/api/v1/municipalities", params={"q": "plz"}).json()
    assert 0 < len(honest) <= 20


def test_staff_flat_api_filters(
    client: TestClient[Any], world: World, users: dict[str, User]
) -> None:
    login(client, "staff@example.cz")
    responses = []
    for name in ("status", "orp", "kraj", "q"):
        responses += [(v, client.get("/api/v1/flats", params={name: v})) for v in HOSTILE_CODES]
    assert api_problems(responses) == []
    assert len(client.get("/api/v1/flats").json()["items"]) == 2


def test_household_api_filters(
    client: TestClient[Any], world: World, users: dict[str, User]
) -> None:
    login(client, "social_worker@example.cz")
    responses = []
    for name in ("status", "urgency", "orp", "ethos"):
        responses += [
            (v, client.get("/api/v1/households", params={name: v})) for v in HOSTILE_CODES
        ]
    assert api_problems(responses) == []
    assert len(client.get("/api/v1/households").json()["items"]) == 2


def test_other_query_parameters(client: TestClient[Any], users: dict[str, User]) -> None:
    login(client, "admin@example.cz")
    responses = []
    for path, name in (
        ("/admin/users", "role"),
        ("/admin/users", "page"),
        ("/leases", "orp"),
        ("/leases", "overdue"),
        ("/offers", "status"),
        ("/login", "next"),
        ("/summaries", "page"),
    ):
        responses += [(f"{path} {v}", client.get(path, params={name: v})) for v in HOSTILE]
    assert problems(responses) == []


def test_nul_in_a_form_or_json_body_is_a_400_with_a_reason(
    client: TestClient[Any], web_engine: Engine
) -> None:
    token = csrf_from(client.get("/offer").text)
    form = client.post("/offer", data={"name": "Jana\x00", "_csrf_token": token})
    assert form.status_code == 400
    api = client.post("/api/v1/flats", json={"landlord": {"name": "a\x00b"}})
    assert api.status_code == 400 and "NUL" in api.json()["detail"]
    query = client.get("/api/v1/municipalities", params={"q": "Plz\x00"})
    assert query.status_code == 400 and "NUL" in query.json()["detail"]


def test_nul_in_a_form_body_sent_under_another_type_is_refused_too(
    client: TestClient[Any], web_engine: Engine
) -> None:
    # Litestar reads a url-encoded body whatever Content-Type says, and the CSRF token may
    # come in a header: a NUL must not reach PostgreSQL that way either.
    client.get("/login/link")
    token = client.cookies.get("csrftoken") or ""
    answer = client.post(
        "/login/link",
        content=b"email=a%00b@example.cz",
        headers={"content-type": "text/plain", "x-csrftoken": token},
    )
    assert answer.status_code == 400
