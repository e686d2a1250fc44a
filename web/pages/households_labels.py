"""Labels (English message ids) of the household pages, and their errors translated."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from litestar import Request

from agency.enums import AuditAction, BarrierStage, HouseholdCloseReason, HouseholdStatus
from agency.errors import DomainError
from web.render import t

T = TypeVar("T")

STATUS_LABELS: dict[str, str] = {
    HouseholdStatus.registered: "Registered",
    HouseholdStatus.waiting: "Waiting for a flat",
    HouseholdStatus.offered: "Offered a flat",
    HouseholdStatus.housed: "Housed",
    HouseholdStatus.closed: "Closed",
}
CLOSE_LABELS: dict[str, str] = {
    HouseholdCloseReason.housed_elsewhere: "Found housing elsewhere",
    HouseholdCloseReason.need_ended: "The need has ended",
    HouseholdCloseReason.moved_away: "Moved away",
    HouseholdCloseReason.lost_contact: "Contact lost",
    HouseholdCloseReason.consent_withdrawn: "Consent withdrawn",
    HouseholdCloseReason.deceased: "Deceased",
    HouseholdCloseReason.other: "Other reason",
}
STAGE_LABELS: dict[str, str] = {
    BarrierStage.access: "Getting housing",
    BarrierStage.sustain: "Keeping housing",
}
AUDIT_LABELS: dict[str, str] = {
    AuditAction.create: "Household registered",
    AuditAction.update: "Details changed",
    AuditAction.status_change: "Status changed",
    AuditAction.view: "Opened",
    AuditAction.export: "Exported",
    AuditAction.erase: "Erased",
}


def translated(request: Request[Any, Any, Any], call: Callable[[], T]) -> T:
    """The call's result; a refusal is raised again with its message in the user's language."""
    try:
        return call()
    except DomainError as exc:
        raise type(exc)(t(request, exc.message), field=exc.field) from exc
