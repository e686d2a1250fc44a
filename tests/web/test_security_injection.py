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
HOSTILE_CODES = (*HOSTILE, "99999999999999999999999", "-1", "1e9", "0x10", "１２")


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


def is_normal(response: Any) -> bool:
    return response.status_code in (200, 400)


def shown(text: str, names: tuple[str, ...]) -> set[str]:
    return {name for name in names if name in text}


def assert_escaped(text: str) -> None:
    assert SCRIPT not in text and "<script>" not in text.replace(
        '<script src="/static/', "<script-ok"
    )


@pytest.mark.parametrize("value", HOSTILE)
def test_staff_flat_search(
    client: TestClient[Any], world: World, users: dict[str, User], value: str
) -> None:
    login(client, "staff@example.cz")
    response = client.get("/staff/flats", params={"q": value})
    assert is_normal(response), response.status_code
    assert shown(response.text, world.streets) == set()  # no street contains these
    assert_escaped(response.text)
    if value == SCRIPT:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


@pytest.mark.parametrize("name", ["status", "orp", "kraj"])
@pytest.mark.parametrize("value", HOSTILE_CODES)
def test_staff_flat_filters(
    client: TestClient[Any], world: World, users: dict[str, User], name: str, value: str
) -> None:
    login(client, "staff@example.cz")
    response = client.get("/staff/flats", params={name: value})
    assert is_normal(response), response.status_code
    assert shown(response.text, world.streets) == set()
    assert_escaped(response.text)


def test_the_honest_search_still_finds(
    client: TestClient[Any], world: World, users: dict[str, User]
) -> None:
    login(client, "staff@example.cz")
    found = client.get("/staff/flats", params={"q": "Americká"})
    assert found.status_code == 200 and shown(found.text, world.streets) == {"Americká 1"}
    login(client, "social_worker@example.cz")
    households = client.get("/households", params={"q": "Dvořák"})
    assert shown(households.text, world.households) == {"Rodina Dvořákova"}


@pytest.mark.parametrize("value", HOSTILE)
def test_household_search(
    client: TestClient[Any], world: World, users: dict[str, User], value: str
) -> None:
    login(client, "social_worker@example.cz")
    listing = client.get("/households")
    assert shown(listing.text, world.households) == set(world.households)
    by_get = client.get("/households", params={"q": value})
    token = csrf_from(listing.text)
    by_post = client.post("/households", data={"q": value, "_csrf_token": token})
    for response in (by_get, by_post):
        assert is_normal(response), response.status_code
        assert shown(response.text, world.households) == set()
        assert_escaped(response.text)


@pytest.mark.parametrize("name", ["status", "urgency", "orp", "ethos", "page"])
@pytest.mark.parametrize("value", HOSTILE_CODES)
def test_household_filters(
    client: TestClient[Any], world: World, users: dict[str, User], name: str, value: str
) -> None:
    login(client, "social_worker@example.cz")
    response = client.get("/households", params={name: value})
    assert is_normal(response), response.status_code
    if response.status_code == 200 and name != "page":
        assert shown(response.text, world.households) == set()
    assert_escaped(response.text)


@pytest.mark.parametrize("value", HOSTILE)
def test_municipality_api(client: TestClient[Any], value: str) -> None:
    response = client.get("/api/v1/municipalities", params={"q": value})
    assert is_normal(response), response.status_code
    if response.status_code == 200:
        assert response.json() == []
    else:
        assert response.json()["detail"]
    honest = client.get("/api/v1/municipalities", params={"q": "plz"}).json()
    assert 0 < len(honest) <= 20


@pytest.mark.parametrize("value", HOSTILE_CODES)
def test_staff_flat_api_filters(
    client: TestClient[Any], world: World, users: dict[str, User], value: str
) -> None:
    login(client, "staff@example.cz")
    for name in ("status", "orp", "q"):
        response = client.get("/api/v1/flats", params={name: value})
        assert is_normal(response) or response.status_code == 422, response.status_code
        if response.status_code == 200:
            assert response.json()["items"] == []
        else:
            assert response.json()["detail"]


@pytest.mark.parametrize("value", HOSTILE_CODES)
def test_household_api_filters(
    client: TestClient[Any], world: World, users: dict[str, User], value: str
) -> None:
    login(client, "social_worker@example.cz")
    for name in ("status", "urgency", "orp", "ethos", "q"):
        response = client.get("/api/v1/households", params={name: value})
        assert is_normal(response) or response.status_code == 422, response.status_code
        if response.status_code == 200:
            assert response.json()["items"] == []


@pytest.mark.parametrize("value", HOSTILE)
def test_other_query_filters(
    client: TestClient[Any], world: World, users: dict[str, User], value: str
) -> None:
    login(client, "admin@example.cz")
    for path, name in (
        ("/admin/users", "role"),
        ("/leases", "orp"),
        ("/offers", "status"),
        ("/admin/users", "page"),
        ("/login", "next"),
    ):
        response = client.get(path, params={name: value})
        assert is_normal(response), (path, name, response.status_code)
        assert_escaped(response.text)
