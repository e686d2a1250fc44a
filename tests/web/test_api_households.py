"""The households JSON API: list, detail, create and update with 401/403/404/409/422."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from agency.db import session_scope
from agency.enums import AuditAction, HouseholdStatus
from agency.models import AuditEntry, Household, User
from tests.factories import Factory
from tests.web.test_households import ORP_STOD, PLZEN, make_households, other_org_worker
from tests.webutil import login

API = "/api/v1/households"


def new_household(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference_name": "Jana Demeterová",
        "reference_phone": "+420 605 111 222",
        "members": [
            {"kind": "adult", "birth_year": 1988},
            {"kind": "child", "birth_year": 2014},
        ],
        "monthly_income": 18000,
        "housing_allowance": 2500,
        "municipality_codes": [PLZEN],
        "orp_codes": [ORP_STOD],
        "ethos_category": "inadequate",
        "urgency": 3,
        "min_rooms": 2,
        "consent_given": True,
        "consent_on": "2026-11-02",
        "consent_scope": "Zprostředkování bydlení",
    }
    return body | changes


def test_create_read_and_list(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "social_worker@example.cz")
    created = client.post(API, json=new_household())
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "registered"
    assert body["max_housing_cost"] == 18000 * 40 // 100 + 2500
    assert body["municipality_codes"] == [PLZEN] and body["orp_codes"] == [ORP_STOD]
    assert body["social_worker_id"] == users["social_worker"].id
    assert [m["kind"] for m in body["members"]] == ["adult", "child"]
    detail = client.get(f"{API}/{body['id']}")
    assert detail.status_code == 200 and detail.json()["reference_name"] == "Jana Demeterová"
    listed = client.get(API, params={"urgency": "3"}).json()
    assert listed["pagination"]["total"] == 1
    (item,) = listed["items"]
    assert (item["id"], item["adults"], item["children"]) == (body["id"], 1, 1)
    with session_scope(web_engine) as session:
        views = session.exec(
            select(AuditEntry).where(
                AuditEntry.action == AuditAction.view, AuditEntry.entity_id == body["id"]
            )
        ).all()
    assert len(views) == 1


def test_update_replaces_the_details(client: TestClient[Any], users: dict[str, User]) -> None:
    login(client, "social_worker@example.cz")
    hid = client.post(API, json=new_household()).json()["id"]
    update = new_household(urgency=5, max_housing_cost=8000, orp_codes=[])
    for key in ("consent_given", "consent_on", "consent_scope"):
        update.pop(key)
    answer = client.put(f"{API}/{hid}", json=update)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["urgency"], answer.json()["max_housing_cost"]) == (5, 8000)
    assert answer.json()["orp_codes"] == []
    assert client.put(f"{API}/{hid}", json=update | {"consent_given": True}).status_code == 400


def test_rules_refused_with_422_and_a_reason(
    client: TestClient[Any], users: dict[str, User]
) -> None:
    login(client, "social_worker@example.cz")
    no_consent = client.post(API, json=new_household(consent_given=False))
    assert no_consent.status_code == 422
    assert no_consent.json()["field"] == "consent_given"
    no_adult = client.post(API, json=new_household(members=[{"kind": "child"}]))
    assert no_adult.status_code == 422 and no_adult.json()["field"] == "members"
    nowhere = client.post(API, json=new_household(municipality_codes=[], orp_codes=[]))
    assert nowhere.status_code == 422
    unknown = client.post(API, json=new_household(municipality_codes=[1]))
    assert unknown.status_code == 422 and unknown.json()["field"] == "municipalities"
    out_of_range = client.post(API, json=new_household(urgency=9))
    assert out_of_range.status_code == 400 and "urgency" in out_of_range.text
    assert client.post(API, json=new_household(has_pets="yes")).status_code == 400
    assert client.post(API, content="x", headers={"content-type": "text/plain"}).status_code == 415


def test_closed_household_conflicts(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    (hid,) = make_households(web_engine, users["social_worker"], 1)
    with session_scope(web_engine) as session:
        household = session.get(Household, hid)
        assert household is not None
        household.status, household.close_reason = HouseholdStatus.closed, "other"  # type: ignore[assignment]
        session.add(household)
    login(client, "social_worker@example.cz")
    update = new_household()
    for key in ("consent_given", "consent_on", "consent_scope"):
        update.pop(key)
    assert client.put(f"{API}/{hid}", json=update).status_code == 409


def test_visibility_and_roles(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    (hid,) = make_households(web_engine, users["social_worker"], 1)
    assert client.get(API).status_code == 401
    assert client.get(f"{API}/{hid}").status_code == 401
    login(client, other_org_worker(web_engine))
    assert client.get(f"{API}/{hid}").status_code == 404
    assert client.get(API).json()["pagination"]["total"] == 0
    login(client, "staff@example.cz")
    assert client.get(f"{API}/{hid}").status_code == 200
    assert client.get(f"{API}/999999").status_code == 404


@pytest.mark.parametrize("role", ["landlord", "platform_member"])
def test_other_roles_get_403(client: TestClient[Any], users: dict[str, User], role: str) -> None:
    login(client, f"{role}@example.cz")
    assert client.get(API).status_code == 403
    assert client.post(API, json=new_household()).status_code == 403


def test_bad_filters_are_400(client: TestClient[Any], users: dict[str, User]) -> None:
    login(client, "social_worker@example.cz")
    answer = client.get(API, params={"status": "nonsense"})
    assert answer.status_code == 400 and answer.json()["detail"] == "Unknown status."


def test_assigning_a_worker_of_another_organisation_is_refused(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    email = other_org_worker(web_engine)
    with session_scope(web_engine) as session:
        outsider = session.exec(select(User).where(User.email == email)).one()
        colleague = Factory(session).user()
        colleague.organisation_id = users["social_worker"].organisation_id
    login(client, "social_worker@example.cz")
    refused = client.post(API, json=new_household(social_worker_id=outsider.id))
    assert refused.status_code == 422 and refused.json()["field"] == "social_worker_id"
    ok = client.post(API, json=new_household(social_worker_id=colleague.id))
    assert ok.status_code == 201 and ok.json()["social_worker_id"] == colleague.id
