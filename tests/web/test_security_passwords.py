"""The password policy wherever a password is set: the service, the admin page, the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from litestar.testing import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from agency.db import session_scope
from agency.enums import UserRole
from agency.models import User
from agency.passwords import make_hasher
from agency.services.users import (
    MIN_PASSWORD_LENGTH,
    WeakPassword,
    check_password,
    create_user,
    set_password,
)
from tests.webutil import login, submit
from web.cli import cli

HASHER = make_hasher(cheap=True)
REFUSED = {
    "kratke-hesl": "at least 12 characters",
    "Password1234": "among the most common",
    "QWERTZUIOPAS": "among the most common",
    "moje-jana.novakova-2026": "part of the email",
    "xJANA.NOVAKOVAx": "part of the email",
}


def problem(password: str, email: str = "jana.novakova@example.cz") -> str | None:
    try:
        check_password(password, email=email)
    except WeakPassword as exc:
        return exc.message
    return None


def test_the_minimum_is_twelve() -> None:
    assert MIN_PASSWORD_LENGTH == 12
    assert problem("x" * 11 + "!") is None  # 12 characters
    assert "at least 12 characters" in (problem("x" * 10 + "!") or "")


@pytest.mark.parametrize("password", list(REFUSED))
def test_weak_passwords_are_refused(password: str) -> None:
    assert REFUSED[password] in (problem(password) or "")


# "kratke-heslo" has exactly 12 characters.
@pytest.mark.parametrize("password", ["kratke-heslo", "dlouhe-heslo-42", "Rybník u lesa 7"])
def test_good_passwords_pass(password: str) -> None:
    assert problem(password) is None


def test_a_short_local_part_is_not_a_rule() -> None:
    # "jo@..." would forbid every password containing "jo"; local parts under 3 are ignored.
    assert problem("jozef-heslo-77", email="jo@example.cz") is None


def test_create_user_applies_the_policy(session: Session) -> None:
    with pytest.raises(WeakPassword) as refused:
        create_user(
            session,
            hasher=HASHER,
            email="petr@example.cz",
            name="Petr",
            role=UserRole.staff,
            password="heslo-petr-2026",
        )
    assert refused.value.field == "password"
    count = session.execute(sa.select(sa.func.count()).select_from(User)).scalar_one()
    assert count == 0


def test_set_password_applies_the_policy(session: Session) -> None:
    user = create_user(
        session,
        hasher=HASHER,
        email="eva@example.cz",
        name="Eva",
        role=UserRole.staff,
        password="dobre-heslo-2026",
    )
    before = user.password_hash
    with pytest.raises(WeakPassword):
        set_password(session, hasher=HASHER, user=user, password="password1234")
    assert user.password_hash == before and user.session_generation == 0


def new_user(**changes: str) -> dict[str, str]:
    values = {
        "email": "nova.pracovnice@example.cz",
        "name": "Nová Pracovnice",
        "role": "staff",
        "organisation_id": "",
        "language": "cs",
        "password": "dlouhe-heslo-42",
    }
    return values | changes


@pytest.mark.parametrize(
    ("password", "czech", "english"),
    [
        ("kratke", "Heslo musí mít nejméně 12 znaků.", "at least 12 characters."),
        (
            "qwerty123456",
            "Toto heslo patří mezi nejběžnější.",
            "This password is among the most common ones.",
        ),
        (
            "heslo-nova.pracovnice",
            "Heslo nesmí obsahovat část e-mailu před zavináčem.",
            "must not contain the part of the email before the @.",
        ),
    ],
)
def test_admin_page_refuses_weak_passwords(
    client: TestClient[Any],
    users: dict[str, User],
    web_engine: Engine,
    password: str,
    czech: str,
    english: str,
) -> None:
    login(client, "admin@example.cz")
    response = submit(client, "/admin/users/new", "/admin/users/new", new_user(password=password))
    assert response.status_code == 400 and czech in response.text
    assert password not in response.text  # never echoed
    client.get("/lang/en?next=/")
    again = submit(client, "/admin/users/new", "/admin/users/new", new_user(password=password))
    assert again.status_code == 400 and english in again.text
    with session_scope(web_engine) as session:
        found = session.execute(
            sa.select(User).where(col(User.email) == "nova.pracovnice@example.cz")
        ).first()
    assert found is None


def test_admin_page_accepts_a_good_password(
    client: TestClient[Any], users: dict[str, User]
) -> None:
    login(client, "admin@example.cz")
    response = submit(client, "/admin/users/new", "/admin/users/new", new_user())
    assert response.status_code == 303


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "SECRET_KEY": "cli-secret",
        "AGENCY_VAR_DIR": str(tmp_path),
        "RUN_SCHEDULER": "0",
    }


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kratke-hesl", "at least 12 characters"),
        ("password1234", "among the most common"),
        ("admin-jana-2026", "part of the email"),
    ],
)
def test_cli_refuses_weak_passwords(env: dict[str, str], password: str, message: str) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"], env=env).exit_code == 0
    args = ["user", "create", "--email", "jana@example.cz", "--name", "J", "--role", "admin"]
    result = runner.invoke(cli, [*args, "--password", password], env=env)
    assert result.exit_code == 1 and message in result.output
    ok = runner.invoke(cli, [*args, "--password", "dobre-heslo-2026"], env=env)
    assert ok.exit_code == 0, ok.output
