"""Under the Content-Security-Policy, Chromium reports no violation on the main pages of
each role, and the municipality type-ahead of the offer form still works."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from sqlalchemy.engine import Engine

from agency.db import session_scope
from agency.enums import FlatStatus
from agency.models import User
from tests.browser.conftest import DESKTOP
from tests.factories import Factory
from tests.webutil import PASSWORD

PAGES: dict[str, tuple[str, ...]] = {
    "anonymous": ("/", "/offer", "/login", "/offer/thanks"),
    "landlord": (
        "/portal",
        "/portal/flats/{flat}",
        "/portal/flats/{flat}/edit",
        "/portal/flats/{flat}/photos",
        "/offer",
    ),
    "social_worker": (
        "/dashboard",
        "/households",
        "/households/new",
        "/offers",
        "/matching/runs/new",
        "/leases",
        "/visits",
    ),
    "staff": ("/dashboard", "/staff/flats", "/staff/flats/{flat}", "/signoff", "/summaries"),
    "platform_member": ("/dashboard", "/summaries"),
    "admin": (
        "/admin/users",
        "/admin/users/new",
        "/admin/organisations",
        "/admin/barrier-categories",
        "/admin/support-plans",
        "/admin/mail",
    ),
}
VIOLATION = re.compile(r"Content Security Policy|Refused to (apply|execute|load|connect)", re.I)


@pytest.fixture
def flat_id(web_engine: Engine, users: dict[str, User]) -> int:
    """The landlord user's own flat (the landlord record is linked to the account)."""
    with session_scope(web_engine) as session:
        factory = Factory(session)
        landlord = factory.landlord()
        account = session.get(User, users["landlord"].id)
        assert account is not None
        account.landlord_id = landlord.id
        return int(factory.flat(FlatStatus.submitted, landlord_id=landlord.id).id or 0)


@pytest.fixture
def console(page: Page) -> Iterator[list[str]]:
    """Every console message and page error of the test, as text."""
    messages: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        messages.append(f"{message.type}: {message.text}")

    page.on("console", keep)
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    yield messages


def log_in(page: Page, live_url: str, role: str) -> None:
    page.goto(live_url + "/login")
    page.get_by_label("E-mail", exact=True).fill(f"{role}@example.cz")
    page.get_by_label("Heslo").fill(PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page.get_by_text("Přihlášen")).to_be_visible()


@pytest.mark.parametrize("role", list(PAGES))
def test_no_csp_violation_on_the_main_pages(
    page: Page,
    live_url: str,
    users: dict[str, User],
    flat_id: int,
    console: list[str],
    role: str,
) -> None:
    page.set_viewport_size(DESKTOP)
    if role != "anonymous":
        log_in(page, live_url, role)
    for path in PAGES[role]:
        response = page.goto(live_url + path.format(flat=flat_id))
        assert response is not None and response.status == 200, path
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        page.wait_for_load_state("load")
        # Styles from the site's stylesheet apply (not blocked): the header is laid out.
        expect(page.locator("header.site")).to_be_visible()
    violations = [m for m in console if VIOLATION.search(m)]
    assert violations == []


def test_an_inline_script_would_be_reported(page: Page, live_url: str, console: list[str]) -> None:
    """The check above can fail: an inline script injected into a page is refused."""
    page.goto(live_url + "/")
    with page.expect_console_message(lambda m: bool(VIOLATION.search(m.text))):
        page.evaluate(
            """() => {
                const s = document.createElement('div');
                s.innerHTML = '<p onclick="window.ran = 1">x</p>';
                document.body.appendChild(s);
                s.firstChild.click();
            }"""
        )
    assert page.evaluate("() => window.ran === undefined")
    assert any(VIOLATION.search(m) for m in console), console


def test_the_typeahead_still_works(
    page: Page, live_url: str, users: dict[str, User], console: list[str]
) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(live_url + "/offer")
    town = page.locator("input[data-typeahead]")
    town.fill("Plze")
    options = page.locator("#municipality-options option")
    expect(options.first).to_be_attached(timeout=5000)
    first = options.first.get_attribute("value")
    assert first and first.startswith("Plzeň")
    town.fill(first)
    expect(page.locator("#f-municipality_code")).to_have_value(re.compile(r"^\d+$"))
    expect(town).to_have_value("Plzeň")
    assert [m for m in console if VIOLATION.search(m)] == []
