"""Barriers to getting and keeping housing, recorded by people and by the system."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from agency.enums import BarrierSource, BarrierStage
from agency.errors import InvalidInput
from agency.models import Barrier, BarrierCategory


def category_by_code(session: Session, *, code: str) -> BarrierCategory:
    """The active barrier category with this code, else InvalidInput."""
    query = select(BarrierCategory).where(
        BarrierCategory.code == code, col(BarrierCategory.active).is_(True)
    )
    found = session.exec(query).first()
    if found is None:
        raise InvalidInput(f"unknown barrier category {code!r}", field="category_code")
    return found


def record_barrier(
    session: Session,
    *,
    category_code: str,
    stage: BarrierStage,
    source: BarrierSource,
    observed_on: date,
    household_id: int | None = None,
    flat_id: int | None = None,
    landlord_id: int | None = None,
    orp_code: int | None = None,
    note: str | None = None,
    recorded_by_id: int | None = None,
) -> Barrier:
    """Record one barrier of the category `category_code` in the current transaction."""
    category = category_by_code(session, code=category_code)
    barrier = Barrier(
        category_id=int(category.id or 0),
        stage=stage,
        source=source,
        observed_on=observed_on,
        household_id=household_id,
        flat_id=flat_id,
        landlord_id=landlord_id,
        orp_code=orp_code,
        note=note[:2000] if note else None,
        recorded_by_id=recorded_by_id,
    )
    session.add(barrier)
    session.flush()
    return barrier
