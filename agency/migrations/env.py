"""Alembic environment: the URL or connection comes from the caller (agency.migrate)."""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from alembic import context

from agency.db import make_engine, metadata
from agency.models.base import AwareDateTime

config = context.config
target_metadata = metadata()


# Tables that live in the database but belong to no model: APScheduler's job store.
UNMANAGED_TABLES = frozenset({"apscheduler_jobs"})


# Indexes that only PostgreSQL has (trigram indexes on expressions, descending keys) live in
# their migration alone: the models cannot declare them for SQLite too. Their names end so.
POSTGRESQL_ONLY_INDEX_SUFFIX = "_pg"


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Leave the unmanaged tables and the PostgreSQL-only indexes out of autogenerate and
    `alembic check`."""
    if type_ == "index" and name and name.endswith(POSTGRESQL_ONLY_INDEX_SUFFIX):
        return False
    return not (type_ == "table" and name in UNMANAGED_TABLES)


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Render the product's column types as plain SQLAlchemy ones in migration files."""
    if type_ == "type" and isinstance(obj, AwareDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, sa.JSON) and obj._variant_mapping:
        return "sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')"
    if type_ == "type" and type(obj).__name__ == "AutoString":
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def run_with(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        render_item=render_item,
        include_name=include_name,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        run_with(conn)
    engine.dispose()


run_migrations_online()
