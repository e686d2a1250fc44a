"""Logging in and out, the rate limit, magic links and the language switch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import TestClient
from sqlalchemy.engine import Engine

from agency.db import session_scope
from agency.models import User
from tests.factories import Factory
from tests.webutil import PASSWORD, login, submit
from web.tokens import MAGIC_LINK_PURPOSE, BadToken, make_token, read_token


def test_login_goes_to_the_role_start_page(client: TestClient[Any], users: dict[str, User]) -> None:
    response = login(client, "staff@example.cz")
    assert response.headers["location"] == "/dashboard"
    response = login(client, "landlord@example.cz")
    assert response.headers["location"] == "/portal"


def test_login_keeps_a_local_next_only(client: TestClient[Any], users: dict[str, User]) -> None:
    data = {"email": "staff@example.cz", "password": PASSWORD}
    for target, expected in [
        ("/staff/flats?page=2", "/staff/flats?page=2"),
        ("https://evil.example", "/dashboard"),
        ("//evil.example", "/dashboard"),
    ]:
        response = submit(client, "/login", "/login", data | {"next": target})
        assert response.headers["location"] == expected


def test_wrong_password_says_so_and_keeps_the_email(
    client: TestClient[Any], users: dict[str, User]
) -> None:
    response = submit(
        client, "/login", "/login", {"email": "staff@example.cz", "password": "x" * 12}
    )
    assert response.status_code == 400
    assert "Nesprávný e-mail nebo heslo." in response.text
    assert 'value="staff@example.cz"' in response.text
    assert "x" * 12 not in response.text


def test_empty_form_lists_every_error(client: TestClient[Any]) -> None:
    response = submit(client, "/login", "/login", {"email": "", "password": ""})
    assert response.status_code == 400
    assert response.text.count("Toto pole je povinné.") == 4  # summary and inline, twice
    assert 'href="#f-email"' in response.text


def test_rate_limit_after_five_failures(client: TestClient[Any], users: dict[str, User]) -> None:
    bad = {"email": "staff@example.cz", "password": "wrong-password"}
    for _ in range(5):
        assert submit(client, "/login", "/login", bad).status_code == 400
    right = {"email": "staff@example.cz", "password": PASSWORD}
    response = submit(client, "/login", "/login", right)
    assert response.status_code == 429
    assert "Příliš mnoho neúspěšných pokusů" in response.text


def test_post_without_csrf_is_refused(client: TestClient[Any], users: dict[str, User]) -> None:
    response = client.post("/login", data={"email": "staff@example.cz", "password": PASSWORD})
    assert response.status_code == 403
    assert "Platnost formuláře vypršela" in response.text


def test_logout_ends_the_session(client: TestClient[Any], users: dict[str, User]) -> None:
    login(client, "admin@example.cz")
    assert "Přihlášen(a)" in client.get("/").text
    submit(client, "/", "/logout", {})
    assert "Přihlášen(a)" not in client.get("/").text


def test_language_switch(client: TestClient[Any]) -> None:
    assert "Nabídnout byt" in client.get("/").text
    response = client.get("/lang/en?next=/login", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    page = client.get("/login").text
    assert 'lang="en"' in page and "Log in" in page and "Přihlásit se" not in page
    assert (
        client.get("/lang/en?next=https://evil.example", follow_redirects=False).headers["location"]
        == "/"
    )


def test_magic_link_logs_the_landlord_in(client: TestClient[Any], web_engine: Engine) -> None:
    with session_scope(web_engine) as session:
        landlord = Factory(session).landlord(email="pronajimatel@example.cz")
    now = datetime.now(UTC)
    token = make_token(
        "test-secret", purpose=MAGIC_LINK_PURPOSE, subject=landlord.id, now=now, days=14
    )
    response = client.get(f"/auth/link?token={token}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/portal"
    assert "Přihlášen(a)" in client.get("/").text
    again = client.get(f"/auth/link?token={token}", follow_redirects=False)
    assert again.status_code == 303  # reusable until it expires; one user for the landlord


def test_bad_magic_links(client: TestClient[Any]) -> None:
    now = datetime.now(UTC)
    expired = make_token(
        "test-secret", purpose=MAGIC_LINK_PURPOSE, subject=1, now=now - timedelta(days=15), days=14
    )
    other_purpose = make_token("test-secret", purpose="reset", subject=1, now=now, days=14)
    forged = make_token("other-secret", purpose=MAGIC_LINK_PURPOSE, subject=1, now=now, days=14)
    for token in (expired, other_purpose, forged, "garbage", "a.b"):
        response = client.get(f"/auth/link?token={token}")
        assert response.status_code == 400
        assert "Odkaz není platný" in response.text


def test_tokens() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    token = make_token("s", purpose="p", subject=42, now=now, days=14)
    assert read_token("s", token, purpose="p", now=now + timedelta(days=13)) == 42
    for secret, purpose, when in [
        ("s", "p", now + timedelta(days=15)),
        ("t", "p", now),
        ("s", "q", now),
    ]:
        try:
            read_token(secret, token, purpose=purpose, now=when)
        except BadToken:
            continue
        raise AssertionError("a bad token was accepted")


def test_deactivating_a_user_ends_their_session(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "staff@example.cz")
    assert client.get("/staff/flats").status_code == 200
    with session_scope(web_engine) as session:
        user = session.get(User, users["staff"].id)
        assert user is not None
        user.active = False
    response = client.get("/staff/flats", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert "Přihlášen(a)" not in client.get("/").text
