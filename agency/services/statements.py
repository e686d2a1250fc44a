"""Statements built once and reused, with what changes per call as bound parameters.

Building a SQLAlchemy statement and computing its cache key costs Python time on every
call, often more than reading a few rows; for the statements of the busiest pages, which
differ only by the actor's scope (role and organisation: see `households.visible_to`) and
by the day, that work is done once per scope. Statements are immutable and safe to share
between threads.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import sqlalchemy as sa

from agency.models import User

Statement = TypeVar("Statement", bound=sa.Executable)

KEPT = 512  # different statements kept per process; all are dropped when more are built
_built: dict[Hashable, Any] = {}

TODAY = sa.bindparam("today", type_=sa.Date)


def scope(actor: User) -> tuple[str, int | None]:
    """What decides which households `actor` sees (`visible_to`): role and organisation."""
    return str(actor.role), actor.organisation_id


def built_once(key: Hashable, build: Callable[[], Statement]) -> Statement:
    """The statement kept under `key`, built by `build` the first time."""
    found: Statement | None = _built.get(key)
    if found is None:
        found = build()
        if len(_built) >= KEPT:
            _built.clear()
        _built[key] = found
    return found
