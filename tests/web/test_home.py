"""The home page shows how many records of each kind the database holds."""

from __future__ import annotations

import re

from litestar.testing import TestClient
from sqlalchemy.engine import Engine

from agency.db import session_scope
from tests.factories import Factory
from web.app import create_app
from web.settings import Settings


def test_home_page_shows_counts(fresh_engine: Engine) -> None:
    with session_scope(fresh_engine) as session:
        factory = Factory(session)
        for _ in range(3):
            factory.flat()
        factory.household()
    app = create_app(Settings(database_url="sqlite://", secret_key="x"), engine=fresh_engine)
    with TestClient(app) as client:
        response = client.get("/")
    assert response.status_code == 200
    cells = dict(re.findall(r"<td>([^<]+)</td><td class=\"num\">(\d+)</td>", response.text))
    assert cells["Byty"] == "3"
    assert cells["Domácnosti"] == "1"
    assert cells["Pronajímatelé"] == "3"
    assert cells["Obce v číselníku"] == "6258"
    assert "RÚIAN (CC BY 4.0)" in response.text


def test_health(fresh_engine: Engine) -> None:
    app = create_app(Settings(database_url="sqlite://", secret_key="x"), engine=fresh_engine)
    with TestClient(app) as client:
        assert client.get("/health").json() == {"status": "ok"}
