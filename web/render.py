"""Rendering pages: every template gets the language, the user and the navigation."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request
from litestar.response import Redirect, Template
from sqlmodel import Session

from notifications.inbox import count_unread
from web.deps import runtime
from web.guards import session_data
from web.i18n import page_functions, pick_language, translate
from web.request_db import open_request_db
from web.security import local_path

LANG_COOKIE = "lang"

# (path, message id) per role; the first entry is the role's start page.
NAVIGATION: dict[str, tuple[tuple[str, str], ...]] = {
    "anonymous": (("/", "Home"), ("/offer", "Offer a flat")),
    "landlord": (("/portal", "My flats"), ("/offer", "Offer a flat")),
    "social_worker": (
        ("/dashboard", "Dashboard"),
        ("/households", "Households"),
        ("/offers", "Proposals and offers"),
        ("/matching/runs/new", "Run matching"),
        ("/leases", "Leases"),
        ("/visits", "Visits"),
    ),
    "staff": (
        ("/dashboard", "Dashboard"),
        ("/staff/flats", "Flats"),
        ("/households", "Households"),
        ("/signoff", "Sign-off"),
        ("/leases", "Leases"),
        ("/visits", "Visits"),
        ("/summaries", "Summaries"),
    ),
    "platform_member": (("/dashboard", "Dashboard"), ("/summaries", "Summaries")),
    "admin": (
        ("/dashboard", "Dashboard"),
        ("/staff/flats", "Flats"),
        ("/households", "Households"),
        ("/signoff", "Sign-off"),
        ("/leases", "Leases"),
        ("/summaries", "Summaries"),
        ("/admin/users", "Users"),
        ("/admin/organisations", "Organisations"),
        ("/admin/barrier-categories", "Barrier categories"),
        ("/admin/interventions", "Interventions"),
        ("/admin/support-plans", "Support plan templates"),
        ("/admin/mail", "Mail (admin)"),
    ),
}


def request_language(request: Request[Any, Any, Any]) -> str:
    """The language chosen by cookie, else the user's own, else Czech."""
    session = session_data(request)
    return pick_language(request.cookies.get(LANG_COOKIE), session.get("lang"))


def page(
    request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any
) -> Template:
    """A page in the request's language, with the layout's context."""
    session = session_data(request)
    role = session.get("role") or "anonymous"
    language = request_language(request)
    base = {
        **page_functions(language),
        "lang": language,
        "role": role,
        "user_name": session.get("name"),
        "navigation": NAVIGATION.get(role, ()),
        "path": request.url.path,
        "path_qs": _path_with_query(request),
        "unread": _unread(request, session.get("uid")),
    }
    return Template(template_name=template, context=base | context, status_code=status_code)


def _unread(request: Request[Any, Any, Any], uid: Any) -> int | None:
    """The user's unread notifications (one indexed count), None when not logged in."""
    if not isinstance(uid, int):
        return None
    own = open_request_db(request)
    if own is not None:
        return count_unread(own, user_id=uid)
    with Session(runtime(request.app.state).engine) as session:
        return count_unread(session, user_id=uid)


def _path_with_query(request: Request[Any, Any, Any]) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def t(request: Request[Any, Any, Any], message: str, **values: Any) -> str:
    """A message in the request's language."""
    return translate(request_language(request), message, **values)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths: never redirect to another site (see `web.security.local_path`)."""
    return local_path(target, default)


def see_other(path: str) -> Redirect:
    return Redirect(path=path, status_code=303)


def login_redirect(request: Request[Any, Any, Any]) -> Redirect:
    return see_other(f"/login?next={quote(_path_with_query(request), safe='/')}")
