"""The offer: staff sign off a proposal (four eyes), the landlord and the household answer,
unanswered offers expire. Every decline is recorded as a barrier."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from agency.enums import (
    AuditAction,
    BarrierSource,
    BarrierStage,
    FlatStatus,
    HouseholdStatus,
    MatchStatus,
    OfferAnswer,
    Party,
)
from agency.errors import InvalidInput
from agency.models import BarrierCategory, Flat, Household, Landlord, Match, Municipality, User
from agency.services.audit import record_audit
from agency.services.barriers import record_barrier
from agency.services.households import get_household, require_processing
from agency.services.leases import create_lease
from agency.services.matches import (
    Locked,
    address_of,
    household_ref,
    landlord_recipients,
    lock_match,
    release,
    require,
    user_of,
)
from agency.services.placement_views import landlord_match
from agency.services.status import change_status
from notifications.service import Recipient, notify

DEFAULT_OFFER_DAYS = 7
REMIND_DAYS_BEFORE = 2

# Reasons each party may give for a decline, as the barrier categories they are recorded as.
LANDLORD_DECLINE_REASONS: dict[str, str] = {
    "landlord_discrimination": "landlord_discrimination",
    "rental_history": "rental_history",
    "landlord_conditions": "landlord_conditions",
    "household_too_large": "household_too_large",
    "other": "other",
}
HOUSEHOLD_DECLINE_REASONS: dict[str, str] = {
    "location": "no_flat_in_area",
    "condition": "flat_defects",
    "cost": "rent_unaffordable",
    "accessibility": "accessibility_health",
    "other": "other",
}

# --- answers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One party's answer; a decline needs a reason code of that party's list."""

    party: Party
    accept: bool
    reason: str | None = None
    note: str | None = None


def _check_answer(answer: Answer) -> str | None:
    """The barrier category of a decline (None for an acceptance), else InvalidInput."""
    if answer.accept:
        return None
    reasons = (
        LANDLORD_DECLINE_REASONS if answer.party == Party.landlord else HOUSEHOLD_DECLINE_REASONS
    )
    if answer.reason not in reasons:
        raise InvalidInput("Choose the reason of the decline.", field="reason")
    if answer.reason == "other" and not (answer.note or "").strip():
        raise InvalidInput("Describe the reason in the note.", field="note")
    return reasons[answer.reason]


def _check_open_offer(locked: Locked, party: Party, now: datetime) -> None:
    match = locked.match
    require(match.status == MatchStatus.approved, "This offer is no longer open.")
    expires = match.offer_expires_at
    require(expires is None or now <= expires, "This offer has expired.")
    require(locked.flat.status == FlatStatus.offered, "The flat is no longer on offer.")
    require(
        locked.household.status == HouseholdStatus.offered,
        "The household is no longer waiting for this flat.",
    )
    given = match.landlord_answer if party == Party.landlord else match.household_answer
    require(given is None, "This answer has been recorded already.")


def answer_offer(
    session: Session, *, match_id: int, answer: Answer, actor_id: int | None, now: datetime
) -> Match:
    """Record the landlord's or the household's answer. A decline closes the offer (the flat
    and household go back to matching, a barrier is recorded); when both accept, the lease
    is created with default terms."""
    category = _check_answer(answer)
    locked = lock_match(session, match_id=match_id)
    require_processing(locked.household)
    _check_open_offer(locked, answer.party, now)
    match = locked.match
    choice = OfferAnswer.accept if answer.accept else OfferAnswer.decline
    if answer.party == Party.landlord:
        match.landlord_answer, match.landlord_answered_at = choice, now
        match.landlord_reason = answer.reason if category else None
    else:
        match.household_answer, match.household_answered_at = choice, now
        match.household_reason = answer.reason if category else None
    record_audit(
        session,
        actor_id=actor_id,
        action=AuditAction.update,
        entity="match",
        entity_id=match.id or 0,
        details={"party": answer.party.value, "answer": choice.value, "reason": answer.reason},
    )
    _notify_answer(session, locked, answer, now)
    if category is not None:
        _decline(session, locked, answer, category, actor_id, now)
    elif match.landlord_answer == match.household_answer == OfferAnswer.accept:
        change_status(
            session, match, MatchStatus.accepted, entity="match", actor_id=actor_id, now=now
        )
        create_lease(session, locked=locked, actor_id=actor_id, now=now)
    else:
        session.add(match)
        session.flush()
    return match


def _decline(
    session: Session,
    locked: Locked,
    answer: Answer,
    category: str,
    actor_id: int | None,
    now: datetime,
) -> None:
    match, flat = locked.match, locked.flat
    note = (answer.note or "").strip()[:2000] or None
    match.declined_by, match.decline_note = answer.party, note
    change_status(
        session,
        match,
        MatchStatus.declined,
        entity="match",
        actor_id=actor_id,
        reason=f"{answer.party.value}: {answer.reason}",
        now=now,
    )
    release(session, locked, actor_id=actor_id, now=now)
    if not _category_exists(session, category):
        return  # an "other" reason stays on the match until the category exists
    source = (
        BarrierSource.landlord_decline
        if answer.party == Party.landlord
        else BarrierSource.household_decline
    )
    municipality = session.get(Municipality, flat.municipality_code)
    record_barrier(
        session,
        category_code=category,
        stage=BarrierStage.access,
        source=source,
        observed_on=now.date(),
        household_id=match.household_id,
        flat_id=flat.id,
        landlord_id=flat.landlord_id,
        orp_code=municipality.orp_code if municipality else None,
        note=note,
        recorded_by_id=actor_id,
    )


def _category_exists(session: Session, code: str) -> bool:
    query = select(BarrierCategory.id).where(
        BarrierCategory.code == code, col(BarrierCategory.active).is_(True)
    )
    return session.exec(query).first() is not None


def _notify_answer(session: Session, locked: Locked, answer: Answer, now: datetime) -> None:
    match = locked.match
    notify(
        session,
        kind="offer_answered",
        event_key=f"offer_answered:{match.id}:{answer.party.value}",
        recipients=[
            *user_of(session, locked.household.social_worker_id),
            *user_of(session, match.reviewed_by_id),
        ],
        context={
            "household_ref": household_ref(match.household_id),
            "address": address_of(session, locked.flat),
            "party": answer.party.value,
            "accepted": answer.accept,
            "reason": answer.reason or "",
        },
        link=f"/offers/{match.id}",
        now=now,
    )


def answer_as_landlord(
    session: Session,
    *,
    landlord_id: int | None,
    match_id: int,
    answer: Answer,
    actor_id: int | None,
    now: datetime,
) -> Match:
    """The landlord's answer, for an offer of one of their own flats (else NotFound)."""
    landlord_match(session, landlord_id=landlord_id, match_id=match_id)
    return answer_offer(session, match_id=match_id, answer=answer, actor_id=actor_id, now=now)


def answer_for_household(
    session: Session, *, actor: User, match_id: int, answer: Answer, now: datetime
) -> Match:
    """The household's answer, recorded by a social worker who works with it (else NotFound)."""
    match = session.get(Match, match_id)
    get_household(session, actor=actor, household_id=match.household_id if match else 0)
    return answer_offer(session, match_id=match_id, answer=answer, actor_id=actor.id, now=now)


# --- expiry ----------------------------------------------------------------------------------


def expire_offers(session: Session, *, now: datetime) -> int:
    """Close the approved offers past their answer date: the match `expired`, the flat and
    household back to matching, `offer_expired` to the social worker and the reviewer.
    Idempotent: returns how many offers it closed this time."""
    query = select(Match.id).where(
        col(Match.status) == MatchStatus.approved, col(Match.offer_expires_at) < now
    )
    closed = 0
    for match_id in session.exec(query.order_by(col(Match.id))).all():
        locked = lock_match(session, match_id=int(match_id or 0))
        expires = locked.match.offer_expires_at
        if locked.match.status != MatchStatus.approved or expires is None or expires >= now:
            continue  # answered or changed meanwhile
        change_status(
            session, locked.match, MatchStatus.expired, entity="match", actor_id=None, now=now
        )
        release(session, locked, actor_id=None, now=now)
        _notify_expired(session, locked, now)
        closed += 1
    return closed


def _notify_expired(session: Session, locked: Locked, now: datetime) -> None:
    match = locked.match
    notify(
        session,
        kind="offer_expired",
        event_key=f"offer_expired:{match.id}",
        recipients=[
            *user_of(session, locked.household.social_worker_id),
            *user_of(session, match.reviewed_by_id),
        ],
        context={
            "household_ref": household_ref(match.household_id),
            "address": address_of(session, locked.flat),
        },
        link=f"/offers/{match.id}",
        now=now,
    )


def remind_expiring_offers(
    session: Session, *, now: datetime, days_before: int = REMIND_DAYS_BEFORE
) -> int:
    """`offer_expiring` to whoever has not answered an offer ending within `days_before`
    days (once per offer and party); returns how many reminders were new."""
    query = select(Match).where(
        col(Match.status) == MatchStatus.approved,
        col(Match.offer_expires_at) >= now,
        col(Match.offer_expires_at) <= now + timedelta(days=days_before),
    )
    sent = 0
    for match in session.exec(query.order_by(col(Match.id))).all():
        sent += _remind(session, match, now)
    return sent


def _remind(session: Session, match: Match, now: datetime) -> int:
    flat, household = session.get(Flat, match.flat_id), session.get(Household, match.household_id)
    assert flat is not None and household is not None and match.offer_expires_at is not None
    landlord = session.get(Landlord, flat.landlord_id)
    parties: list[tuple[str, Sequence[User | Recipient], str]] = []
    if match.landlord_answer is None and landlord is not None:
        parties.append(("landlord", landlord_recipients(session, landlord), "/portal/offers/"))
    if match.household_answer is None:
        parties.append(("household", user_of(session, household.social_worker_id), "/offers/"))
    sent = 0
    for party, recipients, path in parties:
        queued = notify(
            session,
            kind="offer_expiring",
            event_key=f"offer_expiring:{match.id}:{party}",
            recipients=recipients,
            context={
                "household_ref": household_ref(match.household_id),
                "address": address_of(session, flat),
                "answer_by": match.offer_expires_at.date(),
                "days_left": max((match.offer_expires_at - now).days, 0),
            },
            link=f"{path}{match.id}",
            now=now,
        )
        sent += queued.emails + queued.in_app > 0
    return sent
