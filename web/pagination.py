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
    """The number of rows `query` returns, in one COUNT query.

    A plain query is counted over its own FROM and WHERE without its columns, so that no
    column subquery runs and PostgreSQL drops LEFT JOINs the count does not need; a query
    with GROUP BY, DISTINCT or LIMIT is counted as a subquery."""
    if _countable_in_place(query):
        counted = query.with_only_columns(sa.func.count(), maintain_column_froms=True)
        return int(session.execute(counted.order_by(None)).scalar_one())
    counted = sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    return int(session.execute(counted).scalar_one())


def _countable_in_place(query: AnySelect) -> bool:
    # Private attributes: SQLAlchemy 2.1 has no public accessor for these.
    return not (
        query._group_by_clauses
        or query._having_criteria
        or query._distinct
        or query._limit_clause is not None
        or query._offset_clause is not None
    )


def paginate(
    session: Session,
    query: AnySelect,
    *,
    page: int = 1,
    per_page: int | None = None,
    total: int | None = None,
) -> Page[Any]:
    """One page of `query`'s rows (each a Row of the selected entities) and the totals;
    `total` is the number of `query`'s rows when the caller knows it (else counted)."""
    size = bound_per_page(per_page)
    if total is None:
        total = count_rows(session, query)
    pagination = Pagination(page=max(page, 1), per_page=size, total=total)
    return Page(items=page_rows(session, query, size, pagination.offset), pagination=pagination)


def page_rows(session: Session, query: AnySelect, size: int, offset: int) -> Sequence[Any]:
    """The rows of one page. When the first entity has a one-column primary key, the page's
    keys are found first (narrow rows, often from an index alone, without the columns'
    subqueries or the joins only shown), then their full rows in the same order."""
    key = _primary_key(query)
    if key is None or not _countable_in_place(query):
        return session.execute(query.limit(size).offset(offset)).all()
    keys_query = query.with_only_columns(key, maintain_column_froms=True)
    keys = session.execute(keys_query.limit(size).offset(offset)).scalars().all()
    if len(set(keys)) != len(keys):  # one row per entity only (no one-to-many join)
        return session.execute(query.limit(size).offset(offset)).all()
    if not keys:
        return []
    return session.execute(query.where(key.in_(keys))).all()


def _primary_key(query: AnySelect) -> Any:
    """The primary key column of the query's first entity, when it is one column."""
    descriptions = query.column_descriptions
    entity = descriptions[0].get("entity") if descriptions else None
    if entity is None:
        return None
    mapper = sa.inspect(entity, raiseerr=False)
    columns: tuple[Any, ...] = tuple(getattr(mapper, "primary_key", ()))
    if len(columns) != 1:
        return None
    return getattr(entity, columns[0].key, None)
