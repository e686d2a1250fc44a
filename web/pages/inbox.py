"""In-app notifications of the logged-in user."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter
from litestar.response import Redirect, Template
from sqlmodel import Session

from agency.models.base import utcnow
from notifications.inbox import list_notifications, mark_all_read, mark_read
from web.deps import commit
from web.guards import ANY_USER, session_data
from web.render import page, request_language, safe_next, see_other

NotificationId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]


def _uid(request: Request[Any, Any, Any]) -> int:
    return int(session_data(request)["uid"])


class InboxController(Controller):
    path = "/notifications"
    guards = [ANY_USER]

    @get("/", sync_to_thread=True)
    def index(self, request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Template:
        items = list_notifications(db, user_id=_uid(request), language=request_language(request))
        return page(request, "inbox.html", items=items)

    @post("/{notification_id:int}/read", status_code=303, sync_to_thread=True)
    def read(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        notification_id: NotificationId,
    ) -> Redirect:
        mark_read(db, user_id=_uid(request), notification_id=notification_id, now=utcnow())
        commit(db)
        return see_other(safe_next(request.query_params.get("next"), "/notifications"))

    @post("/read-all", status_code=303, sync_to_thread=True)
    def read_all(self, request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Redirect:
        mark_all_read(db, user_id=_uid(request), now=utcnow())
        commit(db)
        return see_other("/notifications")
