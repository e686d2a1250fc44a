"""The social worker's visit calendar and the visit form made for a phone in the field."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlmodel import Session

from agency.enums import VISIT_TOPICS, RiskLevel, VisitKind
from agency.errors import DomainError
from agency.models.base import utcnow
from agency.services.households import is_staff
from agency.services.support import VisitRecord, calendar_overview, get_visit, record_visit
from web.deps import commit
from web.forms import Form, FormField, FormResult
from web.guards import SOCIAL
from web.pages.staff_common import RecordId, acting_user, translated
from web.render import page, request_language, see_other, t

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]

KIND_LABELS: dict[str, str] = {
    VisitKind.home: "Home visit",
    VisitKind.phone: "Phone call",
    VisitKind.office: "At the office",
}
RISK_LABELS: dict[str, str] = {
    RiskLevel.green: "Green: all right",
    RiskLevel.amber: "Amber: watch",
    RiskLevel.red: "Red: housing at risk",
}
TOPIC_LABELS: dict[str, str] = {
    "rent": "Rent",
    "budget": "Budget",
    "neighbours": "Neighbours",
    "maintenance": "Maintenance",
    "school": "School",
    "work": "Work",
    "debts": "Debts",
}
VISIT_FORM = Form(
    FormField("kind", "How", kind="choice", choices=tuple(KIND_LABELS.items())),
    FormField("risk", "Risk", kind="choice", choices=tuple(RISK_LABELS.items())),
    FormField("done_on", "Done on", kind="date"),
    FormField("notes", "Notes", kind="textarea", required=False),
    FormField("follow_up", "Follow-up actions", kind="textarea", required=False),
)
CALENDAR_SHOWN = 50  # visits per part of the calendar page (staff see the whole agency's)
LABELS = {"kind_labels": KIND_LABELS, "risk_labels": RISK_LABELS, "topic_labels": TOPIC_LABELS}


@get("/visits", guards=[SOCIAL], sync_to_thread=True)
def calendar(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Template:
    """Overdue visits, this week's and the upcoming ones (a social worker's own; staff all),
    the first CALENDAR_SHOWN of each part with its true size."""
    user = acting_user(request, db)
    found = calendar_overview(db, actor=user, today=utcnow().date(), limit=CALENDAR_SHOWN)
    return page(
        request, "visits/calendar.html", cal=found, everyone=is_staff(user), today=utcnow().date()
    )


def _topics(data: dict[str, Any]) -> list[str]:
    raw = data.get("topics") or []
    values = raw if isinstance(raw, list) else [raw]
    return [str(v) for v in values][: len(VISIT_TOPICS) + 1]


def _form_page(
    request: Request[Any, Any, Any],
    db: Session,
    visit_id: int,
    form: FormResult,
    topics: list[str],
    status: int = 200,
) -> Template:
    user = acting_user(request, db)
    visit, household = get_visit(db, actor=user, visit_id=visit_id)
    return page(
        request,
        "visits/form.html",
        status,
        visit=visit,
        household=household,
        form=form,
        topics=topics,
        all_topics=VISIT_TOPICS,
        notes_field=VISIT_FORM.by_name["notes"],
        follow_field=VISIT_FORM.by_name["follow_up"],
        date_field=VISIT_FORM.by_name["done_on"],
        **LABELS,
    )


@get("/visits/{visit_id:int}", guards=[SOCIAL], sync_to_thread=True)
def visit_form(
    request: Request[Any, Any, Any], db: NamedDependency[Session], visit_id: RecordId
) -> Template:
    """One screen: how, topics, risk, notes, follow-up, the date (today by default)."""
    user = acting_user(request, db)
    visit, _ = get_visit(db, actor=user, visit_id=visit_id)
    initial = {
        "kind": visit.kind or VisitKind.home,
        "risk": visit.risk or RiskLevel.green,
        "done_on": visit.done_on or utcnow().date(),
        "notes": visit.notes,
        "follow_up": visit.follow_up,
    }
    return _form_page(request, db, visit_id, VISIT_FORM.blank(initial), list(visit.topics or []))


@post("/visits/{visit_id:int}", guards=[SOCIAL], sync_to_thread=True, status_code=303)
def visit_post(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    visit_id: RecordId,
    data: FormData,
) -> Redirect | Template:
    """Record the visit as done, then back to the calendar."""
    user = acting_user(request, db)
    form = VISIT_FORM.parse(data, request_language(request))
    topics = _topics(data)
    if not set(topics) <= set(VISIT_TOPICS):
        form.add_error("topics", t(request, "Choose one of the options."))
    if form.ok:
        values = form.values
        record = VisitRecord(
            kind=VisitKind(values["kind"]),
            topics=tuple(topics),
            risk=RiskLevel(values["risk"]),
            done_on=values["done_on"],
            notes=values.get("notes"),
            follow_up=values.get("follow_up"),
        )
        try:
            record_visit(db, actor=user, visit_id=visit_id, data=record, today=utcnow().date())
            commit(db)
            return see_other("/visits?saved=1")
        except DomainError as exc:
            if exc.field is None:
                raise translated(request, exc) from exc
            form.add_error(exc.field, translated(request, exc).message)
    db.rollback()
    return _form_page(request, db, visit_id, form, topics, status=400)


ROUTES: list[ControllerRouterHandler] = [calendar, visit_form, visit_post]
