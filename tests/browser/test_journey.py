"""The whole placement journey in Chromium: a landlord offers a flat, staff vet it, a social
worker registers a household, runs matching and proposes, a second staff member signs off,
the landlord and the household accept, and the lease shows for all three."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import select

from agency.db import session_scope
from agency.models import Flat, Household, Lease, Match, User
from agency.models.base import utcnow
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.webutil import PASSWORD
from web.tokens import MAGIC_LINK_DAYS, MAGIC_LINK_PURPOSE, make_token

pytestmark = pytest.mark.browser


def _login(page: Page, live_url: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(live_url + "/login")
    page.locator("#f-email").fill(email)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page.get_by_text("Přihlášen")).to_be_visible()


def _offer_flat(page: Page, live_url: str, available: str) -> None:
    page.goto(live_url + "/offer")
    page.locator("#f-kind").select_option("person")
    page.locator("#f-name").fill("Jana Dvořáková")
    page.locator("#f-email").fill("jana@example.cz")
    page.locator("#f-language").select_option("cs")
    page.locator("#f-street").fill("Klatovská 12")
    page.locator("#f-postcode").fill("301 00")
    page.locator("#f-municipality").fill("Plzeň")
    page.locator("#f-layout").select_option("2+1")
    page.locator("#f-area_m2").fill("54")
    page.locator("#f-floor").fill("1")
    page.locator("#f-rent").fill("8800")
    page.locator("#f-services").fill("2500")
    page.locator("#f-deposit").fill("17600")
    page.locator("#f-available_from").fill(available)
    page.locator("#f-min_lease_months").fill("12")
    page.locator("#f-terms_accepted").check()
    screenshot(page, "journey-1-landlord-offer")
    page.locator("form[action='/offer'] button[type=submit]").click()
    expect(page.locator("h1")).not_to_contain_text("Nabídnout")


def _vet(page: Page, live_url: str, flat_id: int, today: str) -> None:
    page.goto(f"{live_url}/staff/flats/{flat_id}/vetting")
    page.locator("#f-inspection_date").fill(today)
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


def _register_household(page: Page, live_url: str, today: str) -> None:
    page.goto(live_url + "/households/new")
    page.locator("#f-consent_given").check()
    page.locator("#f-consent_on").fill(today)
    page.locator("#f-consent_scope").fill("zprostředkování bydlení")
    page.locator("#f-reference_name").fill("Novákovi")
    page.locator("#f-reference_phone").fill("+420 777 111 222")
    page.locator("#f-member_kind_1").select_option("adult")
    page.locator("#f-member_year_1").fill("1988")
    page.locator("#f-member_kind_2").select_option("child")
    page.locator("#f-member_year_2").fill("2016")
    page.locator("#f-monthly_income").fill("26000")
    page.locator("#f-max_housing_cost").fill("12000")
    page.locator("#f-deposit_available").fill("5000")
    page.locator("#f-municipalities").fill("Plzeň")
    page.locator("#f-min_rooms").fill("2")
    page.locator("#f-ethos_category").select_option(index=1)
    page.locator("#f-urgency").select_option("4")
    page.locator("button[value='save']:not([aria-hidden])").click()
    page.locator("form[action$='/queue'] button").click()


def _one(engine: Engine, model: type, **where: object) -> int:
    with session_scope(engine) as session:
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        found = session.exec(query).one()
        return int(found.id)


def test_the_whole_placement_journey(
    page: Page, live_url: str, users: dict[str, User], web_engine: Engine, backend: str
) -> None:
    page.set_viewport_size(DESKTOP)
    today = utcnow().date()
    _offer_flat(page, live_url, (today + timedelta(days=10)).isoformat())
    flat_id = _one(web_engine, Flat, street="Klatovská 12")

    _login(page, live_url, "staff@example.cz")
    _vet(page, live_url, flat_id, today.isoformat())
    with session_scope(web_engine) as session:
        flat = session.get(Flat, flat_id)
        assert flat is not None and flat.status == "available", "vetting did not pass"
        landlord_id = flat.landlord_id

    _login(page, live_url, "social_worker@example.cz")
    _register_household(page, live_url, today.isoformat())
    household_id = _one(web_engine, Household, reference_name="Novákovi")
    page.goto(f"{live_url}/households/{household_id}/flats")
    expect(page.get_by_text("Klatovská 12").first).to_be_visible()
    screenshot(page, f"journey-2-find-flats-{backend}")

    page.goto(live_url + "/matching/runs/new")
    page.locator("#f-scope").select_option("caseload")
    page.locator("form[action='/matching/runs/new'] button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Párování")
    row = page.locator("tr", has_text="Novákovi")
    expect(row).to_contain_text("Klatovská 12")
    screenshot(page, f"journey-3-run-{backend}")
    row.get_by_role("button", name="Navrhnout").click()
    expect(page.locator(".status")).to_have_text("Čeká na schválení")
    match_id = _one(web_engine, Match, household_id=household_id)

    _login(page, live_url, "staff2@example.cz")
    page.goto(live_url + "/signoff")
    page.locator("tr", has_text="Klatovská 12").get_by_role("link").click()
    screenshot(page, f"journey-4-signoff-{backend}")
    page.get_by_role("button", name="Schválit a odeslat nabídku").click()
    expect(page.get_by_text("Rozhodnutí bylo uloženo.")).to_be_visible()

    page.context.clear_cookies()
    token = make_token(
        "browser-secret",
        purpose=MAGIC_LINK_PURPOSE,
        subject=landlord_id,
        now=utcnow(),
        days=MAGIC_LINK_DAYS,
    )
    page.goto(f"{live_url}/auth/link?token={token}")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_url}/portal/offers/{match_id}")
    expect(page.get_by_text("Novákovi")).to_have_count(0)
    expect(page.get_by_text("tis. Kč")).to_be_visible()
    screenshot(page, f"journey-5-landlord-offer-phone-{backend}")
    page.locator("#f-answer").select_option("accept")
    page.get_by_role("button", name="Odeslat odpověď").click()
    expect(page.get_by_text("Děkujeme, vaši odpověď jsme zaznamenali.")).to_be_visible()

    page.set_viewport_size(DESKTOP)
    _login(page, live_url, "social_worker@example.cz")
    page.goto(f"{live_url}/offers/{match_id}")
    page.locator("#f-answer").select_option("accept")
    page.get_by_role("button", name="Odeslat odpověď").click()
    expect(page.locator(".lease")).to_contain_text("Nájemní smlouva")
    screenshot(page, f"journey-6-lease-social-worker-{backend}")

    _login(page, live_url, "staff@example.cz")
    page.goto(f"{live_url}/signoff/{match_id}")
    expect(page.locator(".lease")).to_contain_text("8 800 Kč")

    page.context.clear_cookies()
    page.goto(f"{live_url}/auth/link?token={token}")
    page.goto(f"{live_url}/portal/offers/{match_id}")
    expect(page.get_by_text("Novákovi")).to_be_visible()
    expect(page.locator(".lease")).to_contain_text("Nájemní smlouva")
    screenshot(page, f"journey-7-lease-landlord-{backend}")
    with session_scope(web_engine) as session:
        lease = session.exec(select(Lease).where(Lease.match_id == match_id)).one()
        assert (lease.rent, lease.services, lease.flat_id) == (8800, 2500, flat_id)
