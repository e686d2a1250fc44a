"""Every kind renders in Czech and English; Czech plurals, money and dates; HTML escaped."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from jinja2 import UndefinedError

from notifications.formatting import format_czk, format_day, format_moment, plural
from notifications.kinds import KINDS, check_context
from notifications.render import LINK_KEY, render_message

SAMPLE: dict[str, Any] = {
    "address": "Slovanská 12, Plzeň",
    "landlord_name": "Jana Nováková",
    "rent": 12500,
    "services": 2500,
    "deposit": 25000,
    "magic_link_url": "https://agentura.example/l/abc?x=1&y=2",
    "expires_at": "2026-11-21T13:30:00+00:00",
    "approved": True,
    "reasons": "Vše v pořádku.",
    "max_occupants": 4,
    "household_ref": "D-12",
    "proposer_name": "Eva Malá",
    "persons": 5,
    "reviewer_name": "Petr Velký",
    "reason": "Byt je příliš daleko od školy.",
    "answer_by": "2026-12-01",
    "answer_url": "https://agentura.example/o/1",
    "layout": "2+1",
    "party": "household",
    "accepted": False,
    "days_left": 2,
    "start_date": "2026-12-01",
    "end_date": "2027-01-31",
    "planned_on": "2026-11-20",
    "days_overdue": 1,
    "amount": 12500,
    "months": 2,
    "title": "1. pololetí 2026",
    "scope_name": "Plzeňský kraj",
    "period_start": "2026-01-01",
    "period_end": "2026-06-30",
    "days_available": 61,
}


def context_of(kind: str, **changes: Any) -> dict[str, Any]:
    """Exactly the keys the kind declares: a template using any other key fails to render."""
    return {key: SAMPLE[key] for key in KINDS[kind].context} | changes


def flat(text: str) -> str:
    return text.replace("\xa0", " ")


@pytest.mark.parametrize("language", ["cs", "en"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_renders_in_both_languages(kind: str, language: str) -> None:
    rendered = render_message(
        kind, language, context_of(kind) | {LINK_KEY: "/x/1"}, base_url="https://a.example"
    )
    assert rendered.subject and "\n" not in rendered.subject
    assert len(rendered.text.strip().splitlines()) >= 3
    assert rendered.html.startswith("<!doctype html>") and f'lang="{language}"' in rendered.html
    assert "https://a.example/x/1" in rendered.text
    assert 'href="https://a.example/x/1"' in rendered.html


def test_czech_and_english_differ_for_every_kind() -> None:
    for kind in KINDS:
        cs = render_message(kind, "cs", context_of(kind), base_url="")
        en = render_message(kind, "en", context_of(kind), base_url="")
        assert cs.subject != en.subject and cs.text != en.text, kind


@pytest.mark.parametrize(
    ("count", "word"),
    [
        (1, "nabídka"),
        (2, "nabídky"),
        (4, "nabídky"),
        (5, "nabídek"),
        (22, "nabídek"),
        (25, "nabídek"),
        (0, "nabídek"),
    ],
)
def test_czech_plural_has_three_forms(count: int, word: str) -> None:
    assert plural(count, ("nabídka", "nabídky", "nabídek"), "cs") == word


@pytest.mark.parametrize(("count", "word"), [(1, "offer"), (2, "offers"), (22, "offers")])
def test_english_plural_has_two_forms(count: int, word: str) -> None:
    assert plural(count, ("offer", "offers"), "en") == word


@pytest.mark.parametrize(
    ("days", "phrase"),
    [
        (1, "1 den po termínu"),
        (2, "2 dny po termínu"),
        (5, "5 dní po termínu"),
        (22, "22 dní po termínu"),
        (25, "25 dní po termínu"),
    ],
)
def test_templates_use_the_czech_plural(days: int, phrase: str) -> None:
    rendered = render_message(
        "visit_overdue", "cs", context_of("visit_overdue", days_overdue=days), base_url=""
    )
    assert phrase in flat(rendered.text)


def test_a_wrong_number_of_plural_forms_is_refused() -> None:
    with pytest.raises(ValueError, match="3 plural forms"):
        plural(2, ("nabídka", "nabídek"), "cs")


def test_money_and_dates_in_czech_and_english() -> None:
    assert flat(format_czk(12500, "cs")) == "12 500 Kč"
    assert flat(format_czk(1250000, "en")) == "CZK 1,250,000"
    assert format_day(date(2026, 11, 21), "cs") == "21. 11. 2026"
    assert format_day("2026-11-21", "en") == "21 November 2026"
    # 23:30 UTC is already the next day in Prague.
    assert format_day(datetime(2026, 11, 21, 23, 30, tzinfo=UTC), "cs") == "22. 11. 2026"
    assert format_moment("2026-07-01T12:05:00+00:00", "cs") == "1. 7. 2026 14:05"


def test_rendered_money_and_dates_reach_the_message() -> None:
    text = flat(render_message("lease_starts", "cs", context_of("lease_starts"), base_url="").text)
    assert "začíná 1. 12. 2026" in text and "12 500 Kč měsíčně" in text


def test_html_is_escaped_and_text_is_not() -> None:
    context = context_of("match_rejected", reason='<script>alert("x")</script> & více')
    rendered = render_message("match_rejected", "cs", context, base_url="")
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; více" in rendered.html
    assert '<script>alert("x")</script> & více' in rendered.text


def test_a_newline_in_the_context_cannot_break_the_subject() -> None:
    context = context_of("stale_listing", address="Slovanská 1\nBcc: evil@example.com")
    assert "\n" not in render_message("stale_listing", "cs", context, base_url="").subject


def test_an_unknown_language_falls_back_to_czech() -> None:
    rendered = render_message("magic_link", "de", context_of("magic_link"), base_url="")
    assert rendered.subject == "Přihlašovací odkaz"


def test_a_missing_context_key_is_an_error() -> None:
    with pytest.raises(ValueError, match="needs the context keys: rent"):
        check_context("stale_listing", {"address": "x", "days_available": 61})
    with pytest.raises(ValueError, match="unknown notification kind"):
        check_context("no_such_kind", {})
    with pytest.raises(UndefinedError):
        render_message("stale_listing", "cs", {"address": "x"}, base_url="")
