"""The landlord portal: own flats only, details with history, edits before vetting, withdrawal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from agency.db import session_scope
from agency.enums import (
    AuditAction,
    FlatStatus,
    MatchStatus,
    MemberKind,
    UserRole,
    VettingDecision,
    VettingRejection,
)
from agency.models import AuditEntry, Flat, HouseholdMember, Match, User, Vetting
from agency.passwords import make_hasher
from tests.factories import Factory
from tests.webutil import PASSWORD, login, submit


@dataclass(frozen=True)
class World:
    own: int  # flat ids
    own_vetting: int
    own_let: int
    others: int
    user_id: int


@pytest.fixture
def world(web_engine: Engine) -> World:
    """Landlord Alena (logged in by the tests) with three flats; Bohumil with one."""
    with session_scope(web_engine) as session:
        factory = Factory(session)
        alena = factory.landlord(email="alena@example.cz", name="Alena")
        bohumil = factory.landlord(email="bohumil@example.cz", name="Bohumil")
        user = factory.user(
            UserRole.landlord,
            email="alena@example.cz",
            landlord_id=alena.id,
            organisation_id=None,
            password_hash=make_hasher(cheap=True).hash(PASSWORD),
        )
        own = factory.flat(FlatStatus.submitted, landlord_id=alena.id, street="Mírová 1")
        vetting = factory.flat(FlatStatus.vetting, landlord_id=alena.id, street="Husova 2")
        let = factory.flat(FlatStatus.let, landlord_id=alena.id, street="Tylova 3")
        others = factory.flat(FlatStatus.submitted, landlord_id=bohumil.id, street="Cizí 9")
        return World(
            int(own.id or 0),
            int(vetting.id or 0),
            int(let.id or 0),
            int(others.id or 0),
            int(user.id or 0),
        )


def edit_data(**changes: str) -> dict[str, str]:
    values = {
        "street": "Mírová 10",
        "postcode": "32600",
        "municipality": "Plzeň",
        "municipality_code": "",
        "layout": "3+kk",
        "area_m2": "70",
        "floor": "1",
        "rent": "11000",
        "services": "3000",
        "deposit": "22000",
        "available_from": (date.today() + timedelta(days=5)).isoformat(),
        "min_lease_months": "24",
        "notes": "Nově vymalováno",
    }
    return values | changes


def flat(engine: Engine, flat_id: int) -> Flat:
    with session_scope(engine) as session:
        found = session.get(Flat, flat_id)
        assert found is not None
        return found


def test_portal_lists_own_flats_only(client: TestClient[Any], world: World) -> None:
    login(client, "alena@example.cz")
    page = client.get("/portal")
    assert page.status_code == 200
    for street in ("Mírová 1", "Husova 2", "Tylova 3"):
        assert street in page.text
    assert "Cizí 9" not in page.text
    assert "Přijato, čeká na prověření" in page.text and "Prověřujeme" in page.text
    assert "3 byty" in page.text


def test_another_landlords_flat_is_not_found(client: TestClient[Any], world: World) -> None:
    login(client, "alena@example.cz")
    for flat_id in (world.others, 999_999):
        for path in (
            f"/portal/flats/{flat_id}",
            f"/portal/flats/{flat_id}/edit",
            f"/portal/flats/{flat_id}/withdraw",
        ):
            assert client.get(path).status_code == 404, path
        withdraw = submit(client, "/portal", f"/portal/flats/{flat_id}/withdraw", {})
        assert withdraw.status_code == 404
        edit = submit(client, "/portal", f"/portal/flats/{flat_id}/edit", edit_data())
        assert edit.status_code == 404
    assert client.get(f"/portal/flats/{2**40}").status_code == 400


def test_the_other_flat_stays_untouched(
    client: TestClient[Any], world: World, web_engine: Engine
) -> None:
    login(client, "alena@example.cz")
    submit(client, "/portal", f"/portal/flats/{world.others}/withdraw", {})
    submit(client, "/portal", f"/portal/flats/{world.others}/edit", edit_data())
    other = flat(web_engine, world.others)
    assert (other.status, other.street) == (FlatStatus.submitted, "Cizí 9")


def test_edit_while_submitted(client: TestClient[Any], world: World, web_engine: Engine) -> None:
    login(client, "alena@example.cz")
    form = client.get(f"/portal/flats/{world.own}/edit")
    assert form.status_code == 200 and 'value="Mírová 1"' in form.text
    response = submit(
        client, f"/portal/flats/{world.own}/edit", f"/portal/flats/{world.own}/edit", edit_data()
    )
    assert response.status_code == 303
    changed = flat(web_engine, world.own)
    assert (changed.street, changed.layout, changed.rooms, changed.rent) == (
        "Mírová 10",
        "3+kk",
        3,
        11000,
    )
    assert changed.building_key.startswith("mirova 10|")
    with session_scope(web_engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.entity_id == world.own)).one()
    assert entry.action == AuditAction.update and entry.actor_id == world.user_id
    assert entry.details is not None and "rent" in entry.details["changed"]
    assert "Změny jsme uložili." in client.get(response.headers["location"]).text


def test_edit_with_bad_values_keeps_them(
    client: TestClient[Any], world: World, web_engine: Engine
) -> None:
    login(client, "alena@example.cz")
    data = edit_data(deposit="50000", street="")
    response = submit(
        client, f"/portal/flats/{world.own}/edit", f"/portal/flats/{world.own}/edit", data
    )
    assert response.status_code == 400
    assert 'href="#f-deposit"' in response.text and 'href="#f-street"' in response.text
    assert 'value="50000"' in response.text and 'value="Nově vymalováno"' not in response.text
    assert "Nově vymalováno" in response.text
    assert flat(web_engine, world.own).street == "Mírová 1"


def test_edit_refused_after_vetting_started(
    client: TestClient[Any], world: World, web_engine: Engine
) -> None:
    login(client, "alena@example.cz")
    path = f"/portal/flats/{world.own_vetting}/edit"
    assert "lze měnit jen do začátku prověřování" in client.get(path).text
    response = submit(client, "/portal", path, edit_data())
    assert response.status_code == 409
    assert "lze měnit jen do začátku prověřování" in response.text
    assert flat(web_engine, world.own_vetting).street == "Husova 2"


def test_withdraw_moves_the_status_and_audits(
    client: TestClient[Any], world: World, web_engine: Engine
) -> None:
    login(client, "alena@example.cz")
    confirm = client.get(f"/portal/flats/{world.own_vetting}/withdraw")
    assert confirm.status_code == 200 and "Ano, stáhnout byt" in confirm.text
    response = submit(
        client,
        f"/portal/flats/{world.own_vetting}/withdraw",
        f"/portal/flats/{world.own_vetting}/withdraw",
        {},
    )
    assert response.status_code == 303
    assert flat(web_engine, world.own_vetting).status == FlatStatus.withdrawn
    with session_scope(web_engine) as session:
        entry = session.exec(
            select(AuditEntry).where(AuditEntry.entity_id == world.own_vetting)
        ).one()
    assert (entry.from_status, entry.to_status, entry.actor_id) == (
        "vetting",
        "withdrawn",
        world.user_id,
    )
    detail = client.get(f"/portal/flats/{world.own_vetting}").text
    assert "Stav změněn na: Staženo" in detail


def test_a_let_flat_cannot_be_withdrawn(
    client: TestClient[Any], world: World, web_engine: Engine
) -> None:
    login(client, "alena@example.cz")
    response = submit(client, "/portal", f"/portal/flats/{world.own_let}/withdraw", {})
    assert response.status_code == 409
    assert "nelze stáhnout" in response.text
    assert flat(web_engine, world.own_let).status == FlatStatus.let


def test_withdraw_needs_the_csrf_token(client: TestClient[Any], world: World) -> None:
    login(client, "alena@example.cz")
    assert client.post(f"/portal/flats/{world.own}/withdraw").status_code == 403


def test_detail_shows_vetting_offers_and_leases_without_names(
    client: TestClient[Any], world: World, web_engine: Engine, users: dict[str, User]
) -> None:
    with session_scope(web_engine) as session:
        factory = Factory(session)
        inspector = factory.user(UserRole.staff, name="Inspektor Kontrolní")
        session.add(
            Vetting(
                flat_id=world.own_let,
                inspector_id=inspector.id,
                inspection_date=date(2026, 1, 5),
                ownership_checked=True,
                condition_ok=False,
                gas_safety_ok=True,
                electrical_safety_ok=True,
                rent_within_cap=True,
                energy_costs_realistic=True,
                decision=VettingDecision.rejected,
                rejection_reason=VettingRejection.condition,
                reasons="Vlhkost v koupelně",
            )
        )
        household = factory.household(reference_name="Rodina Tajná")
        for kind in (MemberKind.adult, MemberKind.adult, MemberKind.child):
            session.add(HouseholdMember(household_id=household.id, kind=kind))
        session.add(
            Match(
                household_id=household.id,
                flat_id=world.own_let,
                proposed_by_id=inspector.id,
                status=MatchStatus.leased,
            )
        )
        lease_flat = session.get(Flat, world.own_let)
        assert lease_flat is not None
        factory.lease(lease_flat, household, rent=9500)
    login(client, "alena@example.cz")
    page = client.get(f"/portal/flats/{world.own_let}").text
    assert "Vlhkost v koupelně" in page and "Stav bytu" in page and "Nepřijato" in page
    assert "2 dospělí, 1 dítě" in page and "Smlouva uzavřena" in page
    assert "9\u00a0500 Kč" in page and "Platná" in page
    assert "Inspektor Kontrolní" not in page and "Rodina Tajná" not in page
    assert "Změnit údaje" not in page and "Stáhnout nabídku" not in page


def test_anonymous_goes_to_login_and_staff_is_refused(
    client: TestClient[Any], world: World, users: dict[str, User]
) -> None:
    for path in ("/portal", f"/portal/flats/{world.own}", f"/portal/flats/{world.own}/edit"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    login(client, "staff@example.cz")
    assert client.get("/portal").status_code == 403
    assert client.get(f"/portal/flats/{world.own}").status_code == 403


def test_a_landlord_login_without_a_landlord_record_sees_nothing(
    client: TestClient[Any], world: World, users: dict[str, User]
) -> None:
    login(client, "landlord@example.cz")
    page = client.get("/portal")
    assert page.status_code == 200 and "Zatím u nás nemáte žádný byt." in page.text
    assert client.get(f"/portal/flats/{world.own}").status_code == 404
