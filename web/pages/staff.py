"""Staff pages: the dashboard, the flats list and one flat in full; vetting in staff_vetting."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlmodel import Session

from agency.enums import FlatStatus, UserRole
from agency.errors import NotFound
from agency.models.base import utcnow
from agency.services.flat_queries import (
    TO_VET,
    count_flats,
    count_flats_by_status,
    flats_query,
    load_flat_detail,
)
from agency.services.gazetteer import list_krajs, list_orps
from agency.services.risk import risk_overview
from agency.services.support import overdue_overview
from web.guards import STAFF, requires
from web.pages import staff_vetting
from web.pages.staff_common import (
    DECISION_LABELS,
    REJECTION_LABELS,
    STATUS_LABELS,
    RecordId,
    acting_user,
    parse_flat_filters,
    translated,
)
from web.pagination import paginate
from web.render import page, t

# Everyone who works inside the agency; landlords have their own portal.
INSIDERS = requires(
    UserRole.social_worker, UserRole.staff, UserRole.platform_member, UserRole.admin
)
STAFF_ROLES = {UserRole.staff.value, UserRole.admin.value}
AT_RISK_SHOWN = 20  # a dashboard shows the most urgent; the total links to the lists
OVERDUE_SHOWN = 20  # the oldest overdue visits, with how many there are in all


@get("/dashboard", guards=[INSIDERS], sync_to_thread=True)
def dashboard(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Template:
    role = str(request.session.get("role"))
    warnings = _early_warning(request, db, role)
    if role not in STAFF_ROLES:
        return page(request, "dashboard.html", queues=None, **warnings)
    counts = count_flats_by_status(db)
    queues = [
        ("Flats to vet", sum(counts[s] for s in TO_VET), "/staff/flats?status=submitted"),
        ("Flats in vetting", counts[FlatStatus.vetting], "/staff/flats?status=vetting"),
        ("Flats available", counts[FlatStatus.available], "/staff/flats?status=available"),
        ("Flats offered", counts[FlatStatus.offered], "/staff/flats?status=offered"),
    ]
    return page(request, "dashboard.html", queues=queues, **warnings)


def _early_warning(request: Request[Any, Any, Any], db: Session, role: str) -> dict[str, Any]:
    """Households at risk of losing their flat (the most urgent, and how many there are),
    and overdue visits (social work and staff)."""
    if role not in (*STAFF_ROLES, UserRole.social_worker.value):
        return {"at_risk": None, "overdue": None}
    user = acting_user(request, db)
    today = utcnow().date()
    at_risk = risk_overview(db, actor=user, today=today, limit=AT_RISK_SHOWN)
    overdue = overdue_overview(db, actor=user, today=today, limit=OVERDUE_SHOWN)
    return {"at_risk": at_risk, "overdue": overdue}


@get("/staff/flats", guards=[STAFF], sync_to_thread=True)
def flat_list(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    status: FromQuery[str | None] = None,
    orp: FromQuery[str | None] = None,
    kraj: FromQuery[str | None] = None,
    q: FromQuery[str | None] = None,
    page_number: Annotated[str | None, QueryParameter(name="page")] = None,
) -> Template:
    raw = {"status": status, "orp": orp, "kraj": kraj, "q": q, "page": page_number}
    filters, number, errors = parse_flat_filters(raw)
    chosen = {k: (v or "").strip()[:100] for k, v in raw.items() if k != "page" and v}
    context: dict[str, Any] = {
        "chosen": chosen,
        "statuses": STATUS_LABELS,
        "krajs": list_krajs(db),
        "orps": list_orps(db, kraj_code=filters.kraj_code),
        "base_query": urlencode(chosen) + "&" if chosen else "",
    }
    if errors:
        messages = [t(request, message) for message in errors]
        return page(request, "staff/flats.html", 400, errors=messages, rows=[], **context)
    total = count_flats(db, filters)
    found = paginate(db, flats_query(filters), page=number, total=total)
    return page(
        request, "staff/flats.html", rows=found.items, pagination=found.pagination, **context
    )


@get("/staff/flats/{flat_id:int}", guards=[STAFF], sync_to_thread=True)
def flat_detail(
    request: Request[Any, Any, Any], db: NamedDependency[Session], flat_id: RecordId
) -> Template:
    try:
        detail = load_flat_detail(db, flat_id=flat_id)
    except NotFound as exc:
        raise translated(request, exc) from exc
    return page(
        request,
        "staff/flat.html",
        d=detail,
        statuses=STATUS_LABELS,
        decisions=DECISION_LABELS,
        rejections=REJECTION_LABELS,
        vettable=detail.flat.status in TO_VET,
    )


ROUTES: list[ControllerRouterHandler] = [
    dashboard,
    flat_list,
    flat_detail,
    *staff_vetting.ROUTES,
]
