"""Mail in the embedded default lands in var/mail/ and shows on the admin page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar.testing import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from agency.db import session_scope
from agency.models import User
from agency.models.base import utcnow
from notifications.delivery import deliver_due
from notifications.models import OutboxMessage, OutboxStatus
from notifications.senders import FileSender
from notifications.service import Recipient, notify
from tests.webutil import login, submit


def _queue_and_deliver(client: TestClient[Any], engine: Engine) -> None:
    config = client.app.state.runtime.settings.mail
    with session_scope(engine) as session:
        notify(
            session,
            kind="magic_link",
            event_key="magic_link:test",
            recipients=[Recipient(email="pronajimatel@example.cz", language="cs")],
            context={"magic_link_url": "http://x/auth/link?token=t", "expires_at": utcnow()},
        )
    deliver_due(engine, sender=FileSender(config.mail_dir), config=config, now=utcnow())


def test_admin_sees_the_mail_written_to_files(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    _queue_and_deliver(client, web_engine)
    mail_dir = client.app.state.runtime.settings.mail.mail_dir
    [written] = list(mail_dir.glob("*.eml"))
    login(client, "admin@example.cz")
    index = client.get("/admin/mail")
    assert index.status_code == 200
    assert "pronajimatel@example.cz" in index.text and written.name in index.text
    message = client.get(f"/admin/mail/{written.name}")
    assert message.status_code == 200 and "auth/link?token=t" in message.text
    assert client.get("/admin/mail/..%2Fsecret_key").status_code == 404
    assert client.get("/admin/mail/" + "0" * 32 + ".eml").status_code == 404


def test_admin_retries_dead_letters(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    with session_scope(web_engine) as session:
        notify(
            session,
            kind="magic_link",
            event_key="magic_link:dead",
            recipients=[Recipient(email="nikdo@example.cz")],
            context={"magic_link_url": "http://x", "expires_at": utcnow()},
        )
        row = session.exec(select(OutboxMessage)).one()
        row.status, row.attempts, row.last_error = OutboxStatus.dead, 10, "550 no such user"
    login(client, "admin@example.cz")
    page = client.get("/admin/mail").text
    assert "550 no such user" in page and "nikdo@example.cz" in page
    response = submit(client, "/admin/mail", f"/admin/mail/retry/{row.id}", {})
    assert response.status_code == 303
    with session_scope(web_engine) as session:
        again = session.get(OutboxMessage, row.id)
        assert again is not None and again.status == OutboxStatus.pending
        assert again.attempts == 0 and again.next_attempt_at <= utcnow() + timedelta(seconds=1)


def test_only_admins_see_mail(client: TestClient[Any], users: dict[str, User]) -> None:
    login(client, "staff@example.cz")
    assert client.get("/admin/mail").status_code == 403
