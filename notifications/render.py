"""Rendering of a notification in the recipient's language: subject, plain text and HTML.

Templates live in `templates/<kind>/<language>/{subject.txt,body.txt,body.html}`; HTML is
autoescaped, text is not. A missing context key is an error, never an empty string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from notifications import formatting

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("cs", "en")
DEFAULT_LANGUAGE = "cs"
LINK_KEY = "_link"  # where `notify` keeps the notification's link inside the stored context


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render_message(kind: str, language: str, context: dict[str, Any], *, base_url: str) -> Rendered:
    """The subject, text and HTML of `kind` for `context`, in `language` (Czech if unknown)."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    env = environment(language)
    values = template_values(context, base_url=base_url)
    subject = env.get_template(f"{kind}/{language}/subject.txt").render(values)
    return Rendered(
        subject=_one_line(subject),
        text=env.get_template(f"{kind}/{language}/body.txt").render(values),
        html=env.get_template(f"{kind}/{language}/body.html").render(values),
    )


def render_title(kind: str, language: str, context: dict[str, Any]) -> str:
    """The one-line title of an in-app notification (the email's subject)."""
    return render_message(kind, language, context, base_url="").subject


def template_values(context: dict[str, Any], *, base_url: str) -> dict[str, Any]:
    values = {key: value for key, value in context.items() if key != LINK_KEY}
    link = context.get(LINK_KEY)
    values["link_url"] = f"{base_url}{link}" if link and link.startswith("/") else link
    values["base_url"] = base_url
    return values


@cache
def environment(language: str) -> Environment:
    """The Jinja environment of one language, with its number, date and plural filters."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,  # templates ship with the code: no stat() per message
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        czk=partial(_czk, language=language),
        day=partial(formatting.format_day, language=language),
        moment=partial(formatting.format_moment, language=language),
        number=partial(formatting.format_number, language=language),
        plural=partial(_plural, language=language),
        count=partial(_count, language=language),
    )
    env.globals["language"] = language
    return env


def _czk(amount: int | float, language: str) -> str:
    return formatting.format_czk(amount, language)


def _plural(count: int, *forms: str, language: str) -> str:
    return formatting.plural(count, forms, language)


def _count(count: int, *forms: str, language: str) -> str:
    """ "5 nabídek": the number followed by the right form of the noun."""
    number = formatting.format_number(count, language)
    return f"{number}\xa0{formatting.plural(count, forms, language)}"


def _one_line(text: str) -> str:
    # A header must not carry a newline; no-break spaces (12 500 Kč) stay as they are.
    return re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", text).strip()
