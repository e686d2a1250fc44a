"""The public offer form: a landlord offers a flat without an account, in Czech or English."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from litestar.testing import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from agency.db import session_scope
from agency.enums import FlatStatus
from agency.models import AuditEntry, Flat, Landlord, User
from notifications.models import OutboxMessage
from tests.webutil import submit

PLZEN = 554791
NOVA_VES_DOMAZLICE = 599131


def offer(**changes: str) -> dict[str, str]:
    """A valid offer as a browser without JavaScript posts it."""
    values = {
        "kind": "person",
        "name": "Jana Nováková",
        "company_id": "",
        "email": "Jana.Novakova@Example.cz",
        "phone": "+420 602 123 456",
        "language": "cs",
        "street": "Slovanská   12",
        "postcode": "326 00",
        "municipality": "plzen",
        "municipality_code": "",
        "layout": "2+1",
        "area_m2": "54,5",
        "floor": "2",
        "lift": "on",
        "rent": "9000",
        "services": "2500",
        "deposit": "18000",
        "available_from": (date.today() + timedelta(days=10)).isoformat(),
        "min_lease_months": "12",
        "energy_class": "C",
        "notes": "",
        "terms_accepted": "on",
    }
    return values | changes


def post_offer(client: TestClient[Any], data: dict[str, str]) -> Any:
    return submit(client, "/offer", "/offer", data)


def count(engine: Engine, model: type[Any]) -> int:
    with session_scope(engine) as session:
        return int(session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one())


def outbox(engine: Engine) -> list[OutboxMessage]:
    with session_scope(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def test_form_page_has_fieldsets_and_the_typeahead(client: TestClient[Any]) -> None:
    page = client.get("/offer")
    assert page.status_code == 200
    assert page.text.count("<fieldset>") >= 5
    assert 'src="/static/typeahead.js"' in page.text
    assert 'list="municipality-options"' in page.text
    assert "Nabídnout byt" in page.text


def test_offer_creates_a_submitted_flat_and_notifies(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    response = post_offer(client, offer())
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/offer/thanks"
    thanks = client.get("/offer/thanks").text
    assert "Děkujeme, nabídku jsme přijali" in thanks
    assert "přihlašovací odkaz" in thanks
    with session_scope(web_engine) as session:
        flat = session.exec(select(Flat)).one()
        landlord = session.get(Landlord, flat.landlord_id)
        audit = session.exec(select(AuditEntry).where(AuditEntry.entity == "flat")).all()
    assert landlord is not None and landlord.email == "jana.novakova@example.cz"
    assert landlord.terms_consented_at is not None
    assert (flat.status, flat.municipality_code, flat.rooms) == (FlatStatus.submitted, PLZEN, 2)
    assert (flat.postcode, flat.street, flat.area_m2, flat.lift) == (
        "32600",
        "Slovanská 12",
        54.5,
        True,
    )
    assert flat.building_key == f"slovanska 12|{PLZEN}"
    assert flat.status_changed_at is not None
    assert [(a.action, a.to_status) for a in audit] == [("create", "submitted")]
    messages = outbox(web_engine)
    staff = {m.recipient for m in messages if m.kind == "flat_received"}
    assert staff == {"staff@example.cz", "staff2@example.cz"}
    assert {m.event_key for m in messages if m.kind == "flat_received"} == {
        f"flat_received:{flat.id}"
    }
    to_landlord = [m for m in messages if m.kind == "flat_received_landlord"]
    assert [m.recipient for m in to_landlord] == ["jana.novakova@example.cz"]
    assert to_landlord[0].language == "cs"


def test_the_emailed_link_opens_the_portal_with_the_flat(
    client: TestClient[Any], web_engine: Engine
) -> None:
    assert post_offer(client, offer(language="en")).status_code == 303
    (message,) = [m for m in outbox(web_engine) if m.kind == "flat_received_landlord"]
    assert message.language == "en" and message.context is not None
    url = message.context["magic_link_url"]
    assert url.startswith("http://127.0.0.1:8000/auth/link?token=")
    response = client.get(url.removeprefix("http://127.0.0.1:8000"), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/portal"
    portal = client.get("/portal").text
    assert "Slovanská 12, Plzeň" in portal


def test_a_second_offer_reuses_the_landlord(client: TestClient[Any], web_engine: Engine) -> None:
    assert post_offer(client, offer()).status_code == 303
    second = offer(email="  JANA.novakova@example.CZ ", name="Someone Else", street="Jiná 5")
    assert post_offer(client, second).status_code == 303
    assert count(web_engine, Landlord) == 1
    assert count(web_engine, Flat) == 2
    with session_scope(web_engine) as session:
        assert session.exec(select(Landlord)).one().name == "Jana Nováková"


def test_bad_input_lists_every_error_and_keeps_the_values(
    client: TestClient[Any], web_engine: Engine
) -> None:
    bad = offer(
        name="",
        email="not-an-email",
        postcode="3260",
        rent="12000",
        deposit="40000",
        floor="99",
        available_from="2020-01-01",
        terms_accepted="",
        street="Náměstí Republiky 1",
    )
    response = post_offer(client, bad)
    assert response.status_code == 400
    text = response.text
    assert "Opravte prosím následující:" in text
    for field in (
        "name",
        "email",
        "postcode",
        "floor",
        "deposit",
        "available_from",
        "terms_accepted",
    ):
        assert f'href="#f-{field}"' in text, field
    assert "nejvýše trojnásobek měsíčního nájemného, zde 36000 Kč" in text
    assert "Zadejte PSČ" in text and "Souhlas s podmínkami" in text
    for kept in (
        'value="not-an-email"',
        'value="3260"',
        'value="Náměstí Republiky 1"',
        'value="40000"',
    ):
        assert kept in text, kept
    assert count(web_engine, Flat) == 0 and count(web_engine, Landlord) == 0


def test_messages_in_english_after_switching(client: TestClient[Any]) -> None:
    client.get("/lang/en?next=/offer")
    response = post_offer(client, offer(name="", deposit="99000"))
    assert response.status_code == 400
    assert "Please correct the following:" in response.text
    assert "This field is required." in response.text
    assert "the deposit may be at most three months&#39; rent, here 27000 CZK" in response.text
    assert "Street and house number" in response.text


def test_a_company_needs_a_valid_ico(client: TestClient[Any], web_engine: Engine) -> None:
    response = post_offer(client, offer(kind="company", company_id="12345678"))
    assert response.status_code == 400 and 'href="#f-company_id"' in response.text
    assert post_offer(client, offer(kind="company", company_id="25596641")).status_code == 303
    with session_scope(web_engine) as session:
        assert session.exec(select(Landlord)).one().company_id == "25596641"


def test_an_ambiguous_municipality_offers_choices(
    client: TestClient[Any], web_engine: Engine
) -> None:
    response = post_offer(client, offer(municipality="Nova ves"))
    assert response.status_code == 400
    assert "Více obcí má tento název" in response.text
    assert response.text.count('name="municipality_code"') == 14
    assert "Nová Ves (okres Domažlice)" in response.text
    assert 'value="Nova ves"' in response.text and 'value="18000"' in response.text
    chosen = offer(municipality="Nova ves", municipality_code=str(NOVA_VES_DOMAZLICE))
    assert post_offer(client, chosen).status_code == 303
    with session_scope(web_engine) as session:
        assert session.exec(select(Flat)).one().municipality_code == NOVA_VES_DOMAZLICE


def test_an_unknown_municipality_is_an_error(client: TestClient[Any], web_engine: Engine) -> None:
    response = post_offer(client, offer(municipality="Plzeňov"))
    assert response.status_code == 400
    assert "Tuto obec jsme nenašli. Zkontrolujte" in response.text
    assert count(web_engine, Flat) == 0


def test_a_code_inconsistent_with_the_name_is_ignored(
    client: TestClient[Any], web_engine: Engine
) -> None:
    # A stale code from the type-ahead: the typed name wins.
    data = offer(municipality="Plzeň", municipality_code=str(NOVA_VES_DOMAZLICE))
    assert post_offer(client, data).status_code == 303
    with session_scope(web_engine) as session:
        assert session.exec(select(Flat)).one().municipality_code == PLZEN


def test_hostile_input_is_refused_or_escaped(client: TestClient[Any], web_engine: Engine) -> None:
    hostile = offer(
        name="x" * 5000,
        street="<script>alert(1)</script>",
        notes="<script>alert(2)</script>" + "y" * 5000,
        rent="-5",
        services="99999999999999999999",
        area_m2="1e9",
        floor="true",
        layout="99+kk",
        municipality_code="99999999999999999999",
    )
    response = post_offer(client, hostile)
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    for field in ("name", "notes", "rent", "services", "area_m2", "floor", "layout"):
        assert f'href="#f-{field}"' in response.text, field
    assert count(web_engine, Flat) == 0 and count(web_engine, Landlord) == 0
    assert outbox(web_engine) == []


def test_script_in_notes_is_stored_and_shown_escaped(
    client: TestClient[Any], web_engine: Engine
) -> None:
    assert post_offer(client, offer(notes="<script>alert(3)</script>")).status_code == 303
    with session_scope(web_engine) as session:
        assert session.exec(select(Flat)).one().notes == "<script>alert(3)</script>"
    edit = post_offer(client, offer(notes="<script>alert(4)</script>", deposit="999999"))
    assert "<script>alert(4)</script>" not in edit.text
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in edit.text


def test_login_link_answers_the_same_whether_known_or_not(
    client: TestClient[Any], web_engine: Engine
) -> None:
    assert post_offer(client, offer()).status_code == 303
    known = submit(client, "/login", "/login/link", {"email": "JANA.novakova@example.cz"})
    unknown = submit(client, "/login", "/login/link", {"email": "nobody@example.cz"})
    again = submit(client, "/login", "/login/link", {"email": "jana.novakova@example.cz"})
    assert known.status_code == unknown.status_code == again.status_code == 200
    notice = "Pokud adresa patří pronajímateli, poslali jsme na ni nový přihlašovací odkaz."
    assert notice in known.text and notice in unknown.text
    links = [m for m in outbox(web_engine) if m.kind == "magic_link"]
    assert [m.recipient for m in links] == ["jana.novakova@example.cz"]  # once per hour
    assert (
        links[0].context is not None and "/auth/link?token=" in links[0].context["magic_link_url"]
    )


def test_a_partial_name_offers_suggestions_to_pick(
    client: TestClient[Any], web_engine: Engine
) -> None:
    response = post_offer(client, offer(municipality="Nová Ve"))
    assert response.status_code == 400
    assert "Tuto obec jsme nenašli" in response.text
    assert 'name="municipality_code"' in response.text and 'value="Nová Ve"' in response.text
    picked = offer(municipality="Nová Ve", municipality_code=str(NOVA_VES_DOMAZLICE))
    assert post_offer(client, picked).status_code == 303
    with session_scope(web_engine) as session:
        assert session.exec(select(Flat)).one().municipality_code == NOVA_VES_DOMAZLICE
