"""Security headers on every response, and the flags of the session and CSRF cookies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.engine import Engine

from agency.models import User
from agency.passwords import make_hasher
from tests.webutil import login
from web.app import create_app
from web.security import CONTENT_SECURITY_POLICY
from web.settings import Settings

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# A page, a JSON answer, a static file, and errors (unknown page, API without login, 405).
SAMPLES = (
    ("/", 200),
    ("/api/v1/municipalities?q=plz", 200),
    ("/static/site.css", 200),
    ("/no-such-page", 404),
    ("/api/v1/flats", 401),
    ("/health", 200),
)


@pytest.fixture
def https_client(web_engine: Engine, tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    settings = Settings(
        database_url="sqlite://", secret_key="s", var_dir=tmp_path, secure_cookies=True
    )
    app = create_app(settings, engine=web_engine, hasher=make_hasher(cheap=True))
    with TestClient(app, base_url="https://testserver.local") as client:
        yield client


def assert_secure_headers(response: Any) -> None:
    headers = response.headers
    assert headers["content-security-policy"] == EXPECTED_CSP
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] in ("strict-origin-when-cross-origin", "same-origin")
    assert headers["permissions-policy"] == "camera=(), microphone=(), geolocation=()"


def test_the_policy_is_the_documented_one() -> None:
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP


@pytest.mark.parametrize(("path", "status"), SAMPLES)
def test_every_kind_of_response_has_the_headers(
    client: TestClient[Any], path: str, status: int
) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == status
    assert_secure_headers(response)
    assert "strict-transport-security" not in response.headers  # plain HTTP: no HSTS


def test_redirects_and_logged_in_pages_have_them(
    client: TestClient[Any], users: dict[str, User]
) -> None:
    redirect = client.get("/staff/flats", follow_redirects=False)
    assert redirect.status_code == 303
    assert_secure_headers(redirect)
    login(client, "staff@example.cz")
    assert_secure_headers(client.get("/staff/flats"))
    forbidden = client.get("/admin/users", follow_redirects=False)
    assert forbidden.status_code == 403
    assert_secure_headers(forbidden)


def test_a_refused_form_has_them(client: TestClient[Any]) -> None:
    response = client.post("/login", data={"email": "x"}, follow_redirects=False)
    assert response.status_code == 403  # no CSRF token
    assert_secure_headers(response)


def test_hsts_only_with_secure_cookies(https_client: TestClient[Any]) -> None:
    for path, status in SAMPLES:
        response = https_client.get(path, follow_redirects=False)
        assert response.status_code == status
        assert_secure_headers(response)
        assert response.headers["strict-transport-security"].startswith("max-age=31536000")


def cookie_named(response: Any, name: str) -> str:
    found = [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{name}=")]
    assert len(found) == 1, response.headers.get_list("set-cookie")
    return str(found[0]).lower()


def test_cookie_flags_over_http(client: TestClient[Any], users: dict[str, User]) -> None:
    csrf = cookie_named(client.get("/login"), "csrftoken")
    assert "httponly" in csrf and "samesite=lax" in csrf and "secure" not in csrf
    session = cookie_named(login(client, "staff@example.cz"), "session")
    assert "httponly" in session and "samesite=lax" in session and "secure" not in session
    assert "path=/" in session


def test_cookie_flags_with_secure_cookies(
    https_client: TestClient[Any], users: dict[str, User]
) -> None:
    csrf = cookie_named(https_client.get("/login"), "csrftoken")
    assert "httponly" in csrf and "samesite=lax" in csrf and "; secure" in csrf
    session = cookie_named(login(https_client, "staff@example.cz"), "session")
    assert "httponly" in session and "samesite=lax" in session and "; secure" in session
