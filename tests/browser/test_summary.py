"""A platform member reads the latest summary in real Chromium: charts, CSV download, a
recommendation recorded."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import select

from agency.db import session_scope
from agency.demo import load_demo
from agency.enums import SummaryScope
from agency.models import Recommendation, User
from agency.models.base import utcnow
from agency.passwords import make_hasher
from agency.services.summaries import build_summary, publish_summary
from tests.browser.conftest import screenshot
from tests.webutil import PASSWORD


def _published_summary(engine: Engine, users: dict[str, User]) -> tuple[int, int]:
    """The demo agency's summary of the first half of 2026, published; with the number of
    households registered in it as published."""
    with session_scope(engine) as session:
        load_demo(session, today=date(2026, 11, 21), hasher=make_hasher())
    with session_scope(engine) as session:
        summary = build_summary(
            session,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 6, 30),
            scope=SummaryScope.agency,
            k=5,
            now=utcnow(),
        )
        staff = session.get(User, users["staff"].id)
        assert staff is not None and summary.id is not None
        publish_summary(session, summary_id=summary.id, actor=staff, now=utcnow())
        flow = {f["id"]: f for f in (summary.figures or {})["sections"]["flow"]}
        return summary.id, flow["households_registered"]["value"]


def test_a_platform_member_reads_downloads_and_recommends(
    page: Page, live_url: str, users: dict[str, User], web_engine: Engine
) -> None:
    number, registered = _published_summary(web_engine, users)
    assert isinstance(registered, int) and registered >= 5
    page.goto(live_url + "/login")
    page.locator("#f-email").fill("platform_member@example.cz")
    page.locator("#f-password").fill(PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.goto(live_url + "/summaries")
    page.locator(f"a[href='/summaries/{number}']").first.click()
    expect(page).to_have_url(f"{live_url}/summaries/{number}")
    expect(page.locator("h1")).to_contain_text("2026/1")
    charts = page.locator("figure.chart svg")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 3
    with page.expect_download() as info:
        page.locator(f"a[href='/summaries/{number}.csv']").click()
    download = info.value
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["section", "figure", "breakdown", "value"]
    assert ["flow", "households_registered", "", str(registered)] in rows
    page.locator("#f-text").fill("Rozšířit fond kaucí pro rodiny z ubytoven")
    page.locator("#f-responsible_body").fill("Plzeňský kraj")
    page.locator("form[action$='/recommendations'] button[type=submit]").click()
    expect(page.locator("#recommendations")).to_contain_text("Rozšířit fond kaucí")
    page.locator("#recommendations select").first.select_option("adopted")
    page.locator("#recommendations form.inline button[type=submit]").first.click()
    expect(page.locator("#recommendations")).to_contain_text("Přijato")
    screenshot(page, "summary_member")
    with session_scope(web_engine) as session:
        rec = session.exec(select(Recommendation)).one()
        assert rec.responsible_body == "Plzeňský kraj" and rec.status == "adopted"
