"""Numbers, money, dates and plurals as Czech and English readers expect them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.numbers import format_decimal

LOCAL_TIME = ZoneInfo("Europe/Prague")
DATE_PATTERNS = {"cs": "d. M. y", "en": "d MMMM y"}
DATETIME_PATTERNS = {"cs": "d. M. y H:mm", "en": "d MMMM y, HH:mm"}
# CLDR plural categories in the order the templates list their forms.
_FORM_ORDER = {"cs": ("one", "few", "other"), "en": ("one", "other")}


def plural(count: int, forms: tuple[str, ...], language: str) -> str:
    """The form of a noun for `count` items: Czech has three (1 nabídka, 2 nabídky, 5 nabídek).

    `forms` lists one word per category of `_FORM_ORDER` for the language.
    """
    order = _FORM_ORDER[language]
    if len(forms) != len(order):
        raise ValueError(f"{language} needs {len(order)} plural forms, got {len(forms)}")
    category = Locale.parse(language).plural_form(abs(int(count)))
    return forms[order.index(category)] if category in order else forms[-1]


def format_number(value: int | float, language: str) -> str:
    """A number grouped as the language does: 12 500 (no-break space) or 12,500."""
    return format_decimal(value, locale=language)


def format_czk(amount: int | float, language: str) -> str:
    """Whole crowns: "12 500 Kč" in Czech, "CZK 12,500" in English (no-break spaces)."""
    number = format_number(round(amount), language)
    return f"{number}\xa0Kč" if language == "cs" else f"CZK\xa0{number}"


def format_day(value: date | datetime | str, language: str) -> str:
    """A calendar day: "21. 11. 2026" in Czech, "21 November 2026" in English."""
    day = as_datetime(value) if isinstance(value, str) and "T" in value else value
    if isinstance(day, datetime):
        day = day.astimezone(LOCAL_TIME).date()
    elif isinstance(day, str):
        day = date.fromisoformat(day)
    return babel_date(day, DATE_PATTERNS[language], locale=language)


def format_moment(value: datetime | str, language: str) -> str:
    """A moment in Prague time: "21. 11. 2026 14:30"."""
    moment = as_datetime(value) if isinstance(value, str) else value
    return babel_datetime(moment, DATETIME_PATTERNS[language], tzinfo=LOCAL_TIME, locale=language)


def as_datetime(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime in a notification context: {value}")
    return moment
