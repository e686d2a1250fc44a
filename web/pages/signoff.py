"""Staff sign-off of placement proposals: the queue, one proposal, approve or reject.

Four eyes: nobody signs off their own proposal (the service refuses it too).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlmodel import Session

from agency.errors import Conflict, DomainError, Forbidden, InvalidInput
from agency.models import User
from agency.models.base import utcnow
from agency.services.placement_views import offer_view, signoff_queue, users_by_id
from agency.services.signoff import approve_match, reject_match
from web.deps import commit, runtime
from web.forms import Form, FormField, FormResult
from web.guards import STAFF
from web.pages.landlord_forms import magic_links
from web.pages.placement_common import LABELS, need_texts
from web.pages.staff_common import RecordId, acting_user, translated
from web.render import page, request_language, see_other, t

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
PageNo = Annotated[int, QueryParameter(name="page", ge=1, le=100_000)]
REJECT_FORM = Form(FormField("reason", "Reason for the rejection", kind="textarea"))


@get("/signoff", guards=[STAFF], sync_to_thread=True)
def queue(
    request: Request[Any, Any, Any], db: NamedDependency[Session], page_no: PageNo = 1
) -> Template:
    """Proposals waiting for a second pair of eyes, oldest first."""
    user = acting_user(request, db)
    found = signoff_queue(db, today=utcnow().date(), page=page_no)
    return page(
        request,
        "signoff/queue.html",
        queue=found,
        me=user.id,
        needs={i.match.id: need_texts(request, i.profile.needs) for i in found.items},
        decided=request.query_params.get("decided"),
        **LABELS,
    )


def _detail(
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
        view = offer_view(db, match_id=match_id, today=utcnow().date(), audit=True)
    except DomainError as exc:
        raise translated(request, exc) from exc
    actors = users_by_id(db, *(entry.actor_id for entry in view.audit))
    return page(
        request,
        "signoff/detail.html",
        status,
        v=view,
        me=user.id,
        actors={i: u.name for i, u in actors.items()},
        needs=need_texts(request, view.profile.needs),
        form=form or REJECT_FORM.blank(),
        reject_fields=REJECT_FORM.fields,
        problem=problem,
        **LABELS,
    )


@get("/signoff/{match_id:int}", guards=[STAFF], sync_to_thread=True)
def detail(
    request: Request[Any, Any, Any], db: NamedDependency[Session], match_id: RecordId
) -> Template:
    """One proposal with the engine's snapshot, the household profile, the flat and its audit."""
    return _detail(request, db, acting_user(request, db), match_id)


@post("/signoff/{match_id:int}/approve", guards=[STAFF], status_code=303, sync_to_thread=True)
def approve(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    state: State,
    match_id: RecordId,
) -> Template | Redirect:
    user = acting_user(request, db)
    base_url = runtime(state).settings.base_url
    try:
        approve_match(
            db,
            match_id=match_id,
            reviewer=user,
            now=utcnow(),
            base_url=base_url,
            landlord_link=lambda landlord_id: magic_links(state)(landlord_id).url,
        )
        commit(db)
    except (Conflict, Forbidden) as exc:
        db.rollback()
        return _detail(
            request, db, user, match_id, status=exc.status_code, problem=t(request, exc.message)
        )
    except DomainError as exc:
        raise translated(request, exc) from exc
    return see_other(f"/signoff?decided={match_id}")


@post("/signoff/{match_id:int}/reject", guards=[STAFF], status_code=303, sync_to_thread=True)
def reject(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    match_id: RecordId,
    data: FormData,
) -> Template | Redirect:
    user = acting_user(request, db)
    form = REJECT_FORM.parse(data, request_language(request))
    if not form.ok:
        return _detail(request, db, user, match_id, status=400, form=form)
    try:
        reject_match(
            db, match_id=match_id, reviewer=user, reason=form.values["reason"], now=utcnow()
        )
        commit(db)
    except InvalidInput as exc:
        db.rollback()
        form.add_error("reason", t(request, exc.message))
        return _detail(request, db, user, match_id, status=400, form=form)
    except (Conflict, Forbidden) as exc:
        db.rollback()
        problem = t(request, exc.message)
        return _detail(
            request, db, user, match_id, status=exc.status_code, form=form, problem=problem
        )
    except DomainError as exc:
        raise translated(request, exc) from exc
    return see_other(f"/signoff?decided={match_id}")


ROUTES: list[ControllerRouterHandler] = [queue, detail, approve, reject]
