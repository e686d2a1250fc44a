"""HTML forms without JavaScript: declared fields, typed values, errors in the user's language.

A form that fails keeps every typed value (`raw`) and says what is wrong per field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from web.i18n import translate

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CZ_DATE_RE = re.compile(r"^\s*(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})\s*$")
MAX_TEXT = 4000
# The range of the INTEGER columns whole numbers are stored in (PostgreSQL refuses more).
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# C0 and C1 control characters and DEL, except tab, line feed and carriage return (a browser
# sends a textarea's line breaks as CR LF). PostgreSQL cannot store NUL in text at all.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"  # text, textarea, int, float, date, email, bool, choice, password
    required: bool = True
    low: float | None = None
    high: float | None = None
    max_length: int = 200
    choices: Sequence[tuple[str, str]] = ()
    help: str | None = None
    autocomplete: str | None = None


@dataclass
class FormResult:
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)


class Form:
    """A list of fields, parsed from submitted data in one language."""

    def __init__(self, *fields: FormField) -> None:
        self.fields = fields
        self.by_name = {f.name: f for f in fields}

    def blank(self, initial: Mapping[str, Any] | None = None) -> FormResult:
        raw = {f.name: _to_raw(f, (initial or {}).get(f.name)) for f in self.fields}
        return FormResult(raw=raw)

    def parse(self, data: Mapping[str, Any], language: str) -> FormResult:
        raw = {f.name: _text(data.get(f.name)) for f in self.fields}
        result = FormResult(raw=raw)
        for spec in self.fields:
            value, error = _parse_field(spec, raw[spec.name])
            if error:
                result.errors[spec.name] = _message(language, error)
            else:
                result.values[spec.name] = value
        return result


def _message(language: str, error: tuple[Any, ...]) -> str:
    values = error[1] if len(error) > 1 else {}
    return translate(language, error[0], **values)


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return "" if value is None else str(value)


def _to_raw(spec: FormField, value: Any) -> str:
    if value is None:
        return ""
    if spec.kind == "bool":
        return "on" if value else ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


Error = tuple[str, ...] | tuple[str, dict[str, Any]]


def _parse_field(spec: FormField, raw: str) -> tuple[Any, Any]:
    if spec.kind == "bool":
        return raw.lower() in ("on", "1", "true", "yes", "ano"), None
    text = raw.strip()
    if not text:
        return (None, ("This field is required.",)) if spec.required else (None, None)
    limit = MAX_TEXT if spec.kind == "textarea" else spec.max_length
    if len(text) > limit:
        return None, ("At most %(max)s characters.", {"max": limit})
    if CONTROL_RE.search(text):
        return None, ("Remove the control characters (such as NUL) from this field.",)
    return PARSERS.get(spec.kind, _parse_text)(spec, text)


def has_control_characters(text: str) -> bool:
    """Whether `text` holds a character no form field accepts (NUL, escape, ...)."""
    return CONTROL_RE.search(text) is not None


def _parse_text(spec: FormField, text: str) -> tuple[Any, Any]:
    return text, None


def _parse_email(spec: FormField, text: str) -> tuple[Any, Any]:
    if not EMAIL_RE.match(text):
        return None, ("Enter a valid email address.",)
    return text.lower(), None


def _parse_int(spec: FormField, text: str) -> tuple[Any, Any]:
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    if not re.fullmatch(r"[+-]?\d{1,12}", cleaned):
        return None, ("Enter a whole number.",)
    low = INT_MIN if spec.low is None else max(spec.low, INT_MIN)
    high = INT_MAX if spec.high is None else min(spec.high, INT_MAX)
    return _in_range(replace(spec, low=low, high=high), int(cleaned))


def _parse_float(spec: FormField, text: str) -> tuple[Any, Any]:
    cleaned = text.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not re.fullmatch(r"[+-]?\d{1,9}(\.\d{1,3})?", cleaned):
        return None, ("Enter a number.",)
    return _in_range(spec, float(cleaned))


def _in_range(spec: FormField, number: float) -> tuple[Any, Any]:
    low = spec.low if spec.low is not None else float("-inf")
    high = spec.high if spec.high is not None else float("inf")
    if not low <= number <= high:
        bounds = {"low": _fmt(spec.low), "high": _fmt(spec.high)}
        return None, ("Enter a number between %(low)s and %(high)s.", bounds)
    return number, None


def _fmt(bound: float | None) -> str:
    if bound is None:
        return "–"
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def _parse_date(spec: FormField, text: str) -> tuple[Any, Any]:
    try:
        found = CZ_DATE_RE.match(text)
        if found:
            return date(int(found[3]), int(found[2]), int(found[1])), None
        return date.fromisoformat(text), None
    except ValueError:
        return None, ("Enter a date as DD. MM. YYYY.",)


def _parse_choice(spec: FormField, text: str) -> tuple[Any, Any]:
    if text not in {value for value, _ in spec.choices}:
        return None, ("Choose one of the options.",)
    return text, None


PARSERS = {
    "email": _parse_email,
    "int": _parse_int,
    "float": _parse_float,
    "date": _parse_date,
    "choice": _parse_choice,
}
