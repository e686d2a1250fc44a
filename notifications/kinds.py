"""The kinds of notification, who receives each, and the context its templates need.

Services pass exactly these context keys to `notify`; dates may be `date`/`datetime`
objects (stored as ISO text), amounts whole CZK. `notify` refuses a context with a key missing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    audience: str
    context: tuple[str, ...]


_KINDS = (
    Kind("flat_received", "staff", ("address", "landlord_name", "rent", "services")),
    Kind(
        "flat_received_landlord",
        "landlord (address only)",
        ("landlord_name", "address", "magic_link_url", "expires_at"),
    ),
    Kind("vetting_result", "landlord", ("address", "approved", "reasons", "max_occupants")),
    Kind(
        "match_proposed",
        "the household's social worker",
        ("household_ref", "address", "proposer_name"),
    ),
    Kind("signoff_needed", "staff", ("household_ref", "address", "proposer_name", "persons")),
    Kind("match_approved", "the proposer", ("household_ref", "address", "reviewer_name")),
    Kind("match_rejected", "the proposer", ("household_ref", "address", "reviewer_name", "reason")),
    Kind(
        "offer_to_landlord",
        "landlord",
        ("landlord_name", "address", "persons", "answer_by", "answer_url"),
    ),
    Kind(
        "offer_to_household",
        "the household's social worker",
        ("household_ref", "address", "layout", "rent", "services", "deposit", "answer_by"),
    ),
    Kind(
        "offer_answered",
        "the social worker and staff",
        ("household_ref", "address", "party", "accepted", "reason"),
    ),
    Kind(
        "offer_expiring",
        "whoever has not answered",
        ("household_ref", "address", "answer_by", "days_left"),
    ),
    Kind("offer_expired", "the social worker and staff", ("household_ref", "address")),
    Kind(
        "lease_starts",
        "the social worker and landlord",
        ("household_ref", "address", "start_date", "rent"),
    ),
    Kind("lease_ends_60", "the social worker and staff", ("household_ref", "address", "end_date")),
    Kind("lease_ends_30", "the social worker and staff", ("household_ref", "address", "end_date")),
    Kind("visit_due", "the social worker", ("household_ref", "address", "planned_on")),
    Kind("visit_overdue", "the social worker", ("household_ref", "planned_on", "days_overdue")),
    Kind(
        "arrears", "the social worker and staff", ("household_ref", "address", "amount", "months")
    ),
    Kind(
        "summary_published",
        "platform members",
        ("title", "scope_name", "period_start", "period_end"),
    ),
    Kind("stale_listing", "staff", ("address", "days_available", "rent")),
    Kind("magic_link", "anyone signing in by email", ("magic_link_url", "expires_at")),
)

KINDS: dict[str, Kind] = {kind.name: kind for kind in _KINDS}


def check_context(kind: str, context: dict[str, object]) -> None:
    """Raise ValueError when `kind` is unknown or `context` lacks a key its templates use."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValueError(f"unknown notification kind {kind!r}")
    missing = [key for key in spec.context if key not in context]
    if missing:
        raise ValueError(f"{kind} needs the context keys: {', '.join(missing)}")
