"""Mail settings: which sender, where it delivers, and how failed deliveries are retried.

`mail_config_from_env` is pure: the web layer passes the environment in and keeps the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Backend = Literal["smtp", "file", "memory"]
BACKENDS: tuple[Backend, ...] = ("smtp", "file", "memory")
DEFAULT_FROM = "Sociální realitní agentura <noreply@localhost>"


@dataclass(frozen=True)
class SmtpConfig:
    """How to reach the SMTP relay. `starttls` upgrades a plain connection; `tls` is implicit."""

    host: str = "localhost"
    port: int = 25
    starttls: bool = False
    tls: bool = False
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout_seconds: float = 10.0
    ca_file: str | None = None  # a private relay's CA; the system's CAs otherwise


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: base × 2^(attempts − 1), capped; dead after `max_attempts`."""

    base_seconds: float = 30.0
    cap_seconds: float = 6 * 3600.0
    max_attempts: int = 10

    def delay_seconds(self, attempts: int) -> float:
        """The wait before the next try, after `attempts` failed tries (1 or more)."""
        exponent = min(max(attempts - 1, 0), 40)  # 2^40 × 30 s is past any cap
        return float(min(self.cap_seconds, self.base_seconds * 2**exponent))


@dataclass(frozen=True)
class MailConfig:
    backend: Backend = "file"
    mail_from: str = DEFAULT_FROM
    mail_dir: Path = Path("var/mail")
    base_url: str = "http://127.0.0.1:8000"
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    retry: RetryPolicy = field(default_factory=RetryPolicy)


def mail_config_from_env(env: Mapping[str, str], *, var_dir: Path | None = None) -> MailConfig:
    """The mail settings from environment variables (see the README for their names).

    MAIL_BACKEND=smtp|file|memory (file by default, into `<var_dir>/mail`), MAIL_FROM,
    MAIL_DIR, BASE_URL, SMTP_HOST, SMTP_PORT, SMTP_STARTTLS, SMTP_TLS, SMTP_USER,
    SMTP_PASSWORD, SMTP_TIMEOUT, SMTP_CA_FILE, MAIL_MAX_ATTEMPTS, MAIL_RETRY_BASE_SECONDS,
    MAIL_RETRY_CAP_SECONDS. Raises ValueError on a malformed value.
    """
    backend = env.get("MAIL_BACKEND", "file").strip().lower() or "file"
    if backend not in BACKENDS:
        raise ValueError(f"MAIL_BACKEND must be one of {', '.join(BACKENDS)}, got {backend!r}")
    var_dir = var_dir or Path(env.get("AGENCY_VAR_DIR", "var"))
    return MailConfig(
        backend=backend,  # checked against BACKENDS above
        mail_from=env.get("MAIL_FROM", DEFAULT_FROM),
        mail_dir=Path(env.get("MAIL_DIR") or var_dir / "mail"),
        base_url=env.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        smtp=_smtp_config(env),
        retry=RetryPolicy(
            base_seconds=_number(env, "MAIL_RETRY_BASE_SECONDS", 30.0),
            cap_seconds=_number(env, "MAIL_RETRY_CAP_SECONDS", 6 * 3600.0),
            max_attempts=int(_number(env, "MAIL_MAX_ATTEMPTS", 10)),
        ),
    )


def _smtp_config(env: Mapping[str, str]) -> SmtpConfig:
    starttls, tls = _flag(env, "SMTP_STARTTLS"), _flag(env, "SMTP_TLS")
    if starttls and tls:
        raise ValueError("set SMTP_STARTTLS or SMTP_TLS (implicit TLS), not both")
    default_port = 465 if tls else 587 if starttls else 25
    return SmtpConfig(
        host=env.get("SMTP_HOST", "localhost"),
        port=int(_number(env, "SMTP_PORT", default_port)),
        starttls=starttls,
        tls=tls,
        user=env.get("SMTP_USER") or None,
        password=env.get("SMTP_PASSWORD") or None,
        timeout_seconds=_number(env, "SMTP_TIMEOUT", 10.0),
        ca_file=env.get("SMTP_CA_FILE") or None,
    )


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ValueError(f"{name} must be 1 or 0, got {raw!r}")


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {raw!r}")
    return value
