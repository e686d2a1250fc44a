"""A flat or a household leaving matching: its open placement proposal is released first.

These compose the flat, household and match services (which must not import each other in
a cycle), so that no open match is left on a withdrawn flat or a closed household.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from agency.enums import HouseholdCloseReason
from agency.models import Flat, Household, User
from agency.services.flats import withdraw_flat
from agency.services.households import close_household, get_household
from agency.services.landlords import get_landlord_flat
from agency.services.matches import release_open_matches


def withdraw_flat_from_matching(
    session: Session,
    *,
    landlord_id: int | None,
    flat_id: int,
    actor_id: int | None,
    now: datetime,
) -> Flat:
    """The landlord withdraws the flat; an open proposal or offer for it is withdrawn too."""
    get_landlord_flat(session, landlord_id=landlord_id, flat_id=flat_id)  # 404 for others'
    release_open_matches(
        session, actor_id=actor_id, reason="the flat was withdrawn", now=now, flat_id=flat_id
    )
    return withdraw_flat(
        session, landlord_id=landlord_id, flat_id=flat_id, actor_id=actor_id, now=now
    )


def close_household_and_release(
    session: Session,
    *,
    actor: User,
    household_id: int,
    reason: HouseholdCloseReason,
    note: str | None,
    now: datetime,
) -> Household:
    """Close the household; an open proposal or offer for it is withdrawn first."""
    get_household(session, actor=actor, household_id=household_id)  # 404 for others'
    release_open_matches(
        session,
        actor_id=actor.id,
        reason="the household was closed",
        now=now,
        household_id=household_id,
    )
    return close_household(
        session, actor=actor, household_id=household_id, reason=reason, note=note
    )
