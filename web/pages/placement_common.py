"""Labels, texts and the answer form shared by the placement pages (Czech in workflow.po)."""

from __future__ import annotations

from typing import Any

from litestar import Request

from agency.enums import MatchingScope, MatchStatus, Party
from agency.errors import DomainError, InvalidInput
from agency.services.offers import HOUSEHOLD_DECLINE_REASONS, LANDLORD_DECLINE_REASONS, Answer
from web.forms import Form, FormField, FormResult
from web.i18n import czk, translate_plural
from web.render import request_language, t

MATCH_LABELS: dict[str, str] = {
    MatchStatus.proposed: "Waiting for sign-off",
    MatchStatus.approved: "Offered, waiting for the answers",
    MatchStatus.rejected: "Rejected at sign-off",
    MatchStatus.accepted: "Accepted by both sides",
    MatchStatus.declined: "Offer declined",
    MatchStatus.expired: "Offer expired without an answer",
    MatchStatus.withdrawn: "Proposal withdrawn",
    MatchStatus.leased: "Lease created",
}

SCOPE_LABELS: dict[str, str] = {
    MatchingScope.caseload: "My organisation's caseload",
    MatchingScope.orp: "One ORP",
    MatchingScope.kraj: "One region",
    MatchingScope.all: "Everything",
    MatchingScope.household: "One household",
}

CONSTRAINT_LABELS: dict[str, str] = {
    "size": "Size of the flat",
    "budget": "Rent and services within the budget",
    "deposit": "Deposit",
    "location": "In the acceptable area",
    "accessibility": "Accessibility",
    "pets": "Pets",
    "availability": "Move-in date",
    "excluded": "Declined before",
}

TERM_LABELS: dict[str, str] = {
    "cost_burden": "Share of income spent on housing",
    "occupancy": "Spare places in the flat",
    "distance": "Distance from the chosen place",
    "move_in_gap": "Wait until the flat is free",
}

NEED_LABELS: dict[str, str] = {
    "step_free": "Step-free access",
    "ground_floor": "Ground floor or a lift",
    "pets": "Has pets",
}

LANDLORD_REASON_LABELS: dict[str, str] = {
    "landlord_discrimination": "I do not want this household (no reason given)",
    "rental_history": "The household's rental history or debts",
    "landlord_conditions": "My conditions have changed (rent, term, use of the flat)",
    "household_too_large": "The household is too large for the flat",
    "other": "Other reason (describe it in the note)",
}
HOUSEHOLD_REASON_LABELS: dict[str, str] = {
    "location": "Location (too far from school, work or family)",
    "condition": "Condition of the flat",
    "cost": "Cost (rent, services or energy)",
    "accessibility": "Accessibility or health",
    "other": "Other reason (describe it in the note)",
}
assert set(LANDLORD_REASON_LABELS) == set(LANDLORD_DECLINE_REASONS)
assert set(HOUSEHOLD_REASON_LABELS) == set(HOUSEHOLD_DECLINE_REASONS)

REASONS: dict[str, str] = {
    "no compatible flat": "No available flat meets all the household's conditions.",
    "outranked": "Flats that would fit went to more urgent households.",
    "compatible flats went to other households": "Flats that would fit went to other households.",
    "side constraints": "The agency's limits per worker, landlord or building kept the flat away.",
}


def _plural(request: Request[Any, Any, Any], singular: str, plural: str, n: int) -> str:
    return translate_plural(request_language(request), singular, plural, n)


def near_miss_text(request: Request[Any, Any, Any], miss: dict[str, Any]) -> str:
    """How far a flat is from fitting: "o 1 200 Kč nad rozpočet", "chybí 1 pokoj", ..."""
    gap, unit = float(miss.get("gap", 0)), str(miss.get("unit", ""))
    language = request_language(request)
    if unit in ("CZK over budget", "CZK deposit short"):
        message = {
            "CZK over budget": "%(amount)s over the budget",
            "CZK deposit short": "deposit %(amount)s above what the household can pay",
        }[unit]
        return t(request, message, amount=czk(round(gap), language))
    if unit == "km too far":
        km = f"{gap:.1f}".replace(".", "," if language == "cs" else ".")
        return t(request, "%(km)s km further", km=km)
    plurals = {
        "rooms short": ("%(num)s room short", "%(num)s rooms short"),
        "persons over occupancy": (
            "%(num)s person more than the flat takes",
            "%(num)s persons more than the flat takes",
        ),
        "days late": ("free %(num)s day later", "free %(num)s days later"),
    }
    if unit in plurals:
        return _plural(request, *plurals[unit], max(round(gap), 1))
    return t(request, unit)


def reason_text(request: Request[Any, Any, Any], reason: str) -> str:
    for prefix, message in REASONS.items():
        if reason.startswith(prefix):
            return t(request, message)
    return reason


def need_texts(request: Request[Any, Any, Any], needs: list[str]) -> list[str]:
    out = []
    for need in needs:
        if need.startswith("rooms:"):
            rooms = int(need.split(":", 1)[1])
            out.append(_plural(request, "at least %(num)s room", "at least %(num)s rooms", rooms))
        else:
            out.append(t(request, NEED_LABELS.get(need, need)))
    return out


LABELS: dict[str, Any] = {
    "match_labels": MATCH_LABELS,
    "constraint_labels": CONSTRAINT_LABELS,
    "term_labels": TERM_LABELS,
    "landlord_reasons": LANDLORD_REASON_LABELS,
    "household_reasons": HOUSEHOLD_REASON_LABELS,
}


def answer_form(reasons: dict[str, str]) -> Form:
    """Accept or decline an offer; a decline needs one of the party's reasons."""
    return Form(
        FormField(
            "answer",
            "Answer",
            kind="choice",
            choices=(("accept", "Accept the offer"), ("decline", "Decline the offer")),
        ),
        FormField(
            "reason",
            "Reason for declining",
            kind="choice",
            required=False,
            choices=tuple(reasons.items()),
            help="Required when the offer is declined.",
        ),
        FormField("note", "Note", kind="textarea", required=False),
    )


def parse_answer(
    request: Request[Any, Any, Any], form: Form, data: dict[str, Any], party: Party
) -> tuple[FormResult, Answer | None]:
    """The typed answer, or None with the errors on the form."""
    result = form.parse(data, request_language(request))
    if not result.ok:
        return result, None
    accept = result.values["answer"] == "accept"
    if not accept and not result.values.get("reason"):
        result.add_error("reason", t(request, "Choose the reason of the decline."))
        return result, None
    answer = Answer(
        party=party,
        accept=accept,
        reason=None if accept else result.values["reason"],
        note=result.values.get("note"),
    )
    return result, answer


def answer_problem(
    request: Request[Any, Any, Any], result: FormResult, exc: DomainError
) -> str | None:
    """A refused answer: bad input goes to its field, anything else is the page's problem."""
    if isinstance(exc, InvalidInput) and exc.field in result.raw:
        result.add_error(exc.field, t(request, exc.message))
        return None
    return t(request, exc.message)
