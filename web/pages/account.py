"""Logging in and out, magic links for landlords, and the language switch."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template
from sqlmodel import Session, select

from agency.enums import Language, UserRole
from agency.models import Landlord, User
from agency.models.base import utcnow
from agency.services.users import LoginThrottled, authenticate, end_sessions
from web.deps import client_ip, commit, runtime
from web.forms import Form, FormField, FormResult
from web.guards import session_data
from web.i18n import LANGUAGES
from web.render import LANG_COOKIE, NAVIGATION, page, see_other, t
from web.security import local_path
from web.tokens import MAGIC_LINK_PURPOSE, BadToken, read_token

LOGIN_FORM = Form(
    FormField("email", "Email", kind="email", max_length=254, autocomplete="username"),
    FormField(
        "password", "Password", kind="password", max_length=500, autocomplete="current-password"
    ),
)
FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def start_page(role: str) -> str:
    return NAVIGATION.get(role, NAVIGATION["anonymous"])[0][0]


def log_in(request: Request[Any, Any, Any], user: User) -> None:
    """A fresh session for `user`: nothing of the previous session survives (the language
    chosen before lives in its own cookie and stays)."""
    request.clear_session()
    request.set_session(
        {
            "uid": user.id,
            "role": str(user.role),
            "name": user.name,
            "lang": str(user.language),
            "gen": user.session_generation,
        }
    )


class AccountController(Controller):
    @get("/login", sync_to_thread=False)
    def login_form(
        self, request: Request[Any, Any, Any], next: FromQuery[str | None] = None
    ) -> Template:
        return _login_page(request, LOGIN_FORM.blank(), local_path(next, ""))

    @post("/login", status_code=303, sync_to_thread=True)
    def login(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        state: State,
        data: FormData,
    ) -> Template | Redirect:
        form = LOGIN_FORM.parse(data, _lang(request))
        target = local_path(str(data.get("next") or ""), "")
        if not form.ok:
            return _login_page(request, form, target, 400)
        try:
            user = authenticate(
                db,
                hasher=runtime(state).hasher,
                email=form.values["email"],
                password=form.values["password"],
                ip=client_ip(request),
                now=utcnow(),
            )
        except LoginThrottled as exc:
            form.add_error(
                "email",
                t(
                    request,
                    "Too many failed attempts. Try again in %(minutes)s minutes.",
                    minutes=exc.minutes,
                ),
            )
            return _login_page(request, form, target, 429)
        commit(db)
        if user is None:
            form.raw["password"] = ""
            form.add_error("email", t(request, "Wrong email or password."))
            return _login_page(request, form, target, 400)
        log_in(request, user)
        return see_other(target or start_page(str(user.role)))

    @post("/logout", status_code=303, sync_to_thread=True)
    def logout(self, request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Redirect:
        data = session_data(request)
        uid, generation = data.get("uid"), data.get("gen")
        if isinstance(uid, int) and isinstance(generation, int):
            # A copy of this cookie must not outlive the logout; a cookie that is stale
            # already (an earlier logout) ends nobody's current sessions.
            end_sessions(db, user_id=uid, generation=generation)
            commit(db)
        request.clear_session()
        return see_other("/")

    @get("/auth/link", sync_to_thread=True)
    def magic_link(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        state: State,
        token: Annotated[str, QueryParameter(max_length=500)],
        next: Annotated[str | None, QueryParameter(max_length=300)] = None,
    ) -> Template | Redirect:
        rt = runtime(state)
        try:
            landlord_id = read_token(
                rt.settings.secret_key, token, purpose=MAGIC_LINK_PURPOSE, now=utcnow()
            )
        except BadToken:
            return page(request, "account/link_invalid.html", 400)
        landlord = db.get(Landlord, landlord_id)
        if landlord is None:
            return page(request, "account/link_invalid.html", 400)
        user = landlord_user(db, landlord)
        commit(db)
        log_in(request, user)
        return see_other(local_path(next, "/portal"))

    @get("/lang/{code:str}", sync_to_thread=False)
    def switch_language(
        self,
        request: Request[Any, Any, Any],
        code: FromPath[str],
        next: FromQuery[str | None] = None,
    ) -> Redirect:
        response = see_other(local_path(next))
        if code in LANGUAGES:
            response.set_cookie(
                LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", httponly=True
            )
        return response


def landlord_user(db: Session, landlord: Landlord) -> User:
    """The login of a landlord, created on the first magic link."""
    found = db.exec(select(User).where(User.landlord_id == landlord.id)).first()
    if found is not None:
        return found
    user = User(
        email=landlord.email,
        name=landlord.name,
        role=UserRole.landlord,
        landlord_id=landlord.id,
        language=Language(landlord.preferred_language),
    )
    db.add(user)
    db.flush()
    return user


def _login_page(
    request: Request[Any, Any, Any], form: FormResult, target: str, status: int = 200
) -> Template:
    return page(
        request, "account/login.html", status, form=form, form_fields=LOGIN_FORM.fields, next=target
    )


def _lang(request: Request[Any, Any, Any]) -> str:
    from web.render import request_language

    return request_language(request)
