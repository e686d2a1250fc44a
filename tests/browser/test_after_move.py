"""After the move in Chromium: a visit recorded on a phone, a payment lowering the arrears,
a bank statement with a bad row, and a lease ended with the household back on the list."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import select

from agency.db import session_scope
from agency.enums import HouseholdStatus
from agency.models import Household, RentPayment, SupportVisit, User
from agency.models.base import utcnow
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.web.test_leases_pages import Placed, make_placed
from tests.webutil import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def placed(web_engine: Engine, users: dict[str, User]) -> Placed:
    return make_placed(web_engine, users)


def _login(page: Page, live_url: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(live_url + "/login")
    page.locator("#f-email").fill(email)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page.get_by_text("Přihlášen")).to_be_visible()


def _arrears(page: Page) -> int:
    return int(page.locator("#arrears").inner_text().replace("Kč", "").strip())


def test_visit_on_a_phone(
    page: Page, live_url: str, placed: Placed, web_engine: Engine, backend: str
) -> None:
    page.set_viewport_size(PHONE)
    _login(page, live_url, "social_worker@example.cz")
    page.goto(live_url + "/visits")
    page.locator(f"a[href='/visits/{placed.visit}']").click()
    # Big touch targets: the radio labels are at least 44 px high and fit the screen.
    box = page.locator("label.choice-phone").bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] <= PHONE["width"]
    page.locator("label.choice-phone").click()
    page.get_by_label("Nájemné").check()
    page.get_by_label("Dluhy").check()
    page.locator("label.choice-amber").click()
    page.locator("#f-notes").fill("Platby se opožďují, domluvena splátka.")
    screenshot(page, f"after-move-visit-phone-{backend}")
    page.locator("form.visit-form button[type=submit]").click()
    expect(page.get_by_text("Návštěva byla zapsána.")).to_be_visible()
    with session_scope(web_engine) as session:
        visit = session.get(SupportVisit, placed.visit)
        assert visit is not None and visit.done_on == utcnow().date()
        assert (visit.kind, visit.risk, visit.topics) == ("phone", "amber", ["rent", "debts"])


def test_payment_lowers_the_arrears(
    page: Page, live_url: str, placed: Placed, backend: str
) -> None:
    page.set_viewport_size(DESKTOP)
    _login(page, live_url, "staff@example.cz")
    page.goto(f"{live_url}/leases/{placed.lease}")
    before = _arrears(page)
    assert before > 0
    page.locator("#f-amount").fill("4000")
    page.locator("#f-reference").fill("HOTOVE-1")
    page.locator("form[action$='/payments'] button[type=submit]").click()
    expect(page.locator("#arrears")).to_have_text(f"{before - 4000} Kč")
    screenshot(page, f"after-move-payment-{backend}")


def test_bank_statement_with_a_bad_row(
    page: Page, live_url: str, placed: Placed, web_engine: Engine, tmp_path: Path, backend: str
) -> None:
    page.set_viewport_size(DESKTOP)
    _login(page, live_url, "staff@example.cz")
    csv = tmp_path / "vypis.csv"
    csv.write_bytes(
        (
            "Datum;Částka;VS;Reference;Poznámka\n"
            f"01.03.2026;5 000,00;{placed.lease};UCET-1;Nájem – Šťastný\n"
            f"02.03.2026;1 000;{placed.lease};UCET-2;\n"
            f"31.02.2026;900;{placed.lease};UCET-3;\n"
        ).encode("cp1250")
    )
    page.goto(live_url + "/rent/import")
    page.locator("#f-statement").set_input_files(str(csv))
    page.locator("form[action='/rent/import'] button[type=submit]").click()
    expect(page.locator("tr.bad")).to_have_count(1)
    expect(page.locator("tr.bad")).to_contain_text("Datum není platné.")
    expect(page.locator("tr.ok")).to_have_count(2)
    screenshot(page, f"after-move-import-preview-{backend}")
    page.get_by_role("button", name="Importovat správné řádky").click()
    expect(page.get_by_text("Naimportované platby: 2.")).to_be_visible()
    with session_scope(web_engine) as session:
        amounts = sorted(p.amount for p in session.exec(select(RentPayment)).all())
        assert amounts == [1000, 5000]


def test_end_a_lease_back_to_the_waiting_list(
    page: Page, live_url: str, placed: Placed, web_engine: Engine, backend: str
) -> None:
    page.set_viewport_size(DESKTOP)
    _login(page, live_url, "staff@example.cz")
    page.goto(f"{live_url}/leases/{placed.lease}")
    page.get_by_role("link", name="Ukončit nájem").click()
    page.locator("#f-reason").select_option("landlord_arrears")
    page.locator("#f-ended_on").fill(utcnow().date().isoformat())
    page.locator("#f-household_next").select_option("waiting")
    page.locator("#f-flat_next").select_option("available")
    page.locator("#f-note").fill("Dluh za tři měsíce.")
    page.locator("form[action$='/end'] button[type=submit]").click()
    expect(page.get_by_text("Výpověď pronajímatele: dluh na nájemném")).to_be_visible()
    page.goto(f"{live_url}/households?status=waiting")
    with session_scope(web_engine) as session:
        household = session.get(Household, placed.household)
        assert household is not None and household.status == HouseholdStatus.waiting
        name = household.reference_name
    expect(page.get_by_text(name)).to_be_visible()
    screenshot(page, f"after-move-lease-ended-{backend}")
