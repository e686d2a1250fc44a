"""Container health checks: `python healthcheck.py web|scheduler`, exit 0 when healthy.

web        the app answers /health on PORT
scheduler  the database answers and some scheduler holds the lock of the active one (a
           standby is healthy while another leads; when none leads, every one is unhealthy)
"""

from __future__ import annotations

import os
import sys
import urllib.request

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from agency.db import make_engine
from web.scheduler import LOCK_KEY

LEADER_QUERY = sa.text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND objid = :key AND database = (SELECT oid FROM pg_database"
    " WHERE datname = current_database())"
)


def web_ok() -> bool:
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/health"
    with urllib.request.urlopen(url, timeout=4) as response:
        return bool(response.status == 200)


def scheduler_ok() -> bool:
    engine = make_engine(os.environ["DATABASE_URL"], poolclass=NullPool)
    try:
        with engine.connect() as connection:
            if engine.dialect.name != "postgresql":
                return True  # SQLite: one process, nothing to elect
            return bool(connection.execute(LEADER_QUERY, {"key": LOCK_KEY}).scalar_one())
    finally:
        engine.dispose()


def main(argv: list[str]) -> int:
    checks = {"web": web_ok, "scheduler": scheduler_ok}
    if len(argv) != 1 or argv[0] not in checks:
        print("usage: healthcheck.py web|scheduler", file=sys.stderr)
        return 2
    try:
        return 0 if checks[argv[0]]() else 1
    except Exception as exc:  # any failure means unhealthy; say why in `docker inspect`
        print(f"unhealthy: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
