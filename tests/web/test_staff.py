"""Staff pages: the dashboard, the flats list with filters and pages, a flat, vetting."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from agency.db import session_scope
from agency.enums import FlatStatus, UserRole
from agency.models import AuditEntry, Barrier, BarrierCategory, Flat, RentCap, User, Vetting
from notifications.models import OutboxMessage
from tests.factories import Factory
from tests.webutil import csrf_from, login, submit

ZLIN_VILLAGE = 500011  # Želechovice nad Dřevnicí, ORP Zlín, Zlínský kraj


def make_flats(engine: Engine, count: int, **values: Any) -> list[int]:
    with session_scope(engine) as session:
        factory = Factory(session)
        landlord = factory.landlord(name=values.pop("landlord_name", "Jana Nováková"))
        return [int(factory.flat(landlord_id=landlord.id, **values).id or 0) for _ in range(count)]


def approve_data(**changes: str) -> dict[str, str]:
    data = {
        "inspection_date": "20. 11. 2026",
        "ownership_checked": "on",
        "condition_ok": "on",
        "gas_safety_ok": "on",
        "electrical_safety_ok": "on",
        "rent_within_cap": "on",
        "energy_costs_realistic": "on",
        "decision": "approved",
        "max_occupants": "5",
        "reasons": "V pořádku.",
    }
    return data | changes


def test_dashboard_shows_the_queues(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    make_flats(web_engine, 2, status=FlatStatus.submitted)
    make_flats(web_engine, 1, status=FlatStatus.vetting)
    make_flats(web_engine, 3, status=FlatStatus.available)
    login(client, "staff@example.cz")
    page = client.get("/dashboard").text
    assert '<span class="big">3</span> Byty k prověření' in page
    assert '<span class="big">3</span> Volné byty' in page
    assert 'href="/staff/flats?status=available"' in page


@pytest.mark.parametrize("role", ["social_worker", "platform_member"])
def test_dashboard_welcomes_other_insiders(
    client: TestClient[Any], users: dict[str, User], role: str
) -> None:
    login(client, f"{role}@example.cz")
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "Vítejte" in page.text and "Byty k prověření" not in page.text


def test_list_pages_newest_first(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    ids = make_flats(web_engine, 27)
    login(client, "staff@example.cz")
    first = client.get("/staff/flats").text
    assert "27 bytů" in first and "Strana 1 z 2" in first
    assert first.count('<a href="/staff/flats/') == 25
    assert f'href="/staff/flats/{ids[-1]}"' in first  # newest first
    assert f'href="/staff/flats/{ids[0]}"' not in first
    second = client.get("/staff/flats?page=2").text
    assert second.count('<a href="/staff/flats/') == 2
    assert f'href="/staff/flats/{ids[0]}"' in second
    assert client.get("/staff/flats?page=9").status_code == 200  # past the end: empty


def test_list_filters(client: TestClient[Any], users: dict[str, User], web_engine: Engine) -> None:
    [plzen] = make_flats(web_engine, 1, street="Škroupova 7", status=FlatStatus.submitted)
    [zlin] = make_flats(
        web_engine,
        1,
        street="Hlavní 1",
        municipality_code=ZLIN_VILLAGE,
        building_key="hlavni 1",
        landlord_name="Řehoř Čermák",
    )
    login(client, "staff@example.cz")

    def shown(query: str) -> set[int]:
        page = client.get(f"/staff/flats?{query}")
        assert page.status_code == 200, page.text
        return {i for i in (plzen, zlin) if f'href="/staff/flats/{i}"' in page.text}

    assert shown("") == {plzen, zlin}
    assert shown("status=submitted") == {plzen}
    assert shown("orp=7213") == {zlin}
    assert shown("kraj=CZ032") == {plzen}
    assert shown("q=skroup") == {plzen}  # no diacritics typed
    assert shown("q=CERMAK") == {zlin}  # landlord, any case
    assert shown("q=%25") == set()  # a literal percent sign, not a wildcard


@pytest.mark.parametrize(
    "query", ["status=nonsense", "page=abc", "page=0", "orp=xyz", "kraj=%3Cb%3E", "q=" + "x" * 101]
)
def test_bad_filters_say_so(client: TestClient[Any], users: dict[str, User], query: str) -> None:
    login(client, "staff@example.cz")
    page = client.get(f"/staff/flats?{query}")
    assert page.status_code == 400
    assert "Opravte prosím následující" in page.text


def test_flat_detail(client: TestClient[Any], users: dict[str, User], web_engine: Engine) -> None:
    [flat_id] = make_flats(web_engine, 1, rent=12500, notes="Sklep k bytu.")
    login(client, "admin@example.cz")
    page = client.get(f"/staff/flats/{flat_id}").text
    assert "12\xa0500 Kč" in page and "1. 1. 2026" in page
    assert "Plzeňský kraj" in page and "Jana Nováková" in page and "Sklep k bytu." in page
    assert client.get("/staff/flats/999999").status_code == 404
    assert client.get(f"/staff/flats/{2**31}").status_code in (400, 404)


def test_roles_on_staff_pages(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    [flat_id] = make_flats(web_engine, 1, status=FlatStatus.vetting)
    paths = ("/staff/flats", f"/staff/flats/{flat_id}", f"/staff/flats/{flat_id}/vetting")
    expected = {"staff": 200, "admin": 200, "social_worker": 403, "landlord": 403}
    for role, status in expected.items():
        login(client, f"{role}@example.cz")
        assert [client.get(path).status_code for path in paths] == [status] * 3, role
    client.cookies.clear()
    response = client.get("/staff/flats", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def _outbox(engine: Engine) -> list[OutboxMessage]:
    with session_scope(engine) as session:
        return list(session.exec(select(OutboxMessage)).all())


def test_vetting_approves(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    [flat_id] = make_flats(web_engine, 1, status=FlatStatus.submitted, max_occupants=None)
    login(client, "staff@example.cz")
    form = f"/staff/flats/{flat_id}/vetting"
    response = submit(client, form, form, approve_data())
    assert response.status_code == 303 and response.headers["location"] == f"/staff/flats/{flat_id}"
    with session_scope(web_engine) as session:
        flat = session.get(Flat, flat_id)
        assert flat is not None and flat.status == FlatStatus.available and flat.max_occupants == 5
        vetting = session.exec(select(Vetting).where(Vetting.flat_id == flat_id)).one()
        assert vetting.inspector_id == users["staff"].id and vetting.condition_ok
        audits = session.exec(select(AuditEntry).where(AuditEntry.entity_id == flat_id)).all()
        assert [(a.from_status, a.to_status) for a in audits] == [
            ("submitted", "vetting"),
            ("vetting", "available"),
        ]
    [mail] = _outbox(web_engine)
    assert mail.kind == "vetting_result" and mail.event_key == f"vetting_result:{vetting.id}"
    assert mail.recipient.startswith("ll") and mail.context["approved"] is True
    detail = client.get(f"/staff/flats/{flat_id}").text
    assert "Schváleno" in detail and "Prověřuje se → Volný" in detail


def test_vetting_rejects_with_a_barrier(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    [flat_id] = make_flats(web_engine, 1, status=FlatStatus.vetting)
    login(client, "staff@example.cz")
    form = f"/staff/flats/{flat_id}/vetting"
    data = approve_data(decision="rejected", rejection_reason="rent_above_cap", max_occupants="")
    assert submit(client, form, form, data).status_code == 303
    with session_scope(web_engine) as session:
        flat = session.get(Flat, flat_id)
        assert flat is not None and flat.status == FlatStatus.rejected
        barrier, code = session.execute(
            sa.select(Barrier, BarrierCategory.code).join(BarrierCategory)
        ).one()
        assert code == "rent_unaffordable" and barrier.flat_id == flat_id
        assert barrier.orp_code == 3209 and barrier.landlord_id == flat.landlord_id
        assert barrier.stage == "access" and barrier.source == "vetting"
    assert _outbox(web_engine)[0].context["approved"] is False


def test_rejection_for_ownership_records_no_barrier(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    [flat_id] = make_flats(web_engine, 1, status=FlatStatus.submitted)
    login(client, "staff@example.cz")
    form = f"/staff/flats/{flat_id}/vetting"
    data = approve_data(decision="rejected", rejection_reason="ownership", ownership_checked="")
    assert submit(client, form, form, data).status_code == 303
    with session_scope(web_engine) as session:
        assert session.get(Flat, flat_id).status == FlatStatus.rejected  # type: ignore[union-attr]
        assert session.exec(select(Barrier)).first() is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"decision": "rejected", "max_occupants": ""}, "Vyberte důvod zamítnutí."),
        ({"max_occupants": ""}, "Zadejte nejvyšší počet obyvatel"),
        ({"max_occupants": "21"}, "Zadejte číslo od 1 do 20."),
        ({"inspection_date": "31. 2. 2026"}, "Zadejte datum ve tvaru"),
    ],
)
def test_vetting_form_errors_keep_the_input(
    client: TestClient[Any],
    users: dict[str, User],
    web_engine: Engine,
    changes: dict[str, str],
    message: str,
) -> None:
    [flat_id] = make_flats(web_engine, 1, status=FlatStatus.vetting)
    login(client, "staff@example.cz")
    form = f"/staff/flats/{flat_id}/vetting"
    response = submit(client, form, form, approve_data(**changes))
    assert response.status_code == 400 and message in response.text
    assert "V pořádku." in response.text  # what was typed is kept
    with session_scope(web_engine) as session:
        assert session.get(Flat, flat_id).status == FlatStatus.vetting  # type: ignore[union-attr]
        assert session.exec(select(Vetting)).first() is None


def test_vetting_refused_for_an_available_flat(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    [flat_id] = make_flats(web_engine, 1, status=FlatStatus.available)
    login(client, "staff@example.cz")
    form = f"/staff/flats/{flat_id}/vetting"
    page = client.get(form)
    assert page.status_code == 409 and "Prověřit lze jen byt" in page.text
    response = submit(client, "/dashboard", form, approve_data())
    assert response.status_code == 409 and "Prověřit lze jen byt" in response.text
    start = submit(client, "/dashboard", f"/staff/flats/{flat_id}/start-vetting", {})
    assert start.status_code == 409
    assert _outbox(web_engine) == []


def test_start_vetting_then_rent_cap_shown(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    [flat_id] = make_flats(web_engine, 1, status=FlatStatus.submitted, rent=14000)
    with session_scope(web_engine) as session:
        session.add(RentCap(orp_code=3209, rooms=2, max_rent=11000))
    login(client, "staff@example.cz")
    form = f"/staff/flats/{flat_id}/vetting"
    response = submit(client, form, f"/staff/flats/{flat_id}/start-vetting", {})
    assert response.status_code == 303 and response.headers["location"] == form
    page = client.get(form).text
    assert "11\xa0000 Kč" in page and "Nájemné je nad stropem." in page
    with session_scope(web_engine) as session:
        assert session.get(Flat, flat_id).status == FlatStatus.vetting  # type: ignore[union-attr]
    again = submit(client, form, f"/staff/flats/{flat_id}/start-vetting", {})
    assert again.status_code == 303  # already in vetting: nothing changes


def test_a_deactivated_staff_member_is_let_out(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    [flat_id] = make_flats(web_engine, 1, status=FlatStatus.vetting)
    login(client, "staff@example.cz")
    form = f"/staff/flats/{flat_id}/vetting"
    token_page = client.get(form).text
    with session_scope(web_engine) as session:
        staff = session.get(User, users["staff"].id)
        assert staff is not None and staff.role == UserRole.staff
        staff.active = False
    data = approve_data() | {"_csrf_token": csrf_from(token_page)}
    response = client.post(form, data=data, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert _outbox(web_engine) == []


def test_list_queries_do_not_grow_with_rows(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    login(client, "staff@example.cz")
    sa.event.listen(web_engine, "before_cursor_execute", count)
    try:
        make_flats(web_engine, 2)
        client.get("/staff/flats")  # the gazetteer's filter lists are read once, then kept
        statements.clear()
        client.get("/staff/flats")
        few = len(statements)
        make_flats(web_engine, 20)
        statements.clear()
        client.get("/staff/flats")
        assert len(statements) == few
        # The total is the kept count per status: no flat is counted on the page.
        assert not [s for s in statements if "count(*)" in s.lower() and "FROM flat" in s]
        assert len([s for s in statements if "FROM flat_status_count" in s]) == 1
    finally:
        sa.event.remove(web_engine, "before_cursor_execute", count)
