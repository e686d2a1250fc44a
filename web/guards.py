"""Role guards for every route, read from the signed session cookie."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from agency.enums import UserRole

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def session_data(connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
    """The signed session cookie's contents ({} when there is none)."""
    data = connection.scope.get("session")
    return data if isinstance(data, dict) else {}


def session_role(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    session = session_data(connection)
    role = session.get("role")
    return str(role) if role and session.get("uid") else None


def requires(*roles: UserRole) -> Guard:
    """A guard letting in only logged-in users of `roles` (401 when not logged in, else 403)."""
    allowed = {r.value for r in roles}

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        role = session_role(connection)
        if role is None:
            raise NotAuthorizedException("log in first")
        if role not in allowed:
            raise PermissionDeniedException("your role has no access here")

    return guard


STAFF = requires(UserRole.staff, UserRole.admin)
ADMIN = requires(UserRole.admin)
LANDLORD = requires(UserRole.landlord)
SOCIAL = requires(UserRole.social_worker, UserRole.staff, UserRole.admin)
ANY_USER = requires(*UserRole)
