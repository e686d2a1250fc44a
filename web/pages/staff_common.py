"""Pieces shared by the staff pages and the staff API: who acts, filters, labels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from litestar import Request
from litestar.exceptions import NotAuthorizedException
from litestar.params import PathParameter
from sqlmodel import Session

from agency.enums import FlatStatus, VettingDecision, VettingRejection
from agency.errors import DomainError
from agency.models import User
from agency.services.flat_queries import FlatFilters
from web.deps import current_user
from web.pagination import BadPage, parse_page
from web.render import t

RecordId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]

STATUS_LABELS: dict[str, str] = {
    FlatStatus.submitted: "Submitted",
    FlatStatus.vetting: "In vetting",
    FlatStatus.available: "Available",
    FlatStatus.rejected: "Rejected",
    FlatStatus.offered: "Offered",
    FlatStatus.let: "Let",
    FlatStatus.withdrawn: "Withdrawn",
}

DECISION_LABELS: dict[str, str] = {
    VettingDecision.approved: "Approved",
    VettingDecision.rejected: "Rejected",
}

REJECTION_LABELS: dict[str, str] = {
    VettingRejection.ownership: "Ownership not confirmed",
    VettingRejection.condition: "Poor condition of the flat",
    VettingRejection.safety: "Gas or electrical safety",
    VettingRejection.rent_above_cap: "Rent above the agency's cap",
    VettingRejection.energy_costs: "Unrealistic energy costs",
    VettingRejection.landlord_conditions: "Landlord's conditions",
    VettingRejection.other: "Other reason",
}

MAX_SEARCH = 100


def acting_user(request: Request[Any, Any, Any], db: Session) -> User:
    """The logged-in user, still active (a deactivated account is logged out here)."""
    user = current_user(request, db)
    if user is None or user.id is None:
        request.clear_session()
        raise NotAuthorizedException("log in first")
    return user


def translated(request: Request[Any, Any, Any], exc: DomainError) -> DomainError:
    """The same error with its message in the request's language."""
    return type(exc)(t(request, exc.message), field=exc.field)


def _int_or_none(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) <= 9 else None


def parse_flat_filters(raw: Mapping[str, str | None]) -> tuple[FlatFilters, int, list[str]]:
    """Filters and page number from the query string, and messages (ids) for bad values."""
    text = {key: (value or "").strip() for key, value in raw.items()}
    errors: list[str] = []
    status = text.get("status", "")
    if status and status not in STATUS_LABELS:
        errors.append("Unknown status.")
    orp = text.get("orp", "")
    if orp and _int_or_none(orp) is None:
        errors.append("The ORP code must be a number.")
    kraj = text.get("kraj", "")
    if kraj and (len(kraj) > 5 or not kraj.isalnum()):
        errors.append("Unknown region.")
    query = text.get("q", "")
    if len(query) > MAX_SEARCH:
        errors.append("The search text is too long.")
    try:
        page = parse_page(text.get("page"))
    except BadPage:
        page = 1
        errors.append("The page number must be a whole number from 1.")
    filters = FlatFilters(
        status=FlatStatus(status) if status in STATUS_LABELS else None,
        orp_code=_int_or_none(orp) if orp else None,
        kraj_code=kraj or None,
        text=query or None,
    )
    return filters, page, errors
