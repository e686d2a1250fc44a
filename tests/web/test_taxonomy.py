"""The admin's barrier categories and interventions: add, rename, deactivate, never delete."""

from __future__ import annotations

from litestar.testing import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from agency.db import session_scope
from agency.models import BarrierCategory, Intervention, User
from agency.services.support import default_template
from tests.webutil import login, submit

CATEGORIES = "/admin/barrier-categories"


def test_admin_adds_renames_and_deactivates(
    client: TestClient, users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "admin@example.cz")
    assert "rent_arrears" in client.get(CATEGORIES).text
    data = {"code": "energy_poverty", "name_cs": "Energetická chudoba", "name_en": "Energy poverty"}
    assert submit(client, CATEGORIES, CATEGORIES, data).status_code == 303
    clash = submit(client, CATEGORIES, CATEGORIES, data)
    assert clash.status_code == 400 and "Energetická chudoba" in clash.text
    with session_scope(web_engine) as session:
        term = session.exec(
            select(BarrierCategory).where(BarrierCategory.code == "energy_poverty")
        ).one()
        term_id = term.id
    rename = f"{CATEGORIES}/{term_id}/rename"
    renamed = submit(client, CATEGORIES, rename, {"name_cs": "Energie", "name_en": "Energy"})
    assert renamed.status_code == 303
    blank = submit(client, CATEGORIES, rename, {"name_cs": "", "name_en": "Energy"})
    assert blank.status_code == 400
    assert (
        submit(client, CATEGORIES, f"{CATEGORIES}/{term_id}/active", {"active": "0"}).status_code
        == 303
    )
    with session_scope(web_engine) as session:
        term = session.get(BarrierCategory, term_id)
        assert term is not None and (term.name_cs, term.active) == ("Energie", False)
    assert client.post(f"{CATEGORIES}/{2**31 - 1}/rename").status_code in (403, 404)


def test_interventions_and_bad_codes(
    client: TestClient, users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "admin@example.cz")
    page = "/admin/interventions"
    bad = submit(client, page, page, {"code": "Bad Code!", "name_cs": "X", "name_en": "X"})
    assert bad.status_code == 400 and 'value="Bad Code!"' in bad.text
    good = {"code": "legal_aid", "name_cs": "Právní pomoc", "name_en": "Legal aid"}
    assert submit(client, page, page, good).status_code == 303
    with session_scope(web_engine) as session:
        assert session.exec(select(Intervention).where(Intervention.code == "legal_aid")).one()


def test_only_admins(client: TestClient, users: dict[str, User]) -> None:
    login(client, "staff@example.cz")
    assert client.get(CATEGORIES).status_code == 403


def test_support_plan_templates(
    client: TestClient, users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "admin@example.cz")
    plans = "/admin/support-plans"
    assert client.get(plans).status_code == 200
    data = {"name": "Krátký", "until_1": "2", "every_1": "7", "until_2": "1", "every_2": "14"}
    falling = submit(client, plans, plans, data)
    assert falling.status_code == 400 and 'value="Krátký"' in falling.text
    data |= {"until_2": "6", "is_default": "on"}
    assert submit(client, plans, plans, data).status_code == 303
    with session_scope(web_engine) as session:
        template = default_template(session)
        assert template.name == "Krátký"
        assert template.steps == [
            {"until_month": 2, "every_days": 7},
            {"until_month": 6, "every_days": 14},
        ]
