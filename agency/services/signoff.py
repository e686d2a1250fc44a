"""Sign-off of placement proposals by staff, never by the proposer (four eyes).

Approval sends the offer to the landlord and to the household's social worker.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import quote

from sqlmodel import Session

from agency.enums import AuditAction, FlatStatus, HouseholdStatus, MatchStatus, UserRole
from agency.errors import Forbidden, InvalidInput
from agency.models import Landlord, Match, User
from agency.services.audit import record_audit
from agency.services.households import require_processing
from agency.services.matches import (
    Locked,
    address_of,
    household_ref,
    landlord_recipients,
    lock_match,
    persons_in,
    require,
    user_of,
)
from agency.services.matching_runs import setting_value
from agency.services.status import change_status
from notifications.service import notify

DEFAULT_OFFER_DAYS = 7


# --- sign-off (four eyes) --------------------------------------------------------------------


def _check_reviewer(match: Match, reviewer: User) -> None:
    if reviewer.role not in (UserRole.staff, UserRole.admin):
        raise Forbidden("Only agency staff sign off placement proposals.")
    if reviewer.id == match.proposed_by_id:
        raise Forbidden(
            "You proposed this placement, so another staff member must sign it off (four eyes)."
        )


def _record_signoff(session: Session, match: Match, reviewer: User, reason: str | None) -> None:
    record_audit(
        session,
        actor_id=reviewer.id,
        action=AuditAction.signoff,
        entity="match",
        entity_id=match.id or 0,
        to_status=str(match.status),
        reason=reason,
        details={"decision": str(match.status)},
    )


def approve_match(
    session: Session,
    *,
    match_id: int,
    reviewer: User,
    now: datetime,
    base_url: str = "",
    landlord_link: Callable[[int], str] | None = None,
) -> Match:
    """Sign off a proposal made by someone else: the offer goes to the landlord and the
    household, and the flat and household are `offered` until it is answered or expires."""
    locked = lock_match(session, match_id=match_id)
    match, flat, household = locked.match, locked.flat, locked.household
    _check_reviewer(match, reviewer)
    require(match.status == MatchStatus.proposed, "This proposal has been decided already.")
    require(flat.status == FlatStatus.available, "The flat is no longer available.")
    require(
        household.status == HouseholdStatus.waiting,
        "The household is no longer waiting for a flat.",
    )
    require_processing(household)
    days = setting_value(session, "offer_expiry_days", DEFAULT_OFFER_DAYS)
    match.reviewed_by_id, match.reviewed_at = reviewer.id, now
    match.offer_expires_at = now + timedelta(days=max(days, 1))
    change_status(
        session, match, MatchStatus.approved, entity="match", actor_id=reviewer.id, now=now
    )
    for record, target, entity in (
        (flat, FlatStatus.offered, "flat"),
        (household, HouseholdStatus.offered, "household"),
    ):
        change_status(session, record, target, entity=entity, actor_id=reviewer.id, now=now)
    _record_signoff(session, match, reviewer, None)
    _notify_approved(session, locked, reviewer, now, base_url, landlord_link)
    return match


def _answer_url(
    landlord_id: int, portal: str, base_url: str, landlord_link: Callable[[int], str] | None
) -> str:
    """A login link that opens the offer (landlords log in by link, not by password)."""
    if landlord_link is None:
        return f"{base_url}{portal}"
    return f"{landlord_link(landlord_id)}&next={quote(portal, safe='/')}"


def _notify_approved(
    session: Session,
    locked: Locked,
    reviewer: User,
    now: datetime,
    base_url: str,
    landlord_link: Callable[[int], str] | None,
) -> None:
    match, flat, household = locked.match, locked.flat, locked.household
    address, ref = address_of(session, flat), household_ref(household.id or 0)
    landlord = session.get(Landlord, flat.landlord_id)
    assert landlord is not None and match.offer_expires_at is not None
    answer_by = match.offer_expires_at.date()
    portal = f"/portal/offers/{match.id}"
    notify(
        session,
        kind="offer_to_landlord",
        event_key=f"offer_to_landlord:{match.id}",
        recipients=landlord_recipients(session, landlord),
        context={
            "landlord_name": landlord.name,
            "address": address,
            "persons": persons_in(session, household.id or 0),
            "answer_by": answer_by,
            "answer_url": _answer_url(landlord.id or 0, portal, base_url, landlord_link),
        },
        link=portal,
        now=now,
    )
    notify(
        session,
        kind="offer_to_household",
        event_key=f"offer_to_household:{match.id}",
        recipients=user_of(session, household.social_worker_id),
        context={
            "household_ref": ref,
            "address": address,
            "layout": flat.layout,
            "rent": flat.rent,
            "services": flat.services,
            "deposit": flat.deposit,
            "answer_by": answer_by,
        },
        link=f"/offers/{match.id}",
        now=now,
    )
    notify(
        session,
        kind="match_approved",
        event_key=f"match_approved:{match.id}",
        recipients=user_of(session, match.proposed_by_id),
        context={"household_ref": ref, "address": address, "reviewer_name": reviewer.name},
        link=f"/offers/{match.id}",
        now=now,
    )


def reject_match(
    session: Session, *, match_id: int, reviewer: User, reason: str, now: datetime
) -> Match:
    """Turn down a proposal made by someone else, with a reason told to the proposer."""
    text = (reason or "").strip()
    if not text:
        raise InvalidInput("Give the reason for the rejection.", field="reason")
    locked = lock_match(session, match_id=match_id)
    match = locked.match
    _check_reviewer(match, reviewer)
    require(match.status == MatchStatus.proposed, "This proposal has been decided already.")
    match.reviewed_by_id, match.reviewed_at, match.review_reason = reviewer.id, now, text[:2000]
    change_status(
        session,
        match,
        MatchStatus.rejected,
        entity="match",
        actor_id=reviewer.id,
        reason=text[:2000],
        now=now,
    )
    _record_signoff(session, match, reviewer, text[:2000])
    notify(
        session,
        kind="match_rejected",
        event_key=f"match_rejected:{match.id}",
        recipients=user_of(session, match.proposed_by_id),
        context={
            "household_ref": household_ref(match.household_id),
            "address": address_of(session, locked.flat),
            "reviewer_name": reviewer.name,
            "reason": text[:2000],
        },
        link=f"/offers/{match.id}",
        now=now,
    )
    return match
