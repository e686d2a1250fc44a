"""Vetting a flat: start it, then record the inspection and the decision."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlmodel import Session

from agency.enums import VettingDecision, VettingRejection
from agency.errors import Conflict, DomainError, InvalidInput, NotFound
from agency.models.base import utcnow
from agency.services.flat_queries import TO_VET, find_rent_cap, flat_with_place
from agency.services.vetting import MAX_OCCUPANTS, VettingInput, record_vetting, start_vetting
from web.deps import commit
from web.forms import Form, FormField, FormResult
from web.guards import STAFF
from web.i18n import LOCAL_TZ
from web.pages.staff_common import (
    DECISION_LABELS,
    REJECTION_LABELS,
    STATUS_LABELS,
    RecordId,
    acting_user,
    translated,
)
from web.render import page, request_language, see_other, t

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]

CHECKLIST = (
    FormField("ownership_checked", "Ownership checked against the cadastre", kind="bool"),
    FormField("condition_ok", "The flat is in good condition", kind="bool"),
    FormField("gas_safety_ok", "Gas safety checked", kind="bool"),
    FormField("electrical_safety_ok", "Electrical safety checked", kind="bool"),
    FormField("rent_within_cap", "Rent within the agency's cap for the municipality", kind="bool"),
    FormField("energy_costs_realistic", "Energy costs are realistic", kind="bool"),
)
VETTING_FORM = Form(
    FormField("inspection_date", "Inspection date", kind="date"),
    *CHECKLIST,
    FormField("decision", "Decision", kind="choice", choices=tuple(DECISION_LABELS.items())),
    FormField(
        "rejection_reason",
        "Reason of the rejection",
        kind="choice",
        required=False,
        choices=tuple(REJECTION_LABELS.items()),
        help="Required when the flat is rejected.",
    ),
    FormField(
        "max_occupants",
        "Maximum number of occupants",
        kind="int",
        required=False,
        low=1,
        high=MAX_OCCUPANTS,
        help="Required when the flat is approved.",
    ),
    FormField("reasons", "Reasons and notes", kind="textarea", required=False),
)


class VettingController(Controller):
    """One class for the paths with two methods: Litestar registers them as one route
    (handlers added one by one to an existing path are registered twice, and a
    `sync_to_thread` handler then gets wrapped twice)."""

    path = "/staff/flats/{flat_id:int}"

    @post("/start-vetting", guards=[STAFF], status_code=303, sync_to_thread=True)
    def begin_vetting(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session], flat_id: RecordId
    ) -> Redirect:
        user = acting_user(request, db)
        try:
            start_vetting(db, flat_id=flat_id, actor_id=int(user.id or 0))
        except DomainError as exc:
            raise translated(request, exc) from exc
        commit(db)
        return see_other(f"/staff/flats/{flat_id}/vetting")

    @get("/vetting", guards=[STAFF], sync_to_thread=True)
    def vetting_form(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session], flat_id: RecordId
    ) -> Template:
        today = utcnow().astimezone(LOCAL_TZ).date()
        return _vetting_page(request, db, flat_id, VETTING_FORM.blank({"inspection_date": today}))

    @post("/vetting", guards=[STAFF], status_code=303, sync_to_thread=True)
    def vetting_submit(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        flat_id: RecordId,
        data: FormData,
    ) -> Template | Redirect:
        user = acting_user(request, db)
        form = VETTING_FORM.parse(data, request_language(request))
        if form.ok:
            try:
                record_vetting(
                    db, flat_id=flat_id, inspector_id=int(user.id or 0), data=vetting_input(form)
                )
            except InvalidInput as exc:
                db.rollback()
                form.add_error(exc.field or "decision", t(request, exc.message))
            except Conflict as exc:
                db.rollback()
                return _vetting_page(request, db, flat_id, form, problem=t(request, exc.message))
            else:
                commit(db)
                return see_other(f"/staff/flats/{flat_id}")
        return _vetting_page(request, db, flat_id, form, status=400)


def vetting_input(form: FormResult) -> VettingInput:
    """The service's input from a parsed, valid form."""
    values = form.values
    reason = values.get("rejection_reason")
    return VettingInput(
        inspection_date=values["inspection_date"],
        **{spec.name: bool(values.get(spec.name)) for spec in CHECKLIST},
        decision=VettingDecision(values["decision"]),
        rejection_reason=VettingRejection(reason) if reason else None,
        reasons=values.get("reasons"),
        max_occupants=values.get("max_occupants"),
    )


def _vetting_page(
    request: Request[Any, Any, Any],
    db: Session,
    flat_id: int,
    form: FormResult,
    *,
    status: int = 200,
    problem: str | None = None,
) -> Template:
    try:
        flat, landlord, municipality = flat_with_place(db, flat_id=flat_id)
    except NotFound as exc:
        raise translated(request, exc) from exc
    if problem is None and flat.status not in TO_VET:
        problem = t(request, "Only a flat that is submitted or in vetting can be vetted.")
    return page(
        request,
        "staff/vetting.html",
        409 if problem else status,
        flat=flat,
        landlord=landlord,
        municipality=municipality,
        rent_cap=find_rent_cap(db, municipality=municipality, rooms=flat.rooms),
        form=form,
        form_fields=VETTING_FORM.fields,
        problem=problem,
        statuses=STATUS_LABELS,
    )


ROUTES: list[ControllerRouterHandler] = [VettingController]
