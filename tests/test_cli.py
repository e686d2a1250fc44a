"""The `agency` command line on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from agency.db import make_engine
from web.cli import cli


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "AGENCY_VAR_DIR": str(tmp_path)}


def test_db_upgrade_then_user_create(env: dict[str, str]) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    args = ["user", "create", "--email", "Eva@Example.cz", "--name", "Eva Nováková"]
    args += ["--role", "staff", "--organisation", "SRA Plzeň", "--password", "dlouhé-heslo-1"]
    result = runner.invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    engine = make_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT email, role, password_hash FROM user_account")).one()
    assert row[0] == "eva@example.cz" and row[1] == "staff"
    assert row[2].startswith("$argon2id$")
    again = runner.invoke(cli, args, env=env)
    assert again.exit_code == 1
    assert "exists already" in again.output
    assert "Traceback" not in again.output


def test_user_create_refuses_a_short_password(env: dict[str, str]) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["db", "upgrade"], env=env)
    args = ["user", "create", "--email", "a@example.cz", "--name", "A", "--role", "admin"]
    result = runner.invoke(cli, [*args, "--password", "short"], env=env)
    assert result.exit_code == 1
    assert "at least 12 characters" in result.output


def test_db_check_reports_agreement(env: dict[str, str]) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["db", "upgrade"], env=env)
    result = runner.invoke(cli, ["db", "check"], env=env)
    assert result.exit_code == 0 and "agree" in result.output


def test_demo_load_prints_logins_and_is_idempotent(env: dict[str, str]) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["db", "upgrade"], env=env)
    first = runner.invoke(cli, ["demo", "load", "--only-if-empty"], env=env)
    assert first.exit_code == 0, first.output
    assert "admin@demo.example.cz" in first.output and "demo-heslo-2025" in first.output
    engine = make_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        flats = conn.execute(sa.text("SELECT count(*) FROM flat")).scalar_one()
    second = runner.invoke(cli, ["demo", "load", "--only-if-empty"], env=env)
    assert second.exit_code == 0 and "loaded already" in second.output
    assert "admin@demo.example.cz" in second.output
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM flat")).scalar_one() == flats > 0
