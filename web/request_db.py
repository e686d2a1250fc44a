"""The request's one database session, shared by the role guard, the handler and the frame.

The guard checks the account with it (the user is then in its identity map, so the handler's
`current_user` asks nothing more), the handler works and commits in it, the page frame counts
the unread notifications in it: one pooled connection per request. Whoever asks first opens
it; `CloseRequestSession` closes it when the request is over, whatever happened."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlmodel import Session

_KEY = "db"


def request_db(connection: ASGIConnection[Any, Any, Any, Any]) -> Session:
    """The request's session, opened on first use."""
    state: dict[str, Any] = connection.scope.setdefault("state", {})
    found = state.get(_KEY)
    if isinstance(found, Session):
        return found
    session = Session(connection.app.state.runtime.engine, expire_on_commit=False)
    state[_KEY] = session
    return session


def open_request_db(connection: ASGIConnection[Any, Any, Any, Any]) -> Session | None:
    """The request's session when someone opened it already, else None."""
    found = connection.scope.get("state", {}).get(_KEY)
    return found if isinstance(found, Session) else None


def keep_account(db: Session, user: object) -> None:
    """Hold the checked account for the session's life: SQLAlchemy's identity map keeps its
    objects only by weak reference, so the handler's `db.get(User, uid)` would read it again."""
    db.info["account"] = user


def close_request_db(scope: Scope) -> None:
    """Close the request's session (on the event loop: see STACK-NOTES, no sync cleanup)."""
    state: dict[str, Any] = scope.get("state") or {}
    session = state.pop(_KEY, None)
    if isinstance(session, Session):
        session.close()


class CloseRequestSession:
    """ASGI middleware: the request's session is closed when the request is over, also when
    a guard refused it or the handler took no session of its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            close_request_db(scope)
