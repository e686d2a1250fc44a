"""What periodic jobs need at run time, and how packages declare their jobs.

The scheduler process builds one `JobContext` (engine, mail settings, sender) and installs
it; job functions look it up with `job_context()`. No job reads settings or web globals.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from notifications.config import MailConfig
from notifications.senders import Sender


@dataclass(frozen=True)
class JobSpec:
    """A periodic job: a fixed id, a `"module:function"` reference, an APScheduler trigger.

    `run_at_start` also runs it as soon as a scheduler becomes active (e.g. after a takeover).
    """

    id: str
    func: str
    trigger: str
    trigger_args: dict[str, Any] = field(default_factory=dict)
    run_at_start: bool = False


@dataclass(frozen=True)
class JobContext:
    engine: Engine
    mail: MailConfig
    sender: Sender
    # Closed households are pseudonymised after this many years (the retention job).
    retention_years: int = 5


_current: JobContext | None = None
_lock = threading.Lock()


def install_context(context: JobContext | None) -> None:
    """Make `context` the one the jobs of this process use (None removes it)."""
    global _current
    with _lock:
        _current = context


def job_context() -> JobContext:
    """The installed context; a job run outside a scheduler process is an error."""
    context = _current
    if context is None:
        raise RuntimeError("no JobContext installed: jobs run inside the scheduler")
    return context


@contextmanager
def using_context(context: JobContext) -> Iterator[JobContext]:
    """Install `context` for a block and restore the previous one after it."""
    previous = _current
    install_context(context)
    try:
        yield context
    finally:
        install_context(previous)
