"""indexes for the list and queue pages under load and for the national summary

Revision ID: 0006_load_indexes
Revises: 0005_session_generation
Create Date: 2026-11-21 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_load_indexes"
down_revision: str | None = "0005_session_generation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: tuple[tuple[str, str, list[str]], ...] = (
    ("ix_flat_created", "flat", ["created_at", "id"]),
    ("ix_flat_status_created", "flat", ["status", "created_at", "id"]),
    ("ix_vetting_decided_at", "vetting", ["decided_at"]),
    ("ix_barrier_overcome_on", "barrier", ["overcome_on"]),
    ("ix_placement_match_reviewed_at", "placement_match", ["reviewed_at"]),
    ("ix_match_created", "placement_match", ["created_at", "id"]),
    ("ix_visit_household_done", "support_visit", ["household_id", "done_on", "id"]),
    ("ix_householdarea_municipality_code", "householdarea", ["municipality_code"]),
    ("ix_householdarea_orp_code", "householdarea", ["orp_code"]),
    ("ix_household_queue", "household", ["urgency", "registered_on", "id"]),
    ("ix_household_org_queue", "household", ["organisation_id", "urgency", "registered_on", "id"]),
)


OPEN_VISIT = sa.text("done_on IS NULL")


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    op.create_index(
        "ix_visit_open",
        "support_visit",
        ["planned_on", "id"],
        unique=False,
        sqlite_where=OPEN_VISIT,
        postgresql_where=OPEN_VISIT,
    )


def downgrade() -> None:
    op.drop_index("ix_visit_open", table_name="support_visit")
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
