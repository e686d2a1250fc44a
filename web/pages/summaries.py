"""The Platform's summaries: list with trends, build (staff), review, publish, read, download
(CSV, JSON), print, and the Platform's recommendations."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlmodel import Session

from agency.enums import RecommendationStatus, SummaryStatus, UserRole
from agency.errors import DomainError, NotFound
from agency.models import Summary, User
from agency.models.base import utcnow
from agency.services.summaries import (
    add_recommendation,
    get_summary,
    key_figures,
    list_recommendations,
    list_summaries,
    publish_summary,
    set_recommendation_status,
    summary_title,
)
from agency.services.summary_publish import csv_rows
from web.charts import grouped_bars, line_chart
from web.deps import commit
from web.forms import Form, FormField
from web.guards import STAFF, requires
from web.pages.staff_common import acting_user, translated
from web.pages.summaries_build import BuildController
from web.pages.summaries_export import csv_response, json_response
from web.pages.summaries_view import SECTION_TITLES, section_view, trend_view
from web.render import page, request_language, see_other, t

READERS = requires(UserRole.platform_member, UserRole.staff, UserRole.admin)
FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Ref = Annotated[str, PathParameter(max_length=20)]
RecId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]
STATUS_LABELS = {
    RecommendationStatus.proposed: "Proposed",
    RecommendationStatus.adopted: "Adopted",
    RecommendationStatus.rejected: "Rejected",
}
TREND_KEYS = (
    ("households_registered", "Households registered"),
    ("households_housed", "Households housed"),
    ("households_waiting", "Households waiting at the end of the period"),
    ("barriers", "Barriers"),
)


def _recommendation_form() -> Form:
    return Form(
        FormField("text", "Recommendation", kind="textarea", max_length=4000),
        FormField("responsible_body", "Responsible body", required=False),
    )


@get("/summaries", guards=[READERS], sync_to_thread=True)
def summaries_list(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Template:
    """Summaries with their status (platform members: the published ones) and the trend."""
    user = acting_user(request, db)
    items, total = list_summaries(db, actor=user, limit=50)
    trend = [(summary_title(s), key_figures(s)) for s in reversed(items)]
    return page(
        request,
        "summaries/list.html",
        items=[(s, summary_title(s)) for s in items],
        total=total,
        trend=trend,
        trend_keys=TREND_KEYS,
        trend_chart=_trend_chart(request, trend) if len(trend) > 1 else None,
    )


def _trend_chart(request: Request[Any, Any, Any], trend: list[tuple[str, dict[str, Any]]]) -> Any:
    series = [(t(request, label), [f.get(key) for _, f in trend]) for key, label in TREND_KEYS]
    return line_chart(t(request, "Key figures across periods"), [p for p, _ in trend], series)


def _summary_or_404(db: Session, ref: str, user: User) -> Summary:
    number = ref.split(".", 1)[0]
    if not number.isdigit() or not 1 <= int(number) < 2**31:
        raise NotFound("This summary does not exist.")
    return get_summary(db, summary_id=int(number), actor=user)


@get("/summaries/{ref:str}", guards=[READERS], sync_to_thread=True)
def summary_detail(
    request: Request[Any, Any, Any], db: NamedDependency[Session], ref: Ref
) -> Template | Response[Any]:
    """The summary as a page, or its data as `{id}.csv` / `{id}.json`."""
    user = acting_user(request, db)
    try:
        summary = _summary_or_404(db, ref, user)
    except DomainError as exc:
        raise translated(request, exc) from exc
    if ref.endswith(".csv"):
        return csv_response(summary, csv_rows(summary.figures or {}, summary.what_ifs or []))
    if ref.endswith(".json"):
        return json_response(summary)
    if not ref.isdigit():
        raise translated(request, NotFound("This summary does not exist."))
    form = _recommendation_form()
    return _detail_page(request, db, summary, form.blank(), 200)


def _detail_page(
    request: Request[Any, Any, Any], db: Session, summary: Summary, result: Any, status: int
) -> Template:
    lang = request_language(request)
    figures = summary.figures or {}
    trend = trend_view(lang, figures)
    return page(
        request,
        "summaries/detail.html",
        status,
        summary=summary,
        title=summary_title(summary),
        draft=summary.status == SummaryStatus.draft,
        sections=[
            (t(request, SECTION_TITLES[n]), section_view(lang, figures, n)) for n in SECTION_TITLES
        ],
        trend=trend,
        trend_chart=_barrier_trend_chart(request, trend),
        what_ifs=summary.what_ifs or [],
        recommendations=list_recommendations(db, summary_id=int(summary.id or 0)),
        status_labels=STATUS_LABELS,
        form=result,
        form_fields=_recommendation_form().fields,
    )


def _barrier_trend_chart(request: Request[Any, Any, Any], trend: list[tuple[str, str, str]]) -> Any:
    if not trend:
        return None
    series = [
        (t(request, "Previous period"), [_num(b) for _, b, _ in trend]),
        (t(request, "This period"), [_num(n) for _, _, n in trend]),
    ]
    return grouped_bars(
        t(request, "Barriers: this period and the previous one"), [k for k, _, _ in trend], series
    )


def _num(text: str) -> int | None:
    cleaned = text.replace("\u00a0", "")
    return int(cleaned) if cleaned.isdigit() else None


@post("/summaries/{ref:str}/publish", guards=[STAFF], status_code=303, sync_to_thread=True)
def summary_publish(
    request: Request[Any, Any, Any], db: NamedDependency[Session], ref: Ref
) -> Redirect:
    """Publish a draft; platform members are notified."""
    user = acting_user(request, db)
    try:
        summary = _summary_or_404(db, ref, user)
        publish_summary(db, summary_id=int(summary.id or 0), actor=user, now=utcnow())
    except DomainError as exc:
        raise translated(request, exc) from exc
    commit(db)
    return see_other(f"/summaries/{summary.id}")


@post(
    "/summaries/{ref:str}/recommendations", guards=[READERS], status_code=303, sync_to_thread=True
)
def recommendation_add(
    request: Request[Any, Any, Any], db: NamedDependency[Session], ref: Ref, data: FormData
) -> Template | Redirect:
    """Record a recommendation of the Platform against a published summary."""
    user = acting_user(request, db)
    try:
        summary = _summary_or_404(db, ref, user)
    except DomainError as exc:
        raise translated(request, exc) from exc
    result = _recommendation_form().parse(data, request_language(request))
    if not result.ok:
        return _detail_page(request, db, summary, result, 400)
    try:
        add_recommendation(
            db,
            summary=summary,
            text=result.values["text"],
            responsible_body=result.values.get("responsible_body"),
            actor=user,
            now=utcnow(),
        )
    except DomainError as exc:
        result.add_error(exc.field or "text", t(request, exc.message))
        return _detail_page(request, db, summary, result, 400 if exc.field else 409)
    commit(db)
    return see_other(f"/summaries/{summary.id}#recommendations")


@post(
    "/summaries/{ref:str}/recommendations/{recommendation_id:int}",
    guards=[READERS],
    status_code=303,
    sync_to_thread=True,
)
def recommendation_status(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    ref: Ref,
    recommendation_id: RecId,
    data: FormData,
) -> Template | Redirect:
    """Mark a recommendation proposed, adopted or rejected."""
    user = acting_user(request, db)
    try:
        summary = _summary_or_404(db, ref, user)
    except DomainError as exc:
        raise translated(request, exc) from exc
    chosen = str(data.get("status", ""))
    if chosen not in STATUS_LABELS:
        result = _recommendation_form().blank()
        result.add_error("status", t(request, "Choose one of the options."))
        return _detail_page(request, db, summary, result, 400)
    try:
        set_recommendation_status(
            db,
            summary=summary,
            recommendation_id=recommendation_id,
            status=RecommendationStatus(chosen),
            now=utcnow(),
        )
    except DomainError as exc:
        raise translated(request, exc) from exc
    commit(db)
    return see_other(f"/summaries/{summary.id}#recommendations")


ROUTES: list[ControllerRouterHandler] = [
    summaries_list,
    BuildController,
    summary_detail,
    summary_publish,
    recommendation_add,
    recommendation_status,
]
