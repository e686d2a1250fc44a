"""The dashboard's early warning: the most urgent households, the total and the way on."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient
from sqlalchemy.engine import Engine

from agency.models import User
from tests.web.test_leases_pages import Placed, make_placed
from tests.webutil import login
from web.pages import staff


@pytest.fixture
def placed(web_engine: Engine, users: dict[str, User]) -> Placed:
    return make_placed(web_engine, users)


def _at_risk(html: str) -> tuple[int, int]:
    """The total in the heading and the number of households listed."""
    total = re.search(r'id="at-risk">[^<(]*\((\d+)\)', html)
    listed = html.split('<ul class="at-risk">')[1].split("</ul>")[0].count("<li>")
    assert total is not None
    return int(total[1]), listed


def test_the_staff_dashboard_shows_the_most_urgent_with_the_total(
    client: TestClient, placed: Placed, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, "staff@example.cz")
    html = client.get("/dashboard").text
    assert _at_risk(html) == (2, 2) and 'class="more-at-risk"' not in html
    monkeypatch.setattr(staff, "AT_RISK_SHOWN", 1)
    html = client.get("/dashboard").text
    assert _at_risk(html) == (2, 1)
    more = html.split('class="more-at-risk">')[1].split("</p>")[0]
    assert 'href="/leases?arrears=1"' in more and 'href="/visits"' in more
    assert "1" in more and "2" in more


def test_a_social_worker_sees_only_their_organisations_count(
    client: TestClient, placed: Placed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(staff, "AT_RISK_SHOWN", 1)
    login(client, "social_worker@example.cz")
    html = client.get("/dashboard").text
    assert _at_risk(html) == (1, 1) and 'class="more-at-risk"' not in html
