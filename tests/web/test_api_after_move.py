"""The after-move JSON API: leases, payments, visits, barriers."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient
from sqlalchemy.engine import Engine

from agency.models import User
from agency.models.base import utcnow
from tests.web.test_leases_pages import Placed, make_placed
from tests.webutil import login


@pytest.fixture
def placed(web_engine: Engine, users: dict[str, User]) -> Placed:
    return make_placed(web_engine, users)


def test_leases_list_and_detail(client: TestClient, users: dict[str, User], placed: Placed) -> None:
    login(client, "social_worker@example.cz")
    found = client.get("/api/v1/leases?in_arrears=true").json()
    assert [item["id"] for item in found["items"]] == [placed.lease]
    assert found["items"][0]["arrears"] > 0 and found["pagination"]["total"] == 1
    assert client.get(f"/api/v1/leases/{placed.lease}").json()["id"] == placed.lease
    missing = client.get(f"/api/v1/leases/{placed.other_lease}")
    assert missing.status_code == 404 and "detail" in missing.json()


def test_payments(client: TestClient, users: dict[str, User], placed: Placed) -> None:
    login(client, "staff@example.cz")
    url = f"/api/v1/leases/{placed.lease}/payments"
    before = client.get(f"/api/v1/leases/{placed.lease}").json()["arrears"]
    body = {"amount": 3000, "paid_on": utcnow().date().isoformat(), "reference": "API-1"}
    created = client.post(url, json=body)
    assert created.status_code == 201, created.text
    assert client.get(f"/api/v1/leases/{placed.lease}").json()["arrears"] == before - 3000
    assert client.post(url, json=body).status_code == 409
    assert client.post(url, json={**body, "amount": 0, "reference": "API-2"}).status_code == 400
    assert (
        client.post(url, json={**body, "amount": "3000", "reference": "API-3"}).status_code == 400
    )
    assert [p["bank_reference"] for p in client.get(url).json()] == ["API-1"]
    assert client.post(url, data={"amount": "1"}).status_code == 415


def test_social_worker_may_not_record_payments(
    client: TestClient, users: dict[str, User], placed: Placed
) -> None:
    login(client, "social_worker@example.cz")
    url = f"/api/v1/leases/{placed.lease}/payments"
    body = {"amount": 3000, "paid_on": utcnow().date().isoformat()}
    assert client.post(url, json=body).status_code == 403


def test_visits(client: TestClient, users: dict[str, User], placed: Placed) -> None:
    login(client, "social_worker@example.cz")
    calendar = client.get("/api/v1/visits").json()
    assert placed.visit in {v["id"] for v in calendar["overdue"]}
    done = client.post(
        f"/api/v1/visits/{placed.visit}", json={"kind": "home", "topics": ["rent"], "risk": "amber"}
    )
    assert done.status_code == 200 and done.json()["done_on"] == utcnow().date().isoformat()
    bad = client.post(
        f"/api/v1/visits/{placed.visit}", json={"kind": "home", "topics": ["x"], "risk": "amber"}
    )
    assert bad.status_code == 400
    other = client.post(
        f"/api/v1/visits/{placed.other_visit}", json={"kind": "home", "risk": "red"}
    )
    assert other.status_code == 404


def test_barriers(client: TestClient, users: dict[str, User], placed: Placed) -> None:
    login(client, "social_worker@example.cz")
    body = {
        "household_id": placed.household,
        "category_code": "debts_enforcement",
        "stage": "sustain",
        "observed_on": utcnow().date().isoformat(),
    }
    created = client.post("/api/v1/barriers", json=body)
    assert created.status_code == 201, created.text
    barrier = created.json()
    assert barrier["source"] == "social_worker" and barrier["overcome_on"] is None
    unknown = client.post("/api/v1/barriers", json={**body, "category_code": "nope"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "category_code"
    done = client.post(
        f"/api/v1/barriers/{barrier['id']}/overcome",
        json={"intervention_code": "debt_counselling", "overcome_on": body["observed_on"]},
    )
    assert done.status_code == 200 and done.json()["intervention_code"] == "debt_counselling"
    listed = client.get(f"/api/v1/barriers?household_id={placed.household}").json()
    assert [b["id"] for b in listed] == [barrier["id"]]
    hidden = client.get(f"/api/v1/barriers?household_id={placed.other_household}")
    assert hidden.status_code == 404
