"""The audit log: status changes, sign-offs and views of personal records."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from agency.enums import AuditAction
from agency.models import AuditEntry


def record_audit(
    session: Session,
    *,
    actor_id: int | None,
    action: AuditAction,
    entity: str,
    entity_id: int,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one audit entry to the current transaction."""
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        details=details,
    )
    session.add(entry)
    return entry
