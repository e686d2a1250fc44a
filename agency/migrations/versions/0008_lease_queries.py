"""indexes for the leases list, arrears and the early-warning dashboard

A stored ledger balance per lease (all charges minus all payments) lets the arrears filter
and the dashboards read arrears for thousands of leases without summing their ledgers; the
database keeps it in the writer's transaction through triggers, whoever writes the ledger
(services, the demo, COPY in the load benchmark). Charges not yet due are subtracted when
reading (see agency.services.rent.arrears_stored).

Revision ID: 0008_lease_queries
Revises: 0007_text_search
Create Date: 2026-11-21 16:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_lease_queries"
down_revision: str | None = "0007_text_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = sa.text("status = 'active'")
RED = sa.text("risk = 'red'")
# (table, sign): a charge adds to what the tenant owes, a payment takes from it.
LEDGER_TABLES = (("rent_charge", "+"), ("rent_payment", "-"))

BACKFILL = """
UPDATE lease SET ledger_balance =
    (SELECT COALESCE(SUM(amount), 0) FROM rent_charge WHERE rent_charge.lease_id = lease.id)
    - (SELECT COALESCE(SUM(amount), 0) FROM rent_payment WHERE rent_payment.lease_id = lease.id)
"""

PG_FUNCTION = """
CREATE FUNCTION lease_ledger_balance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE sign integer := TG_ARGV[0]::integer;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE lease SET ledger_balance = ledger_balance - sign * OLD.amount
        WHERE id = OLD.lease_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE lease SET ledger_balance = ledger_balance + sign * NEW.amount
        WHERE id = NEW.lease_id;
    END IF;
    RETURN NULL;
END $$
"""


def _pg_triggers() -> list[str]:
    return [PG_FUNCTION] + [
        f"CREATE TRIGGER trg_{table}_balance AFTER INSERT OR DELETE OR UPDATE OF amount, "
        f"lease_id ON {table} FOR EACH ROW EXECUTE FUNCTION lease_ledger_balance('{sign}1')"
        for table, sign in LEDGER_TABLES
    ]


def _sqlite_triggers() -> list[str]:
    def apply(row: str, sign: str) -> str:
        return (
            f"UPDATE lease SET ledger_balance = ledger_balance {sign} {row}.amount "
            f"WHERE id = {row}.lease_id;"
        )

    statements = []
    for table, sign in LEDGER_TABLES:
        undo = "-" if sign == "+" else "+"
        bodies = {
            "insert": apply("NEW", sign),
            "delete": apply("OLD", undo),
            "update": apply("OLD", undo) + " " + apply("NEW", sign),
        }
        for event, body in bodies.items():
            when = "UPDATE OF amount, lease_id" if event == "update" else event.upper()
            statements.append(
                f"CREATE TRIGGER trg_{table}_balance_{event} AFTER {when} ON {table} "
                f"FOR EACH ROW BEGIN {body} END"
            )
    return statements


def upgrade() -> None:
    with op.batch_alter_table("lease", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ledger_balance", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.drop_index("ix_lease_status_end")
        batch_op.create_index("ix_lease_status_end", ["status", "end_date", "id"], unique=False)
    op.create_index(
        "ix_rent_charge_due", "rent_charge", ["due_on", "lease_id", "amount"], unique=False
    )
    op.create_index(
        "ix_lease_active_balance",
        "lease",
        ["ledger_balance"],
        unique=False,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
    op.create_index(
        "ix_visit_red",
        "support_visit",
        ["household_id", "done_on", "id"],
        unique=False,
        sqlite_where=RED,
        postgresql_where=RED,
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _pg_triggers() if postgres else _sqlite_triggers():
        op.execute(statement)
    op.execute(BACKFILL)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, _ in LEDGER_TABLES:
            op.execute(f"DROP TRIGGER trg_{table}_balance ON {table}")
        op.execute("DROP FUNCTION lease_ledger_balance()")
    else:
        for table, _ in LEDGER_TABLES:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER trg_{table}_balance_{event}")
    op.drop_index("ix_visit_red", table_name="support_visit")
    op.drop_index("ix_lease_active_balance", table_name="lease")
    op.drop_index("ix_rent_charge_due", table_name="rent_charge")
    with op.batch_alter_table("lease", schema=None) as batch_op:
        batch_op.drop_index("ix_lease_status_end")
        batch_op.create_index("ix_lease_status_end", ["status", "end_date"], unique=False)
        batch_op.drop_column("ledger_balance")
