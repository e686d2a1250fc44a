"""Role guards for every route: the signed session cookie, checked against the account.

The cookie says who logged in, with which role and in which session generation; each
guarded request also checks that the account is still active with that role and that its
generation has not moved on (logging out and changing the password move it), so
deactivating a user ends their sessions and a copied cookie dies with the logout.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import sqlalchemy as sa
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from sqlmodel import col

from agency.enums import UserRole
from agency.models import User

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


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

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        role = session_role(connection)
        if role is None:
            raise NotAuthorizedException("log in first")
        data = session_data(connection)
        engine = connection.app.state.runtime.engine
        held = await anyio.to_thread.run_sync(
            _account_holds, engine, data.get("uid"), role, data.get("gen")
        )
        if not held:
            connection.clear_session()
            raise NotAuthorizedException("the account is no longer active")
        if role not in allowed:
            raise PermissionDeniedException("your role has no access here")

    return guard


def _account_holds(engine: sa.Engine, uid: Any, role: str, generation: Any) -> bool:
    """Whether user `uid` is still active, still has `role`, and the session's generation is
    the account's current one (one primary-key read)."""
    if not isinstance(uid, int) or not isinstance(generation, int):
        return False
    query = sa.select(col(User.active), col(User.role), col(User.session_generation)).where(
        col(User.id) == uid
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return row is not None and bool(row[0]) and str(row[1]) == role and row[2] == generation


STAFF = requires(UserRole.staff, UserRole.admin)
ADMIN = requires(UserRole.admin)
LANDLORD = requires(UserRole.landlord)
SOCIAL = requires(UserRole.social_worker, UserRole.staff, UserRole.admin)
ANY_USER = requires(*UserRole)
