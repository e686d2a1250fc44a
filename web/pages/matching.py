"""Matching for social workers: flats for one household, matching runs, proposing a match."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlmodel import Session

from agency.enums import MatchingScope
from agency.errors import Conflict, DomainError, InvalidInput
from agency.models import User
from agency.models.base import utcnow
from agency.services.gazetteer import list_krajs, list_orps
from agency.services.households import get_household
from agency.services.matches import propose_suggested_match
from agency.services.matching_runs import Scope, check_scope, find_flats, get_run, run_matching
from agency.services.placement_views import flat_places, household_names
from web.deps import commit
from web.forms import Form, FormField, FormResult
from web.guards import SOCIAL
from web.pages.placement_common import (
    LABELS,
    SCOPE_LABELS,
    near_miss_text,
    reason_text,
)
from web.pages.staff_common import RecordId, acting_user, translated
from web.render import page, request_language, see_other, t

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
PageNo = Annotated[int, QueryParameter(name="page", ge=1, le=100_000)]
PER_PAGE = 50
RUN_SCOPES = (MatchingScope.caseload, MatchingScope.orp, MatchingScope.kraj, MatchingScope.all)


def _unmatched_view(request: Request[Any, Any, Any], item: dict[str, Any]) -> dict[str, Any]:
    """An unmatched household's explanation in the reader's language."""
    return {
        "reason": reason_text(request, str(item.get("reason", ""))),
        "excluded_by": {k: v for k, v in item.get("excluded_by", {}).items() if v},
        "near_misses": [
            {"flat_id": m["flat_id"], "text": near_miss_text(request, m)}
            for m in item.get("near_misses", [])
        ],
        "compatible_flats": item.get("compatible_flats", 0),
    }


@get("/households/{household_id:int}/flats", guards=[SOCIAL], sync_to_thread=True)
def household_flats(
    request: Request[Any, Any, Any], db: NamedDependency[Session], household_id: RecordId
) -> Template:
    """ "Find flats": the engine ranks the available flats for this one household."""
    user = acting_user(request, db)
    try:
        household = get_household(db, actor=user, household_id=household_id)
    except DomainError as exc:
        raise translated(request, exc) from exc
    search = find_flats(db, household_id=household_id, today=utcnow().date())
    missed = search.unmatched or {}
    ids = {c.flat_id for c in search.choices} | {
        m["flat_id"] for m in missed.get("near_misses", [])
    }
    return page(
        request,
        "matching/household_flats.html",
        household=household,
        search=search,
        why=_unmatched_view(request, missed) if search.unmatched else None,
        flats=flat_places(db, ids=ids),
        **LABELS,
    )


# --- runs -------------------------------------------------------------------------------------


def _run_form(db: Session) -> Form:
    return Form(
        FormField(
            "scope",
            "What to match",
            kind="choice",
            choices=tuple((s.value, SCOPE_LABELS[s]) for s in RUN_SCOPES),
        ),
        FormField(
            "orp",
            "ORP",
            kind="choice",
            required=False,
            choices=tuple((str(c), n) for c, n in list_orps(db)),
            help="Only for the scope 'One ORP'.",
        ),
        FormField(
            "kraj",
            "Region",
            kind="choice",
            required=False,
            choices=tuple(list_krajs(db)),
            help="Only for the scope 'One region'.",
        ),
    )


def _scope_of(request: Request[Any, Any, Any], result: FormResult) -> Scope | None:
    """The chosen scope, or None with the missing ORP or region marked on the form."""
    if not result.ok:
        return None
    kind = MatchingScope(result.values["scope"])
    name = {MatchingScope.orp: "orp", MatchingScope.kraj: "kraj"}.get(kind)
    value = result.values.get(name) if name else None
    if name and not value:
        result.add_error(name, t(request, "Choose an ORP or a region from the list."))
        return None
    return Scope(kind, value)


class RunController(Controller):
    """The form and its submission share a path, so they live in one controller."""

    path = "/matching/runs/new"

    @get("/", guards=[SOCIAL], sync_to_thread=True)
    def run_form(self, request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Template:
        form = _run_form(db)
        return _run_page(request, form, form.blank({"scope": "caseload"}))

    @post("/", guards=[SOCIAL], status_code=303, sync_to_thread=True)
    def run_start(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session], data: FormData
    ) -> Template | Redirect:
        user = acting_user(request, db)
        form = _run_form(db)
        result = form.parse(data, request_language(request))
        scope = _scope_of(request, result)
        if scope is None:
            return _run_page(request, form, result, 400)
        try:
            scope = check_scope(db, actor=user, scope=scope)
        except InvalidInput as exc:
            result.add_error("scope", t(request, exc.message))
            return _run_page(request, form, result, 400)
        run = run_matching(
            db, scope=scope.kind, scope_value=scope.value, run_by_id=user.id, now=utcnow()
        )
        commit(db)
        return see_other(f"/matching/runs/{run.id}")


def _run_page(
    request: Request[Any, Any, Any], form: Form, result: FormResult, status: int = 200
) -> Template:
    return page(request, "matching/run_new.html", status, form=result, form_fields=form.fields)


@get("/matching/runs/{run_id:int}", guards=[SOCIAL], sync_to_thread=True)
def run_detail(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    run_id: RecordId,
    page_no: PageNo = 1,
) -> Template:
    """A stored run: suggestions and unmatched households, one page of each."""
    user = acting_user(request, db)
    try:
        run = get_run(db, run_id=run_id)
    except DomainError as exc:
        raise translated(request, exc) from exc
    start = (page_no - 1) * PER_PAGE
    suggestions = (run.suggestions or [])[start : start + PER_PAGE]
    unmatched = ((run.explanations or {}).get("unmatched") or [])[start : start + PER_PAGE]
    total = max(len(run.suggestions or []), len((run.explanations or {}).get("unmatched") or []))
    return page(
        request,
        "matching/run.html",
        run=run,
        suggestions=suggestions,
        unmatched=[(u, _unmatched_view(request, u)) for u in unmatched],
        **_names_and_flats(db, user, suggestions, unmatched),
        scope_labels=SCOPE_LABELS,
        page_no=page_no,
        pages=max(1, -(-total // PER_PAGE)),
        **LABELS,
    )


def _names_and_flats(
    db: Session, user: User, suggestions: list[Any], unmatched: list[Any]
) -> dict[str, Any]:
    households = {s["household_id"] for s in suggestions} | {u["household_id"] for u in unmatched}
    flats = {s["flat_id"] for s in suggestions} | {
        m["flat_id"] for u in unmatched for m in u.get("near_misses", [])
    }
    return {
        "names": household_names(db, actor=user, ids=households),
        "flats": flat_places(db, ids=flats),
    }


# --- proposing -----------------------------------------------------------------------------------


def _record_id(data: dict[str, Any], name: str, *, required: bool = True) -> int | None:
    raw = str(data.get(name) or "").strip()
    if not raw and not required:
        return None
    if not raw.isdigit() or not 1 <= int(raw) < 2**31:
        raise InvalidInput("The form is incomplete; please go back and try again.", field=name)
    return int(raw)


@post("/matching/propose", guards=[SOCIAL], status_code=303, sync_to_thread=True)
def propose(
    request: Request[Any, Any, Any], db: NamedDependency[Session], data: FormData
) -> Template | Redirect:
    """Propose a flat for a household; the engine's explanation is stored with it."""
    user = acting_user(request, db)
    household_id = 0
    try:
        household_id = _record_id(data, "household_id") or 0
        flat_id = _record_id(data, "flat_id") or 0
        run_id = _record_id(data, "run_id", required=False)
        note = str(data.get("note") or "")[:2000]
        match = propose_suggested_match(
            db,
            actor=user,
            household_id=household_id,
            flat_id=flat_id,
            run_id=run_id,
            note=note,
            now=utcnow(),
        )
        commit(db)
    except Conflict as exc:
        db.rollback()
        message = t(request, exc.message)
        return page(
            request, "matching/propose_failed.html", 409, message=message, household_id=household_id
        )
    except DomainError as exc:
        raise translated(request, exc) from exc
    return see_other(f"/offers/{match.id}?proposed=1")


ROUTES: list[ControllerRouterHandler] = [household_flats, RunController, run_detail, propose]
