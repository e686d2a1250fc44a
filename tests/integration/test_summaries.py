"""Building, publishing and reading summaries: suppression applied, no personal data,
notifications once, drafts hidden, the half-yearly job idempotent, the demo meaningful."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agency.db import session_scope
from agency.demo import load_demo
from agency.enums import SummaryScope, SummaryStatus, UserRole
from agency.errors import Conflict, InvalidInput, NotFound
from agency.models import Setting, Summary
from agency.passwords import make_hasher
from agency.services.summaries import (
    build_summary,
    get_summary,
    list_summaries,
    publish_summary,
    summary_k,
)
from agency.services.summary_publish import csv_rows
from agency.services.summary_whatif import Scenario
from agency.summary_jobs import build_due_summary, previous_half_year
from notifications.models import OutboxMessage
from tests.factories import Factory
from tests.integration import summary_fixture as fx

NOW = datetime(2026, 7, 2, 8, tzinfo=UTC)


def build(session: Session, k: int = 3, **values: Any) -> Summary:
    args: dict[str, Any] = {
        "period_start": fx.START,
        "period_end": fx.END,
        "scope": SummaryScope.orp,
        "scope_code": str(fx.ORP_PLZEN),
        "k": k,
        "now": NOW,
    } | values
    return build_summary(session, **args)


def figure(summary: Summary, figure_id: str) -> dict[str, Any]:
    for items in (summary.figures or {})["sections"].values():
        for item in items:
            if item["id"] == figure_id:
                return dict(item)
    raise KeyError(figure_id)


def test_published_figures_are_suppressed_below_k(session: Session) -> None:
    fx.build(session)
    summary = build(session, k=3)
    assert summary.status == SummaryStatus.draft and summary.k_threshold == 3
    assert figure(summary, "households_registered")["value"] == 3
    assert figure(summary, "households_offered")["value"] == "<3"
    assert figure(summary, "median_days_to_housing") == {
        "id": "median_days_to_housing",
        "kind": "stat",
        "unit": "days",
        "value": "<3",
        "n": "<3",
    }
    table = figure(summary, "barriers_by_category_stage")
    # By hand: 1, 3 and 1 barriers in three categories, 5 in all (the number of barriers is
    # published elsewhere too). Whatever is hidden, the two "<3" rows add up to 5 - 3 = 2,
    # so each is 1: the table cannot be shown safely and is withheld whole.
    assert table["rows"] == ["landlord_discrimination", "rent_unaffordable", "debts_enforcement"]
    assert table["withheld"] is True
    assert table["cells"] == [["*", "*"]] * 3 and table["total"] == "*"


def test_k_comes_from_the_setting(session: Session) -> None:
    assert summary_k(session) == 5
    session.add(Setting(key="summary_k", value=7))
    session.flush()
    assert summary_k(session) == 7


def test_no_name_address_or_record_id_in_any_format(session: Session) -> None:
    built = fx.build(session)
    summary = build(session, k=3)
    text = json.dumps(summary.figures, ensure_ascii=False) + json.dumps(summary.what_ifs)
    text += "\n".join(",".join(map(str, row)) for row in csv_rows(summary.figures or {}, []))
    for secret in (*fx.SECRET_NAMES, *fx.SECRET_STREETS, "Quargl", "Xerx", "@example.cz"):
        assert secret not in text
    ids = [h.id for h in built.households.values()] + [f.id for f in built.flats.values()]
    ids += [ll.id for ll in built.landlords.values()]
    for key in ("household_id", "flat_id", "landlord_id", "newly_housed", "reference"):
        assert key not in text
    assert all(f'"id": {i},' not in text for i in ids)


def test_a_second_summary_of_the_same_period_and_scope_is_refused(session: Session) -> None:
    build(session)
    with pytest.raises(Conflict):
        build(session)
    with pytest.raises(InvalidInput):
        build(session, scope_code="999999", scope=SummaryScope.orp, period_start=date(2025, 1, 1))
    with pytest.raises(InvalidInput):
        build(session, period_start=fx.END, period_end=fx.START)


def test_publishing_notifies_platform_members_once(session: Session) -> None:
    factory = Factory(session)
    staff = factory.user(UserRole.staff)
    members = [factory.user(UserRole.platform_member) for _ in range(2)]
    factory.user(UserRole.platform_member, active=False)
    summary = build(session)
    assert summary.id is not None
    with pytest.raises(NotFound):
        get_summary(session, summary_id=summary.id, actor=members[0])
    assert list_summaries(session, actor=members[0])[1] == 0
    publish_summary(session, summary_id=summary.id, actor=staff, now=NOW)
    assert summary.status == SummaryStatus.published and summary.published_by_id == staff.id
    with pytest.raises(Conflict):
        publish_summary(session, summary_id=summary.id, actor=staff, now=NOW)
    mail = session.exec(
        select(OutboxMessage).where(OutboxMessage.event_key == f"summary_published:{summary.id}")
    ).all()
    assert sorted(m.user_id for m in mail) == sorted(m.id for m in members)
    assert get_summary(session, summary_id=summary.id, actor=members[0]) is summary


def test_what_if_scenarios_are_stored_with_the_engines_answer(session: Session) -> None:
    fx.build(session)
    scenarios = [
        Scenario(
            "add_flats", count=3, rooms=2, layout="2+1", rent=8000, services=2000, orp=fx.ORP_PLZEN
        ),
        Scenario("raise_budgets", percent=10),
    ]
    summary = build(session, scenarios=scenarios)
    first, second = summary.what_ifs or []
    assert first["scenario"] == {
        "kind": "add_flats",
        "count": 3,
        "rooms": 2,
        "layout": "2+1",
        "rent": 8000,
        "services": 2000,
        "orp": fx.ORP_PLZEN,
    }
    assert first["extra_housed"] == 3  # the three new flats house three of the four
    assert second["scenario"] == {"kind": "raise_budgets", "percent": 10}
    assert "newly_housed" not in json.dumps(summary.what_ifs)


def test_the_job_builds_the_previous_half_year_once(session: Session) -> None:
    assert previous_half_year(date(2026, 7, 1)) == (date(2026, 1, 1), date(2026, 6, 30))
    assert previous_half_year(date(2026, 1, 1)) == (date(2025, 7, 1), date(2025, 12, 31))
    first = build_due_summary(session, now=NOW)
    assert first is not None and first.scope == SummaryScope.agency
    assert (first.period_start, first.period_end) == (fx.START, fx.END)
    assert build_due_summary(session, now=NOW) is None
    count = session.execute(sa.select(sa.func.count()).select_from(Summary)).scalar_one()
    assert count == 1


@pytest.fixture
def demo(fresh_engine: Engine) -> Engine:
    with session_scope(fresh_engine) as session:
        load_demo(session, today=date(2026, 11, 21), hasher=make_hasher(cheap=True))
    return fresh_engine


def test_the_demo_makes_a_meaningful_summary_of_the_last_half_year(demo: Engine) -> None:
    with session_scope(demo) as session:
        summary = build_due_summary(session, now=datetime(2026, 11, 21, 9, tzinfo=UTC))
        assert summary is not None
        sections = (summary.figures or {})["sections"]
        for name in ("flow", "outcomes", "barriers", "gaps"):
            shown = [f for f in sections[name] if _has_value(f)]
            assert len(shown) >= 3, name
        assert isinstance(figure(summary, "households_registered")["value"], int)
        assert isinstance(figure(summary, "placements")["value"], int)
        assert figure(summary, "barriers_by_category_stage")["total"] >= 5
        assert figure(summary, "engine_waiting")["value"] >= 5
        names = session.execute(sa.select(col(Summary.id))).scalars().all()
        assert names == [summary.id]


def _has_value(f: dict[str, Any]) -> bool:
    if f["kind"] == "breakdown":
        return bool(f["items"])
    if f["kind"] == "table":
        return bool(f["rows"])
    return f["value"] not in (None, 0)
