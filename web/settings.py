"""Settings, read once from the environment and passed down."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from notifications.config import MailConfig, mail_config_from_env

DEFAULT_DATABASE_URL = "sqlite:///var/agency.db"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str = ""
    var_dir: Path = Path("var")
    debug: bool = False
    secure_cookies: bool = False
    base_url: str = "http://127.0.0.1:8000"
    mail: MailConfig = field(default_factory=MailConfig)
    run_scheduler: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment (os.environ unless given)."""
    env = os.environ if environ is None else environ
    var_dir = Path(env.get("AGENCY_VAR_DIR", "var"))
    port = _int(env, "PORT", 8000)
    base_url = env.get("BASE_URL", f"http://127.0.0.1:{port}").rstrip("/")
    try:
        mail = replace(mail_config_from_env(env, var_dir=var_dir), base_url=base_url)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    return Settings(
        database_url=env.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        host=env.get("HOST", "127.0.0.1"),
        port=port,
        secret_key=env.get("SECRET_KEY") or _local_secret(var_dir),
        var_dir=var_dir,
        debug=env.get("DEBUG", "") == "1",
        secure_cookies=env.get("SECURE_COOKIES", "") == "1",
        base_url=base_url,
        mail=mail,
        run_scheduler=env.get("RUN_SCHEDULER", "1") != "0",
    )


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from None


def _local_secret(var_dir: Path) -> str:
    """A secret kept under var/ for the embedded default; production sets SECRET_KEY."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    path.write_text(secret)
    path.chmod(0o600)
    return secret
