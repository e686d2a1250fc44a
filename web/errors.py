"""Errors mapped to responses once: HTML pages for people, JSON with a reason for the API."""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template

from agency.errors import DomainError
from web.render import login_redirect, page, t

log = logging.getLogger("web.errors")

TITLES = {
    400: "The request could not be processed.",
    403: "Access denied",
    404: "Page not found",
    413: "The file is too large.",
    429: "Too many attempts",
    500: "Something went wrong",
}


def _is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/")


def _json(status: int, detail: str, **extra: Any) -> Response[dict[str, Any]]:
    body = {"status_code": status, "detail": detail} | {k: v for k, v in extra.items() if v}
    return Response(content=body, status_code=status, media_type=MediaType.JSON)


def _error_page(request: Request[Any, Any, Any], status: int, message: str) -> Template:
    title = t(request, TITLES.get(status, TITLES[400]))
    return page(request, "error.html", status_code=status, title=title, message=message)


def domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if _is_api(request):
        return _json(exc.status_code, exc.message, field=exc.field)
    return _error_page(request, exc.status_code, t(request, exc.message))


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if _is_api(request):
        extra = exc.extra if isinstance(exc, ValidationException) else None
        return _json(status, str(exc.detail), errors=extra)
    if status == 403 and "csrf" in str(exc.detail).lower():
        return _error_page(request, 403, t(request, "The form has expired. Please send it again."))
    if isinstance(exc, NotAuthorizedException):
        return login_redirect(request)
    if isinstance(exc, PermissionDeniedException):
        return _error_page(request, 403, t(request, "You do not have access to this page."))
    if isinstance(exc, NotFoundException):
        return _error_page(request, 404, t(request, "Page not found"))
    if status >= 500:
        log.error("HTTP %s on %s: %s", status, request.url.path, exc.detail)
    return _error_page(request, status, t(request, TITLES.get(status, TITLES[400])))


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if _is_api(request):
        return _json(500, "internal error")
    return _error_page(request, 500, t(request, "Something went wrong"))


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}

__all__ = ["EXCEPTION_HANDLERS", "Redirect"]
