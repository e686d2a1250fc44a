"""Before a container's process starts: wait for the database, then migrate it exactly once.

    python migrate.py              wait until the database answers, then upgrade it to head
    python migrate.py --wait-only  wait until the database answers and is at head (scheduler)

Several containers may start at once (web replicas, `compose up --scale web=3`): on
PostgreSQL the upgrade runs under a session-level advisory lock, so one container migrates
while the others wait for it and then find nothing left to do. Reads DATABASE_URL and
DB_WAIT_SECONDS (default 90).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from agency.db import make_engine
from agency.migrate import alembic_config, upgrade

MIGRATION_LOCK_KEY = 0x53524132  # "SRA2"; the scheduler's lock is "SRA1"
DEFAULT_URL = "sqlite:///var/agency.db"


def log(message: str) -> None:
    print(f"migrate: {message}", file=sys.stderr, flush=True)


def wait_until(check: Callable[[], bool], what: str, seconds: float) -> None:
    """Call `check` every second until it returns True; exit with a message after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
            problem = "not yet"
        except sa.exc.DBAPIError as exc:
            problem = str(exc.orig or exc).splitlines()[0]
        if time.monotonic() > deadline:
            log(f"gave up after {seconds:.0f} s waiting for {what}: {problem}")
            raise SystemExit(1)
        time.sleep(1)


def answers(engine: Engine) -> bool:
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    return True


def at_head(engine: Engine) -> bool:
    heads = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads


def upgrade_once(engine: Engine) -> None:
    """Upgrade to head; on PostgreSQL one process at a time (advisory lock)."""
    if engine.dialect.name != "postgresql":
        upgrade(engine)
        return
    with engine.connect() as holder:
        holder.execute(sa.select(sa.func.pg_advisory_lock(MIGRATION_LOCK_KEY)))
        holder.commit()  # the session-level lock outlives the transaction
        try:
            if at_head(engine):
                log("the database is at head already")
                return
            log("upgrading the database")
            upgrade(engine)
        finally:
            holder.execute(sa.select(sa.func.pg_advisory_unlock(MIGRATION_LOCK_KEY)))
            holder.commit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--wait-only", action="store_true", help="do not migrate; wait for head")
    args = parser.parse_args(argv)
    seconds = float(os.environ.get("DB_WAIT_SECONDS", "90"))
    engine = make_engine(os.environ.get("DATABASE_URL", DEFAULT_URL), poolclass=NullPool)
    try:
        wait_until(lambda: answers(engine), "the database", seconds)
        if args.wait_only:
            wait_until(lambda: at_head(engine), "the migrations", seconds)
        else:
            upgrade_once(engine)
        log("the database is ready")
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
