"""Czech (default) and English: catalogs, the request's language, Czech formats.

Message ids are English; `web/locale/cs/*.po` hold the Czech translations (one file per
area of the app). The app loads the compiled catalog `web/locale/cs/LC_MESSAGES/messages.mo`
(`python -m agency.catalogs`, done when the image is built) when it is newer than every `.po`
file, and otherwise merges and compiles the `.po` files in memory when it starts.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from functools import cache, lru_cache, partial
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.numbers import format_decimal
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from agency import catalogs

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("cs", "en")
DEFAULT_LANGUAGE = "cs"
LOCAL_TZ = ZoneInfo("Europe/Prague")


def merged_catalog(language: str) -> Catalog:
    """Every `.po` file of `language` merged into one catalog."""
    return catalogs.merged_catalog(LOCALE_DIR, language)


def compiled_translations(language: str) -> gettext.GNUTranslations | None:
    """The compiled catalog of `language`, when it is present and not older than its `.po`s."""
    if not catalogs.compiled_is_current(LOCALE_DIR, language):
        return None
    with catalogs.compiled_path(LOCALE_DIR, language).open("rb") as handle:
        return gettext.GNUTranslations(handle)


def merged_translations(language: str) -> gettext.GNUTranslations:
    """The `.po` files of `language` merged and compiled in memory."""
    buffer = BytesIO()
    write_mo(buffer, merged_catalog(language))
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@cache
def translations(language: str) -> gettext.NullTranslations:
    """Compiled translations for `language`; English is the source language."""
    if language not in LANGUAGES or language == "en":
        return gettext.NullTranslations()
    return compiled_translations(language) or merged_translations(language)


def pick_language(requested: str | None, fallback: str | None = None) -> str:
    for candidate in (requested, fallback):
        if candidate in LANGUAGES:
            return str(candidate)
    return DEFAULT_LANGUAGE


def translate(language: str, message: str, **values: Any) -> str:
    text = translations(language).gettext(message)
    return text % values if values else text


def translate_plural(language: str, singular: str, plural: str, n: int, **values: Any) -> str:
    text = translations(language).ngettext(singular, plural, n)
    return text % ({"num": n} | values)


def czk(amount: int | None, language: str = DEFAULT_LANGUAGE) -> str:
    """Whole crowns the Czech way: "12 500 Kč" (a no-break space groups thousands)."""
    if amount is None:
        return "–"
    return _czk(amount, language)


@lru_cache(maxsize=8192)
def _czk(amount: int, language: str) -> str:
    # Babel parses the locale's number pattern on every call; rents and balances repeat.
    number = format_decimal(amount, locale="cs_CZ" if language == "cs" else "en_GB")
    return f"{number} Kč" if language == "cs" else f"CZK {number}"


def day(value: date | None, language: str = DEFAULT_LANGUAGE) -> str:
    """A date: "21. 11. 2026" in Czech, "21 Nov 2026" in English."""
    if value is None:
        return "–"
    if language == "cs":
        return f"{value.day}. {value.month}. {value.year}"
    return _english_day(value)


@lru_cache(maxsize=4096)
def _english_day(value: date) -> str:
    return format_date(value, format="medium", locale="en_GB")


def moment(value: datetime | None, language: str = DEFAULT_LANGUAGE) -> str:
    """A timestamp in Prague time."""
    if value is None:
        return "–"
    local = value.astimezone(LOCAL_TZ)
    if language == "cs":
        return f"{day(local.date(), 'cs')} {local:%H:%M}"
    return format_datetime(local, format="medium", locale="en_GB")


def _language(context: Mapping[str, Any]) -> str:
    return str(context.get("lang", DEFAULT_LANGUAGE))


@pass_context
def _gettext(context: Mapping[str, Any], message: str, **values: Any) -> str:
    return translate(_language(context), message, **values)


@pass_context
def _ngettext(context: Mapping[str, Any], singular: str, plural: str, n: int, **values: Any) -> str:
    return translate_plural(_language(context), singular, plural, n, **values)


def jinja_globals() -> dict[str, Callable[..., Any]]:
    """Functions the templates call; each reads the language from the template context."""

    @pass_context
    def fmt_czk(context: Mapping[str, Any], amount: int | None) -> str:
        return czk(amount, _language(context))

    @pass_context
    def fmt_day(context: Mapping[str, Any], value: date | None) -> str:
        return day(value, _language(context))

    @pass_context
    def fmt_moment(context: Mapping[str, Any], value: datetime | None) -> str:
        return moment(value, _language(context))

    return {"czk": fmt_czk, "day": fmt_day, "moment": fmt_moment, "options": options}


def options(pairs: Sequence[tuple[Any, str]], chosen: Any) -> Markup:
    """The <option>s of a long select (ORPs, regions): value and name of each pair, the one
    whose value equals `chosen` as text selected. Drawn once per list and choice."""
    return _options(tuple(pairs), "" if chosen is None else str(chosen))


@lru_cache(maxsize=256)
def _options(pairs: tuple[tuple[Any, str], ...], chosen: str) -> Markup:
    drawn = (
        Markup('<option value="{}"{}>{}</option>').format(
            value, Markup(" selected") if str(value) == chosen else "", name
        )
        for value, name in pairs
    )
    return Markup("").join(drawn)


def install(environment: Any) -> None:
    """Install gettext callables (newstyle) and formatters into a Jinja environment."""
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_callables(_gettext, _ngettext, newstyle=True)
    # The same callables as Jinja's newstyle ones, with the common case drawn once.
    environment.globals.update(
        {"gettext": _template_gettext, "_": _template_gettext, "ngettext": _template_ngettext}
    )
    environment.globals.update(jinja_globals())


@pass_context
def _template_gettext(context: Context, message: str, **variables: Any) -> str:
    """Jinja's newstyle gettext: the translation, escaped when autoescaping, then always
    formatted with `variables`. Without variables the result depends only on the language
    and the message, so it is looked up and escaped once."""
    language = str(context.get("lang", DEFAULT_LANGUAGE))
    if not context.eval_ctx.autoescape:
        return translate(language, message) % variables
    if not variables:
        return _escaped(language, message)
    return Markup(translate(language, message)) % variables


@pass_context
def _template_ngettext(
    context: Context, singular: str, plural: str, n: int, **variables: Any
) -> str:
    """Jinja's newstyle ngettext (see _template_gettext), drawn once per language, message
    and number when `num` is the only variable."""
    language = str(context.get("lang", DEFAULT_LANGUAGE))
    if not context.eval_ctx.autoescape:
        variables.setdefault("num", n)
        return translate_plural(language, singular, plural, n) % variables
    if not variables:
        return _escaped_plural(language, singular, plural, n)
    variables.setdefault("num", n)
    return Markup(translate_plural(language, singular, plural, n)) % variables


@lru_cache(maxsize=4096)
def _escaped(language: str, message: str) -> Markup:
    return Markup(translate(language, message)) % {}


@lru_cache(maxsize=4096)
def _escaped_plural(language: str, singular: str, plural: str, n: int) -> Markup:
    return Markup(translate_plural(language, singular, plural, n)) % {"num": n}


@cache
def page_functions(language: str) -> dict[str, Callable[..., Any]]:
    """What an HTML page (always autoescaped) calls to translate and format, bound to its
    language. The same as the environment's globals, but plain functions: Jinja hands a
    pass_context function called in a loop a derived context on every call."""

    def gettext(message: str, **variables: Any) -> str:
        if not variables:
            return _escaped(language, message)
        return Markup(translate(language, message)) % variables

    def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
        if not variables:
            return _escaped_plural(language, singular, plural, n)
        variables.setdefault("num", n)
        return Markup(translate_plural(language, singular, plural, n)) % variables

    return {
        "_": gettext,
        "gettext": gettext,
        "ngettext": ngettext,
        "czk": partial(czk, language=language),
        "day": partial(day, language=language),
        "moment": partial(moment, language=language),
    }
