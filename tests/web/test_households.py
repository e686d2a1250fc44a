"""Social workers' household pages: registration with consent, list, detail, edit, close,
barriers; who may see what (other organisations get 404)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from agency.db import session_scope
from agency.enums import (
    AuditAction,
    BarrierStage,
    EthosCategory,
    HouseholdCloseReason,
    HouseholdStatus,
    MemberKind,
    UserRole,
)
from agency.models import (
    AuditEntry,
    Barrier,
    Household,
    HouseholdArea,
    HouseholdMember,
    Organisation,
    User,
)
from agency.services.barriers import record_barrier
from tests.factories import Factory
from tests.webutil import PASSWORD, login, submit

PLZEN = 554791
ROKYCANY = 559717
ORP_STOD = 3212
ORP_PLZEN = 3209
NEW = "/households/new"


def household_data(**changes: str) -> dict[str, str]:
    """A valid registration as a browser without JavaScript posts it."""
    values = {
        "consent_given": "on",
        "consent_on": "2026-11-20",
        "consent_scope": "Zprostředkování bydlení",
        "reference_name": "Marie Horváthová",
        "reference_phone": "+420 777 123 456",
        "reference_email": "",
        "member_kind_1": "adult",
        "member_year_1": "1990",
        "member_kind_2": "child",
        "member_year_2": "2015",
        "member_kind_3": "child",
        "member_year_3": "2018",
        "member_kind_4": "",
        "member_year_4": "",
        "monthly_income": "20000",
        "housing_allowance": "3000",
        "housing_supplement": "1500",
        "max_housing_cost": "",
        "deposit_available": "5000",
        "municipalities": "plzen; Rokycany",
        "orps": "stod",
        "anchor": "",
        "anchor_label": "",
        "max_distance_km": "",
        "needs_ground_floor": "on",
        "min_rooms": "2",
        "ethos_category": "homeless_accommodation",
        "urgency": "4",
        "urgency_reasons": "Ubytovna končí, děti bez klidu na učení.",
        "eviction_date": "2026-12-31",
        "move_in_by": "",
        "notes": "",
    }
    return values | changes


def register(client: TestClient[Any], data: dict[str, str]) -> Any:
    return submit(client, NEW, NEW, data)


def other_org_worker(engine: Engine) -> str:
    """A social worker of another organisation; returns their email."""
    with session_scope(engine) as session:
        org = Organisation(name="Jiná NNO", kind="ngo")
        session.add(org)
        session.flush()
        Factory(session, organisation=org).user(
            UserRole.social_worker,
            email="other@example.cz",
            password_hash=_hash(),
        )
    return "other@example.cz"


def _hash() -> str:
    from agency.passwords import make_hasher

    return make_hasher(cheap=True).hash(PASSWORD)


def make_households(engine: Engine, worker: User, count: int, **values: Any) -> list[int]:
    with session_scope(engine) as session:
        factory = Factory(session)
        found = session.get(User, worker.id)
        return [int(factory.household(social_worker=found, **values).id or 0) for _ in range(count)]


def the_household(engine: Engine) -> tuple[Household, list[HouseholdMember], list[HouseholdArea]]:
    with session_scope(engine) as session:
        household = session.exec(select(Household)).one()
        members = list(
            session.exec(select(HouseholdMember).order_by(col(HouseholdMember.id))).all()
        )
        areas = list(session.exec(select(HouseholdArea).order_by(col(HouseholdArea.id))).all())
    return household, members, areas


def test_register_with_members_area_and_the_calculator(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "social_worker@example.cz")
    form = client.get(NEW)
    assert form.status_code == 200
    assert "Spočítat" in form.text and "Člen 12" in form.text and "Zařadit" not in form.text
    response = register(client, household_data())
    assert response.status_code == 303, response.text
    household, members, areas = the_household(web_engine)
    assert response.headers["location"] == f"/households/{household.id}"
    worker = users["social_worker"]
    assert (household.status, household.organisation_id) == (
        HouseholdStatus.registered,
        worker.organisation_id,
    )
    assert household.social_worker_id == worker.id == household.consent_recorded_by_id
    assert household.max_housing_cost == 20000 * 40 // 100 + 3000 + 1500
    assert (household.consent_on, household.eviction_date) == (
        date(2026, 11, 20),
        date(2026, 12, 31),
    )
    assert household.needs_ground_floor and not household.needs_step_free
    assert [(m.kind, m.birth_year, m.is_reference) for m in members] == [
        (MemberKind.adult, 1990, True),
        (MemberKind.child, 2015, False),
        (MemberKind.child, 2018, False),
    ]
    assert [(a.municipality_code, a.orp_code) for a in areas] == [
        (PLZEN, None),
        (ROKYCANY, None),
        (None, ORP_STOD),
    ]
    detail = client.get(f"/households/{household.id}").text
    assert "Marie Horváthová" in detail and "Zařadit do čekatelů" in detail
    assert "Ubytovna nebo azylový dům" in detail and "ORP Stod" in detail


def test_calculate_re_renders_with_the_proposal_and_saves_nothing(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "social_worker@example.cz")
    data = household_data(action="calculate", reference_name="", max_housing_cost="")
    response = register(client, data)
    assert response.status_code == 200
    assert 'name="max_housing_cost" value="12500"' in response.text
    assert "Vypočtené nejvyšší náklady na bydlení: 12" in response.text
    assert "Toto pole je povinné" not in response.text  # only the calculator is checked
    with session_scope(web_engine) as session:
        assert session.exec(select(Household)).first() is None


def test_the_worker_may_set_a_lower_maximum(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "social_worker@example.cz")
    assert register(client, household_data(max_housing_cost="9 000")).status_code == 303
    assert the_household(web_engine)[0].max_housing_cost == 9000


def test_errors_keep_what_was_typed_in_czech(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "social_worker@example.cz")
    data = household_data(
        consent_given="",
        member_kind_1="child",
        member_year_1="2016",
        member_kind_2="",
        member_year_2="1985",
        monthly_income="hodně",
        municipalities="Plzeňov; Rokycany",
        urgency_reasons="Hrozí vystěhování 31. 12.",
    )
    response = register(client, data)
    assert response.status_code == 400
    page = response.text
    assert "Opravte prosím následující" in page
    assert "Souhlas domácnosti je nutný." in page
    assert "Domácnost musí mít alespoň jednoho dospělého." in page
    assert "Vyberte dospělý, nebo dítě." in page
    assert "Zadejte celé číslo." in page
    assert "Tyto obce jsme nenašli: Plzeňov." in page
    assert 'value="hodně"' in page and 'value="1985"' in page
    assert "Hrozí vystěhování 31. 12." in page
    assert "Marie Horváthová" in page
    with session_scope(web_engine) as session:
        assert session.exec(select(Household)).first() is None


def test_errors_in_english_after_switching(client: TestClient[Any], users: dict[str, User]) -> None:
    login(client, "social_worker@example.cz")
    client.get("/lang/en?next=/households")
    response = register(client, household_data(consent_given="", municipalities="", orps=""))
    assert response.status_code == 400
    assert "The household&#39;s consent is required." in response.text
    assert "Give the acceptable area: municipalities, ORPs or an anchor place." in response.text
    assert "Register the household" in response.text


def test_an_ambiguous_name_offers_choices_and_the_choice_is_kept(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "social_worker@example.cz")
    data = household_data(
        municipalities="Nová Ves",
        orps="",
        anchor="Plzeň",
        anchor_label="škola dětí",
        max_distance_km="15",
    )
    response = register(client, data)
    assert response.status_code == 400
    assert "Více obcí má tento název" in response.text
    assert 'name="pick_0"' in response.text
    code = "599131"  # Nová Ves, okres Domažlice
    assert f'value="{code}"' in response.text
    assert register(client, data | {"pick_0": code}).status_code == 303
    household, _, areas = the_household(web_engine)
    assert [a.municipality_code for a in areas] == [int(code)]
    assert (household.anchor_municipality_code, household.max_distance_km) == (PLZEN, 15)
    assert household.anchor_label == "škola dětí"


def test_anchor_needs_a_distance(client: TestClient[Any], users: dict[str, User]) -> None:
    login(client, "social_worker@example.cz")
    response = register(client, household_data(anchor="Plzeň", max_distance_km=""))
    assert response.status_code == 400
    assert "Zadejte nejvyšší vzdálenost od výchozího místa." in response.text


def test_a_label_without_its_anchor_place_is_not_dropped_silently(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "social_worker@example.cz")
    response = register(client, household_data(anchor="", anchor_label="škola dětí"))
    assert response.status_code == 400
    assert "Zadejte místo, ke kterému se tento popis vztahuje." in response.text
    assert 'value="škola dětí"' in response.text
    with session_scope(web_engine) as session:
        assert session.exec(select(Household)).first() is None


def test_queue_then_close_with_a_reason(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "social_worker@example.cz")
    (hid,) = make_households(
        web_engine, users["social_worker"], 1, status=HouseholdStatus.registered
    )
    detail = f"/households/{hid}"
    assert submit(client, detail, f"{detail}/queue", {}).status_code == 303
    refused = submit(client, detail, f"{detail}/close", {"close_reason": ""})
    assert refused.status_code == 400 and "Toto pole je povinné." in refused.text
    data = {"close_reason": "housed_elsewhere", "close_note": "U příbuzných v Brně."}
    assert submit(client, detail, f"{detail}/close", data).status_code == 303
    with session_scope(web_engine) as session:
        household = session.get(Household, hid)
        assert household is not None
        assert household.status == HouseholdStatus.closed
        assert household.close_reason == HouseholdCloseReason.housed_elsewhere
        changes = session.exec(
            select(AuditEntry)
            .where(AuditEntry.action == AuditAction.status_change, AuditEntry.entity_id == hid)
            .order_by(col(AuditEntry.id))
        ).all()
    assert [(c.from_status, c.to_status) for c in changes] == [
        ("registered", "waiting"),
        ("waiting", "closed"),
    ]
    assert changes[1].reason == "housed_elsewhere: U příbuzných v Brně."
    page = client.get(detail).text
    assert "Uzavřena" in page and "Získala bydlení jinde" in page
    edit = client.get(f"{detail}/edit")
    assert edit.status_code == 409 and "Údaje uzavřené domácnosti nelze měnit." in edit.text
    posted = submit(client, detail, f"{detail}/edit", household_data())
    assert posted.status_code == 409


def test_edit_changes_details_members_and_area(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "social_worker@example.cz")
    assert register(client, household_data()).status_code == 303
    household, _, _ = the_household(web_engine)
    edit = f"/households/{household.id}/edit"
    form = client.get(edit).text
    assert 'value="Marie Horváthová"' in form and "Plzeň (okres Plzeň-město)" in form
    assert "consent_given" not in form
    data = household_data(
        member_kind_3="",
        member_year_3="",
        municipalities="Plzeň (okres Plzeň-město)",
        orps="",
        urgency="5",
    )
    assert submit(client, edit, edit, data).status_code == 303
    changed, members, areas = the_household(web_engine)
    assert changed.urgency == 5 and changed.status == HouseholdStatus.registered
    assert len(members) == 2 and [a.municipality_code for a in areas] == [PLZEN]


def test_detail_writes_a_view_entry_and_staff_read_the_log(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    (hid,) = make_households(web_engine, users["social_worker"], 1)
    login(client, "social_worker@example.cz")
    page = client.get(f"/households/{hid}").text
    assert "Záznam přístupů a změn" not in page
    login(client, "staff@example.cz")
    page = client.get(f"/households/{hid}").text
    assert "Záznam přístupů a změn" in page and "Zobrazeno" in page
    with session_scope(web_engine) as session:
        views = session.exec(
            select(AuditEntry).where(
                AuditEntry.action == AuditAction.view,
                AuditEntry.entity == "household",
                AuditEntry.entity_id == hid,
            )
        ).all()
    assert {v.actor_id for v in views} == {users["social_worker"].id, users["staff"].id}


def test_another_organisation_sees_nothing(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    (hid,) = make_households(web_engine, users["social_worker"], 1, reference_name="Tajná Osoba")
    login(client, other_org_worker(web_engine))
    assert "Tajná Osoba" not in client.get("/households").text
    for path in (f"/households/{hid}", f"/households/{hid}/edit"):
        response = client.get(path)
        assert response.status_code == 404 and "Tajná Osoba" not in response.text
    token_page = "/households"
    for action in ("close", "queue"):
        answer = submit(
            client, token_page, f"/households/{hid}/{action}", {"close_reason": "other"}
        )
        assert answer.status_code == 404
    barrier = {"category": "rent_unaffordable", "stage": "access", "observed_on": "2026-11-01"}
    assert submit(client, token_page, f"/households/{hid}/barriers", barrier).status_code == 404
    with session_scope(web_engine) as session:
        household = session.get(Household, hid)
        assert household is not None and household.status == HouseholdStatus.waiting


def test_staff_see_every_organisation(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    other_org_worker(web_engine)
    with session_scope(web_engine) as session:
        other = session.exec(select(User).where(User.email == "other@example.cz")).one()
    make_households(web_engine, users["social_worker"], 1, reference_name="První Rodina")
    make_households(web_engine, other, 1, reference_name="Druhá Rodina")
    login(client, "staff@example.cz")
    page = client.get("/households").text
    assert "První Rodina" in page and "Druhá Rodina" in page
    login(client, "other@example.cz")
    page = client.get("/households").text
    assert "Druhá Rodina" in page and "První Rodina" not in page


@pytest.mark.parametrize("role", ["landlord", "platform_member"])
def test_other_roles_are_refused(
    client: TestClient[Any], users: dict[str, User], role: str
) -> None:
    login(client, f"{role}@example.cz")
    for path in ("/households", NEW):
        assert client.get(path).status_code == 403


def test_anonymous_goes_to_login(client: TestClient[Any]) -> None:
    for path in ("/households", NEW, "/households/1", "/households/1/edit"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


def test_barrier_add_and_overcome(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    (hid,) = make_households(web_engine, users["social_worker"], 1)
    login(client, "social_worker@example.cz")
    detail = f"/households/{hid}"
    data = {
        "category": "deposit_unaffordable",
        "stage": "access",
        "observed_on": "2026-10-01",
        "barrier_note": "Kauce 3 nájmy",
    }
    assert submit(client, detail, f"{detail}/barriers", data).status_code == 303
    with session_scope(web_engine) as session:
        barrier = session.exec(select(Barrier)).one()
    assert (barrier.household_id, barrier.source, barrier.stage) == (
        hid,
        "social_worker",
        BarrierStage.access,
    )
    assert barrier.recorded_by_id == users["social_worker"].id
    page = client.get(detail).text
    assert "Nedostupná kauce" in page or "kauce" in page.lower()
    path = f"{detail}/barriers/{barrier.id}/overcome"
    early = submit(
        client, detail, path, {"intervention": "deposit_fund", "overcome_on": "2026-09-30"}
    )
    assert early.status_code == 400
    assert "Bariéru nelze překonat dříve, než byla zjištěna." in early.text
    assert 'value="2026-09-30"' in early.text
    done = submit(
        client, detail, path, {"intervention": "deposit_fund", "overcome_on": "2026-10-15"}
    )
    assert done.status_code == 303
    with session_scope(web_engine) as session:
        saved = session.get(Barrier, barrier.id)
        assert saved is not None and saved.overcome_on == date(2026, 10, 15)
        assert saved.intervention_id is not None


def test_barrier_form_errors(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    (hid,) = make_households(web_engine, users["social_worker"], 1)
    login(client, "social_worker@example.cz")
    detail = f"/households/{hid}"
    future = (date.today() + timedelta(days=30)).isoformat()
    data = {
        "category": "nonsense",
        "stage": "access",
        "observed_on": future,
        "barrier_note": "poznámka X",
    }
    response = submit(client, detail, f"{detail}/barriers", data)
    assert response.status_code == 400
    assert "Vyberte jednu z možností." in response.text
    assert "Datum nemůže být v budoucnosti." in response.text
    assert "poznámka X" in response.text


def test_list_filters_and_pages(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    worker = users["social_worker"]
    ids = make_households(web_engine, worker, 27, urgency=3)
    urgent = make_households(
        web_engine,
        worker,
        2,
        urgency=5,
        ethos_category=EthosCategory.roofless,
        reference_name="Žofie Čápová",
    )
    with session_scope(web_engine) as session:
        session.add(HouseholdArea(household_id=urgent[0], orp_code=ORP_PLZEN))
        session.add(HouseholdArea(household_id=ids[0], municipality_code=PLZEN))
        session.add(HouseholdMember(household_id=urgent[0], kind=MemberKind.adult, birth_year=1980))
        session.add(HouseholdMember(household_id=urgent[0], kind=MemberKind.child, birth_year=2016))
    login(client, "social_worker@example.cz")
    first = client.get("/households").text
    assert "29 domácností" in first and "Strana 1 z 2" in first
    assert first.count('<a href="/households/') - first.count('<a href="/households/new') == 25
    assert first.index(f'href="/households/{urgent[0]}"') < first.index(
        f'href="/households/{ids[0]}"'
    )
    assert "1 dospělý, 1 dítě" in first
    second = client.get("/households?page=2").text
    assert second.count('<a href="/households/') - second.count('<a href="/households/new') == 4
    assert "2 domácnosti" in client.get("/households?urgency=5").text
    assert "2 domácnosti" in client.get("/households?ethos=roofless").text
    by_orp = client.get(f"/households?orp={ORP_PLZEN}").text
    assert "2 domácnosti" in by_orp
    assert f'href="/households/{urgent[0]}"' in by_orp and f'href="/households/{ids[0]}"' in by_orp
    found = submit(client, "/households", "/households", {"q": "Čápová"}).text
    assert "2 domácnosti" in found and "Žofie Čápová" in found
    assert "2 domácnosti" in submit(client, "/households", "/households", {"q": "OFIE"}).text
    assert "0 domácností" in client.get("/households?status=closed").text
    bad = client.get("/households?urgency=9&page=x")
    assert bad.status_code == 400 and "Naléhavost je od 1 do 5." in bad.text


def test_a_name_search_pages_by_forms_and_stays_out_of_urls(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    make_households(web_engine, users["social_worker"], 30, reference_name="Rodina Lakatošová")
    login(client, "social_worker@example.cz")
    data = {"q": "Lakatoš", "urgency": "4"}
    first = submit(client, "/households", "/households", data)
    assert first.status_code == 200 and "30 domácností" in first.text
    assert "Lakatoš" not in "".join(re.findall(r'href="([^"]*)"', first.text))
    assert '<input type="hidden" name="q" value="Lakatoš">' in first.text
    second = submit(client, "/households", "/households", data | {"page": "2"})
    assert "Strana 2 z 2" in second.text
    assert second.text.count('<a href="/households/') == 5


def test_staff_may_assign_another_worker_of_the_organisation(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "staff@example.cz")
    worker = users["social_worker"]
    assert register(client, household_data(social_worker_id=str(worker.id))).status_code == 303
    household = the_household(web_engine)[0]
    assert household.social_worker_id == worker.id
    assert household.consent_recorded_by_id == users["staff"].id
    other = other_org_worker(web_engine)
    with session_scope(web_engine) as session:
        outsider = session.exec(select(User).where(User.email == other)).one()
    refused = register(client, household_data(social_worker_id=str(outsider.id)))
    assert refused.status_code == 400 and "Vyberte jednu z možností." in refused.text


def test_record_barrier_is_shown_with_its_intervention(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    (hid,) = make_households(web_engine, users["social_worker"], 1)
    with session_scope(web_engine) as session:
        record_barrier(
            session,
            category_code="debts_enforcement",
            stage=BarrierStage.sustain,
            source="engine",  # type: ignore[arg-type]
            observed_on=date(2026, 5, 1),
            household_id=hid,
        )
    login(client, "social_worker@example.cz")
    page = client.get(f"/households/{hid}").text
    assert "Udržení bydlení" in page and "Označit jako překonanou" in page
