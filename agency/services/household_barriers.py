"""Barriers a social worker records for one household, and how they were overcome."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from agency.enums import BarrierSource, BarrierStage
from agency.errors import Conflict, InvalidInput, NotFound
from agency.models import Barrier, BarrierCategory, HouseholdArea, Intervention, Municipality, User
from agency.services.barriers import record_barrier
from agency.services.households import (
    get_household,
    require_not_pseudonymised,
)


@dataclass(frozen=True)
class BarrierItem:
    barrier: Barrier
    category: BarrierCategory
    intervention: Intervention | None


def active_categories(session: Session) -> Sequence[BarrierCategory]:
    query = select(BarrierCategory).where(col(BarrierCategory.active).is_(True))
    return session.exec(
        query.order_by(col(BarrierCategory.sort_order), col(BarrierCategory.id))
    ).all()


def active_interventions(session: Session) -> Sequence[Intervention]:
    query = select(Intervention).where(col(Intervention.active).is_(True))
    return session.exec(query.order_by(col(Intervention.sort_order), col(Intervention.id))).all()


def household_barriers(session: Session, *, household_id: int) -> list[BarrierItem]:
    """The household's barriers, newest first, with their category and intervention."""
    query = (
        sa.select(Barrier, BarrierCategory, Intervention)
        .join(BarrierCategory, col(BarrierCategory.id) == col(Barrier.category_id))
        .outerjoin(Intervention, col(Intervention.id) == col(Barrier.intervention_id))
        .where(col(Barrier.household_id) == household_id)
        .order_by(col(Barrier.observed_on).desc(), col(Barrier.id).desc())
    )
    return [BarrierItem(b, c, i) for b, c, i in session.execute(query).all()]


def _household_orp(session: Session, household_id: int) -> int | None:
    """The ORP the household looks for housing in (its first area), for the summaries."""
    query = (
        sa.select(sa.func.coalesce(col(HouseholdArea.orp_code), col(Municipality.orp_code)))
        .outerjoin(Municipality, col(Municipality.code) == col(HouseholdArea.municipality_code))
        .where(col(HouseholdArea.household_id) == household_id)
        .order_by(col(HouseholdArea.id))
        .limit(1)
    )
    found = session.execute(query).scalar()
    return int(found) if found is not None else None


def add_household_barrier(
    session: Session,
    *,
    actor: User,
    household_id: int,
    category_code: str,
    stage: BarrierStage,
    observed_on: date,
    note: str | None = None,
) -> Barrier:
    """Record a barrier the household's social worker observed."""
    require_not_pseudonymised(get_household(session, actor=actor, household_id=household_id))
    return record_barrier(
        session,
        category_code=category_code,
        stage=stage,
        source=BarrierSource.social_worker,
        observed_on=observed_on,
        household_id=household_id,
        orp_code=_household_orp(session, household_id),
        note=note,
        recorded_by_id=actor.id,
    )


def overcome_barrier(
    session: Session,
    *,
    actor: User,
    household_id: int,
    barrier_id: int,
    intervention_code: str,
    overcome_on: date,
) -> Barrier:
    """Mark the household's barrier overcome by an intervention, on or after it was observed."""
    require_not_pseudonymised(get_household(session, actor=actor, household_id=household_id))
    barrier = session.get(Barrier, barrier_id)
    if barrier is None or barrier.household_id != household_id:
        raise NotFound("This barrier does not exist.")
    if barrier.overcome_on is not None:
        raise Conflict("This barrier is marked overcome already.")
    if overcome_on < barrier.observed_on:
        raise InvalidInput(
            "The barrier cannot be overcome before it was observed.", field="overcome_on"
        )
    query = select(Intervention).where(
        Intervention.code == intervention_code, col(Intervention.active).is_(True)
    )
    intervention = session.exec(query).first()
    if intervention is None:
        raise InvalidInput("Choose one of the options.", field="intervention")
    barrier.overcome_on = overcome_on
    barrier.intervention_id = intervention.id
    session.add(barrier)
    session.flush()
    return barrier
