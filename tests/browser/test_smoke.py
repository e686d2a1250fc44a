"""A person opens the site in Chromium, switches the language and logs in."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from agency.models import User
from tests.browser.conftest import PHONE, screenshot
from tests.webutil import PASSWORD


def test_language_switch_and_login(
    page: Page, live_url: str, users: dict[str, User], backend: str
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sociální realitní agentura")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Social real-estate agency")
    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("Email", exact=True).fill("staff@example.cz")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Logged in as")).to_be_visible()
    screenshot(page, f"smoke-logged-in-{backend}")
