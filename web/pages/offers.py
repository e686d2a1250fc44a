"""Offers for social workers: their households' proposals and offers, the household's answer,
withdrawal, and the lease once both sides accepted."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlmodel import Session

from agency.enums import OPEN_MATCH_STATUSES, MatchStatus, Party
from agency.errors import Conflict, DomainError, InvalidInput
from agency.models import User
from agency.models.base import utcnow
from agency.services.matches import withdraw_match
from agency.services.offers import answer_for_household
from agency.services.placement_views import (
    flat_places,
    household_names,
    household_offer,
    list_matches,
)
from web.deps import commit
from web.forms import FormResult
from web.guards import SOCIAL
from web.pages.placement_common import (
    HOUSEHOLD_REASON_LABELS,
    LABELS,
    answer_form,
    answer_problem,
    need_texts,
    parse_answer,
)
from web.pages.staff_common import RecordId, acting_user, translated
from web.render import page, see_other, t

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
PageNo = Annotated[int, QueryParameter(name="page", ge=1, le=100_000)]
StatusFilter = Annotated[str | None, QueryParameter(name="status", max_length=20)]
ANSWER_FORM = answer_form(HOUSEHOLD_REASON_LABELS)
PER_PAGE = 25


@get("/offers", guards=[SOCIAL], sync_to_thread=True)
def offer_list(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    page_no: PageNo = 1,
    status: StatusFilter = None,
) -> Template:
    """Proposals and offers of the households the user works with, newest first."""
    user = acting_user(request, db)
    chosen = MatchStatus(status) if status in set(MatchStatus) else None
    matches, total = list_matches(db, actor=user, status=chosen, page=page_no, per_page=PER_PAGE)
    return page(
        request,
        "offers/list.html",
        matches=matches,
        total=total,
        page_no=page_no,
        pages=max(1, -(-total // PER_PAGE)),
        chosen=chosen,
        names=household_names(db, actor=user, ids={m.household_id for m in matches}),
        flats=flat_places(db, ids={m.flat_id for m in matches}),
        **LABELS,
    )


def _offer_page(
    request: Request[Any, Any, Any],
    db: Session,
    user: User,
    match_id: int,
    *,
    status: int = 200,
    form: FormResult | None = None,
    problem: str | None = None,
) -> Template:
    try:
        view = household_offer(db, actor=user, match_id=match_id, today=utcnow().date())
    except DomainError as exc:
        raise translated(request, exc) from exc
    return page(
        request,
        "offers/offer.html",
        status,
        v=view,
        needs=need_texts(request, view.profile.needs),
        form=form or ANSWER_FORM.blank(),
        answer_fields=ANSWER_FORM.fields,
        can_answer=view.match.status == MatchStatus.approved
        and view.match.household_answer is None,
        can_withdraw=view.match.status in OPEN_MATCH_STATUSES,
        problem=problem,
        notice=request.query_params.get("done"),
        **LABELS,
    )


@get("/offers/{match_id:int}", guards=[SOCIAL], sync_to_thread=True)
def offer_detail(
    request: Request[Any, Any, Any], db: NamedDependency[Session], match_id: RecordId
) -> Template:
    return _offer_page(request, db, acting_user(request, db), match_id)


@post("/offers/{match_id:int}/answer", guards=[SOCIAL], status_code=303, sync_to_thread=True)
def household_answer(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    match_id: RecordId,
    data: FormData,
) -> Template | Redirect:
    """The household's answer, recorded by its social worker."""
    user = acting_user(request, db)
    result, answer = parse_answer(request, ANSWER_FORM, data, Party.household)
    if answer is None:
        return _offer_page(request, db, user, match_id, status=400, form=result)
    try:
        answer_for_household(db, actor=user, match_id=match_id, answer=answer, now=utcnow())
        commit(db)
    except (Conflict, InvalidInput) as exc:
        db.rollback()
        problem = answer_problem(request, result, exc)
        code = exc.status_code if problem else 400
        return _offer_page(request, db, user, match_id, status=code, form=result, problem=problem)
    except DomainError as exc:
        raise translated(request, exc) from exc
    return see_other(f"/offers/{match_id}?done=answer")


@post("/offers/{match_id:int}/withdraw", guards=[SOCIAL], status_code=303, sync_to_thread=True)
def withdraw(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    match_id: RecordId,
    data: FormData,
) -> Template | Redirect:
    """Take back an open proposal or offer; the flat and household return to matching."""
    user = acting_user(request, db)
    reason = str(data.get("reason") or "").strip()[:2000] or None
    try:
        withdraw_match(db, match_id=match_id, actor=user, now=utcnow(), reason=reason)
        commit(db)
    except Conflict as exc:
        db.rollback()
        problem = t(request, exc.message)
        return _offer_page(request, db, user, match_id, status=409, problem=problem)
    except DomainError as exc:
        raise translated(request, exc) from exc
    return see_other(f"/offers/{match_id}?done=withdrawn")


ROUTES: list[ControllerRouterHandler] = [offer_list, offer_detail, household_answer, withdraw]
