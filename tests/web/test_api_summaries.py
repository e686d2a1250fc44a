"""The summaries' JSON API: published figures for members, drafts for staff only,
recommendations recorded and updated, reasons for bad input."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient
from sqlalchemy.engine import Engine

from agency.db import session_scope
from agency.enums import SummaryScope
from agency.models import User
from agency.models.base import utcnow
from agency.services.summaries import build_summary, publish_summary
from tests.integration import summary_fixture as fx
from tests.webutil import login

API = "/api/v1/summaries"


def make(engine: Engine, users: dict[str, User], *, published: bool) -> int:
    with session_scope(engine) as session:
        fx.build(session)
        summary = build_summary(
            session,
            period_start=fx.START,
            period_end=fx.END,
            scope=SummaryScope.agency,
            k=3,
            now=utcnow(),
        )
        staff = session.get(User, users["staff"].id)
        assert staff is not None and summary.id is not None
        if published:
            publish_summary(session, summary_id=summary.id, actor=staff, now=utcnow())
        return summary.id


def test_members_read_published_summaries(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    number = make(web_engine, users, published=True)
    login(client, "platform_member@example.cz")
    items = client.get(API).json()
    assert [i["id"] for i in items] == [number] and items[0]["status"] == "published"
    document = client.get(f"{API}/{number}").json()
    assert document["k"] == 3 and set(document["sections"]) == {
        "flow",
        "outcomes",
        "barriers",
        "gaps",
    }
    flow = {f["id"]: f.get("value") for f in document["sections"]["flow"]}
    assert flow["households_registered"] == 4 and flow["households_waiting"] == 5


def test_drafts_are_404_for_members_and_visible_to_staff(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    number = make(web_engine, users, published=False)
    login(client, "platform_member@example.cz")
    assert client.get(API).json() == []
    response = client.get(f"{API}/{number}")
    assert response.status_code == 404 and response.json()["detail"]
    login(client, "staff@example.cz")
    assert client.get(f"{API}/{number}").json()["status"] == "draft"
    refused = client.post(f"{API}/{number}/recommendations", json={"text": "Víc bytů"})
    assert refused.status_code == 409


def test_recommendations_through_the_api(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    number = make(web_engine, users, published=True)
    login(client, "platform_member@example.cz")
    path = f"{API}/{number}/recommendations"
    created = client.post(path, json={"text": "Navýšit fond kaucí", "responsible_body": "Kraj"})
    assert created.status_code == 201
    rec = created.json()
    assert rec["status"] == "proposed" and rec["responsible_body"] == "Kraj"
    updated = client.put(f"{path}/{rec['id']}", json={"status": "adopted"})
    assert updated.status_code == 200 and updated.json()["status"] == "adopted"
    assert [r["status"] for r in client.get(path).json()] == ["adopted"]
    assert client.post(path, json={"text": ""}).status_code == 400
    assert client.put(f"{path}/{rec['id']}", json={"status": "maybe"}).status_code == 400
    assert client.put(f"{path}/2147483647", json={"status": "adopted"}).status_code == 404
    assert client.post(path, data={"text": "x"}).status_code == 415


def test_other_roles_are_refused(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    assert client.get(API).status_code == 401
    login(client, "landlord@example.cz")
    assert client.get(API).status_code == 403
    login(client, "social_worker@example.cz")
    assert client.get(API).status_code == 403
