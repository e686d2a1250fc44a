"""Domain errors. Each carries the HTTP status the web layer maps it to, once, in `web/`."""

from __future__ import annotations


class DomainError(Exception):
    """A use case refused: the message is for the person who asked."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    """The records changed under the request: another placement holds the flat, ..."""

    status_code = 409


class InvalidInput(DomainError):
    status_code = 422
