"""Czech (default) and English: catalogs, the request's language, Czech formats.

Message ids are English; `web/locale/cs/*.po` hold the Czech translations (one file per
area of the app). The app loads the compiled catalog `web/locale/cs/LC_MESSAGES/messages.mo`
(`python -m agency.catalogs`, done when the image is built) when it is newer than every `.po`
file, and otherwise merges and compiles the `.po` files in memory when it starts.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.numbers import format_decimal
from jinja2 import pass_context

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

    return {"czk": fmt_czk, "day": fmt_day, "moment": fmt_moment}


def install(environment: Any) -> None:
    """Install gettext callables (newstyle) and formatters into a Jinja environment."""
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_callables(_gettext, _ngettext, newstyle=True)
    environment.globals.update(jinja_globals())
