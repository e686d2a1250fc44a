"""Settings, read once from the environment and passed down."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from notifications.config import MailConfig, mail_config_from_env

DEFAULT_DATABASE_URL = "sqlite:///var/agency.db"
MIB = 1024 * 1024


@dataclass(frozen=True)
class PublicLimits:
    """Abuse limits on the public forms (offer, login link): submissions per window."""

    window_minutes: int = 60
    per_ip: int = 20
    per_email: int = 5


@dataclass(frozen=True)
class UploadLimits:
    """Flat photos: size per photo, photos per flat, and where the files live (by default
    `uploads/` under the settings' var directory)."""

    directory: Path | None = None
    max_photo_bytes: int = 5 * MIB
    max_photos_per_flat: int = 10

    @property
    def max_request_bytes(self) -> int:
        """The largest request body the app accepts: one photo plus the form around it."""
        return max(self.max_photo_bytes + MIB, 2 * MIB)


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
    retention_years: int = 5  # closed households are pseudonymised after this many years
    public_limits: PublicLimits = field(default_factory=PublicLimits)
    uploads: UploadLimits = field(default_factory=UploadLimits)

    @property
    def upload_dir(self) -> Path:
        return self.uploads.directory or self.var_dir / "uploads"

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
        retention_years=max(_int(env, "RETENTION_YEARS", 5), 1),
        public_limits=PublicLimits(
            window_minutes=_int(env, "PUBLIC_LIMIT_WINDOW_MINUTES", 60),
            per_ip=_int(env, "PUBLIC_LIMIT_PER_IP", 20),
            per_email=_int(env, "PUBLIC_LIMIT_PER_EMAIL", 5),
        ),
        uploads=UploadLimits(
            directory=Path(env["UPLOAD_DIR"]) if env.get("UPLOAD_DIR") else None,
            max_photo_bytes=_int(env, "MAX_PHOTO_BYTES", 5 * MIB),
            max_photos_per_flat=_int(env, "MAX_PHOTOS_PER_FLAT", 10),
        ),
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
