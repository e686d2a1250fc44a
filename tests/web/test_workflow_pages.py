"""The placement pages: find flats, matching runs, proposing, sign-off, both answers, lease."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from agency.db import session_scope
from agency.enums import MatchStatus, UserRole
from agency.models import Barrier, BarrierCategory, Flat, Lease, Match, User
from agency.passwords import make_hasher
from agency.services.matches import propose_suggested_match
from tests.factories import Factory
from tests.integration.placement_data import NOW, ROKYCANY, household
from tests.webutil import PASSWORD, csrf_from, login, submit

NBSP = "\u00a0"


@dataclass(frozen=True)
class World:
    household: int  # of the social worker's organisation
    stranger: int  # a household of another organisation
    flat: int  # fits the household
    landlord: int
    other_flat: int  # another landlord's flat


@pytest.fixture
def world(web_engine: Engine, users: dict[str, User]) -> World:
    """The users' organisation has household "Novákovi"; landlord@example.cz owns the flat."""
    with session_scope(web_engine) as session:
        factory = Factory(session)
        landlord = factory.landlord(name="Jana Dvořáková", email="jana@example.cz")
        account = session.get(User, users["landlord"].id)
        assert account is not None
        account.landlord_id, account.organisation_id = landlord.id, None
        mine = household(
            factory,
            children=(2016, 2020),
            social_worker=users["social_worker"],
            reference_name="Novákovi",
            reference_phone="+420 777 111 222",
        )
        stranger = household(Factory(session), reference_name="Cizí rodina")
        flat = factory.flat(landlord_id=landlord.id, street="Klatovská 12", rent=8800)
        other = factory.flat(street="Jiná 5")
        return World(mine.id or 0, stranger.id or 0, flat.id or 0, landlord.id or 0, other.id or 0)


def _propose(client: TestClient[Any], world: World, flat: int | None = None) -> Any:
    return submit(
        client,
        f"/households/{world.household}/flats",
        "/matching/propose",
        {"household_id": world.household, "flat_id": flat or world.flat, "note": "Rodina spěchá"},
    )


def _proposed(client: TestClient[Any], world: World) -> int:
    login(client, "social_worker@example.cz")
    response = _propose(client, world)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].split("/")[2].split("?")[0])


def _approved(client: TestClient[Any], world: World) -> int:
    match_id = _proposed(client, world)
    login(client, "staff@example.cz")
    response = submit(client, f"/signoff/{match_id}", f"/signoff/{match_id}/approve", {})
    assert response.status_code == 303, response.text
    return match_id


def _status(engine: Engine, match_id: int) -> tuple[str, str]:
    with session_scope(engine) as session:
        match = session.get(Match, match_id)
        assert match is not None
        flat = session.get(Flat, match.flat_id)
        assert flat is not None
        return str(match.status), str(flat.status)


# --- find flats and runs -------------------------------------------------------------------


def test_find_flats_ranks_and_proposes(client: TestClient[Any], world: World) -> None:
    login(client, "social_worker@example.cz")
    page = client.get(f"/households/{world.household}/flats")
    assert page.status_code == 200
    assert "Najít byty" in page.text and "Klatovská 12" in page.text
    assert "Podíl příjmu na bydlení" in page.text and "Navrhnout tento byt" in page.text
    response = _propose(client, world)
    assert response.status_code == 303
    offer = client.get(response.headers["location"])
    assert "Čeká na schválení" in offer.text and "Klatovská 12" in offer.text


def test_find_flats_explains_why_none_fits_in_czech(
    client: TestClient[Any], world: World, web_engine: Engine, users: dict[str, User]
) -> None:
    with session_scope(web_engine) as session:
        factory = Factory(session)
        worker = users["social_worker"]
        poor = household(factory, max_housing_cost=10_000, social_worker=worker)
        big = household(factory, min_rooms=3, social_worker=worker)
        far = household(
            factory,
            municipalities=(),
            anchor_municipality_code=ROKYCANY,
            max_distance_km=12,
            social_worker=worker,
        )
        ids = (poor.id, big.id, far.id)
    login(client, "social_worker@example.cz")
    texts = [client.get(f"/households/{i}/flats").text for i in ids]
    assert "Teď se nehodí žádný byt" in texts[0]
    assert f"o 1{NBSP}300 Kč nad rozpočet" in texts[0]
    assert "chybí 1 pokoj" in texts[1]
    assert "km dál" in texts[2] and "V přijatelné oblasti" in texts[2]


def test_households_of_other_organisations_are_not_found(
    client: TestClient[Any], world: World
) -> None:
    login(client, "social_worker@example.cz")
    assert client.get(f"/households/{world.stranger}/flats").status_code == 404
    token = csrf_from(client.get(f"/households/{world.household}/flats").text)
    response = client.post(
        "/matching/propose",
        data={"household_id": world.stranger, "flat_id": world.flat, "_csrf_token": token},
    )
    assert response.status_code == 404


def test_run_matching_form_keeps_choices_and_shows_the_run(
    client: TestClient[Any], world: World
) -> None:
    login(client, "social_worker@example.cz")
    form = client.get("/matching/runs/new")
    assert form.status_code == 200 and "Spustit párování" in form.text and "Plzeň" in form.text
    bad = submit(client, "/matching/runs/new", "/matching/runs/new", {"scope": "orp"})
    assert bad.status_code == 400 and "Vyberte ORP nebo kraj ze seznamu." in bad.text
    assert 'value="orp" selected' in bad.text
    ok = submit(client, "/matching/runs/new", "/matching/runs/new", {"scope": "all"})
    assert ok.status_code == 303
    run = client.get(ok.headers["location"])
    assert run.status_code == 200 and "Novákovi" in run.text and "Navrhnout" in run.text
    assert "Cizí rodina" not in run.text and "Domácnost jiné organizace" in run.text


def test_runs_are_for_social_workers_and_staff(client: TestClient[Any], world: World) -> None:
    login(client, "landlord@example.cz")
    assert client.get("/matching/runs/new").status_code == 403
    client.cookies.clear()
    assert client.get("/matching/runs/new", follow_redirects=False).status_code in (302, 303)


def test_a_second_proposal_for_the_flat_gets_a_clear_message(
    client: TestClient[Any], world: World, web_engine: Engine, users: dict[str, User]
) -> None:
    with session_scope(web_engine) as session:
        other = household(Factory(session), social_worker=users["social_worker"])
        worker = session.get(User, users["social_worker"].id)
        assert worker is not None
        propose_suggested_match(
            session, actor=worker, household_id=other.id or 0, flat_id=world.flat, now=NOW
        )
    login(client, "social_worker@example.cz")
    response = _propose(client, world)
    assert response.status_code == 409
    assert "Byt už má otevřený návrh umístění." in response.text


# --- sign-off ----------------------------------------------------------------------------------


def test_the_proposer_cannot_sign_off(client: TestClient[Any], world: World) -> None:
    login(client, "staff@example.cz")
    response = _propose(client, world)
    match_id = int(response.headers["location"].split("/")[2].split("?")[0])
    detail = client.get(f"/signoff/{match_id}")
    assert "jiný pracovník" in detail.text and "Schválit a odeslat nabídku" not in detail.text
    token = csrf_from(detail.text)
    refused = client.post(f"/signoff/{match_id}/approve", data={"_csrf_token": token})
    assert refused.status_code == 403 and "čtyř očí" in refused.text
    login(client, "staff2@example.cz")
    queue = client.get("/signoff")
    assert (
        queue.status_code == 200 and "Klatovská 12" in queue.text and "Novákovi" not in queue.text
    )
    approved = submit(client, f"/signoff/{match_id}", f"/signoff/{match_id}/approve", {})
    assert approved.status_code == 303


def test_approval_offers_the_flat_and_the_history_shows_it(
    client: TestClient[Any], world: World, web_engine: Engine
) -> None:
    match_id = _approved(client, world)
    assert _status(web_engine, match_id) == ("approved", "offered")
    detail = client.get(f"/signoff/{match_id}")
    assert "Schválení: Nabídnuto, čeká se na odpovědi" in detail.text
    assert "Uživatel" in detail.text  # who did it


def test_rejection_needs_a_reason_which_is_kept(
    client: TestClient[Any], world: World, web_engine: Engine
) -> None:
    match_id = _proposed(client, world)
    login(client, "staff@example.cz")
    empty = submit(client, f"/signoff/{match_id}", f"/signoff/{match_id}/reject", {"reason": " "})
    assert empty.status_code == 400 and "Toto pole je povinné." in empty.text
    done = submit(
        client, f"/signoff/{match_id}", f"/signoff/{match_id}/reject", {"reason": "Byt je daleko"}
    )
    assert done.status_code == 303
    assert _status(web_engine, match_id) == ("rejected", "available")
    login(client, "social_worker@example.cz")
    assert "Byt je daleko" in client.get(f"/offers/{match_id}").text


def test_signoff_is_for_staff_only(client: TestClient[Any], world: World) -> None:
    match_id = _proposed(client, world)
    assert client.get("/signoff").status_code == 403
    token = csrf_from(client.get(f"/offers/{match_id}").text)
    assert (
        client.post(f"/signoff/{match_id}/approve", data={"_csrf_token": token}).status_code == 403
    )
    login(client, "staff@example.cz")
    assert client.get("/signoff/999999").status_code == 404


# --- the offer: landlord and household ---------------------------------------------------------


def test_the_landlord_sees_an_anonymised_household_and_declines(
    client: TestClient[Any], world: World, web_engine: Engine
) -> None:
    match_id = _approved(client, world)
    login(client, "landlord@example.cz")
    page = client.get(f"/portal/offers/{match_id}")
    assert page.status_code == 200
    assert "Novákovi" not in page.text and "777 111 222" not in page.text
    assert "2 dospělí" in page.text and "2 děti" in page.text and "25–30 tis. Kč" in page.text
    action = f"/portal/offers/{match_id}/answer"
    missing = submit(client, f"/portal/offers/{match_id}", action, {"answer": "decline"})
    assert missing.status_code == 400 and "Vyberte důvod odmítnutí." in missing.text
    assert 'value="decline" selected' in missing.text
    done = submit(
        client,
        f"/portal/offers/{match_id}",
        action,
        {"answer": "decline", "reason": "landlord_discrimination", "note": "nechci"},
    )
    assert done.status_code == 303
    assert _status(web_engine, match_id) == ("declined", "available")
    with session_scope(web_engine) as session:
        code = session.exec(
            select(BarrierCategory.code).join(Barrier).where(col(Barrier.flat_id) == world.flat)
        ).one()
        assert code == "landlord_discrimination"


def test_landlords_see_only_offers_of_their_flats(
    client: TestClient[Any], world: World, web_engine: Engine
) -> None:
    match_id = _proposed(client, world)
    login(client, "landlord@example.cz")
    assert client.get(f"/portal/offers/{match_id}").status_code == 404  # not signed off yet
    with session_scope(web_engine) as session:
        other = session.get(Flat, world.other_flat)
        assert other is not None
        hh = household(Factory(session))
        foreign = Match(
            household_id=hh.id, flat_id=other.id, proposed_by_id=1, status=MatchStatus.approved
        )
        session.add(foreign)
        session.flush()
        foreign_id = foreign.id
    assert client.get(f"/portal/offers/{foreign_id}").status_code == 404


def test_both_accept_and_the_lease_shows_for_all_three(
    client: TestClient[Any], world: World, web_engine: Engine
) -> None:
    match_id = _approved(client, world)
    login(client, "landlord@example.cz")
    action = f"/portal/offers/{match_id}/answer"
    assert (
        submit(client, f"/portal/offers/{match_id}", action, {"answer": "accept"}).status_code
        == 303
    )
    login(client, "social_worker@example.cz")
    answer = submit(
        client, f"/offers/{match_id}", f"/offers/{match_id}/answer", {"answer": "accept"}
    )
    assert answer.status_code == 303
    assert _status(web_engine, match_id) == ("leased", "let")
    assert "Nájemní smlouva" in client.get(f"/offers/{match_id}").text
    login(client, "landlord@example.cz")
    landlord_page = client.get(f"/portal/offers/{match_id}").text
    assert "Novákovi" in landlord_page and "777 111 222" in landlord_page
    assert "Nájemní smlouva" in landlord_page
    login(client, "staff@example.cz")
    history = client.get(f"/signoff/{match_id}").text
    assert "Smlouva vytvořena" in history and "Odpověď pronajímatele: přijato" in history
    with session_scope(web_engine) as session:
        assert session.exec(select(Lease).where(Lease.match_id == match_id)).one().rent == 8800


def test_household_decline_and_withdrawal_by_the_social_worker(
    client: TestClient[Any], world: World, web_engine: Engine
) -> None:
    match_id = _approved(client, world)
    login(client, "social_worker@example.cz")
    declined = submit(
        client,
        f"/offers/{match_id}",
        f"/offers/{match_id}/answer",
        {"answer": "decline", "reason": "cost"},
    )
    assert declined.status_code == 303
    assert _status(web_engine, match_id) == ("declined", "available")
    again = submit(client, f"/offers/{match_id}", f"/offers/{match_id}/withdraw", {})
    assert again.status_code == 409 and "nelze jej stáhnout" in again.text


def test_offers_of_other_organisations_are_not_found(
    client: TestClient[Any], world: World, web_engine: Engine
) -> None:
    match_id = _proposed(client, world)
    with session_scope(web_engine) as session:
        outsider = Factory(session).user(
            UserRole.social_worker,
            email="outsider@example.cz",
            password_hash=make_hasher(cheap=True).hash(PASSWORD),
        )
        assert outsider.organisation_id != users_org(session)
    login(client, "outsider@example.cz")
    assert client.get(f"/offers/{match_id}").status_code == 404
    assert "Novákovi" not in client.get("/offers").text


def users_org(session: Any) -> int | None:
    found = session.exec(select(User).where(User.email == "social_worker@example.cz")).one()
    return int(found.organisation_id) if found.organisation_id else None


def test_pages_speak_english_when_chosen(client: TestClient[Any], world: World) -> None:
    login(client, "social_worker@example.cz")
    client.get("/lang/en")
    page = client.get(f"/households/{world.household}/flats")
    assert "Find flats" in page.text and "Propose this flat" in page.text


def test_the_offer_email_logs_the_landlord_into_the_offer(
    client: TestClient[Any], world: World, web_engine: Engine
) -> None:
    from urllib.parse import urlsplit

    from notifications.models import OutboxMessage

    match_id = _approved(client, world)
    with session_scope(web_engine) as session:
        row = session.exec(
            select(OutboxMessage).where(OutboxMessage.event_key == f"offer_to_landlord:{match_id}")
        ).one()
        url = str((row.context or {})["answer_url"])
    assert "/auth/link?token=" in url and url.endswith(f"&next=/portal/offers/{match_id}")
    submit(client, "/", "/logout", {})
    parts = urlsplit(url)
    response = client.get(f"{parts.path}?{parts.query}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/portal/offers/{match_id}"
    assert client.get(f"/portal/offers/{match_id}").status_code == 200
