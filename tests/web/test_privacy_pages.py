"""A household's privacy on its page and in the API: the export download (staff, audited),
erasure with a reason and a confirmation, the withdrawal of consent by its social worker."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from litestar.testing import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from agency.db import session_scope
from agency.enums import (
    AuditAction,
    FlatStatus,
    HouseholdCloseReason,
    HouseholdStatus,
    MatchStatus,
)
from agency.models import AuditEntry, Flat, Household, Match, User
from agency.models.base import utcnow
from tests.factories import Factory
from tests.webutil import login, submit

NAME = "Bohumila Quarglová"


def _household(engine: Engine, worker: User, **values: Any) -> int:
    with session_scope(engine) as session:
        household = Factory(session).household(
            social_worker=session.get(User, worker.id), reference_name=NAME, **values
        )
        return int(household.id or 0)


def _closed(engine: Engine, worker: User) -> int:
    return _household(
        engine,
        worker,
        status=HouseholdStatus.closed,
        close_reason=HouseholdCloseReason.moved_away,
        closed_at=utcnow(),
        notes="Quargl: poznámka",
    )


def _audited(engine: Engine, household_id: int, action: AuditAction) -> list[AuditEntry]:
    with session_scope(engine) as session:
        query = select(AuditEntry).where(
            AuditEntry.entity == "household",
            AuditEntry.entity_id == household_id,
            AuditEntry.action == action,
        )
        return list(session.exec(query).all())


def test_staff_download_the_export_and_each_download_is_audited(
    client: TestClient[Any], web_engine: Engine, users: dict[str, User]
) -> None:
    hid = _household(web_engine, users["social_worker"])
    login(client, "staff@example.cz")
    page = client.get(f"/households/{hid}")
    assert f'<form method="post" action="/households/{hid}/export"' in page.text
    response = submit(client, f"/households/{hid}", f"/households/{hid}/export", {})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        f'attachment; filename="household-{hid}.json"'
    )
    document = json.loads(response.text)
    assert document["household"]["reference_name"] == NAME
    assert document["audit_log"][-1]["action"] == "export"
    api = client.post(f"/api/v1/households/{hid}/export")
    assert api.status_code == 200 and api.json()["household"]["id"] == hid
    assert client.post(f"/api/v1/households/{2**31 - 1}/export").status_code == 404
    assert len(_audited(web_engine, hid, AuditAction.export)) == 2


def test_a_get_or_a_forged_post_exports_nothing_and_audits_nothing(
    client: TestClient[Any], web_engine: Engine, users: dict[str, User]
) -> None:
    hid = _household(web_engine, users["social_worker"])
    login(client, "staff@example.cz")
    for path in (f"/households/{hid}/export", f"/api/v1/households/{hid}/export"):
        response = client.get(path)
        assert response.status_code == 405 and NAME not in response.text
    forged = client.post(f"/households/{hid}/export", data={"_csrf_token": "forged"})
    assert forged.status_code == 403 and NAME not in forged.text
    assert client.post(f"/households/{hid}/export").status_code == 403
    assert _audited(web_engine, hid, AuditAction.export) == []


def test_social_workers_may_not_export(
    client: TestClient[Any], web_engine: Engine, users: dict[str, User]
) -> None:
    hid = _household(web_engine, users["social_worker"])
    login(client, "social_worker@example.cz")
    page = f"/households/{hid}"
    assert "/export" not in client.get(page).text
    assert submit(client, page, f"/households/{hid}/export", {}).status_code == 403
    assert client.post(f"/api/v1/households/{hid}/export").status_code == 403
    assert _audited(web_engine, hid, AuditAction.export) == []


def test_erasure_needs_a_reason_and_a_confirmation(
    client: TestClient[Any], web_engine: Engine, users: dict[str, User]
) -> None:
    hid = _closed(web_engine, users["social_worker"])
    login(client, "staff@example.cz")
    form, action = f"/households/{hid}/erase", f"/households/{hid}/erase"
    refused = submit(client, form, action, {"reason": "žádost ze dne 1. 11."})
    assert refused.status_code == 400
    assert "Potvrďte, že se mají osobní údaje vymazat." in refused.text
    no_reason = submit(client, form, action, {"reason": " ", "confirm": "on"})
    assert no_reason.status_code == 400 and "Toto pole je povinné" in no_reason.text
    assert _audited(web_engine, hid, AuditAction.erase) == []
    done = submit(client, form, action, {"reason": "žádost ze dne 1. 11.", "confirm": "on"})
    assert done.status_code == 303 and done.headers["location"] == f"/households/{hid}"
    page = client.get(f"/households/{hid}")
    assert NAME not in page.text and f"D-{hid}" in page.text
    assert 'id="pseudonymised"' in page.text and "Quargl" not in page.text
    assert client.get(f"/households/{hid}/edit").status_code == 409
    again = submit(client, f"/households/{hid}", action, {"reason": "x", "confirm": "on"})
    assert again.status_code == 400 and "už byly pseudonymizovány" in again.text
    assert len(_audited(web_engine, hid, AuditAction.erase)) == 1


def test_an_open_household_is_not_erased_before_it_stops(
    client: TestClient[Any], web_engine: Engine, users: dict[str, User]
) -> None:
    hid = _household(web_engine, users["social_worker"])
    login(client, "staff@example.cz")
    response = submit(
        client,
        f"/households/{hid}/erase",
        f"/households/{hid}/erase",
        {"reason": "x", "confirm": "on"},
    )
    assert response.status_code == 400 and "uzavřete nebo zaznamenejte odvolání" in response.text
    assert _audited(web_engine, hid, AuditAction.erase) == []


def _offered(engine: Engine, worker: User) -> tuple[int, int]:
    hid = _household(engine, worker, status=HouseholdStatus.offered)
    with session_scope(engine) as session:
        flat = Factory(session).flat(FlatStatus.offered)
        match = Match(
            household_id=hid,
            flat_id=int(flat.id or 0),
            proposed_by_id=int(worker.id or 0),
            status=MatchStatus.approved,
            offer_expires_at=utcnow() + timedelta(days=7),
        )
        session.add(match)
        session.flush()
        return hid, int(match.id or 0)


def test_the_social_worker_records_the_withdrawal_of_consent(
    client: TestClient[Any], web_engine: Engine, users: dict[str, User]
) -> None:
    hid, match_id = _offered(web_engine, users["social_worker"])
    login(client, "social_worker@example.cz")
    page, action = f"/households/{hid}", f"/households/{hid}/consent-withdrawal"
    future = (date.today() + timedelta(days=3)).isoformat()
    refused = submit(client, page, action, {"withdrawn_on": future})
    assert refused.status_code == 400 and "Datum nemůže být v budoucnosti." in refused.text
    done = submit(client, page, action, {"withdrawn_on": "2025-12-01"})
    assert done.status_code == 303
    detail = client.get(page).text
    assert 'id="consent-withdrawn"' in detail and action not in detail
    with session_scope(web_engine) as session:
        match, household = session.get(Match, match_id), session.get(Household, hid)
        assert match is not None and household is not None
        assert match.status == MatchStatus.withdrawn
        assert household.consent_withdrawn_on == date(2025, 12, 1)
        flat = session.get(Flat, match.flat_id)
        assert flat is not None and flat.status == FlatStatus.available
    again = submit(client, f"/offers/{match_id}", action, {"withdrawn_on": "2025-12-02"})
    assert again.status_code == 400 and "už je zaznamenáno" in again.text


def test_other_organisations_do_not_see_the_consent_form(
    client: TestClient[Any], web_engine: Engine, users: dict[str, User]
) -> None:
    with session_scope(web_engine) as session:
        stranger = Factory(session).user()
    hid = _household(web_engine, stranger)
    login(client, "social_worker@example.cz")
    response = submit(
        client,
        "/households",
        f"/households/{hid}/consent-withdrawal",
        {"withdrawn_on": "2026-01-01"},
    )
    assert response.status_code == 404
    with session_scope(web_engine) as session:
        household = session.get(Household, hid)
        assert household is not None and household.consent_withdrawn_on is None


def test_the_api_shows_consent_and_pseudonymisation(
    client: TestClient[Any], web_engine: Engine, users: dict[str, User]
) -> None:
    hid = _household(web_engine, users["social_worker"], consent_withdrawn_on=date(2026, 1, 2))
    login(client, "staff@example.cz")
    body = client.get(f"/api/v1/households/{hid}").json()
    assert body["consent_withdrawn_on"] == "2026-01-02" and body["pseudonymised_at"] is None
    assert isinstance(datetime.fromisoformat(body["created_at"]), datetime)
