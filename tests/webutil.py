"""Helpers for driving the web app through Litestar's test client, as a browser would."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient

CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')
PASSWORD = "test-heslo-123"


def csrf_from(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def submit(client: TestClient[Any], form_page: str, action: str, data: dict[str, Any]) -> Any:
    """Open `form_page`, then post `data` to `action` with the page's CSRF token."""
    token = csrf_from(client.get(form_page).text)
    return client.post(action, data={**data, "_csrf_token": token}, follow_redirects=False)


def login(client: TestClient[Any], email: str, password: str = PASSWORD) -> Any:
    response = submit(client, "/login", "/login", {"email": email, "password": password})
    assert response.status_code == 303, response.text
    return response
