"""The pure core stays pure: the engine and the rules import no ORM, web or settings code."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = (
    "sqlmodel",
    "sqlalchemy",
    "litestar",
    "web",
    "agency.models",
    "agency.services",
    "agency.db",
    "notifications",
    "alembic",
    "psycopg",
)


def _imported_roots(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _violations(names: set[str], forbidden: tuple[str, ...]) -> set[str]:
    return {n for n in names for f in forbidden if n == f or n.startswith(f + ".")}


@pytest.mark.parametrize(
    "path",
    [*sorted((ROOT / "matching").rglob("*.py")), ROOT / "agency" / "rules.py"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_source_imports_nothing_forbidden(path: Path) -> None:
    forbidden = FORBIDDEN + (("agency",) if "matching" in path.parts else ())
    assert _violations(_imported_roots(path), forbidden) == set()


@pytest.mark.parametrize("module", ["agency.rules", "matching"])
def test_importing_loads_nothing_forbidden(module: str) -> None:
    code = f"import sys, {module}\nprint('\\n'.join(sorted(sys.modules)))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert _violations(set(loaded), FORBIDDEN) == set()


def test_the_check_itself_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlalchemy.orm\nfrom web.app import create_app\n")
    assert _violations(_imported_roots(bad), FORBIDDEN) == {"sqlalchemy.orm", "web.app"}
