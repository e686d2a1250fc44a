"""One request, one database session: the role guard checks the account in it, the handler
finds the user there without reading it again, and it is closed however the request ends."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from agency.models import User
from tests.webutil import login


class Recorder:
    """Pool checkouts/checkins, statements reading user_account and statements counting
    notifications, on `engine`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.checkouts = self.checkins = 0
        self.user_reads = self.unread_counts = 0

    def _checkout(self, *_: Any) -> None:
        self.checkouts += 1

    def _checkin(self, *_: Any) -> None:
        self.checkins += 1

    def _statement(self, _c: Any, _cur: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().startswith("SELECT user_account."):
            self.user_reads += 1
        if "FROM notification" in statement:
            self.unread_counts += 1

    def reset(self) -> None:
        self.checkouts = self.checkins = self.user_reads = self.unread_counts = 0

    def __enter__(self) -> Recorder:
        event.listen(self.engine, "checkout", self._checkout)
        event.listen(self.engine, "checkin", self._checkin)
        event.listen(self.engine, "before_cursor_execute", self._statement)
        return self

    def __exit__(self, *_: Any) -> None:
        event.remove(self.engine, "checkout", self._checkout)
        event.remove(self.engine, "checkin", self._checkin)
        event.remove(self.engine, "before_cursor_execute", self._statement)


@pytest.fixture
def recorder(web_engine: Engine) -> Iterator[Recorder]:
    with Recorder(web_engine) as found:
        yield found


def test_a_page_uses_one_connection_and_reads_the_user_once(
    client: TestClient[Litestar], users: dict[str, User], recorder: Recorder
) -> None:
    login(client, "social_worker@example.cz")
    for path in ("/households", "/dashboard", "/api/v1/households", "/leases"):
        recorder.reset()
        assert client.get(path).status_code == 200, path
        assert recorder.checkouts == 1, path
        assert recorder.checkins == 1, path
        assert recorder.user_reads == 1, path
        # The frame's unread count was read with the user, not asked for again.
        assert recorder.unread_counts == 1, path


def test_a_refused_role_closes_the_session_the_guard_opened(
    client: TestClient[Litestar], users: dict[str, User], recorder: Recorder
) -> None:
    login(client, "landlord@example.cz")
    recorder.reset()
    assert client.get("/households").status_code == 403
    assert recorder.checkouts == recorder.checkins == 1


def test_a_deactivated_account_is_refused_and_its_session_closed(
    client: TestClient[Litestar], users: dict[str, User], web_engine: Engine, recorder: Recorder
) -> None:
    from agency.db import session_scope

    login(client, "social_worker@example.cz")
    with session_scope(web_engine) as session:
        account = session.get(User, users["social_worker"].id)
        assert account is not None
        account.active = False
    recorder.reset()
    answer = client.get("/api/v1/households")
    assert answer.status_code == 401
    assert recorder.checkouts == recorder.checkins == 1


def test_a_handler_without_a_session_of_its_own_gets_its_guard_session_closed(
    client: TestClient[Litestar], users: dict[str, User], recorder: Recorder
) -> None:
    """Every guarded route that takes no `db` still returns the guard's connection."""
    login(client, "admin@example.cz")
    recorder.reset()
    answer = client.get("/admin/organisations/new")  # a form with nothing to read
    assert answer.status_code == 200
    assert recorder.checkouts == recorder.checkins == 1
