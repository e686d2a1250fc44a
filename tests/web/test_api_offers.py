"""The public JSON API: offering a flat and the municipality type-ahead."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from litestar.testing import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from agency.db import session_scope
from agency.enums import FlatStatus
from agency.models import Flat, Landlord
from notifications.models import OutboxMessage

PLZEN = 554791


def body(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "landlord": {"kind": "person", "name": "Petr Dvořák", "email": "Petr@Example.cz"},
        "terms_accepted": True,
        "street": "Americká 20",
        "postcode": "30100",
        "municipality_code": PLZEN,
        "floor": 3,
        "layout": "1+kk",
        "area_m2": 31.5,
        "rent": 8000,
        "services": 2000,
        "deposit": 16000,
        "available_from": (date.today() + timedelta(days=3)).isoformat(),
    }
    return values | changes


def flats(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.execute(sa.select(sa.func.count()).select_from(Flat)).scalar_one())


def test_a_valid_offer_is_created(client: TestClient[Any], web_engine: Engine) -> None:
    response = client.post("/api/v1/flats", json=body())
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["status"] == "submitted" and data["municipality_name"] == "Plzeň"
    assert (data["rooms"], data["layout"], data["rent"]) == (1, "1+kk", 8000)
    for internal in ("landlord_id", "building_key", "max_occupants", "status_changed_at"):
        assert internal not in data
    with session_scope(web_engine) as session:
        flat = session.get(Flat, data["id"])
        landlord = session.exec(select(Landlord)).one()
        kinds = session.exec(select(OutboxMessage.kind)).all()
    assert flat is not None and flat.status == FlatStatus.submitted
    assert landlord.email == "petr@example.cz" and flat.landlord_id == landlord.id
    assert kinds == ["flat_received_landlord"]  # no staff user exists in this test


def test_a_rule_violation_names_the_field(client: TestClient[Any], web_engine: Engine) -> None:
    cases = [
        (body(deposit=30000), "deposit", "three months"),
        (body(terms_accepted=False), "terms_accepted", "terms"),
        (body(municipality_code=1), "municipality_code", "municipality"),
        (body(layout="12+kk"), "layout", "options"),
        (body(postcode="ABCDE"), "postcode", "5 digits"),
    ]
    for payload, field, words in cases:
        response = client.post("/api/v1/flats", json=payload)
        assert response.status_code == 422, (field, response.text)
        assert response.json()["field"] == field and words in response.json()["detail"]
    assert flats(web_engine) == 0


def test_malformed_bodies_are_refused(client: TestClient[Any], web_engine: Engine) -> None:
    cases = [
        ({k: v for k, v in body().items() if k != "rent"}, "rent"),
        (body(rent=True), "rent"),
        (body(rent="9000"), "rent"),
        (body(lift="yes"), "lift"),
        (body(floor=61), "floor"),
        (body(status="available"), "status"),  # no mass assignment
        (body(landlord={"name": "X", "email": "nope"}), "email"),
        (body(notes="x" * 5000), "notes"),
    ]
    for payload, field in cases:
        response = client.post("/api/v1/flats", json=payload)
        assert response.status_code == 400, (field, response.text)
        assert field in str(response.json()["errors"]), field
    assert client.post("/api/v1/flats", content=b"{not json").status_code == 400
    assert flats(web_engine) == 0


def test_municipality_look_up(client: TestClient[Any]) -> None:
    response = client.get("/api/v1/municipalities", params={"q": "plzen"})
    assert response.status_code == 200
    found = response.json()
    assert found[0] == {
        "code": PLZEN,
        "name": "Plzeň",
        "orp_name": "Plzeň",
        "okres_name": "Plzeň-město",
        "kraj_name": "Plzeňský kraj",
    }
    assert len(client.get("/api/v1/municipalities", params={"q": "b"}).json()) == 20
    assert client.get("/api/v1/municipalities", params={"q": "  "}).json() == []
    assert client.get("/api/v1/municipalities", params={"q": "%"}).json() == []
    too_long = client.get("/api/v1/municipalities", params={"q": "a" * 101})
    assert too_long.status_code == 422 and too_long.json()["field"] == "q"
