"""Placement proposals (matches) and their life cycle."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from agency.enums import AuditAction, FlatStatus, HouseholdStatus, MatchStatus
from agency.errors import Conflict, NotFound
from agency.models import Flat, Household, Match
from agency.services.audit import record_audit

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
        raise NotFound("no such household or flat")
    if household.status != HouseholdStatus.waiting:
        raise Conflict(f"the household is '{household.status}', not waiting")
    if flat.status != FlatStatus.available:
        raise Conflict(f"the flat is '{flat.status}', not available")
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
