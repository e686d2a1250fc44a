"""trigram indexes for the text searches, and indexes for the households list (PostgreSQL)

Revision ID: 0007_text_search
Revises: 0006_load_indexes
Create Date: 2026-11-21 16:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

from agency.services.text_search import folded_sql

revision: str = "0007_text_search"
down_revision: str | None = "0006_load_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, table, expression): each expression is exactly what the searches compile to on
# PostgreSQL, or the planner cannot use the index.
TRIGRAM_INDEXES: tuple[tuple[str, str, str], ...] = (
    ("ix_flat_street_trgm_pg", "flat", folded_sql("street")),
    ("ix_landlord_name_trgm_pg", "landlord", folded_sql("name")),
    ("ix_landlord_email_trgm_pg", "landlord", "lower(email)"),
    ("ix_household_name_trgm_pg", "household", folded_sql("reference_name")),
    # The household search also tries the name as typed (case and diacritics kept).
    ("ix_household_name_typed_trgm_pg", "household", "reference_name"),
)

# The households list's order (most urgent first, then the longest waiting), read in one
# direction; the ascending ix_household_queue serves only its first key that way.
DESCENDING_INDEXES: tuple[tuple[str, str, str], ...] = (
    ("ix_household_queue_desc_pg", "household", "urgency DESC, registered_on, id"),
    (
        "ix_household_org_queue_desc_pg",
        "household",
        "organisation_id, urgency DESC, registered_on, id",
    ),
)

# The models cannot declare these for SQLite too, so they live here alone; their names end
# in "_pg", which `alembic check` leaves out (see env.py).
POSTGRESQL_ONLY: tuple[tuple[str, str, str], ...] = (
    *(
        (name, table, f"USING gin (({expression}) gin_trgm_ops)")
        for name, table, expression in TRIGRAM_INDEXES
    ),
    *((name, table, f"({columns})") for name, table, columns in DESCENDING_INDEXES),
)


def upgrade() -> None:
    op.create_index(
        "ix_household_anchor_municipality_code", "household", ["anchor_municipality_code"]
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, definition in POSTGRESQL_ONLY:
        op.execute(f"CREATE INDEX {name} ON {table} {definition}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _, _ in reversed(POSTGRESQL_ONLY):
            op.execute(f"DROP INDEX {name}")
        # The extension stays: other objects may use it, and it costs nothing unused.
    op.drop_index("ix_household_anchor_municipality_code", table_name="household")
