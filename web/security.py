"""Security headers on every response, and the one check for local redirect targets.

The headers are added by a before-send hook, not a route middleware: Litestar runs route
middleware only for matched routes, and a 404, a static file or an error page must carry
them as well.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import ClientException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
BASE_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")

BeforeSend = Callable[[Message, Scope], Awaitable[None]]


def security_headers(*, https: bool) -> tuple[tuple[str, str], ...]:
    """The headers of every response; HSTS only when the site is served over HTTPS."""
    return (*BASE_HEADERS, HSTS) if https else BASE_HEADERS


def security_headers_hook(*, https: bool) -> BeforeSend:
    """A before-send hook setting the security headers on each response's start."""
    headers = security_headers(https=https)

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        mutable = MutableScopeHeaders.from_message(message)
        for name, value in headers:
            mutable[name] = value

    return add_headers


# Browsers drop tabs and newlines inside URLs and read "\" as "/": "/\t/evil" is "//evil".
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


def local_path(target: str | None, default: str = "/") -> str:
    """`target` when it is a path on this site, else `default` (never another site)."""
    if not target or len(target) > 2000 or _UNSAFE.search(target):
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    return target


# NUL in text: PostgreSQL refuses it in every text value (a 500 if it got that far).
_NUL_MARKS = (b"\x00", b"%00", b"\\u0000")
# Uploads may hold any bytes; every other body is text to the handlers.
_FILE_BODIES = ("multipart/form-data",)


def has_nul(raw: bytes) -> bool:
    """Whether raw query-string, form or JSON bytes carry a NUL character."""
    lowered = raw.lower()
    return any(mark in lowered for mark in _NUL_MARKS)


class RefuseNul(ASGIMiddleware):
    """A 400 with its reason for a NUL character in the path, the query string or a body
    (file uploads, multipart, may hold any bytes and are not looked at)."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, max_body: int) -> None:
        self.max_body = max_body

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if "\x00" in scope["path"] or has_nul(scope.get("query_string", b"")):
            raise ClientException("NUL characters are not allowed in a request")
        content_type = Headers.from_scope(scope).get("content-type", "")
        if content_type.split(";")[0].strip().lower() not in _FILE_BODIES:
            # Whatever the declared type: a form body sent as text/plain is still parsed.
            receive = await self._checked_body(receive)
        await next_app(scope, receive, send)

    async def _checked_body(self, receive: Receive) -> Receive:
        """Read the body (at most max_body + 1 bytes are held), refuse a NUL, replay it."""
        messages: list[ReceiveMessage] = []
        size, more = 0, True
        while more and size <= self.max_body:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message["body"])
            more = message.get("more_body", False)
        if has_nul(b"".join(m["body"] for m in messages if m["type"] == "http.request")):
            raise ClientException("NUL characters are not allowed in a request")

        async def replay() -> ReceiveMessage:
            return messages.pop(0) if messages else await receive()

        return replay
