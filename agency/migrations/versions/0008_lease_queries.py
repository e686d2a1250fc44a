"""indexes for the leases list, arrears and the early-warning dashboard

Revision ID: 0008_lease_queries
Revises: 0007_text_search
Create Date: 2026-11-21 16:20:00.000000
"""

from collections.abc import Sequence

revision: str = "0008_lease_queries"
down_revision: str | None = "0007_text_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
