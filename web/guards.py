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
from sqlmodel import Session, col

from agency.enums import UserRole
from agency.models import User
from notifications.inbox import keep_unread, unread_column
from web.request_db import keep_account, request_db

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
        db = request_db(connection)
        account = await anyio.to_thread.run_sync(
            _holding_account, db, data.get("uid"), role, data.get("gen")
        )
        if account is None:
            connection.clear_session()
            raise NotAuthorizedException("the account is no longer active")
        if role not in allowed:
            raise PermissionDeniedException("your role has no access here")

    return guard


# The account with its unread notifications, which the page frame shows: one statement,
# built once (building and keying it on every request cost more than reading the row).
_ACCOUNT = sa.select(User, unread_column(User.id)).where(col(User.id) == sa.bindparam("uid"))


def _holding_account(db: Session, uid: Any, role: str, generation: Any) -> User | None:
    """User `uid` if still active, still with `role`, and the session's generation is the
    account's current one, else None. One primary-key read in the request's own session,
    where the user is kept (`keep_account`), so the handler finds it without asking again."""
    if not isinstance(uid, int) or not isinstance(generation, int):
        return None
    found = db.execute(_ACCOUNT, {"uid": uid}).first()
    if found is None:
        return None
    user: User = found[0]
    unread = int(found[1])
    if not user.active or str(user.role) != role or user.session_generation != generation:
        return None
    keep_account(db, user)
    keep_unread(db, user_id=uid, unread=unread)
    return user


STAFF = requires(UserRole.staff, UserRole.admin)
ADMIN = requires(UserRole.admin)
LANDLORD = requires(UserRole.landlord)
SOCIAL = requires(UserRole.social_worker, UserRole.staff, UserRole.admin)
ANY_USER = requires(*UserRole)
