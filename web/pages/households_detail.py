"""One household in full (each opening audited), its waiting-list entry, closing, barriers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlmodel import Session

from agency.enums import BarrierStage, HouseholdCloseReason
from agency.errors import Conflict, InvalidInput
from agency.models import BarrierCategory, Intervention, User
from agency.models.base import utcnow
from agency.services.exits import close_household_and_release
from agency.services.household_barriers import (
    active_categories,
    active_interventions,
    add_household_barrier,
    household_barriers,
    overcome_barrier,
)
from agency.services.household_queries import (
    load_household,
)
from agency.services.households import (
    is_staff,
    queue_household,
    record_view,
)
from web.deps import commit
from web.forms import Form, FormField, FormResult
from web.guards import SOCIAL
from web.i18n import LOCAL_TZ
from web.pages.households_form import ETHOS_LABELS, KIND_LABELS, URGENCY_LABELS
from web.pages.households_labels import (
    AUDIT_LABELS,
    CLOSE_LABELS,
    STAGE_LABELS,
    STATUS_LABELS,
    translated,
)
from web.pages.staff_common import RecordId, acting_user
from web.render import page, request_language, see_other, t

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
BarrierId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]

CLOSE_FORM = Form(
    FormField("close_reason", "Reason", kind="choice", choices=tuple(CLOSE_LABELS.items())),
    FormField("close_note", "Note", kind="textarea", required=False),
)


def _named(
    rows: Sequence[BarrierCategory | Intervention], language: str
) -> tuple[tuple[str, str], ...]:
    return tuple((r.code, r.name_cs if language == "cs" else r.name_en) for r in rows)


def barrier_form(db: Session, language: str) -> Form:
    return Form(
        FormField(
            "category", "Barrier", kind="choice", choices=_named(active_categories(db), language)
        ),
        FormField("stage", "Stage", kind="choice", choices=tuple(STAGE_LABELS.items())),
        FormField("observed_on", "Observed on", kind="date"),
        FormField("barrier_note", "Note", kind="textarea", required=False),
    )


def overcome_form(db: Session, language: str) -> Form:
    return Form(
        FormField(
            "intervention",
            "What helped",
            kind="choice",
            choices=_named(active_interventions(db), language),
        ),
        FormField("overcome_on", "Overcome on", kind="date"),
    )


@dataclass
class Forms:
    """The detail page's forms, blank or as submitted with their errors."""

    close: FormResult | None = None
    barrier: FormResult | None = None
    overcome: FormResult | None = None
    overcome_id: int | None = None
    consent: FormResult | None = None


def today_here() -> date:
    """Today in the agency's time zone."""
    return utcnow().astimezone(LOCAL_TZ).date()


CONSENT_FORM = Form(FormField("withdrawn_on", "Consent withdrawn on", kind="date"))


def detail_page(
    request: Request[Any, Any, Any],
    db: Session,
    user: User,
    household_id: int,
    forms: Forms,
    status: int = 200,
) -> Template:
    """The household in full; every opening is written to the audit log."""
    detail = translated(
        request,
        lambda: load_household(db, actor=user, household_id=household_id, with_history=True),
    )
    record_view(db, actor=user, household=detail.household)
    commit(db)
    language = request_language(request)
    today = {"observed_on": today_here(), "overcome_on": today_here()}
    barriers, overcome = barrier_form(db, language), overcome_form(db, language)
    return page(
        request,
        "households/detail.html",
        status,
        d=detail,
        barriers=household_barriers(db, household_id=household_id),
        close_form=forms.close or CLOSE_FORM.blank(),
        close_fields=CLOSE_FORM.fields,
        barrier_form=forms.barrier or barriers.blank(today),
        barrier_fields=barriers.fields,
        overcome_form=forms.overcome or overcome.blank(today),
        overcome_fields=overcome.fields,
        overcome_id=forms.overcome_id,
        consent_form=forms.consent or CONSENT_FORM.blank({"withdrawn_on": today_here()}),
        consent_fields=CONSENT_FORM.fields,
        staff=is_staff(user),
        statuses=STATUS_LABELS,
        close_labels=CLOSE_LABELS,
        audit_labels=AUDIT_LABELS,
        stages=STAGE_LABELS,
        ethos_labels=ETHOS_LABELS,
        urgencies=URGENCY_LABELS,
        kinds=KIND_LABELS,
        today=today_here(),
    )


@get("/households/{household_id:int}", guards=[SOCIAL], sync_to_thread=True)
def household_detail(
    request: Request[Any, Any, Any], db: NamedDependency[Session], household_id: RecordId
) -> Template:
    return detail_page(request, db, acting_user(request, db), household_id, Forms())


@post("/households/{household_id:int}/queue", guards=[SOCIAL], status_code=303, sync_to_thread=True)
def household_queue(
    request: Request[Any, Any, Any], db: NamedDependency[Session], household_id: RecordId
) -> Redirect:
    user = acting_user(request, db)
    translated(request, lambda: queue_household(db, actor=user, household_id=household_id))
    commit(db)
    return see_other(f"/households/{household_id}")


@post("/households/{household_id:int}/close", guards=[SOCIAL], status_code=303, sync_to_thread=True)
def household_close(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    household_id: RecordId,
    data: FormData,
) -> Template | Redirect:
    user = acting_user(request, db)
    form = CLOSE_FORM.parse(data, request_language(request))
    if not form.ok:
        return detail_page(request, db, user, household_id, Forms(close=form), 400)
    reason = HouseholdCloseReason(form.values["close_reason"])
    note = form.values.get("close_note")
    translated(
        request,
        lambda: close_household_and_release(
            db, actor=user, household_id=household_id, reason=reason, note=note, now=utcnow()
        ),
    )
    commit(db)
    return see_other(f"/households/{household_id}")


def _not_future(request: Request[Any, Any, Any], form: FormResult, name: str) -> None:
    value = form.values.get(name)
    if isinstance(value, date) and value > today_here():
        form.add_error(name, t(request, "The date cannot be in the future."))


@post(
    "/households/{household_id:int}/barriers", guards=[SOCIAL], status_code=303, sync_to_thread=True
)
def barrier_add(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    household_id: RecordId,
    data: FormData,
) -> Template | Redirect:
    user = acting_user(request, db)
    form = barrier_form(db, request_language(request)).parse(data, request_language(request))
    _not_future(request, form, "observed_on")
    if form.ok:
        values = form.values
        translated(
            request,
            lambda: add_household_barrier(
                db,
                actor=user,
                household_id=household_id,
                category_code=values["category"],
                stage=BarrierStage(values["stage"]),
                observed_on=values["observed_on"],
                note=values.get("barrier_note"),
            ),
        )
        commit(db)
        return see_other(f"/households/{household_id}#barriers")
    return detail_page(request, db, user, household_id, Forms(barrier=form), 400)


@post(
    "/households/{household_id:int}/barriers/{barrier_id:int}/overcome",
    guards=[SOCIAL],
    status_code=303,
    sync_to_thread=True,
)
def barrier_overcome(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    household_id: RecordId,
    barrier_id: BarrierId,
    data: FormData,
) -> Template | Redirect:
    user = acting_user(request, db)
    form = overcome_form(db, request_language(request)).parse(data, request_language(request))
    _not_future(request, form, "overcome_on")
    if form.ok:
        try:
            translated(
                request,
                lambda: overcome_barrier(
                    db,
                    actor=user,
                    household_id=household_id,
                    barrier_id=barrier_id,
                    intervention_code=form.values["intervention"],
                    overcome_on=form.values["overcome_on"],
                ),
            )
        except (InvalidInput, Conflict) as exc:
            db.rollback()
            form.add_error(exc.field or "overcome_on", exc.message)
        else:
            commit(db)
            return see_other(f"/households/{household_id}#barriers")
    forms = Forms(overcome=form, overcome_id=barrier_id)
    return detail_page(request, db, user, household_id, forms, 400)


ROUTES: list[ControllerRouterHandler] = [
    household_detail,
    household_queue,
    household_close,
    barrier_add,
    barrier_overcome,
]
