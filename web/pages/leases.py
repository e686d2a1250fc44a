"""Leases after the move: the list with filters, one lease with its history and ledger,
renewal, ending with a reason, payments and guarantee claims (staff record them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlmodel import Session

from agency.enums import ClaimKind, FlatStatus, HouseholdStatus, LeaseEndReason, UserRole
from agency.errors import DomainError
from agency.models.base import utcnow
from agency.services.gazetteer import list_orps
from agency.services.leases import (
    LeaseEnding,
    LeaseFilters,
    end_lease,
    get_lease,
    lease_detail,
    list_leases,
    renew_lease,
)
from agency.services.rent import record_claim, record_payment
from web.deps import commit
from web.forms import Form, FormField, FormResult
from web.guards import SOCIAL, STAFF
from web.pages import leases_import
from web.pages.staff_common import RecordId, acting_user, translated
from web.render import page, request_language, see_other

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
PageNo = Annotated[int, QueryParameter(name="page", ge=1, le=100_000)]
Flag = Annotated[str | None, QueryParameter(max_length=5)]
OrpParam = Annotated[str | None, QueryParameter(name="orp", max_length=10)]
PER_PAGE = 25

END_REASON_LABELS: dict[str, str] = {
    LeaseEndReason.regular_end: "Regular end of the term",
    LeaseEndReason.moved_on: "Moved to other housing",
    LeaseEndReason.landlord_arrears: "Terminated by the landlord: rent arrears",
    LeaseEndReason.landlord_damage: "Terminated by the landlord: damage",
    LeaseEndReason.landlord_conflict: "Terminated by the landlord: conflict",
    LeaseEndReason.by_tenant: "Terminated by the tenant",
    LeaseEndReason.other: "Other reason",
}
CLAIM_LABELS: dict[str, str] = {
    ClaimKind.rent: "Unpaid rent",
    ClaimKind.damage: "Damage",
    ClaimKind.other: "Other",
}
HOUSEHOLD_NEXT = (
    (HouseholdStatus.waiting.value, "Back on the waiting list (the need remains)"),
    (HouseholdStatus.closed.value, "Close the household's case"),
)
FLAT_NEXT = (
    (FlatStatus.available.value, "Available for another household"),
    (FlatStatus.withdrawn.value, "Withdrawn by the landlord"),
)
PAYMENT_FORM = Form(
    FormField("amount", "Amount (CZK)", kind="int", low=1, high=10_000_000),
    FormField("paid_on", "Paid on", kind="date"),
    FormField("reference", "Bank reference", required=False, max_length=100),
    FormField("note", "Note", required=False, max_length=500),
)
RENEW_FORM = Form(FormField("new_end", "New end of the lease", kind="date"))
END_FORM = Form(
    FormField("reason", "Reason", kind="choice", choices=tuple(END_REASON_LABELS.items())),
    FormField("ended_on", "Ended on", kind="date"),
    FormField("household_next", "The household", kind="choice", choices=HOUSEHOLD_NEXT),
    FormField("flat_next", "The flat", kind="choice", choices=FLAT_NEXT),
    FormField("note", "Note", kind="textarea", required=False),
)
CLAIM_FORM = Form(
    # Names differ from the payment form's: both forms are on one page (unique ids).
    FormField("claim_kind", "Kind of claim", kind="choice", choices=tuple(CLAIM_LABELS.items())),
    FormField("claimed_on", "Claimed on", kind="date"),
    FormField("claim_amount", "Amount (CZK)", kind="int", low=1, high=10_000_000),
    FormField("claim_paid_on", "Paid to the landlord on", kind="date", required=False),
)
LABELS = {"end_labels": END_REASON_LABELS, "claim_labels": CLAIM_LABELS}


def _flag(value: str | None) -> bool:
    return (value or "") in ("1", "on", "true", "yes")


def _orp(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 9 else None


@get("/leases", guards=[SOCIAL], sync_to_thread=True)
def lease_list(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    page_no: PageNo = 1,
    ending: Flag = None,
    arrears: Flag = None,
    orp: OrpParam = None,
) -> Template:
    """Active leases the user may see: ending within 60 days, in arrears, by ORP."""
    user = acting_user(request, db)
    filters = LeaseFilters(ending_soon=_flag(ending), in_arrears=_flag(arrears), orp_code=_orp(orp))
    rows, total = list_leases(
        db, actor=user, filters=filters, today=utcnow().date(), page=page_no, per_page=PER_PAGE
    )
    chosen = {
        "ending": "1" if filters.ending_soon else "",
        "arrears": "1" if filters.in_arrears else "",
    }
    chosen["orp"] = str(filters.orp_code or "")
    query = urlencode({k: v for k, v in chosen.items() if v})
    return page(
        request,
        "leases/list.html",
        rows=rows,
        total=total,
        page_no=page_no,
        pages=max(1, -(-total // PER_PAGE)),
        chosen=chosen,
        base_query=query + "&" if query else "",
        orps=list_orps(db),
    )


def _detail(
    request: Request[Any, Any, Any],
    db: Session,
    lease_id: int,
    *,
    status: int = 200,
    forms: dict[str, FormResult] | None = None,
) -> Template:
    user = acting_user(request, db)
    detail = lease_detail(db, actor=user, lease_id=lease_id, today=utcnow().date())
    today = utcnow().date()
    blank = {
        "payment_form": PAYMENT_FORM.blank({"paid_on": today}),
        "renew_form": RENEW_FORM.blank(),
        "claim_form": CLAIM_FORM.blank({"claimed_on": today}),
    }
    return page(
        request,
        "leases/detail.html",
        status,
        d=detail,
        lease=detail.row.lease,
        can_edit=user.role in (UserRole.staff, UserRole.admin),
        payment_fields=PAYMENT_FORM.fields,
        renew_fields=RENEW_FORM.fields,
        claim_fields=CLAIM_FORM.fields,
        **(blank | (forms or {})),
        **LABELS,
    )


@get("/leases/{lease_id:int}", guards=[SOCIAL], sync_to_thread=True)
def lease_page(
    request: Request[Any, Any, Any], db: NamedDependency[Session], lease_id: RecordId
) -> Template:
    """One lease: terms, renewals, history, charges, payments and claims."""
    return _detail(request, db, lease_id)


def _fail(
    request: Request[Any, Any, Any], db: Session, lease_id: int, name: str, form: FormResult
) -> Template:
    db.rollback()
    return _detail(request, db, lease_id, status=400, forms={name: form})


def _apply_error(request: Request[Any, Any, Any], form: FormResult, exc: DomainError) -> None:
    message = translated(request, exc).message
    name = exc.field if exc.field in form.raw else f"claim_{exc.field}"
    form.add_error(name if name in form.raw else next(iter(form.raw)), message)


def _form_action(
    request: Request[Any, Any, Any],
    db: Session,
    lease_id: int,
    spec: Form,
    data: dict[str, Any],
    name: str,
    target: str,
    act: Callable[[dict[str, Any]], object],
) -> Redirect | Template:
    """Parse one of the lease page's forms, run `act` on its values, commit and go to
    `target`; on bad input or a refused change, the lease page with the form's errors."""
    form = spec.parse(data, request_language(request))
    if form.ok:
        try:
            act(form.values)
            commit(db)
            return see_other(target)
        except DomainError as exc:
            _apply_error(request, form, exc)
    return _fail(request, db, lease_id, name, form)


@post("/leases/{lease_id:int}/payments", guards=[STAFF], sync_to_thread=True, status_code=303)
def payment_post(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    lease_id: RecordId,
    data: FormData,
) -> Redirect | Template:
    """Record a payment of rent by hand (cash, or a transfer outside a statement)."""
    user = acting_user(request, db)
    lease = get_lease(db, actor=user, lease_id=lease_id)
    return _form_action(
        request,
        db,
        lease_id,
        PAYMENT_FORM,
        data,
        "payment_form",
        f"/leases/{lease_id}#ledger",
        lambda values: record_payment(
            db,
            lease=lease,
            amount=int(values["amount"]),
            paid_on=values["paid_on"],
            reference=values.get("reference"),
            note=values.get("note"),
            actor_id=user.id,
        ),
    )


@post("/leases/{lease_id:int}/claims", guards=[STAFF], sync_to_thread=True, status_code=303)
def claim_post(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    lease_id: RecordId,
    data: FormData,
) -> Redirect | Template:
    """Record a claim the agency paid (or pays) to the landlord under its guarantee."""
    user = acting_user(request, db)
    lease = get_lease(db, actor=user, lease_id=lease_id)
    return _form_action(
        request,
        db,
        lease_id,
        CLAIM_FORM,
        data,
        "claim_form",
        f"/leases/{lease_id}#claims",
        lambda values: record_claim(
            db,
            lease=lease,
            kind=ClaimKind(values["claim_kind"]),
            claimed_on=values["claimed_on"],
            amount=int(values["claim_amount"]),
            paid_on=values.get("claim_paid_on"),
            actor_id=user.id,
        ),
    )


@post("/leases/{lease_id:int}/renew", guards=[STAFF], sync_to_thread=True, status_code=303)
def renew_post(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    lease_id: RecordId,
    data: FormData,
) -> Redirect | Template:
    """Extend the lease to a later end date."""
    user = acting_user(request, db)
    return _form_action(
        request,
        db,
        lease_id,
        RENEW_FORM,
        data,
        "renew_form",
        f"/leases/{lease_id}",
        lambda values: renew_lease(db, actor=user, lease_id=lease_id, new_end=values["new_end"]),
    )


def _end_page(
    request: Request[Any, Any, Any], db: Session, lease_id: int, form: FormResult, status: int = 200
) -> Template:
    user = acting_user(request, db)
    detail = lease_detail(db, actor=user, lease_id=lease_id, today=utcnow().date())
    return page(
        request, "leases/end.html", status, d=detail, form=form, fields=END_FORM.fields, **LABELS
    )


@get("/leases/{lease_id:int}/end", guards=[STAFF], sync_to_thread=True)
def end_form(
    request: Request[Any, Any, Any], db: NamedDependency[Session], lease_id: RecordId
) -> Template:
    """The form to end a lease: reason, date, where the household and the flat go next."""
    initial = {"ended_on": utcnow().date(), "household_next": "waiting", "flat_next": "available"}
    return _end_page(request, db, lease_id, END_FORM.blank(initial))


@post("/leases/{lease_id:int}/end", guards=[STAFF], sync_to_thread=True, status_code=303)
def end_post(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    lease_id: RecordId,
    data: FormData,
) -> Redirect | Template:
    """End the lease; a failed tenancy is recorded as a barrier too."""
    user = acting_user(request, db)
    form = END_FORM.parse(data, request_language(request))
    if form.ok:
        values = form.values
        ending = LeaseEnding(
            reason=LeaseEndReason(values["reason"]),
            ended_on=values["ended_on"],
            household_next=HouseholdStatus(values["household_next"]),
            flat_next=FlatStatus(values["flat_next"]),
            note=values.get("note"),
        )
        try:
            end_lease(db, actor=user, lease_id=lease_id, ending=ending)
            commit(db)
            return see_other(f"/leases/{lease_id}")
        except DomainError as exc:
            if exc.field is None:
                raise translated(request, exc) from exc
            _apply_error(request, form, exc)
    db.rollback()
    return _end_page(request, db, lease_id, form, status=400)


ROUTES: list[ControllerRouterHandler] = [
    lease_list,
    lease_page,
    payment_post,
    claim_post,
    renew_post,
    end_form,
    end_post,
    *leases_import.ROUTES,
]
