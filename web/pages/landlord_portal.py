"""The landlord portal: my flats, a flat's history and offers, edits before vetting, withdrawal.

A landlord only ever reaches their own flats: any other id answers 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter, QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlmodel import Session

from agency.enums import FlatStatus, LeaseStatus, MatchStatus, VettingDecision, VettingRejection
from agency.errors import Conflict, InvalidInput
from agency.models import Flat
from agency.models.base import utcnow
from agency.services.exits import withdraw_flat_from_matching
from agency.services.flats import EDITABLE, update_submitted_flat
from agency.services.landlords import flat_overview, get_landlord_flat, list_landlord_flats
from web.deps import commit, current_user
from web.guards import LANDLORD
from web.pages.landlord_forms import (
    ADDRESS_FIELDS,
    EDIT_FORM,
    FLAT_FIELDS,
    MONEY_FIELDS,
    NOTES_FIELD,
    Parsed,
    add_service_error,
    flat_details,
    parse_flat_form,
)
from web.render import page, see_other, t

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
FlatId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]
PageNo = Annotated[int, QueryParameter(name="page", ge=1, le=100_000)]
EDIT_SECTIONS = (
    ("Address", ADDRESS_FIELDS),
    ("The flat", FLAT_FIELDS),
    ("Rent and terms", MONEY_FIELDS),
)


def _actor(request: Request[Any, Any, Any], db: Session) -> tuple[int | None, int | None]:
    """(landlord id, user id) of the logged-in landlord."""
    user = current_user(request, db)
    return (user.landlord_id, user.id) if user is not None else (None, None)


def _edit_page(
    request: Request[Any, Any, Any], flat: Flat, parsed: Parsed, status: int = 200
) -> Template:
    return page(
        request,
        "landlord/edit.html",
        status,
        flat=flat,
        form=parsed.form,
        sections=EDIT_SECTIONS,
        notes_field=NOTES_FIELD,
        terms_field=None,
        choices=parsed.choices,
        action=f"/portal/flats/{flat.id}/edit",
        locked=flat.status != FlatStatus.submitted,
        statuses=STATUS_LABELS,
    )


class LandlordPortal(Controller):
    """Only logged-in landlords; each sees their own flats."""

    guards = [LANDLORD]

    @get("/portal", sync_to_thread=True)
    def portal(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session], page_no: PageNo = 1
    ) -> Template:
        landlord_id, _ = _actor(request, db)
        flats = list_landlord_flats(db, landlord_id=landlord_id, page=page_no)
        return page(request, "landlord/portal.html", flats=flats, statuses=STATUS_LABELS)

    @get("/portal/flats/{flat_id:int}", sync_to_thread=True)
    def flat_detail(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session], flat_id: FlatId
    ) -> Template:
        landlord_id, _ = _actor(request, db)
        overview = flat_overview(db, landlord_id=landlord_id, flat_id=flat_id)
        return page(
            request,
            "landlord/flat.html",
            o=overview,
            statuses=STATUS_LABELS,
            saved="saved" in request.query_params,
            withdrawn="withdrawn" in request.query_params,
            vetting_labels=VETTING_LABELS,
            rejection_labels=REJECTION_LABELS,
            match_labels=MATCH_LABELS,
            lease_labels=LEASE_LABELS,
            editable=overview.flat.status == FlatStatus.submitted,
            withdrawable=overview.flat.status not in (FlatStatus.let, FlatStatus.withdrawn),
        )

    @get("/portal/flats/{flat_id:int}/edit", sync_to_thread=True)
    def edit_form(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session], flat_id: FlatId
    ) -> Template:
        landlord_id, _ = _actor(request, db)
        overview = flat_overview(db, landlord_id=landlord_id, flat_id=flat_id)
        initial = {name: getattr(overview.flat, name) for name in EDITABLE}
        initial["municipality"] = overview.municipality.name
        return _edit_page(request, overview.flat, Parsed(form=EDIT_FORM.blank(initial)))

    @post("/portal/flats/{flat_id:int}/edit", status_code=303, sync_to_thread=True)
    def edit_submit(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        flat_id: FlatId,
        data: FormData,
    ) -> Template | Redirect:
        landlord_id, user_id = _actor(request, db)
        flat = get_landlord_flat(db, landlord_id=landlord_id, flat_id=flat_id)
        if flat.status != FlatStatus.submitted:
            return _edit_page(request, flat, Parsed(form=EDIT_FORM.blank()), 409)
        parsed = parse_flat_form(request, db, EDIT_FORM, data)
        if not parsed.form.ok:
            return _edit_page(request, flat, parsed, 400)
        details = flat_details(parsed.form.values)
        try:
            update_submitted_flat(
                db,
                landlord_id=landlord_id,
                flat_id=flat_id,
                details=details,
                actor_id=user_id,
                now=utcnow(),
            )
        except InvalidInput as exc:
            db.rollback()
            add_service_error(request, parsed.form, exc)
            return _edit_page(request, flat, parsed, 400)
        commit(db)
        return see_other(f"/portal/flats/{flat_id}?saved=1")

    @get("/portal/flats/{flat_id:int}/withdraw", sync_to_thread=True)
    def withdraw_confirm(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session], flat_id: FlatId
    ) -> Template:
        landlord_id, _ = _actor(request, db)
        overview = flat_overview(db, landlord_id=landlord_id, flat_id=flat_id)
        return page(request, "landlord/withdraw.html", o=overview, statuses=STATUS_LABELS)

    @post("/portal/flats/{flat_id:int}/withdraw", status_code=303, sync_to_thread=True)
    def withdraw(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session], flat_id: FlatId
    ) -> Template | Redirect:
        landlord_id, user_id = _actor(request, db)
        try:
            withdraw_flat_from_matching(
                db, landlord_id=landlord_id, flat_id=flat_id, actor_id=user_id, now=utcnow()
            )
        except Conflict as exc:
            db.rollback()
            overview = flat_overview(db, landlord_id=landlord_id, flat_id=flat_id)
            return page(
                request,
                "landlord/withdraw.html",
                409,
                o=overview,
                statuses=STATUS_LABELS,
                refusal=t(request, exc.message),
            )
        commit(db)
        return see_other(f"/portal/flats/{flat_id}?withdrawn=1")


# Czech labels come from landlord.po; every FlatStatus has one.
STATUS_LABELS: dict[str, str] = {
    FlatStatus.submitted: "Received, waiting for vetting",
    FlatStatus.vetting: "Being vetted",
    FlatStatus.available: "Vetted, waiting for a household",
    FlatStatus.rejected: "Not accepted",
    FlatStatus.offered: "Offered to a household",
    FlatStatus.let: "Let",
    FlatStatus.withdrawn: "Withdrawn",
}

VETTING_LABELS = {VettingDecision.approved: "Approved", VettingDecision.rejected: "Not accepted"}
REJECTION_LABELS: dict[str, str] = {
    VettingRejection.ownership: "Ownership could not be confirmed",
    VettingRejection.condition: "The condition of the flat",
    VettingRejection.safety: "Gas or electrical safety",
    VettingRejection.rent_above_cap: "The rent is above the agency's limit",
    VettingRejection.energy_costs: "Energy costs too high",
    VettingRejection.landlord_conditions: "The landlord's conditions",
    VettingRejection.other: "Other reasons",
}
MATCH_LABELS: dict[str, str] = {
    MatchStatus.approved: "Waiting for answers",
    MatchStatus.accepted: "Accepted by both",
    MatchStatus.declined: "Declined",
    MatchStatus.expired: "Expired without an answer",
    MatchStatus.leased: "Lease signed",
}
LEASE_LABELS = {LeaseStatus.active: "Active", LeaseStatus.ended: "Ended"}

# One controller, not loose functions: Litestar 2.25 wraps a sync handler twice when loose
# handlers share a path (GET and POST of one form), and the second call returns a coroutine.
ROUTES: list[ControllerRouterHandler] = [LandlordPortal]
