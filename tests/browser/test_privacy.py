"""A household's privacy in Chromium: staff download one household's data as JSON and
erase another's personal data, and its page says so."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine

from agency.db import session_scope
from agency.enums import HouseholdCloseReason, HouseholdStatus
from agency.models import Household, User
from agency.models.base import utcnow
from tests.browser.conftest import DESKTOP, screenshot
from tests.factories import Factory
from tests.webutil import PASSWORD

pytestmark = pytest.mark.browser

NAME = "Vlasta Quarglová"


def _login(page: Page, live_url: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(live_url + "/login")
    page.locator("#f-email").fill(email)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page.get_by_text("Přihlášen")).to_be_visible()


def _household(engine: Engine, worker: User, **values: object) -> int:
    with session_scope(engine) as session:
        household = Factory(session).household(
            social_worker=session.get(User, worker.id), reference_name=NAME, **values
        )
        return int(household.id or 0)


def test_staff_export_one_household_and_erase_another(
    page: Page, live_url: str, web_engine: Engine, users: dict[str, User], backend: str
) -> None:
    exported = _household(web_engine, users["social_worker"])
    erased = _household(
        web_engine,
        users["social_worker"],
        status=HouseholdStatus.closed,
        close_reason=HouseholdCloseReason.moved_away,
        closed_at=utcnow(),
        notes="Quargl: bydlí u sestry",
    )
    page.set_viewport_size(DESKTOP)
    _login(page, live_url, "staff@example.cz")

    page.goto(f"{live_url}/households/{exported}")
    with page.expect_download() as info:
        page.get_by_role("button", name="Export všech údajů (JSON)").click()
    download = info.value
    assert page.url == f"{live_url}/households/{exported}"  # the page stays, the file arrives
    assert download.suggested_filename == f"household-{exported}.json"
    document = json.loads(download.path().read_text(encoding="utf-8"))
    assert document["household"]["reference_name"] == NAME
    assert document["audit_log"][-1]["action"] == "export"

    page.goto(f"{live_url}/households/{erased}")
    page.get_by_role("link", name="Vymazat osobní údaje").click()
    page.locator("#f-reason").fill("Žádost domácnosti o výmaz")
    page.locator("form[action$='/erase'] button[type=submit]").click()
    expect(page.locator("#error-summary")).to_contain_text("Potvrďte")
    page.locator("#f-confirm").check()
    page.locator("form[action$='/erase'] button[type=submit]").click()
    expect(page.locator("#pseudonymised")).to_be_visible()
    expect(page.locator("h1")).to_have_text(f"D-{erased}")
    expect(page.get_by_text("Quargl")).to_have_count(0)
    screenshot(page, f"privacy-erased-{backend}")
    with session_scope(web_engine) as session:
        household = session.get(Household, erased)
        assert household is not None and household.pseudonymised_at is not None
        assert household.notes is None and household.reference_name == f"D-{erased}"
