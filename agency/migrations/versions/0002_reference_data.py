"""reference data: the municipalities gazetteer, barrier and intervention lists, the default
support plan

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from agency import reference

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _table(name: str, *columns: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(c) for c in columns))


def upgrade() -> None:
    rows = reference.read_municipalities()
    op.bulk_insert(_table("municipality", *rows[0].keys()), rows)
    for name, items in (
        ("barrier_category", reference.BARRIER_CATEGORIES),
        ("intervention", reference.INTERVENTIONS),
    ):
        table = _table(name, "code", "name_cs", "name_en", "active", "sort_order")
        op.bulk_insert(
            table,
            [
                {"code": c, "name_cs": cs, "name_en": en, "active": True, "sort_order": i}
                for i, (c, cs, en) in enumerate(items)
            ],
        )
    template = sa.table(
        "support_plan_template",
        sa.column("name"),
        sa.column("steps", sa.JSON()),
        sa.column("is_default"),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(
        template,
        [
            {
                "name": "Standardní plán podpory",
                "steps": list(reference.DEFAULT_SUPPORT_PLAN),
                "is_default": True,
                "created_at": datetime.now(UTC),
            }
        ],
    )


def downgrade() -> None:
    for name in ("support_plan_template", "intervention", "barrier_category", "municipality"):
        op.execute(sa.text(f"DELETE FROM {name}"))
