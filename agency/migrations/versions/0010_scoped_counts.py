"""counts of the lists a social worker sees

A lease and a match carry a copy of their household's organisation, so that a social
worker's leases and offers are listed and counted from one table and one index instead of
joining every lease or match to the organisation's households. The database keeps the copy
through triggers, whoever writes (services, the demo, COPY in the load benchmark): it is set
from the household on insert and when the household changes, and follows the household
should its organisation ever change (no service changes it today).

Revision ID: 0010_scoped_counts
Revises: 0009_warning_signs
Create Date: 2026-11-21 16:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_scoped_counts"
down_revision: str | None = "0009_warning_signs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWING = sa.text("status = 'active' AND ledger_balance > 0")
COPIES = ("lease", "placement_match")
OWN_ORGANISATION = "(SELECT organisation_id FROM household WHERE household.id = {row}.household_id)"

# (name, table, columns, partial): the lists' indexes, on both databases.
INDEXES: tuple[tuple[str, str, list[str], sa.TextClause | None], ...] = (
    ("ix_lease_org_status_end", "lease", ["organisation_id", "status", "end_date", "id"], None),
    ("ix_lease_owing", "lease", ["ledger_balance", "end_date", "id"], OWING),
    (
        "ix_lease_org_owing",
        "lease",
        ["organisation_id", "ledger_balance", "end_date", "id"],
        OWING,
    ),
    ("ix_match_org_created", "placement_match", ["organisation_id", "created_at", "id"], None),
    (
        "ix_match_org_status_created",
        "placement_match",
        ["organisation_id", "status", "created_at", "id"],
        None,
    ),
    ("ix_landlord_name", "landlord", ["name"], None),
)

# Sets every copy of the household's organisation to the household's (NEW) one.
FOLLOW = " ".join(
    f"UPDATE {table} SET organisation_id = NEW.organisation_id WHERE household_id = NEW.id;"
    for table in COPIES
)

PG_COPY_FUNCTION = f"""
CREATE FUNCTION copy_household_organisation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.organisation_id := {OWN_ORGANISATION.format(row="NEW")};
    RETURN NEW;
END $$
"""

PG_FOLLOW_FUNCTION = f"""
CREATE FUNCTION follow_household_organisation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {FOLLOW}
    RETURN NULL;
END $$
"""


def _pg_triggers() -> list[str]:
    return [
        PG_COPY_FUNCTION,
        PG_FOLLOW_FUNCTION,
        *(
            f"CREATE TRIGGER trg_{table}_organisation BEFORE INSERT OR UPDATE OF household_id "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION copy_household_organisation()"
            for table in COPIES
        ),
        "CREATE TRIGGER trg_household_organisation AFTER UPDATE OF organisation_id ON household "
        "FOR EACH ROW WHEN (OLD.organisation_id IS DISTINCT FROM NEW.organisation_id) "
        "EXECUTE FUNCTION follow_household_organisation()",
    ]


def _sqlite_triggers() -> list[str]:
    # SQLite cannot change the row being inserted: the copy is written just after it.
    statements = [
        f"CREATE TRIGGER trg_{table}_organisation_{event} AFTER {when} ON {table} "
        f"FOR EACH ROW BEGIN UPDATE {table} SET organisation_id = "
        f"{OWN_ORGANISATION.format(row='NEW')} WHERE id = NEW.id; END"
        for table in COPIES
        for event, when in (("insert", "INSERT"), ("update", "UPDATE OF household_id"))
    ]
    statements.append(
        "CREATE TRIGGER trg_household_organisation AFTER UPDATE OF organisation_id ON household "
        "FOR EACH ROW WHEN OLD.organisation_id IS NOT NEW.organisation_id "
        f"BEGIN {FOLLOW} END"
    )
    return statements


def upgrade() -> None:
    for table in COPIES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("organisation_id", sa.Integer(), server_default="0", nullable=False)
            )
        op.execute(f"UPDATE {table} SET organisation_id = {OWN_ORGANISATION.format(row=table)}")
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _pg_triggers() if postgres else _sqlite_triggers():
        op.execute(statement)
    for name, table, columns, where in INDEXES:
        op.create_index(
            name, table, columns, unique=False, sqlite_where=where, postgresql_where=where
        )


def downgrade() -> None:
    for name, table, _, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER trg_household_organisation ON household")
        for table in COPIES:
            op.execute(f"DROP TRIGGER trg_{table}_organisation ON {table}")
        op.execute("DROP FUNCTION follow_household_organisation()")
        op.execute("DROP FUNCTION copy_household_organisation()")
    else:
        op.execute("DROP TRIGGER trg_household_organisation")
        for table in COPIES:
            for event in ("insert", "update"):
                op.execute(f"DROP TRIGGER trg_{table}_organisation_{event}")
    for table in reversed(COPIES):
        # Not in batch mode: SQLite drops the column in place (no copy of the table).
        op.drop_column(table, "organisation_id")
