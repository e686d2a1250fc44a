"""The sign-off queue page: what a row shows of a proposal, never who the household is."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from litestar.testing import TestClient
from sqlalchemy.engine import Engine

from agency.db import session_scope
from agency.enums import FlatStatus, HouseholdStatus
from agency.models import User
from tests.factories import Factory
from tests.integration.placement_data import household
from tests.webutil import login

NBSP = "\u00a0"


def _rows(html: str) -> list[list[str]]:
    """The queue table's body rows, each as its cells' text."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    cells = [re.findall(r"<td>(.*?)</td>", row, re.S) for row in rows]
    # Collapses the template's line breaks, keeps the no-break spaces inside amounts.
    return [
        [re.sub(r"[ \n]+", " ", re.sub(r"<[^>]+>", "", c)).strip() for c in row] for row in cells
    ]


def test_a_row_shows_place_household_size_income_needs_urgency_and_proposer(
    client: TestClient[Any], web_engine: Engine, users: dict[str, User]
) -> None:
    with session_scope(web_engine) as session:
        factory = Factory(session)
        first = household(
            factory,
            adults=2,
            children=(2016, 2020),
            status=HouseholdStatus.offered,
            reference_name="Novákovi",
            reference_phone="+420 777 111 222",
            monthly_income=17800,
            housing_allowance=3000,
            needs_step_free=True,
            has_pets=True,
            min_rooms=3,
            urgency=5,
        )
        second = household(
            factory, adults=1, status=HouseholdStatus.offered, monthly_income=9000, urgency=2
        )
        flat = factory.flat(FlatStatus.offered, street="Klatovská 12", rent=8800, services=2500)
        other = factory.flat(FlatStatus.offered, street="Jiná 5", layout="1+kk")
        at = datetime(2026, 10, 1, 7, 30, tzinfo=UTC)
        # The older one first: proposed by the other staff member, then by the one logged in.
        factory.match(other, second, users["staff2"], created_at=at)
        mine = factory.match(flat, first, users["staff"], created_at=at.replace(hour=8))
    login(client, "staff@example.cz")
    page = client.get("/signoff")
    assert page.status_code == 200
    assert "2 návrhy" in page.text
    assert _rows(page.text) == [
        [
            "1. 10. 2026 09:30",
            f"Jiná 5, Plzeň – 1+kk, 9{NBSP}000 Kč + 2{NBSP}500 Kč",
            "1 osoba, 5–10 tis. Kč",
            "2",
            users["staff2"].name,
            "Otevřít",
        ],
        [
            "1. 10. 2026 10:30",
            f"Klatovská 12, Plzeň – 2+1, 8{NBSP}800 Kč + 2{NBSP}500 Kč",
            "4 osoby (2 děti), 20–25 tis. Kč; Bezbariérový přístup, Má domácí zvíře, "
            "alespoň 3 pokoje",
            "5",
            f"{users['staff'].name} (vy)",
            "Otevřít",
        ],
    ]
    assert f'href="/signoff/{mine.id}"' in page.text
    assert "Novákovi" not in page.text and "777 111 222" not in page.text
