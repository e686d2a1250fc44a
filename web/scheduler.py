"""The one scheduler of periodic work: `agency scheduler`, or in-process in the embedded default.

Jobs are declared by each package (`<package>/jobs.py`, a `JOBS` list of `JobSpec`) and kept
in APScheduler's SQLAlchemy job store in the application's own database. On PostgreSQL a
session-level advisory lock on a dedicated connection elects the active scheduler; the others
poll and take over when its connection drops. On SQLite a file lock beside the database does
the same.
"""

from __future__ import annotations

import fcntl
import importlib
import logging
import os
import signal
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

import click
import sqlalchemy as sa
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from agency.db import make_engine
from agency.models.base import utcnow
from notifications.runtime import JobContext, JobSpec, install_context
from notifications.senders import make_sender
from web.settings import Settings, load_settings

log = logging.getLogger(__name__)

JOB_MODULES = ("notifications.jobs", "agency.jobs", "agency.summary_jobs")
JOBSTORE_TABLE = "apscheduler_jobs"  # not a model: excluded from `alembic check`
LOCK_KEY = 0x53524131  # pg_try_advisory_lock key of the active scheduler ("SRA1")
_TRIGGERS: dict[str, type[BaseTrigger]] = {"interval": IntervalTrigger, "cron": CronTrigger}


def collect_jobs(modules: tuple[str, ...] = JOB_MODULES) -> list[JobSpec]:
    """Every package's declared jobs; two jobs with one id are an error."""
    specs = [spec for name in modules for spec in importlib.import_module(name).JOBS]
    ids = [spec.id for spec in specs]
    if len(ids) != len(set(ids)):
        raise ValueError(f"duplicate job ids in {ids}")
    return specs


def build_scheduler(engine: Engine) -> BackgroundScheduler:
    """A scheduler whose jobs live in `engine`'s database; one run of a job at a time."""
    # The job store disposes its engine at shutdown: give it its own, not the app's pool.
    url = engine.url.render_as_string(hide_password=False)
    store = SQLAlchemyJobStore(
        engine=make_engine(url, poolclass=NullPool), tablename=JOBSTORE_TABLE
    )
    # SQLite has one writer at a time: jobs run one after another there (at start every job
    # runs, and parallel writers would meet "database is locked").
    threads = 1 if engine.dialect.name == "sqlite" else 4
    return BackgroundScheduler(
        jobstores={"default": store},
        executors={"default": ThreadPoolExecutor(threads)},
        # A job missed while no scheduler ran still runs once, when one becomes active.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 6 * 3600},
        timezone=UTC,
    )


def sync_jobs(scheduler: BackgroundScheduler, specs: list[JobSpec], *, now: datetime) -> None:
    """Make the stored jobs equal the declared ones.

    A stored job with an unchanged trigger is kept, so its stored next run time (and any
    run missed meanwhile) survives a restart; changed ones are replaced, undeclared removed.
    """
    declared = {spec.id for spec in specs}
    for job in scheduler.get_jobs():
        if job.id not in declared:
            job.remove()
    for spec in specs:
        trigger = make_trigger(spec)
        stored = scheduler.get_job(spec.id)
        if stored is None or stored.func_ref != spec.func or not _same(stored.trigger, trigger):
            scheduler.add_job(spec.func, trigger=trigger, id=spec.id, replace_existing=True)
        if spec.run_at_start:
            scheduler.modify_job(spec.id, next_run_time=now)


def make_trigger(spec: JobSpec) -> BaseTrigger:
    args: dict[str, Any] = {"timezone": "Europe/Prague"} | spec.trigger_args
    return _TRIGGERS[spec.trigger](**args)


def _same(a: BaseTrigger, b: BaseTrigger) -> bool:
    def signature(t: BaseTrigger) -> tuple[str, str, str]:
        return (type(t).__name__, str(t), str(getattr(t, "timezone", "")))

    return signature(a) == signature(b)


class Leadership(Protocol):
    def try_acquire(self) -> bool: ...
    def still_held(self) -> bool: ...
    def release(self) -> None: ...


class SingleProcess:
    """An in-memory SQLite database has one process by definition."""

    def try_acquire(self) -> bool:
        return True

    def still_held(self) -> bool:
        return True

    def release(self) -> None:
        return None


class FileLock:
    """SQLite: an exclusive `flock` on a file beside the database, freed when the process dies.

    Keeps a second process (another web worker, a stray `agency scheduler`) standing by.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] | None = None

    def try_acquire(self) -> bool:
        if self._handle is not None:
            return True  # a second flock from this process would conflict with the first
        handle = self.path.open("ab")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._handle = handle
        return True

    def still_held(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.close()  # closing the file drops the lock


class AdvisoryLock:
    """A PostgreSQL session-level advisory lock held on its own connection.

    When this process dies its connection drops and PostgreSQL releases the lock at once.
    The connection's application_name tells which process leads (see pg_stat_activity).
    """

    def __init__(self, engine: Engine, key: int = LOCK_KEY) -> None:
        self.key = key
        self.engine = sa.create_engine(
            engine.url,
            poolclass=NullPool,
            connect_args={
                "application_name": f"agency-scheduler-{os.getpid()}",
                "connect_timeout": 5,
            },
        )
        self._connection: sa.Connection | None = None

    def try_acquire(self) -> bool:
        return bool(self._ask(sa.select(sa.func.pg_try_advisory_lock(self.key))))

    def still_held(self) -> bool:
        return bool(self._ask(sa.select(sa.literal(1))) == 1)

    def release(self) -> None:
        if self._connection is not None:
            self._ask(sa.select(sa.func.pg_advisory_unlock(self.key)))
            self._drop()
        self.engine.dispose()

    def _ask(self, query: sa.Select[Any]) -> Any:
        try:
            if self._connection is None:
                self._connection = self.engine.connect()
            value = self._connection.execute(query).scalar_one()
            self._connection.commit()  # no idle transaction; the session-level lock stays
            return value
        except sa.exc.DBAPIError as exc:
            log.warning("scheduler lock connection failed: %s", exc.__class__.__name__)
            self._drop()
            return None

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.invalidate()
            connection.close()


def leadership_for(engine: Engine) -> Leadership:
    """How this process learns whether it is the one scheduler of `engine`'s database."""
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine)
    database = engine.url.database
    if database and database != ":memory:":
        return FileLock(Path(f"{database}.scheduler-lock"))
    return SingleProcess()


class SchedulerRunner:
    """Stands by until it leads, then runs the jobs until stopped or the lead is lost."""

    def __init__(
        self, context: JobContext, *, specs: list[JobSpec], poll_seconds: float = 5.0
    ) -> None:
        self.context = context
        self.specs = specs
        self.poll_seconds = poll_seconds
        self.active = threading.Event()
        self._stop = threading.Event()

    def run(self) -> None:
        """Block until `stop()`; lead whenever this process can."""
        install_context(self.context)
        leadership = leadership_for(self.context.engine)
        waiting = False
        try:
            while not self._stop.is_set():
                if leadership.try_acquire():
                    waiting = False
                    self._lead_or_pause(leadership)
                    continue
                if not waiting:
                    log.info("scheduler standing by (pid %s)", os.getpid())
                    waiting = True
                self._stop.wait(self.poll_seconds)
        finally:
            leadership.release()

    def stop(self) -> None:
        self._stop.set()

    def _lead_or_pause(self, leadership: Leadership) -> None:
        try:
            self._lead(leadership)
        except Exception:  # e.g. the database went away while starting: try again later
            log.exception("scheduler failed; trying again in %s s", self.poll_seconds)
            self._stop.wait(self.poll_seconds)

    def _lead(self, leadership: Leadership) -> None:
        scheduler = build_scheduler(self.context.engine)
        scheduler.start(paused=True)
        try:
            sync_jobs(scheduler, self.specs, now=utcnow())
            scheduler.resume()
            self.active.set()
            log.info("scheduler active (pid %s)", os.getpid())
            while not self._stop.wait(self.poll_seconds):
                if not leadership.still_held():
                    log.warning("scheduler lost its lock; standing by (pid %s)", os.getpid())
                    break
        finally:
            self.active.clear()
            scheduler.shutdown(wait=True)


@dataclass(frozen=True)
class SchedulerHandle:
    runner: SchedulerRunner
    thread: threading.Thread


def build_job_context(settings: Settings, *, engine: Engine | None = None) -> JobContext:
    """The engine, mail settings and sender the jobs use, from the settings. On SQLite the
    jobs get an engine of their own whose transactions take the write lock at once."""
    if settings.is_sqlite and sa.engine.make_url(settings.database_url).database not in (
        None,
        "",
        ":memory:",
    ):
        engine = make_engine(settings.database_url, write_first=True)
    return JobContext(
        engine=engine or make_engine(settings.database_url),
        mail=settings.mail,
        sender=make_sender(settings.mail),
        retention_years=settings.retention_years,
    )


def start_in_process(context: JobContext, *, poll_seconds: float = 5.0) -> SchedulerHandle:
    """Run the scheduler in a thread of this process (the embedded default's web app)."""
    runner = SchedulerRunner(context, specs=collect_jobs(), poll_seconds=poll_seconds)
    thread = threading.Thread(target=runner.run, name="scheduler", daemon=True)
    thread.start()
    return SchedulerHandle(runner=runner, thread=thread)


def stop(handle: SchedulerHandle, *, timeout: float = 30.0) -> None:
    """Stop an in-process scheduler, waiting for running jobs to finish."""
    handle.runner.stop()
    handle.thread.join(timeout)


@click.command("scheduler")
@click.option(
    "--poll-seconds",
    type=click.FloatRange(min=0.05),
    default=5.0,
    show_default=True,
    envvar="SCHEDULER_POLL_SECONDS",
    help="How often a standby checks for the lock, and the leader checks it still holds it.",
)
@click.pass_context
def scheduler_command(ctx: click.Context, poll_seconds: float) -> None:
    """Run the periodic jobs until SIGTERM or SIGINT; a second instance stands by."""
    root = ctx.find_root().obj
    settings = root if isinstance(root, Settings) else load_settings()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    runner = SchedulerRunner(
        build_job_context(settings), specs=collect_jobs(), poll_seconds=poll_seconds
    )
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: runner.stop())
    runner.run()


if __name__ == "__main__":
    scheduler_command()
