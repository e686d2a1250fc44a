"""The landlord's side of an offer in the portal: an anonymised household profile and the
answer. Name and contact appear only after both sides accepted. Other landlords' offers
answer 404."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlmodel import Session

from agency.enums import MatchStatus, Party
from agency.errors import Conflict, DomainError, InvalidInput
from agency.models.base import utcnow
from agency.services.offers import answer_as_landlord
from agency.services.placement_views import landlord_offer
from web.deps import commit, current_user
from web.forms import FormResult
from web.guards import LANDLORD
from web.pages.placement_common import (
    LABELS,
    LANDLORD_REASON_LABELS,
    answer_form,
    answer_problem,
    need_texts,
    parse_answer,
)
from web.pages.staff_common import RecordId, translated
from web.render import page, see_other

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
ANSWER_FORM = answer_form(LANDLORD_REASON_LABELS)


def _landlord(request: Request[Any, Any, Any], db: Session) -> tuple[int | None, int | None]:
    """(landlord id, user id) of the logged-in landlord."""
    user = current_user(request, db)
    return (user.landlord_id, user.id) if user is not None else (None, None)


def _offer_page(
    request: Request[Any, Any, Any],
    db: Session,
    landlord_id: int | None,
    match_id: int,
    *,
    status: int = 200,
    form: FormResult | None = None,
    problem: str | None = None,
) -> Template:
    try:
        view = landlord_offer(db, landlord_id=landlord_id, match_id=match_id, today=utcnow().date())
    except DomainError as exc:
        raise translated(request, exc) from exc
    return page(
        request,
        "offers/landlord.html",
        status,
        v=view,
        needs=need_texts(request, view.profile.needs),
        form=form or ANSWER_FORM.blank(),
        answer_fields=ANSWER_FORM.fields,
        can_answer=view.match.status == MatchStatus.approved and view.match.landlord_answer is None,
        problem=problem,
        answered="answered" in request.query_params,
        **LABELS,
    )


@get("/portal/offers/{match_id:int}", guards=[LANDLORD], sync_to_thread=True)
def landlord_offer_page(
    request: Request[Any, Any, Any], db: NamedDependency[Session], match_id: RecordId
) -> Template:
    landlord_id, _ = _landlord(request, db)
    return _offer_page(request, db, landlord_id, match_id)


@post(
    "/portal/offers/{match_id:int}/answer",
    guards=[LANDLORD],
    status_code=303,
    sync_to_thread=True,
)
def landlord_answer(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    match_id: RecordId,
    data: FormData,
) -> Template | Redirect:
    landlord_id, user_id = _landlord(request, db)
    result, answer = parse_answer(request, ANSWER_FORM, data, Party.landlord)
    if answer is None:
        return _offer_page(request, db, landlord_id, match_id, status=400, form=result)
    try:
        answer_as_landlord(
            db,
            landlord_id=landlord_id,
            match_id=match_id,
            answer=answer,
            actor_id=user_id,
            now=utcnow(),
        )
        commit(db)
    except (Conflict, InvalidInput) as exc:
        db.rollback()
        problem = answer_problem(request, result, exc)
        code = exc.status_code if problem else 400
        return _offer_page(
            request, db, landlord_id, match_id, status=code, form=result, problem=problem
        )
    except DomainError as exc:
        raise translated(request, exc) from exc
    return see_other(f"/portal/offers/{match_id}?answered=1")


ROUTES: list[ControllerRouterHandler] = [landlord_offer_page, landlord_answer]
