"""Admin pages: users (list, new, deactivate, activate); organisations in admin_orgs."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery, QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlmodel import Session

from agency.enums import Language, UserRole
from agency.errors import Conflict, DomainError
from agency.services.admin import get_organisation, list_organisations, set_user_active, users_query
from agency.services.users import WeakPassword, check_password, create_user
from web.deps import commit, runtime
from web.forms import Form, FormField, FormResult
from web.guards import ADMIN
from web.pages import admin_orgs
from web.pages.staff_common import RecordId, acting_user, translated
from web.pagination import BadPage, paginate, parse_page
from web.render import page, request_language, see_other, t

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]

ROLE_LABELS: dict[str, str] = {
    UserRole.landlord: "Landlord",
    UserRole.social_worker: "Social worker",
    UserRole.staff: "Agency staff",
    UserRole.platform_member: "Platform member",
    UserRole.admin: "Administrator",
}
# Landlords get their login from the magic link of their offer, never from an admin.
CREATABLE_ROLES = tuple((r, label) for r, label in ROLE_LABELS.items() if r != UserRole.landlord)
LANGUAGE_LABELS = ((Language.cs.value, "Czech"), (Language.en.value, "English"))


def user_form(organisations: list[tuple[str, str]]) -> Form:
    """The new-user form; the organisations are records, so the form is built per request."""
    return Form(
        FormField("email", "Email", kind="email", max_length=254, autocomplete="off"),
        FormField("name", "Name", max_length=200),
        FormField("role", "Role", kind="choice", choices=CREATABLE_ROLES),
        FormField(
            "organisation_id", "Organisation", kind="choice", required=False, choices=organisations
        ),
        FormField("language", "Language", kind="choice", choices=LANGUAGE_LABELS),
        FormField(
            "password",
            "Initial password",
            kind="password",
            max_length=500,
            autocomplete="new-password",
            help="At least 12 characters, not a common password and not the email's name part.",
        ),
    )


def _organisation_choices(db: Session) -> list[tuple[str, str]]:
    return [(str(o.id), o.name) for o in list_organisations(db)]


class UsersController(Controller):
    path = "/admin/users"

    @get("/", guards=[ADMIN], sync_to_thread=True)
    def user_list(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        role: FromQuery[str | None] = None,
        page_number: Annotated[str | None, QueryParameter(name="page")] = None,
    ) -> Template:
        chosen = role if role in ROLE_LABELS else None
        try:
            number = parse_page(page_number)
        except BadPage:
            number = 0
        if number == 0 or (role and chosen is None):
            message = t(request, "Unknown role or page number.")
            return page(request, "admin/users.html", 400, error=message, rows=[], **_ctx(role))
        found = paginate(db, users_query(role=UserRole(chosen) if chosen else None), page=number)
        return page(
            request,
            "admin/users.html",
            rows=found.items,
            pagination=found.pagination,
            me=request.session.get("uid"),
            **_ctx(chosen),
        )

    @get("/new", guards=[ADMIN], sync_to_thread=True)
    def new_user_form(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session]
    ) -> Template:
        form = user_form(_organisation_choices(db))
        return _user_page(request, form, form.blank({"language": "cs"}))

    @post("/new", guards=[ADMIN], status_code=303, sync_to_thread=True)
    def new_user(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        state: State,
        data: FormData,
    ) -> Template | Redirect:
        form = user_form(_organisation_choices(db))
        result = form.parse(data, request_language(request))
        _check_password(request, result)
        if result.ok and _created(request, db, state, result):
            commit(db)
            return see_other("/admin/users")
        result.raw["password"] = ""  # never echo a password back
        return _user_page(request, form, result, 400)

    @post("/{user_id:int}/deactivate", guards=[ADMIN], status_code=303, sync_to_thread=True)
    def deactivate(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session], user_id: RecordId
    ) -> Redirect:
        return _set_active(request, db, user_id, active=False)

    @post("/{user_id:int}/activate", guards=[ADMIN], status_code=303, sync_to_thread=True)
    def activate(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session], user_id: RecordId
    ) -> Redirect:
        return _set_active(request, db, user_id, active=True)


def _check_password(request: Request[Any, Any, Any], result: FormResult) -> None:
    """The password policy, shown at the password field (before anything is stored)."""
    password = result.values.get("password") or ""
    if not password or "password" in result.errors:
        return
    try:
        check_password(password, email=str(result.values.get("email") or ""))
    except WeakPassword as exc:
        result.add_error("password", t(request, exc.template, **exc.values))


def _created(
    request: Request[Any, Any, Any], db: Session, state: State, result: FormResult
) -> bool:
    """Create the user from a valid form; False (with the error on its field) when refused."""
    values = result.values
    try:
        organisation = values.get("organisation_id")
        if organisation:
            get_organisation(db, organisation_id=int(organisation))
        create_user(
            db,
            hasher=runtime(state).hasher,
            email=values["email"],
            name=values["name"],
            role=UserRole(values["role"]),
            password=values["password"],
            organisation_id=int(organisation) if organisation else None,
            language=Language(values["language"]),
        )
    except Conflict:
        result.add_error("email", t(request, "A user with this email exists already."))
        return False
    except DomainError as exc:
        result.add_error(exc.field or "email", t(request, exc.message))
        return False
    return True


def _set_active(
    request: Request[Any, Any, Any], db: Session, user_id: int, *, active: bool
) -> Redirect:
    admin = acting_user(request, db)
    try:
        set_user_active(db, user_id=user_id, active=active, actor_id=int(admin.id or 0))
    except DomainError as exc:
        raise translated(request, exc) from exc
    commit(db)
    return see_other("/admin/users")


def _ctx(role: str | None) -> dict[str, Any]:
    return {
        "roles": ROLE_LABELS,
        "chosen_role": role or "",
        "base_query": urlencode({"role": role}) + "&" if role else "",
    }


def _user_page(
    request: Request[Any, Any, Any], form: Form, result: FormResult, status: int = 200
) -> Template:
    return page(request, "admin/user_new.html", status, form=result, form_fields=form.fields)


ROUTES: list[ControllerRouterHandler] = [UsersController, *admin_orgs.ROUTES]
