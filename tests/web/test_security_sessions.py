"""Sessions: a fresh one at login, a copied cookie useless after logout or a password change,
and redirect targets that never leave the site."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.testing import TestClient
from sqlalchemy.engine import Engine

from agency.db import session_scope
from agency.models import User
from agency.models.base import utcnow
from agency.passwords import make_hasher
from agency.services.users import end_sessions, set_password
from notifications.config import MailConfig
from tests.factories import Factory
from tests.webutil import PASSWORD, csrf_from, login, submit
from web.app import _key, create_app
from web.security import local_path
from web.settings import Settings
from web.tokens import MAGIC_LINK_PURPOSE, make_token

HOSTILE_TARGETS = (
    "//evil.example/",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "data:text/html,<b>x</b>",
    "evil.example",
    "/\x00/evil.example",
)


@pytest.fixture
def client(web_engine: Engine, tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    """The app, with the test client able to read and plant session data."""
    settings = Settings(
        database_url="sqlite://",
        secret_key="test-secret",
        var_dir=tmp_path,
        mail=MailConfig(backend="file", mail_dir=tmp_path / "mail"),
    )
    app = create_app(settings, engine=web_engine, hasher=make_hasher(cheap=True))
    config = CookieBackendConfig(secret=_key("test-secret", "session"))
    with TestClient(app, session_config=config) as test_client:
        yield test_client


def assert_stays_local(response: Any, target: str, expected: str) -> None:
    """A redirect to `expected`; a NUL is refused before any handler (400, no redirect)."""
    if "\x00" in target:
        assert response.status_code == 400 and "location" not in response.headers
        return
    assert response.status_code == 303
    assert response.headers["location"] == expected


def generation(engine: Engine, user_id: int | None) -> int:
    with session_scope(engine) as session:
        user = session.get(User, user_id)
        assert user is not None
        return user.session_generation


def cookies_of(client: TestClient[Any]) -> dict[str, str]:
    return dict(client.cookies.items())


def use_cookies(client: TestClient[Any], cookies: dict[str, str]) -> None:
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies.set(name, value)


def can_open_staff_pages(client: TestClient[Any]) -> bool:
    response = client.get("/staff/flats", follow_redirects=False)
    assert response.status_code in (200, 303)
    return response.status_code == 200


def test_login_starts_a_fresh_session_keeping_the_language(
    client: TestClient[Any], users: dict[str, User]
) -> None:
    client.get("/lang/en?next=/")
    client.set_session_data({"planted": "by an attacker", "uid": 1, "role": "admin"})
    login(client, "staff@example.cz")
    data = client.get_session_data()
    assert set(data) == {"uid", "role", "name", "lang", "gen"}
    assert (data["uid"], data["role"], data["gen"]) == (users["staff"].id, "staff", 0)
    assert "Logged in as" in client.get("/staff/flats").text  # the English choice survived


def test_a_cookie_copied_before_logout_is_useless_afterwards(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "staff@example.cz")
    copied = cookies_of(client)
    token = csrf_from(client.get("/staff/flats").text)
    response = client.post("/logout", data={"_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get_session_data() == {}
    assert generation(web_engine, users["staff"].id) == 1
    use_cookies(client, copied)
    assert not can_open_staff_pages(client)
    login(client, "staff@example.cz")  # a new login works, in the new generation
    assert can_open_staff_pages(client)


def test_logging_out_with_a_stale_cookie_ends_no_current_session(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "staff@example.cz")
    stale = cookies_of(client)
    token = csrf_from(client.get("/staff/flats").text)
    client.post("/logout", data={"_csrf_token": token}, follow_redirects=False)
    login(client, "staff@example.cz")  # the user's live session, generation 1
    live = cookies_of(client)
    use_cookies(client, stale)
    token = csrf_from(client.get("/login").text)
    client.post("/logout", data={"_csrf_token": token}, follow_redirects=False)
    assert generation(web_engine, users["staff"].id) == 1
    use_cookies(client, live)
    assert can_open_staff_pages(client)


def test_the_copy_works_until_the_logout(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "staff@example.cz")
    copied = cookies_of(client)
    client.cookies.clear()
    use_cookies(client, copied)
    assert can_open_staff_pages(client)


def test_a_password_change_ends_the_sessions(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "staff@example.cz")
    assert can_open_staff_pages(client)
    with session_scope(web_engine) as session:
        user = session.get(User, users["staff"].id)
        assert user is not None
        set_password(session, hasher=make_hasher(cheap=True), user=user, password="nove-heslo-2026")
    assert not can_open_staff_pages(client)
    login(client, "staff@example.cz", "nove-heslo-2026")
    assert can_open_staff_pages(client)


def test_a_session_without_a_generation_is_refused(
    client: TestClient[Any], users: dict[str, User]
) -> None:
    client.set_session_data({"uid": users["staff"].id, "role": "staff", "name": "Staff"})
    assert not can_open_staff_pages(client)


def test_ending_sessions_counts_up(web_engine: Engine, users: dict[str, User]) -> None:
    with session_scope(web_engine) as session:
        end_sessions(session, user_id=int(users["admin"].id or 0))
        end_sessions(session, user_id=int(users["admin"].id or 0))
    assert generation(web_engine, users["admin"].id) == 2
    assert generation(web_engine, users["staff"].id) == 0


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_local_path_refuses_other_sites(target: str) -> None:
    assert local_path(target, "/safe") == "/safe"


@pytest.mark.parametrize("target", ["/", "/staff/flats?status=submitted&page=2", "/portal#x"])
def test_local_path_keeps_local_paths(target: str) -> None:
    assert local_path(target) == target


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_login_never_redirects_away(
    client: TestClient[Any], users: dict[str, User], target: str
) -> None:
    form = client.get("/login", params={"next": target.replace("\x00", "")})
    assert form.status_code == 200
    assert re.search(r'name="next" value=""', form.text)
    token = csrf_from(form.text)
    data = {"email": "staff@example.cz", "password": PASSWORD, "next": target}
    response = client.post("/login", data=data | {"_csrf_token": token}, follow_redirects=False)
    assert_stays_local(response, target, "/dashboard")


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_language_switch_never_redirects_away(client: TestClient[Any], target: str) -> None:
    response = client.get("/lang/en", params={"next": target}, follow_redirects=False)
    assert_stays_local(response, target, "/")


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_magic_link_never_redirects_away(
    client: TestClient[Any], web_engine: Engine, target: str
) -> None:
    with session_scope(web_engine) as session:
        landlord_id = int(Factory(session).landlord().id or 0)
    token = make_token(
        "test-secret", purpose=MAGIC_LINK_PURPOSE, subject=landlord_id, now=utcnow(), days=1
    )
    response = client.get(
        "/auth/link", params={"token": token, "next": target}, follow_redirects=False
    )
    assert_stays_local(response, target, "/portal")


def test_local_targets_are_kept(client: TestClient[Any], users: dict[str, User]) -> None:
    back = client.get("/lang/en", params={"next": "/offer?x=1"}, follow_redirects=False)
    assert back.headers["location"] == "/offer?x=1"
    data = {"email": "staff@example.cz", "password": PASSWORD, "next": "/staff/flats?page=1"}
    response = submit(client, "/login", "/login", data)
    assert response.headers["location"] == "/staff/flats?page=1"
