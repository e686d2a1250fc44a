"""Pages of a list: bounded page numbers, one query for the page and one COUNT."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.sql import Select
from sqlmodel import Session

PER_PAGE = 25
MAX_PER_PAGE = 100
MAX_PAGE = 100_000

T = TypeVar("T")

# Any SELECT, whatever its columns (Select is variadic in SQLAlchemy 2.1).
AnySelect = Select[*tuple[Any, ...]]


class BadPage(ValueError):
    """A page number that is not a whole number in 1..MAX_PAGE."""


@dataclass(frozen=True)
class Pagination:
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """At least one page, so that an empty list still shows "page 1 of 1"."""
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    pagination: Pagination


def parse_page(raw: str | None) -> int:
    """The page number of a query string (1 when missing); BadPage when malformed."""
    text = (raw or "").strip()
    if not text:
        return 1
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
        raise BadPage(text)
    return int(text)


def bound_per_page(per_page: int | None) -> int:
    return min(max(per_page or PER_PAGE, 1), MAX_PER_PAGE)


def count_rows(session: Session, query: AnySelect) -> int:
    """The number of rows `query` returns, in one COUNT query."""
    counted = sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    return int(session.execute(counted).scalar_one())


def paginate(
    session: Session, query: AnySelect, *, page: int = 1, per_page: int | None = None
) -> Page[Any]:
    """One page of `query`'s rows (each a Row of the selected entities) and the totals."""
    size = bound_per_page(per_page)
    pagination = Pagination(page=max(page, 1), per_page=size, total=count_rows(session, query))
    rows = session.execute(query.limit(size).offset(pagination.offset)).all()
    return Page(items=rows, pagination=pagination)
