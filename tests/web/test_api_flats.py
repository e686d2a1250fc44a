"""The staff JSON API: flats, vetting, landlords; 401/403/404/409/415/422 answers."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient
from litestar.utils.sync import AsyncCallable
from sqlalchemy.engine import Engine
from sqlmodel import select

from agency.db import session_scope
from agency.enums import FlatStatus
from agency.models import Flat, User, Vetting
from tests.factories import Factory
from tests.webutil import login

VETTING = {
    "inspection_date": "2026-11-20",
    "ownership_checked": True,
    "condition_ok": True,
    "gas_safety_ok": True,
    "electrical_safety_ok": True,
    "rent_within_cap": True,
    "energy_costs_realistic": True,
    "decision": "approved",
    "max_occupants": 3,
}


def make_flat(engine: Engine, status: FlatStatus = FlatStatus.vetting, **values: Any) -> Flat:
    with session_scope(engine) as session:
        return Factory(session).flat(status, **values)


def test_list_and_detail(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    flats = [make_flat(web_engine, FlatStatus.available, street=f"Dlouhá {n}") for n in range(3)]
    make_flat(web_engine, FlatStatus.submitted, street="Krátká 1")
    login(client, "staff@example.cz")
    body = client.get("/api/v1/flats?status=available&per_page=2").json()
    assert body["pagination"] == {"page": 1, "per_page": 2, "total": 3, "pages": 2}
    assert [item["street"] for item in body["items"]] == ["Dlouhá 2", "Dlouhá 1"]
    second = client.get("/api/v1/flats?status=available&per_page=2&page=2").json()
    assert [item["street"] for item in second["items"]] == ["Dlouhá 0"]
    assert client.get("/api/v1/flats?q=kratka").json()["pagination"]["total"] == 1
    detail = client.get(f"/api/v1/flats/{flats[0].id}").json()
    assert detail["municipality"]["kraj_name"] == "Plzeňský kraj" and detail["rent"] == 9000
    assert "building_key" not in detail and detail["landlord_name"].startswith("Pronajímatel")


@pytest.mark.parametrize(
    "query", ["status=nope", "page=0", "page=x", "orp=abc", "per_page=0", "per_page=500"]
)
def test_bad_list_queries_answer_400(
    client: TestClient[Any], users: dict[str, User], query: str
) -> None:
    login(client, "staff@example.cz")
    response = client.get(f"/api/v1/flats?{query}")
    assert response.status_code == 400 and response.json()["detail"]


def test_access(client: TestClient[Any], users: dict[str, User], web_engine: Engine) -> None:
    flat = make_flat(web_engine)
    paths = ["/api/v1/flats", f"/api/v1/flats/{flat.id}", "/api/v1/landlords"]
    for path in paths:
        assert client.get(path).status_code == 401
    login(client, "social_worker@example.cz")
    for path in paths:
        assert client.get(path).status_code == 403
    login(client, "admin@example.cz")
    assert client.get("/api/v1/flats/999999").status_code == 404
    assert client.get("/api/v1/landlords/999999").status_code == 404
    assert client.get(f"/api/v1/flats/{2**31}").status_code == 400


def test_vetting_through_the_api(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    flat = make_flat(web_engine)
    url = f"/api/v1/flats/{flat.id}/vetting"
    assert client.post(url, json=VETTING).status_code == 401
    login(client, "staff@example.cz")
    response = client.post(url, json=VETTING)
    assert response.status_code == 201, response.text
    assert response.json()["flat_status"] == "available" and response.json()["max_occupants"] == 3
    again = client.post(url, json=VETTING)
    assert again.status_code == 409
    with session_scope(web_engine) as session:
        assert len(session.exec(select(Vetting)).all()) == 1


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"max_occupants": None}, 422),
        ({"decision": "rejected"}, 422),  # no reason given
        ({"max_occupants": 21}, 400),
        ({"max_occupants": True}, 400),
        ({"condition_ok": "yes"}, 400),
        ({"id": 5}, 400),  # no mass assignment
        ({"decision": "maybe"}, 400),
    ],
)
def test_vetting_bodies_are_checked(
    client: TestClient[Any],
    users: dict[str, User],
    web_engine: Engine,
    changes: dict[str, Any],
    status: int,
) -> None:
    flat = make_flat(web_engine)
    login(client, "staff@example.cz")
    response = client.post(f"/api/v1/flats/{flat.id}/vetting", json=VETTING | changes)
    assert response.status_code == status and response.json()["detail"]
    with session_scope(web_engine) as session:
        assert session.get(Flat, flat.id).status == FlatStatus.vetting  # type: ignore[union-attr]


def test_vetting_needs_a_json_body(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    flat = make_flat(web_engine)
    login(client, "staff@example.cz")
    url = f"/api/v1/flats/{flat.id}/vetting"
    form = {key: str(value) for key, value in VETTING.items()}
    assert client.post(url, data=form).status_code == 415
    assert client.post(url, content="{}", headers={"content-type": "text/plain"}).status_code == 415
    login(client, "landlord@example.cz")
    assert client.post(url, json=VETTING).status_code == 403
    login(client, "staff@example.cz")
    assert client.post("/api/v1/flats/999999/vetting", json=VETTING).status_code == 404


def test_landlords(client: TestClient[Any], users: dict[str, User], web_engine: Engine) -> None:
    with session_scope(web_engine) as session:
        factory = Factory(session)
        landlord = factory.landlord(name="Žofie Šťastná", email="zofie@example.cz")
        factory.flat(landlord_id=landlord.id, street="Nádražní 3")
        factory.landlord(name="Adam Bílý")
    login(client, "staff@example.cz")
    found = client.get("/api/v1/landlords?q=stastna").json()
    assert [item["name"] for item in found["items"]] == ["Žofie Šťastná"]
    detail = client.get(f"/api/v1/landlords/{landlord.id}").json()
    assert detail["email"] == "zofie@example.cz"
    assert [flat["street"] for flat in detail["flats"]] == ["Nádražní 3"]
    assert client.get("/api/v1/landlords?page=0").status_code == 400


def test_openapi_lists_the_operations(client: TestClient[Any]) -> None:
    schema = client.get("/schema/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"get"} <= set(paths["/api/v1/flats"])
    assert "post" in paths["/api/v1/flats/{flat_id}/vetting"]
    assert "401" in paths["/api/v1/flats/{flat_id}"]["get"]["responses"]
    assert "/api/v1/landlords/{landlord_id}" in paths


def test_every_sync_handler_is_wrapped_once(client: TestClient[Any]) -> None:
    twice = [
        (route.path, sorted(handler.http_methods))
        for route in client.app.routes
        for handler in getattr(route, "route_handlers", [])
        if isinstance(handler.fn, AsyncCallable) and isinstance(handler.fn.func, AsyncCallable)
    ]
    assert twice == []
