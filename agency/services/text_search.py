"""Searching text without regard to case or Czech diacritics, inside the database.

`folded(column)` is the SQL twin of `agency.rules.fold_diacritics`: compare it with a
folded search text through `contains_pattern`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

# Czech letters with diacritics and their plain forms, for searching without them.
_ACCENTED = "áčďéěíňóřšťúůýžäöü"
_PLAIN = "acdeeinorstuuyzaou"
# SQLite's lower() folds only ASCII, so capitals are replaced first; SQLite's parser
# refuses more than about 25 nested calls, hence only the capitals that start words.
_SQLITE_CAPITALS = (
    ("Á", "a"),
    ("Č", "c"),
    ("Í", "i"),
    ("Ř", "r"),
    ("Š", "s"),
    ("Ú", "u"),
    ("Ž", "z"),
)


class folded(FunctionElement[str]):
    """SQL text in lowercase without Czech diacritics (like `fold_diacritics`)."""

    type = sa.String()
    name = "folded"
    inherit_cache = True


def folded_sql(argument: str) -> str:
    """The SQL of `folded(argument)` on PostgreSQL: the trigram indexes of the migrations
    are built on this text, which must match the queries' character for character."""
    # PostgreSQL's lower() knows every letter; translate() then drops the accents.
    return f"translate(lower({argument}), '{_ACCENTED}', '{_PLAIN}')"


@compiles(folded)
def _folded_default(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    return folded_sql(compiler.process(element.clauses, **kw))


@compiles(folded, "sqlite")
def _folded_sqlite(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    expression: Any = next(iter(element.clauses))
    for capital, plain in _SQLITE_CAPITALS:
        expression = sa.func.replace(expression, sa.literal_column(f"'{capital}'"), plain)
    expression = sa.func.lower(expression)
    for accented, plain in zip(_ACCENTED, _PLAIN, strict=True):
        expression = sa.func.replace(expression, sa.literal_column(f"'{accented}'"), plain)
    return str(compiler.process(expression, **kw))


def contains_pattern(text: str) -> str:
    """A LIKE pattern (escape character \\) for text anywhere in a value."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
