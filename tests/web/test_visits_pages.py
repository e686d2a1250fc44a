"""The visit calendar and the visit form for the field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy.engine import Engine

from agency.db import session_scope
from agency.enums import RiskLevel, VisitKind
from agency.models import SupportVisit, User
from agency.models.base import utcnow
from tests.web.test_leases_pages import Placed, make_placed
from tests.webutil import login, submit


@pytest.fixture
def placed(web_engine: Engine, users: dict[str, User]) -> Placed:
    return make_placed(web_engine, users)


def test_calendar_shows_own_overdue_visits(
    client: TestClient, users: dict[str, User], placed: Placed
) -> None:
    login(client, "social_worker@example.cz")
    html = client.get("/visits").text
    assert f'href="/visits/{placed.visit}"' in html
    assert f'href="/visits/{placed.other_visit}"' not in html
    assert client.get(f"/visits/{placed.other_visit}").status_code == 404


def test_staff_see_every_overdue_visit(
    client: TestClient, users: dict[str, User], placed: Placed
) -> None:
    login(client, "staff@example.cz")
    html = client.get("/visits").text
    assert (
        f'href="/visits/{placed.visit}"' in html and f'href="/visits/{placed.other_visit}"' in html
    )


@pytest.mark.parametrize(
    ("days", "shown"),
    [(1, "po termínu 1 den"), (3, "po termínu 3 dny"), (5, "po termínu 5 dní")],
)
def test_overdue_days_in_czech_plural_forms(
    client: TestClient,
    users: dict[str, User],
    placed: Placed,
    web_engine: Engine,
    days: int,
    shown: str,
) -> None:
    planned = utcnow().date() - timedelta(days=days)
    with session_scope(web_engine) as session:
        visit = session.get(SupportVisit, placed.visit)
        assert visit is not None
        visit.planned_on = planned
    login(client, "social_worker@example.cz")
    html = client.get("/visits").text
    line = html.split(f'href="/visits/{placed.visit}"', 1)[1].split("</li>", 1)[0]
    assert f"{planned.day}. {planned.month}. {planned.year}" in line
    assert shown in line


def test_record_a_visit(
    client: TestClient, users: dict[str, User], placed: Placed, web_engine: Engine
) -> None:
    login(client, "social_worker@example.cz")
    form = f"/visits/{placed.visit}"
    page = client.get(form)
    assert page.status_code == 200
    assert 'type="radio" name="kind" value="home" checked' in page.text
    assert utcnow().date().isoformat() in page.text  # done today by default
    data = {
        "kind": "phone",
        "topics": ["rent", "debts"],
        "risk": "red",
        "notes": "Hrozí výpověď",
        "follow_up": "Dluhová poradna",
        "done_on": utcnow().date().isoformat(),
    }
    response = submit(client, form, form, data)
    assert response.status_code == 303 and response.headers["location"] == "/visits?saved=1"
    with session_scope(web_engine) as session:
        visit = session.get(SupportVisit, placed.visit)
        assert visit is not None and visit.done_on == utcnow().date()
        assert (visit.kind, visit.risk, visit.topics) == (
            VisitKind.phone,
            RiskLevel.red,
            ["rent", "debts"],
        )
    assert f'href="/visits/{placed.visit}"' not in client.get("/visits").text


def test_bad_visit_input_is_kept_and_explained(
    client: TestClient, users: dict[str, User], placed: Placed
) -> None:
    login(client, "social_worker@example.cz")
    form = f"/visits/{placed.visit}"
    data = {
        "kind": "",
        "topics": ["rent", "gossip"],
        "risk": "red",
        "notes": "Poznámka",
        "done_on": "2999-01-01",
    }
    response = submit(client, form, form, data)
    assert response.status_code == 400
    assert "Poznámka" in response.text and 'value="red" checked' in response.text
    assert 'id="error-summary"' in response.text
