"""The templates' gettext, ngettext and long selects give exactly what Jinja's own newstyle
callables and a plain loop over the options give, in both languages and with or without
autoescaping."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from jinja2 import Environment

from web import i18n

TEMPLATES = (
    '{{ _("Households") }}',
    '{{ gettext("Households") }}|{{ _("Households") }}',
    '{{ _("Page %(page)s of %(pages)s", page=2, pages=7) }}',
    '{{ _("Page %(page)s of %(pages)s", page="<b>", pages="&") }}',
    '{{ _("100 %% <sure> & \\"quoted\\"") }}',
    '{{ _("<em>%(who)s</em>", who="<script>") }}',
    '{{ ngettext("%(num)s household", "%(num)s households", 1) }}',
    '{{ ngettext("%(num)s household", "%(num)s households", 5) }}',
    '{{ ngettext("%(num)s adult", "%(num)s adults", 2) }}, '
    '{{ ngettext("%(num)s child", "%(num)s children", 0) }}',
    "{% trans %}Households{% endtrans %}",
    "{% trans num=4 %}{{ num }} household{% pluralize %}{{ num }} households{% endtrans %}",
    '{% trans name="<x>" %}Hello {{ name }}{% endtrans %}',
)


def _environments(autoescape: bool) -> tuple[Environment, Environment]:
    ours = Environment(autoescape=autoescape)
    i18n.install(ours)
    jinjas = Environment(autoescape=autoescape, extensions=["jinja2.ext.i18n"])
    jinjas.install_gettext_callables(  # type: ignore[attr-defined]
        i18n._gettext, i18n._ngettext, newstyle=True
    )
    return ours, jinjas


@pytest.mark.parametrize("autoescape", [True, False])
@pytest.mark.parametrize("lang", ["cs", "en"])
@pytest.mark.parametrize("source", TEMPLATES)
def test_the_templates_translate_as_jinjas_newstyle_gettext(
    source: str, lang: str, autoescape: bool
) -> None:
    ours, jinjas = _environments(autoescape)
    for _ in range(2):  # the second time from what was drawn once
        expected = jinjas.from_string(source).render(lang=lang)
        assert ours.from_string(source).render(lang=lang) == expected


@pytest.mark.parametrize("lang", ["cs", "en"])
@pytest.mark.parametrize("source", TEMPLATES)
def test_a_pages_own_functions_translate_as_jinjas_newstyle_gettext(source: str, lang: str) -> None:
    ours, jinjas = _environments(autoescape=True)
    looped = "{% for i in range(3) %}" + source + "{% endfor %}"
    for template in (source, looped):
        expected = jinjas.from_string(template).render(lang=lang)
        rendered = ours.from_string(template).render(lang=lang, **i18n.page_functions(lang))
        assert rendered == expected


@pytest.mark.parametrize("lang", ["cs", "en"])
def test_a_pages_own_formatters_format_as_the_globals(lang: str) -> None:
    ours, _ = _environments(autoescape=True)
    source = "{{ czk(12500) }}|{{ czk(None) }}|{{ day(when.date()) }}|{{ moment(when) }}"
    when = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)
    expected = ours.from_string(source).render(lang=lang, when=when)
    rendered = ours.from_string(source).render(lang=lang, when=when, **i18n.page_functions(lang))
    assert rendered == expected
    assert ("12\xa0500" in rendered) == (lang == "cs")


def test_a_message_is_translated_in_the_pages_language() -> None:
    ours, _ = _environments(autoescape=True)
    template = ours.from_string('{{ _("Households") }}')
    assert template.render(lang="en") == "Households"
    assert template.render(lang="cs") == "Domácnosti"


def _loop(pairs: list[tuple[object, str]], chosen: object) -> str:
    env = Environment(autoescape=True)
    source = (
        "{% for code, name in pairs %}"
        '<option value="{{ code }}"{% if chosen == code|string %} selected{% endif %}>'
        "{{ name }}</option>{% endfor %}"
    )
    return env.from_string(source).render(pairs=pairs, chosen=chosen)


@pytest.mark.parametrize("chosen", [None, "", "3203", "9999", "<x>"])
def test_long_selects_draw_the_same_options_as_a_loop(chosen: str | None) -> None:
    pairs: list[tuple[object, str]] = [
        (3203, "Brno"),
        (1234, 'Ústí nad "Labem" & <okolí>'),
        ("<x>", "<script>alert(1)</script>"),
    ]
    assert str(i18n.options(pairs, chosen)) == _loop(pairs, chosen)
    env = Environment(autoescape=True)
    i18n.install(env)
    rendered = env.from_string("{{ options(pairs, chosen) }}").render(pairs=pairs, chosen=chosen)
    assert rendered == _loop(pairs, chosen)


def test_the_chosen_option_is_selected_and_only_it() -> None:
    drawn = str(i18n.options([(1, "A"), (2, "B")], "2"))
    assert drawn == '<option value="1">A</option><option value="2" selected>B</option>'
