"""households counted per organisation and status

The households list showed its total by counting every household the user sees (100,000 for
staff) on every page. The database now keeps how many households each organisation has in
each status, through triggers on household in the writer's transaction, whoever writes
(services, the demo, COPY in the load benchmark), as it does for flats (0009). A household
always belongs to an organisation (organisation_id is NOT NULL), so (organisation_id,
status) is the key. A row whose count fell to zero stays; readers sum the rows.

Revision ID: 0011_household_counts
Revises: 0010_scoped_counts
Create Date: 2026-11-21 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_household_counts"
down_revision: str | None = "0010_scoped_counts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HOUSEHOLD_STATUSES = ("registered", "waiting", "offered", "housed", "closed")
EVENTS = ("insert", "delete", "update")

PG_FUNCTION = """
CREATE FUNCTION household_status_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.status = OLD.status
            AND NEW.organisation_id = OLD.organisation_id THEN
        RETURN NULL;
    END IF;
    -- One statement for both rows, so that concurrent writers lock them in the same order.
    INSERT INTO household_status_count AS c (organisation_id, status, households)
    SELECT s.organisation_id, s.status, SUM(s.delta) FROM (
        SELECT NEW.organisation_id, NEW.status, 1 WHERE TG_OP <> 'DELETE'
        UNION ALL SELECT OLD.organisation_id, OLD.status, -1 WHERE TG_OP <> 'INSERT'
    ) AS s (organisation_id, status, delta)
    GROUP BY s.organisation_id, s.status ORDER BY s.organisation_id, s.status
    ON CONFLICT (organisation_id, status)
        DO UPDATE SET households = c.households + EXCLUDED.households;
    RETURN NULL;
END $$
"""


def _sqlite_count(row: str, delta: str) -> str:
    # An upsert: unlike the flat statuses, the organisations cannot all be counted ahead.
    return (
        "INSERT INTO household_status_count (organisation_id, status, households) "
        f"VALUES ({row}.organisation_id, {row}.status, {delta}) "
        "ON CONFLICT (organisation_id, status) "
        "DO UPDATE SET households = households + excluded.households;"
    )


def _sqlite_triggers() -> list[str]:
    bodies = {
        "insert": ("INSERT", "", _sqlite_count("NEW", "1")),
        "delete": ("DELETE", "", _sqlite_count("OLD", "-1")),
        "update": (
            "UPDATE OF status, organisation_id",
            "WHEN OLD.status IS NOT NEW.status "
            "OR OLD.organisation_id IS NOT NEW.organisation_id ",
            _sqlite_count("OLD", "-1") + " " + _sqlite_count("NEW", "1"),
        ),
    }
    return [
        f"CREATE TRIGGER trg_household_status_count_{event} AFTER {when} ON household "
        f"FOR EACH ROW {condition}BEGIN {body} END"
        for event, (when, condition, body) in bodies.items()
    ]


def upgrade() -> None:
    op.create_table(
        "household_status_count",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                *HOUSEHOLD_STATUSES,
                name="householdstatus",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("organisation_id", "status"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER trg_household_status_count AFTER INSERT OR DELETE "
            "OR UPDATE OF status, organisation_id ON household "
            "FOR EACH ROW EXECUTE FUNCTION household_status_count()"
        )
    else:
        for statement in _sqlite_triggers():
            op.execute(statement)
    op.execute(
        "INSERT INTO household_status_count (organisation_id, status, households) "
        "SELECT organisation_id, status, COUNT(*) FROM household GROUP BY organisation_id, status"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER trg_household_status_count ON household")
        op.execute("DROP FUNCTION household_status_count()")
    else:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER trg_household_status_count_{event}")
    op.drop_table("household_status_count")
