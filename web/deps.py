"""Per-request dependencies: the database session, the current user, the app's services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from litestar import Request
from litestar.datastructures import State
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from agency.errors import Conflict
from agency.models import User
from web.guards import session_data
from web.request_db import close_request_db, request_db
from web.settings import Settings


@dataclass(frozen=True)
class Runtime:
    """What the handlers need from the wiring, kept in the app's state."""

    settings: Settings
    engine: Engine
    hasher: PasswordHasher


def runtime(state: State) -> Runtime:
    found: Runtime = state.runtime
    return found


async def provide_session(request: Request[Any, Any, Any]) -> AsyncIterator[Session]:
    """The request's one session (`web.request_db`: the guard may have opened it already),
    closed on the event loop when the handler is done (see STACK-NOTES: no sync cleanup)."""
    session = request_db(request)
    try:
        yield session
    finally:
        close_request_db(request.scope)


def commit(db: Session) -> None:
    """The request's one commit; a constraint the database refuses becomes a Conflict."""
    try:
        db.commit()
    except IntegrityError as exc:
        db.rollback()
        raise Conflict("the records changed meanwhile; please try again") from exc


def current_user(request: Request[Any, Any, Any], db: Session) -> User | None:
    """The logged-in, active user, or None."""
    uid = session_data(request).get("uid")
    if not isinstance(uid, int):
        return None
    user = db.get(User, uid)
    return user if user is not None and user.active else None


def client_ip(request: Request[Any, Any, Any]) -> str:
    client = request.client
    return client.host if client else "unknown"
