"""The JSON API of matching and placement: runs, proposals, sign-off; errors with reasons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy.engine import Engine

from agency.db import session_scope
from agency.models import User
from tests.factories import Factory
from tests.integration.placement_data import household
from tests.webutil import login


@dataclass(frozen=True)
class World:
    household: int
    stranger: int
    flat: int
    flat2: int


@pytest.fixture
def world(web_engine: Engine, users: dict[str, User]) -> World:
    with session_scope(web_engine) as session:
        factory = Factory(session)
        mine = household(factory, social_worker=users["social_worker"], reference_name="Novákovi")
        stranger = household(Factory(session))
        flat, flat2 = factory.flat(), factory.flat()
        return World(mine.id or 0, stranger.id or 0, flat.id or 0, flat2.id or 0)


def _propose(client: TestClient[Any], world: World, **body: Any) -> Any:
    payload = {"household_id": world.household, "flat_id": world.flat} | body
    return client.post("/api/v1/matches", json=payload)


def test_not_logged_in_is_401_and_a_landlord_is_403(client: TestClient[Any], world: World) -> None:
    response = _propose(client, world)
    assert response.status_code == 401 and response.json()["status_code"] == 401
    login(client, "landlord@example.cz")
    assert _propose(client, world).status_code == 403
    assert client.get("/api/v1/matches").status_code == 403


def test_propose_list_approve_with_four_eyes(client: TestClient[Any], world: World) -> None:
    login(client, "staff@example.cz")
    created = _propose(client, world, note="spěchá")
    assert created.status_code == 201, created.text
    match = created.json()
    assert match["status"] == "proposed" and match["explanation"]["ranked"] is True
    assert match["score"] == match["explanation"]["fit"] and match["note"] == "spěchá"
    listed = client.get("/api/v1/matches", params={"status": "proposed"}).json()
    assert [m["id"] for m in listed["items"]] == [match["id"]] and listed["total"] == 1
    own = client.post(f"/api/v1/matches/{match['id']}/approve")
    assert own.status_code == 403 and "four eyes" in own.json()["detail"]
    login(client, "staff2@example.cz")
    approved = client.post(f"/api/v1/matches/{match['id']}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["offer_expires_at"] is not None
    again = client.post(f"/api/v1/matches/{match['id']}/approve")
    assert again.status_code == 409 and again.json()["detail"]


def test_a_second_open_match_is_409(client: TestClient[Any], world: World) -> None:
    login(client, "social_worker@example.cz")
    assert _propose(client, world).status_code == 201
    conflict = _propose(client, world, flat_id=world.flat2)
    assert conflict.status_code == 409
    assert conflict.json()["detail"] == "the household already has an open placement proposal"


def test_other_organisations_households_are_404(client: TestClient[Any], world: World) -> None:
    login(client, "social_worker@example.cz")
    response = _propose(client, world, household_id=world.stranger)
    assert response.status_code == 404
    assert client.get("/api/v1/matches").json()["total"] == 0


def test_bad_bodies_are_refused_with_reasons(client: TestClient[Any], world: World) -> None:
    login(client, "social_worker@example.cz")
    for body in (
        {"household_id": "x", "flat_id": world.flat},
        {"household_id": True, "flat_id": world.flat},
        {"household_id": world.household, "flat_id": 0},
        {"household_id": world.household, "flat_id": world.flat, "status": "approved"},
    ):
        response = client.post("/api/v1/matches", json=body)
        assert response.status_code == 400, body
        assert response.json()["detail"]
    assert client.post("/api/v1/matches", content="household_id=1").status_code == 415
    assert client.get("/api/v1/matches", params={"status": "nonsense"}).status_code == 400


def test_reject_needs_a_reason(client: TestClient[Any], world: World) -> None:
    login(client, "social_worker@example.cz")
    match_id = _propose(client, world).json()["id"]
    assert (
        client.post(f"/api/v1/matches/{match_id}/reject", json={"reason": "x"}).status_code == 403
    )
    login(client, "staff@example.cz")
    assert client.post(f"/api/v1/matches/{match_id}/reject", json={"reason": ""}).status_code == 400
    done = client.post(f"/api/v1/matches/{match_id}/reject", json={"reason": "daleko"})
    assert done.status_code == 200 and done.json()["review_reason"] == "daleko"
    assert client.post("/api/v1/matches/999999/approve").status_code == 404


def test_runs_are_created_and_read(client: TestClient[Any], world: World) -> None:
    login(client, "social_worker@example.cz")
    created = client.post("/api/v1/matching/runs", json={"scope": "caseload"})
    assert created.status_code == 201, created.text
    run = created.json()
    assert run["households_count"] == 1 and run["flats_count"] == 2
    assert run["suggestions"][0]["household_id"] == world.household
    read = client.get(f"/api/v1/matching/runs/{run['id']}")
    assert read.status_code == 200 and read.json()["suggestions"] == run["suggestions"]
    assert client.get("/api/v1/matching/runs/999999").status_code == 404
    bad = client.post("/api/v1/matching/runs", json={"scope": "orp", "scope_value": "99999"})
    assert bad.status_code == 422 and bad.json()["field"] == "scope_value"
    assert client.post("/api/v1/matching/runs", json={"scope": "galaxy"}).status_code == 400


def test_the_operations_are_in_the_openapi_schema(client: TestClient[Any]) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]
    for path in (
        "/api/v1/matching/runs",
        "/api/v1/matching/runs/{run_id}",
        "/api/v1/matches",
        "/api/v1/matches/{match_id}/approve",
        "/api/v1/matches/{match_id}/reject",
    ):
        assert path in paths, path
    responses = paths["/api/v1/matches"]["post"]["responses"]
    assert {"201", "401", "403", "409"} <= set(responses)
