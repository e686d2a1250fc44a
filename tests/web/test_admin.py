"""Admin pages: users (list, new, deactivate, activate) and organisations."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from agency.db import session_scope
from agency.enums import UserRole
from agency.models import AuditEntry, Organisation, User
from tests.webutil import PASSWORD, login, submit


def new_user(**changes: str) -> dict[str, str]:
    data = {
        "email": "Nova.Pracovnice@Example.cz",
        "name": "Nová Pracovnice",
        "role": "social_worker",
        "organisation_id": "",
        "language": "en",
        "password": "dlouhe-heslo-42",
    }
    return data | changes


def test_admin_creates_a_user_who_can_log_in(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "admin@example.cz")
    organisation_id = str(users["staff"].organisation_id)
    data = new_user(organisation_id=organisation_id)
    response = submit(client, "/admin/users/new", "/admin/users/new", data)
    assert response.status_code == 303 and response.headers["location"] == "/admin/users"
    with session_scope(web_engine) as session:
        user = session.exec(select(User).where(User.email == "nova.pracovnice@example.cz")).one()
        assert user.role == UserRole.social_worker and user.language == "en"
        assert user.organisation_id == int(organisation_id)
    assert "Nová Pracovnice" in client.get("/admin/users?role=social_worker").text
    client.cookies.clear()
    login(client, "nova.pracovnice@example.cz", "dlouhe-heslo-42")


def test_new_user_errors_keep_what_was_typed(
    client: TestClient[Any], users: dict[str, User]
) -> None:
    login(client, "admin@example.cz")
    duplicate = submit(
        client, "/admin/users/new", "/admin/users/new", new_user(email="STAFF@example.cz")
    )
    assert duplicate.status_code == 400
    assert "Uživatel s tímto e-mailem již existuje." in duplicate.text
    assert 'value="Nová Pracovnice"' in duplicate.text and "dlouhe-heslo-42" not in duplicate.text
    short = submit(client, "/admin/users/new", "/admin/users/new", new_user(password="kratke"))
    assert short.status_code == 400 and "Heslo musí mít nejméně 12 znaků." in short.text
    assert 'value="Nova.Pracovnice@Example.cz"' in short.text
    bad = submit(
        client, "/admin/users/new", "/admin/users/new", new_user(role="landlord", email="x")
    )
    assert bad.status_code == 400
    assert "Vyberte jednu z možností." in bad.text and "Zadejte platnou e-mailovou" in bad.text
    gone = submit(
        client, "/admin/users/new", "/admin/users/new", new_user(organisation_id="999999")
    )
    assert gone.status_code == 400


def test_deactivated_user_cannot_log_in_until_activated(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "admin@example.cz")
    target = users["social_worker"].id
    response = submit(client, "/admin/users", f"/admin/users/{target}/deactivate", {})
    assert response.status_code == 303
    with session_scope(web_engine) as session:
        user = session.get(User, target)
        assert user is not None and not user.active
        audit = session.exec(select(AuditEntry).where(AuditEntry.entity == "user")).one()
        assert audit.entity_id == target and audit.actor_id == users["admin"].id
    assert "Aktivovat" in client.get("/admin/users").text
    other = TestClient(client.app)
    with other:
        refused = submit(
            other,
            "/login",
            "/login",
            {"email": "social_worker@example.cz", "password": PASSWORD},
        )
        assert refused.status_code == 400
        submit(client, "/admin/users", f"/admin/users/{target}/activate", {})
        login(other, "social_worker@example.cz")


def test_admin_cannot_deactivate_themself(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "admin@example.cz")
    me = users["admin"].id
    response = submit(client, "/admin/users", f"/admin/users/{me}/deactivate", {})
    assert response.status_code == 403 and "Nemůžete deaktivovat vlastní účet." in response.text
    assert submit(client, "/admin/users", "/admin/users/999999/deactivate", {}).status_code == 404
    with session_scope(web_engine) as session:
        assert session.get(User, me).active  # type: ignore[union-attr]


def test_user_list_filters_and_pages(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine
) -> None:
    login(client, "admin@example.cz")
    page = client.get("/admin/users?role=staff").text
    assert "staff@example.cz" in page and "staff2@example.cz" in page
    assert "admin@example.cz</td>" not in page
    assert client.get("/admin/users?role=king").status_code == 400
    assert client.get("/admin/users?page=zero").status_code == 400


def test_organisations(client: TestClient[Any], users: dict[str, User], web_engine: Engine) -> None:
    login(client, "admin@example.cz")
    form = "/admin/organisations/new"
    created = submit(client, form, form, {"name": "  Člověk  v tísni ", "kind": "ngo"})
    assert created.status_code == 303
    listing = client.get("/admin/organisations").text
    assert "Člověk v tísni" in listing and "Nezisková organizace" in listing
    again = submit(client, form, form, {"name": "člověk v tísni", "kind": "agency"})
    assert again.status_code == 400 and "Organizace s tímto názvem již existuje." in again.text
    assert 'value="člověk v tísni"' in again.text
    empty = submit(client, form, form, {"name": "", "kind": ""})
    assert empty.status_code == 400 and empty.text.count("Toto pole je povinné.") == 4
    with session_scope(web_engine) as session:
        names = session.exec(select(Organisation.name)).all()
        assert names.count("Člověk v tísni") == 1


def test_only_admins_manage_users(client: TestClient[Any], users: dict[str, User]) -> None:
    for role in ("staff", "social_worker", "platform_member", "landlord"):
        login(client, f"{role}@example.cz")
        for path in ("/admin/users", "/admin/users/new", "/admin/organisations"):
            assert client.get(path).status_code == 403, (role, path)
