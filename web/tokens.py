"""Signed, expiring, single-purpose tokens (magic links for landlords)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta

MAGIC_LINK_PURPOSE = "landlord_login"
MAGIC_LINK_DAYS = 14


class BadToken(ValueError):
    """A token that is forged, expired, malformed or meant for something else."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, purpose: str, payload: str) -> str:
    key = hashlib.sha256(f"{purpose}:{secret}".encode()).digest()
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def make_token(secret: str, *, purpose: str, subject: int, now: datetime, days: int) -> str:
    """A token for `subject` valid for `days` and only for `purpose`."""
    expires = int((now + timedelta(days=days)).timestamp())
    payload = _b64(json.dumps({"sub": subject, "exp": expires}).encode())
    return f"{payload}.{_signature(secret, purpose, payload)}"


def read_token(secret: str, token: str, *, purpose: str, now: datetime) -> int:
    """The subject of a valid token; BadToken otherwise."""
    payload, _, signature = token.partition(".")
    if not signature or not hmac.compare_digest(signature, _signature(secret, purpose, payload)):
        raise BadToken("the link is not valid")
    try:
        data = json.loads(_unb64(payload))
        subject, expires = int(data["sub"]), int(data["exp"])
    except (ValueError, KeyError, TypeError) as exc:
        raise BadToken("the link is not valid") from exc
    if now.timestamp() > expires:
        raise BadToken("the link has expired")
    return subject
