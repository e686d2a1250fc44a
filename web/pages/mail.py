"""Admin pages for mail: messages written by the file sender, and dead letters to retry."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import PathParameter
from litestar.response import Redirect, Template
from sqlmodel import Session

from agency.models.base import utcnow
from notifications.delivery import count_outbox, list_dead_letters, retry_dead, retry_message
from notifications.mailbox import list_mail, read_mail
from web.deps import commit, runtime
from web.guards import ADMIN
from web.render import page, see_other

OutboxId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]
MailName = Annotated[str, PathParameter(max_length=100)]


class MailController(Controller):
    path = "/admin/mail"
    guards = [ADMIN]

    @get("/", sync_to_thread=True)
    def index(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session], state: State
    ) -> Template:
        mail_dir = runtime(state).settings.mail.mail_dir
        return page(
            request,
            "admin/mail.html",
            messages=list_mail(mail_dir),
            counts=count_outbox(db),
            dead=list_dead_letters(db),
            backend=runtime(state).settings.mail.backend,
        )

    @get("/{name:str}", sync_to_thread=True)
    def show(self, request: Request[Any, Any, Any], state: State, name: MailName) -> Template:
        content = read_mail(runtime(state).settings.mail.mail_dir, name)
        return page(request, "admin/mail_message.html", mail=content)

    @post("/retry/{outbox_id:int}", status_code=303, sync_to_thread=True)
    def retry_one(self, db: NamedDependency[Session], outbox_id: OutboxId) -> Redirect:
        retry_message(db, outbox_id=outbox_id, now=utcnow())
        commit(db)
        return see_other("/admin/mail")

    @post("/retry-all", status_code=303, sync_to_thread=True)
    def retry_all(self, db: NamedDependency[Session]) -> Redirect:
        retry_dead(db, now=utcnow())
        commit(db)
        return see_other("/admin/mail")
