"""Placement proposals (matches) and their life cycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from agency.enums import (
    OPEN_MATCH_STATUSES,
    AuditAction,
    FlatStatus,
    HouseholdStatus,
    MatchStatus,
    UserRole,
)
from agency.errors import Conflict, NotFound
from agency.models import (
    Flat,
    Household,
    HouseholdMember,
    Landlord,
    Match,
    Municipality,
    User,
)
from agency.services.audit import record_audit
from agency.services.households import get_household, require_processing
from agency.services.matching_runs import find_flats, get_run
from agency.services.status import change_status
from notifications.service import Recipient, notify

DEFAULT_OFFER_DAYS = 7
T = TypeVar("T")

_OPEN_INDEX_MESSAGES = {
    "uq_match_open_flat": "the flat already has an open placement proposal",
    "uq_match_open_household": "the household already has an open placement proposal",
}


def propose_match(
    session: Session,
    *,
    household_id: int,
    flat_id: int,
    proposed_by_id: int,
    note: str | None = None,
    score: int | None = None,
    score_terms: dict[str, Any] | None = None,
    explanation: dict[str, Any] | None = None,
    matching_run_id: int | None = None,
) -> Match:
    """Propose `flat_id` for `household_id`.

    The database holds at most one open match per flat and per household; when a
    concurrent proposal wins, this raises Conflict and the caller's transaction stays usable.
    """
    household = session.get(Household, household_id)
    flat = session.get(Flat, flat_id)
    if household is None or flat is None:
        raise NotFound("This household or flat does not exist.")
    require_processing(household)
    if household.status != HouseholdStatus.waiting:
        raise Conflict("The household is not waiting for a flat.")
    if flat.status != FlatStatus.available:
        raise Conflict("The flat is no longer available.")
    match = Match(
        household_id=household_id,
        flat_id=flat_id,
        proposed_by_id=proposed_by_id,
        note=note,
        score=score,
        score_terms=score_terms,
        explanation=explanation,
        matching_run_id=matching_run_id,
    )
    _insert_open_match(session, match)
    record_audit(
        session,
        actor_id=proposed_by_id,
        action=AuditAction.create,
        entity="match",
        entity_id=_id(match),
        to_status=MatchStatus.proposed,
    )
    return match


def _insert_open_match(session: Session, match: Match) -> None:
    try:
        with session.begin_nested():
            session.add(match)
    except IntegrityError as exc:
        raise Conflict(_conflict_message(exc)) from exc


def _conflict_message(exc: IntegrityError) -> str:
    text = str(exc.orig)
    for index, message in _OPEN_INDEX_MESSAGES.items():
        if index in text or index.removeprefix("uq_match_open_") in text:
            return message
    return "the flat or the household already has an open placement proposal"


def _id(record: Match) -> int:
    if record.id is None:
        raise RuntimeError("record has no id after flush")
    return record.id


# --- shared by the workflow services ---------------------------------------------------------


def household_ref(household_id: int) -> str:
    """The pseudonymous reference used in notifications (no names in mail)."""
    return f"D-{household_id}"


@dataclass(frozen=True)
class Locked:
    """A match with its flat and household, locked for this transaction (PostgreSQL)."""

    match: Match
    flat: Flat
    household: Household


def _lock(session: Session, model: type[T], record_id: int) -> T | None:
    # Row locks on PostgreSQL (SQLite serialises writers and ignores FOR UPDATE); fresh values
    # replace whatever this session read before, so the checks see the committed state.
    query = (
        select(model)
        .where(col(getattr(model, "id")) == record_id)  # noqa: B009 (any table with an id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.exec(query).first()


def lock_match(session: Session, *, match_id: int) -> Locked:
    """The match, its flat and household, locked in that order (always the same order)."""
    match = _lock(session, Match, match_id)
    if match is None:
        raise NotFound("This placement proposal does not exist.")
    flat = _lock(session, Flat, match.flat_id)
    household = _lock(session, Household, match.household_id)
    if flat is None or household is None:
        raise NotFound("This placement proposal does not exist.")
    return Locked(match, flat, household)


def address_of(session: Session, flat: Flat) -> str:
    municipality = session.get(Municipality, flat.municipality_code)
    return f"{flat.street}, {municipality.name if municipality else flat.postcode}"


def release(session: Session, locked: Locked, *, actor_id: int | None, now: datetime) -> None:
    """Give the flat and the household back to matching, when the offer held them."""
    if locked.flat.status == FlatStatus.offered:
        change_status(
            session, locked.flat, FlatStatus.available, entity="flat", actor_id=actor_id, now=now
        )
    if locked.household.status == HouseholdStatus.offered:
        change_status(
            session,
            locked.household,
            HouseholdStatus.waiting,
            entity="household",
            actor_id=actor_id,
            now=now,
        )


def require(condition: bool, message: str) -> None:
    """Conflict with `message` unless `condition` holds."""
    if not condition:
        raise Conflict(message)


def active_staff(session: Session, *, but: int | None = None) -> list[User]:
    query = select(User).where(
        col(User.role) == UserRole.staff, col(User.active).is_(True), col(User.id) != (but or 0)
    )
    return list(session.exec(query.order_by(col(User.id))).all())


def user_of(session: Session, user_id: int | None) -> list[User]:
    found = session.get(User, user_id) if user_id is not None else None
    return [found] if found is not None else []


def landlord_recipients(session: Session, landlord: Landlord) -> list[User | Recipient]:
    """The landlord's login (in-app and mail) when there is one, else their address."""
    user = session.exec(select(User).where(col(User.landlord_id) == landlord.id)).first()
    if user is not None and user.active:
        return [user]
    return [Recipient(landlord.email, str(landlord.preferred_language))]


# --- proposing with the engine's explanation ------------------------------------------------


def propose_suggested_match(
    session: Session,
    *,
    actor: User,
    household_id: int,
    flat_id: int,
    now: datetime,
    run_id: int | None = None,
    note: str | None = None,
) -> Match:
    """Propose a flat for a household the actor works with, storing the engine's
    explanation of the pair as the snapshot staff sign off; notifies the household's
    social worker and staff."""
    household = get_household(session, actor=actor, household_id=household_id)
    if run_id is not None:
        get_run(session, run_id=run_id)
    score, terms, explanation = pair_snapshot(
        session, household_id=household_id, flat_id=flat_id, today=now.date(), run_id=run_id
    )
    match = propose_match(
        session,
        household_id=household_id,
        flat_id=flat_id,
        proposed_by_id=int(actor.id or 0),
        note=(note or "").strip()[:2000] or None,
        score=score,
        score_terms=terms,
        explanation=explanation,
        matching_run_id=run_id,
    )
    _notify_proposed(session, match, household, actor, now)
    return match


def pair_snapshot(
    session: Session, *, household_id: int, flat_id: int, today: date, run_id: int | None
) -> tuple[int | None, dict[str, int] | None, dict[str, Any]]:
    """The engine's view of the pair now: fit (lower is better), its terms and the flat's rank
    among the household's best compatible flats; `ranked` is false when it is not among them."""
    search = find_flats(session, household_id=household_id, today=today)
    base: dict[str, Any] = {
        "run_id": run_id,
        "flats_considered": search.flats_count,
        "compatible_ranked": len(search.choices),
    }
    for rank, choice in enumerate(search.choices, 1):
        if choice.flat_id == flat_id:
            details = {"ranked": True, "rank": rank, "fit": choice.fit, "terms": choice.terms}
            return choice.fit, choice.terms, base | details
    unmatched = search.unmatched or {}
    misses = [m for m in unmatched.get("near_misses", []) if m["flat_id"] == flat_id]
    return None, None, base | {"ranked": False, "near_miss": misses[0] if misses else None}


def _notify_proposed(
    session: Session, match: Match, household: Household, actor: User, now: datetime
) -> None:
    flat = session.get(Flat, match.flat_id)
    assert flat is not None
    context = {
        "household_ref": household_ref(household.id or 0),
        "address": address_of(session, flat),
        "proposer_name": actor.name,
    }
    link = f"/signoff/{match.id}"
    notify(
        session,
        kind="match_proposed",
        event_key=f"match_proposed:{match.id}",
        recipients=user_of(session, household.social_worker_id),
        context=context,
        link=f"/offers/{match.id}",
        now=now,
    )
    notify(
        session,
        kind="signoff_needed",
        event_key=f"signoff_needed:{match.id}",
        recipients=active_staff(session, but=actor.id),
        context=context | {"persons": persons_in(session, household.id or 0)},
        link=link,
        now=now,
    )


def persons_in(session: Session, household_id: int) -> int:
    query = select(sa.func.count()).where(col(HouseholdMember.household_id) == household_id)
    return max(int(session.exec(query).one()), 1)


# --- withdrawal ------------------------------------------------------------------------------


def withdraw_match(
    session: Session, *, match_id: int, actor: User, now: datetime, reason: str | None = None
) -> Match:
    """The social worker (or staff) takes back an open proposal or offer."""
    locked = lock_match(session, match_id=match_id)
    get_household(session, actor=actor, household_id=locked.match.household_id)
    require(
        locked.match.status in OPEN_MATCH_STATUSES,
        "This proposal is closed already and cannot be withdrawn.",
    )
    _withdraw(session, locked, actor_id=actor.id, reason=reason or "withdrawn", now=now)
    return locked.match


def _withdraw(
    session: Session, locked: Locked, *, actor_id: int | None, reason: str, now: datetime
) -> None:
    change_status(
        session,
        locked.match,
        MatchStatus.withdrawn,
        entity="match",
        actor_id=actor_id,
        reason=reason[:2000],
        now=now,
    )
    release(session, locked, actor_id=actor_id, now=now)


def release_open_matches(
    session: Session,
    *,
    actor_id: int | None,
    reason: str,
    now: datetime,
    flat_id: int | None = None,
    household_id: int | None = None,
) -> int:
    """Withdraw the open match of a flat or household that leaves matching (a flat withdrawn,
    a household closed): the other side goes back to matching. Returns how many."""
    query = select(Match.id).where(col(Match.status).in_(OPEN_MATCH_STATUSES))
    if flat_id is not None:
        query = query.where(col(Match.flat_id) == flat_id)
    if household_id is not None:
        query = query.where(col(Match.household_id) == household_id)
    ids = list(session.exec(query.order_by(col(Match.id))).all())
    for match_id in ids:
        locked = lock_match(session, match_id=int(match_id or 0))
        if locked.match.status in OPEN_MATCH_STATUSES:
            _withdraw(session, locked, actor_id=actor_id, reason=reason, now=now)
    return len(ids)
