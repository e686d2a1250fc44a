"""The admin's barrier taxonomy and interventions: list, add, rename, deactivate (never
delete: past barriers and the Platform's summaries keep referring to them)."""

from __future__ import annotations

from typing import Annotated, Any, cast

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlmodel import Session

from agency.errors import DomainError, InvalidInput
from agency.services.support import list_templates, save_template
from agency.services.taxonomy import Kind, add_term, list_terms, rename_term, set_term_active
from web.deps import commit
from web.forms import Form, FormField, FormResult
from web.guards import ADMIN
from web.pages.staff_common import RecordId, acting_user, translated
from web.render import page, request_language, see_other

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]

PATHS: dict[Kind, str] = {
    "category": "/admin/barrier-categories",
    "intervention": "/admin/interventions",
}
TITLES: dict[Kind, str] = {"category": "Barrier categories", "intervention": "Interventions"}
NAMES = (
    FormField("name_cs", "Name in Czech", max_length=200),
    FormField("name_en", "Name in English", max_length=200),
)
ADD_FORM = Form(
    FormField("code", "Code", max_length=50, help="Lower-case letters, digits and underscores."),
    *NAMES,
)
RENAME_FORM = Form(*NAMES)


def _list_page(
    request: Request[Any, Any, Any],
    db: Session,
    kind: Kind,
    form: FormResult | None = None,
    status: int = 200,
) -> Template:
    acting_user(request, db)
    return page(
        request,
        "taxonomy/list.html",
        status,
        terms=list_terms(db, kind=kind),
        title=TITLES[kind],
        base=PATHS[kind],
        form=form or ADD_FORM.blank(),
        fields=ADD_FORM.fields,
        rename_fields=RENAME_FORM.fields,
        rename_form=None,
        rename_id=None,
    )


def _add(request: Request[Any, Any, Any], db: Session, kind: Kind, data: dict[str, Any]) -> Any:
    form = ADD_FORM.parse(data, request_language(request))
    if form.ok:
        try:
            add_term(db, kind=kind, **{k: str(v) for k, v in form.values.items()})
            commit(db)
            return see_other(PATHS[kind])
        except DomainError as exc:
            form.add_error(exc.field or "code", translated(request, exc).message)
    db.rollback()
    return _list_page(request, db, kind, form, status=400)


def _rename(
    request: Request[Any, Any, Any], db: Session, kind: Kind, term_id: int, data: dict[str, Any]
) -> Any:
    form = RENAME_FORM.parse(data, request_language(request))
    if form.ok:
        try:
            rename_term(
                db, kind=kind, term_id=term_id, **{k: str(v) for k, v in form.values.items()}
            )
            commit(db)
            return see_other(PATHS[kind])
        except DomainError as exc:
            if exc.field is None:
                raise translated(request, exc) from exc
            form.add_error(exc.field, translated(request, exc).message)
    db.rollback()
    page_ = _list_page(request, db, kind, status=400)
    page_.context.update(rename_form=form, rename_id=term_id)
    return page_


def _toggle(db: Session, kind: Kind, term_id: int, data: dict[str, Any]) -> Redirect:
    set_term_active(db, kind=kind, term_id=term_id, active=str(data.get("active")) == "1")
    commit(db)
    return see_other(PATHS[kind])


@get("/admin/barrier-categories", guards=[ADMIN], sync_to_thread=True)
def categories(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Template:
    """Every barrier category with how often it was used."""
    return _list_page(request, db, "category")


@post("/admin/barrier-categories", guards=[ADMIN], sync_to_thread=True, status_code=303)
def category_add(
    request: Request[Any, Any, Any], db: NamedDependency[Session], data: FormData
) -> Redirect | Template:
    return cast(Redirect | Template, _add(request, db, "category", data))


@post(
    "/admin/barrier-categories/{term_id:int}/rename",
    guards=[ADMIN],
    sync_to_thread=True,
    status_code=303,
)
def category_rename(
    request: Request[Any, Any, Any], db: NamedDependency[Session], term_id: RecordId, data: FormData
) -> Redirect | Template:
    return cast(Redirect | Template, _rename(request, db, "category", term_id, data))


@post(
    "/admin/barrier-categories/{term_id:int}/active",
    guards=[ADMIN],
    sync_to_thread=True,
    status_code=303,
)
def category_active(
    request: Request[Any, Any, Any], db: NamedDependency[Session], term_id: RecordId, data: FormData
) -> Redirect:
    """Deactivate (active=0) or reactivate (active=1) a category."""
    acting_user(request, db)
    return _toggle(db, "category", term_id, data)


@get("/admin/interventions", guards=[ADMIN], sync_to_thread=True)
def interventions(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Template:
    """Every intervention with how often it overcame a barrier."""
    return _list_page(request, db, "intervention")


@post("/admin/interventions", guards=[ADMIN], sync_to_thread=True, status_code=303)
def intervention_add(
    request: Request[Any, Any, Any], db: NamedDependency[Session], data: FormData
) -> Redirect | Template:
    return cast(Redirect | Template, _add(request, db, "intervention", data))


@post(
    "/admin/interventions/{term_id:int}/rename",
    guards=[ADMIN],
    sync_to_thread=True,
    status_code=303,
)
def intervention_rename(
    request: Request[Any, Any, Any], db: NamedDependency[Session], term_id: RecordId, data: FormData
) -> Redirect | Template:
    return cast(Redirect | Template, _rename(request, db, "intervention", term_id, data))


@post(
    "/admin/interventions/{term_id:int}/active",
    guards=[ADMIN],
    sync_to_thread=True,
    status_code=303,
)
def intervention_active(
    request: Request[Any, Any, Any], db: NamedDependency[Session], term_id: RecordId, data: FormData
) -> Redirect:
    """Deactivate (active=0) or reactivate (active=1) an intervention."""
    acting_user(request, db)
    return _toggle(db, "intervention", term_id, data)


# --- support plan templates ---------------------------------------------------------------

PLANS = "/admin/support-plans"
STEP_ROWS = 6


def _plan_page(
    request: Request[Any, Any, Any], db: Session, error: dict[str, Any] | None = None
) -> Template:
    acting_user(request, db)
    return page(
        request,
        "taxonomy/plans.html",
        400 if error else 200,
        templates=list_templates(db),
        rows=STEP_ROWS,
        error=error,
    )


def _steps(data: dict[str, Any]) -> list[tuple[int, int]] | None:
    """The filled step rows as (until month, every days); None when a number is malformed."""
    steps = []
    for row in range(1, STEP_ROWS + 1):
        until = str(data.get(f"until_{row}") or "").strip()
        every = str(data.get(f"every_{row}") or "").strip()
        if not until and not every:
            continue
        if not (until.isdigit() and every.isdigit() and len(until) < 4 and len(every) < 4):
            return None
        steps.append((int(until), int(every)))
    return steps


@get(PLANS, guards=[ADMIN], sync_to_thread=True)
def plans(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Template:
    """Support plan templates: steps "until month M, every D days"; one is the default."""
    return _plan_page(request, db)


@post(PLANS, guards=[ADMIN], sync_to_thread=True, status_code=303)
def plan_save(
    request: Request[Any, Any, Any], db: NamedDependency[Session], data: FormData
) -> Redirect | Template:
    """Create a template, or change one (`template_id`)."""
    raw_id = str(data.get("template_id") or "")
    template_id = int(raw_id) if raw_id.isdigit() and len(raw_id) < 10 else None
    steps = _steps(data)
    try:
        if steps is None:
            raise InvalidInput("Enter a whole number.", field="steps")
        save_template(
            db,
            template_id=template_id,
            name=str(data.get("name") or ""),
            steps=steps,
            is_default=str(data.get("is_default") or "") == "on",
        )
        commit(db)
        return see_other(PLANS)
    except InvalidInput as exc:
        db.rollback()
        message = translated(request, exc).message
        return _plan_page(request, db, {"id": template_id, "message": message, "raw": data})


ROUTES: list[ControllerRouterHandler] = [
    plans,
    plan_save,
    categories,
    category_add,
    category_rename,
    category_active,
    interventions,
    intervention_add,
    intervention_rename,
    intervention_active,
]
