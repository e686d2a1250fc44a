"""Status changes that follow the life cycles of agency.rules and leave an audit trail."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlmodel import Session

from agency.enums import AuditAction
from agency.errors import Conflict
from agency.models.base import utcnow
from agency.rules import TransitionError, check_transition
from agency.services.audit import record_audit


class HasStatus(Protocol):
    id: int | None
    status: Any
    status_changed_at: datetime | None


def change_status(
    session: Session,
    record: HasStatus,
    target: StrEnum,
    *,
    entity: str,
    actor_id: int | None,
    reason: str | None = None,
    now: datetime | None = None,
) -> None:
    """Move `record` to `target` when its life cycle allows it (else Conflict), audited."""
    current = type(target)(record.status)
    try:
        check_transition(current, target)
    except TransitionError as exc:
        raise Conflict(str(exc)) from exc
    record.status = target
    record.status_changed_at = now or utcnow()
    session.add(record)
    session.flush()
    record_audit(
        session,
        actor_id=actor_id,
        action=AuditAction.status_change,
        entity=entity,
        entity_id=int(record.id or 0),
        from_status=current.value,
        to_status=target.value,
        reason=reason,
    )
