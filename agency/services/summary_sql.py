"""SQL building blocks of the summaries: the period, the scope, portable date arithmetic.

Everything here returns SQL expressions; the same query runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import col

from agency.enums import SummaryScope
from agency.models import Household, HouseholdArea, Lease, Municipality


@dataclass(frozen=True)
class Period:
    """Inclusive dates of a summary's period."""

    start: date
    end: date

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(), tzinfo=UTC)

    @property
    def until(self) -> datetime:
        """The first moment after the period (timestamps are compared with <)."""
        return datetime.combine(self.end + timedelta(days=1), time(), tzinfo=UTC)

    def previous(self) -> Period:
        """The period of the same length just before this one: the same number of whole
        months when the period is made of whole months (H1 → the previous H2), else days."""
        end = self.start - timedelta(days=1)
        after = self.end + timedelta(days=1)
        if self.start.day == 1 and after.day == 1:
            months = (after.year - self.start.year) * 12 + after.month - self.start.month
            return Period(months_before(self.start, months), end)
        return Period(end - (self.end - self.start), end)

    def dates(self, column: Any) -> Any:
        return col(column).between(self.start, self.end)

    def moments(self, column: Any) -> Any:
        return sa.and_(col(column) >= self.since, col(column) < self.until)


@dataclass(frozen=True)
class Where:
    """The scope: the whole agency, one kraj (code) or one ORP (code as text)."""

    scope: SummaryScope
    code: str = ""

    def orps(self) -> Any:
        """The scope's ORP codes (a sub-select), or None for the whole agency."""
        if self.scope == SummaryScope.orp:
            return sa.select(sa.literal(int(self.code)))
        query = sa.select(col(Municipality.orp_code)).where(
            col(Municipality.kraj_code) == self.code
        )
        return query.distinct()

    def municipalities(self) -> Any:
        orp = col(Municipality.orp_code)
        return sa.select(col(Municipality.code)).where(orp.in_(self.orps()))

    def place(self, municipality_column: Any) -> Any:
        """A condition on a municipality code column (true for the whole agency)."""
        if self.scope == SummaryScope.agency:
            return sa.true()
        return col(municipality_column).in_(self.municipalities())

    def orp(self, orp_column: Any) -> Any:
        if self.scope == SummaryScope.agency:
            return sa.true()
        return col(orp_column).in_(self.orps())

    def household(self) -> Any:
        """Households whose anchor or acceptable area lies in the scope."""
        if self.scope == SummaryScope.agency:
            return sa.true()
        areas = sa.select(col(HouseholdArea.household_id)).where(
            sa.or_(
                col(HouseholdArea.orp_code).in_(self.orps()),
                col(HouseholdArea.municipality_code).in_(self.municipalities()),
            )
        )
        anchor = col(Household.anchor_municipality_code).in_(self.municipalities())
        return sa.or_(col(Household.id).in_(areas), anchor)


class days_between(FunctionElement[int]):
    """Whole days from the second date to the first."""

    type = sa.Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_default(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"({later} - {earlier})"


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


class add_months(FunctionElement[date]):
    """A date column plus a fixed number of months (a literal)."""

    type = sa.Date()
    inherit_cache = True
    name = "add_months"


@compiles(add_months)
def _months_default(element: add_months, compiler: SQLCompiler, **kw: Any) -> str:
    column, months = element.clauses
    return (
        f"CAST(({compiler.process(column, **kw)} + interval '{int(months.value)} months') AS DATE)"
    )


@compiles(add_months, "sqlite")
def _months_sqlite(element: add_months, compiler: SQLCompiler, **kw: Any) -> str:
    column, months = element.clauses
    return f"date({compiler.process(column, **kw)}, '+{int(months.value)} months')"


def lease_active_on(day: date) -> Any:
    """A lease running on `day` (started, not yet ended)."""
    ended = col(Lease.ended_on)
    return sa.and_(col(Lease.start_date) <= day, sa.or_(ended.is_(None), ended > day))


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (clamped to the month's end)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    for last in (31, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def median(values: list[int]) -> float | None:
    """The median of sorted values (None when there are none)."""
    if not values:
        return None
    mid = len(values) // 2
    return float(values[mid]) if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
