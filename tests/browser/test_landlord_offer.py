"""A landlord offers a flat on a phone and on a desktop; staff vets it (real Chromium)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from agency.db import session_scope
from agency.enums import FlatStatus
from agency.models import Flat, User
from notifications.models import OutboxMessage
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.webutil import PASSWORD


def _fill_offer(page: Page, *, postcode: str, deposit: str) -> None:
    page.locator("#f-kind").select_option("person")
    page.locator("#f-name").fill("Jana Dvořáková")
    page.locator("#f-email").fill("jana@example.cz")
    page.locator("#f-street").fill("Klatovská 12")
    page.locator("#f-postcode").fill(postcode)
    page.locator("#f-municipality").fill("plzen")
    page.locator("#f-layout").select_option("2+1")
    page.locator("#f-area_m2").fill("54,5")
    page.locator("#f-floor").fill("1")
    page.locator("#f-rent").fill("8800")
    page.locator("#f-services").fill("2500")
    page.locator("#f-deposit").fill(deposit)
    page.locator("#f-available_from").fill((date.today() + timedelta(days=14)).isoformat())
    page.locator("#f-min_lease_months").fill("12")
    page.locator("#f-terms_accepted").check()
    page.locator("form[action='/offer'] button[type=submit]").click()


def _magic_link(engine: Engine) -> str:
    with session_scope(engine) as session:
        row = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.kind) == "flat_received_landlord")
        ).one()
        return str((row.context or {})["magic_link_url"])


def _vet(page: Page, live_url: str, flat_id: int) -> None:
    page.goto(live_url + "/login")
    page.locator("#f-email").fill("staff@example.cz")
    page.locator("#f-password").fill(PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.goto(f"{live_url}/staff/flats/{flat_id}/vetting")
    page.locator("#f-inspection_date").fill(date.today().isoformat())
    for name in (
        "ownership_checked",
        "condition_ok",
        "gas_safety_ok",
        "electrical_safety_ok",
        "rent_within_cap",
        "energy_costs_realistic",
    ):
        page.locator(f"#f-{name}").check()
    page.locator("#f-decision").select_option("approved")
    page.locator("#f-max_occupants").fill("4")
    page.locator("form[action$='/vetting'] button[type=submit]").click()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_landlord_offers_a_flat_and_staff_vets_it(
    page: Page,
    live_url: str,
    web_engine: Engine,
    users: dict[str, User],
    backend: str,
    viewport: dict[str, int],
) -> None:
    name = f"{backend}-{viewport['width']}"
    page.set_viewport_size(viewport)
    page.goto(live_url + "/offer")
    _fill_offer(page, postcode="12", deposit="50000")
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Zadejte PSČ o 5 číslicích")
    expect(summary).to_contain_text("nejvýše trojnásobek měsíčního nájemného")
    expect(page.locator("#f-street")).to_have_value("Klatovská 12")
    expect(page.locator("#f-rent")).to_have_value("8800")
    expect(page.locator("#f-deposit")).to_have_value("50000")
    screenshot(page, f"offer-errors-{name}")

    page.locator("#f-postcode").fill("301 00")
    page.locator("#f-deposit").fill("17600")
    page.locator("#f-terms_accepted").check()
    page.locator("form[action='/offer'] button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Děkujeme, nabídku jsme přijali")
    screenshot(page, f"offer-thanks-{name}")

    page.goto(_magic_link(web_engine))
    expect(page.locator("main")).to_contain_text("Klatovská 12")
    page.get_by_role("link", name="English").click()
    expect(page.locator("main")).to_contain_text("Submitted")
    screenshot(page, f"offer-portal-en-{name}")

    with session_scope(web_engine) as session:
        flat = session.exec(select(Flat)).one()
    _vet(page, live_url, int(flat.id or 0))
    with session_scope(web_engine) as session:
        vetted = session.get(Flat, flat.id)
        assert vetted is not None and vetted.status == FlatStatus.available
        assert vetted.max_occupants == 4
    screenshot(page, f"offer-vetted-{name}")
