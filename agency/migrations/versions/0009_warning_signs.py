"""early-warning signs and flat counts

The dashboard's early warning reads, per housed household, facts that the database keeps on
the household row in the writer's transaction (whoever writes: services, the demo, COPY in
the load benchmark): from its active lease the id, ledger balance and rent + services; from
its visits the oldest open one's planned date and whether the last one done was red. What
depends on the day (a visit missed 14 days after its date, charges not yet due) is still
decided when reading. The flats per status are counted by triggers on flat too.

Revision ID: 0009_warning_signs
Revises: 0008_lease_queries
Create Date: 2026-11-21 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_warning_signs"
down_revision: str | None = "0008_lease_queries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WARNING_COLUMNS = ["id", "active_lease_id", "lease_balance", "lease_monthly", "last_visit_red"]
HOUSED = sa.text("active_lease_id IS NOT NULL")
WARNED = sa.text(
    "active_lease_id IS NOT NULL AND (lease_balance > lease_monthly OR last_visit_red)"
)
FLAT_STATUSES = ("submitted", "vetting", "available", "rejected", "offered", "let", "withdrawn")

# The same statements recompute the facts of the households `{which}` selects, in the
# triggers (one household: a row's OLD or NEW household_id) and in the backfill.
LEASE_FACTS = """
UPDATE household SET (active_lease_id, lease_balance, lease_monthly) = (
    SELECT id, ledger_balance, rent + services FROM lease
    WHERE lease.household_id = household.id AND lease.status = 'active')
WHERE household.id {which}
"""
VISIT_FACTS = """
UPDATE household SET
    open_visit_since = (SELECT MIN(planned_on) FROM support_visit
        WHERE support_visit.household_id = household.id AND done_on IS NULL),
    last_visit_red = COALESCE((SELECT risk = 'red' FROM support_visit
        WHERE support_visit.household_id = household.id AND done_on IS NOT NULL
        ORDER BY done_on DESC, id DESC LIMIT 1), false)
WHERE household.id {which}
"""
# (table, trigger function, facts, the columns whose change can change a household's facts)
SOURCES = (
    (
        "lease",
        "household_lease_facts",
        LEASE_FACTS,
        "household_id, status, ledger_balance, rent, services",
    ),
    (
        "support_visit",
        "household_visit_facts",
        VISIT_FACTS,
        "household_id, planned_on, done_on, risk",
    ),
)

# The household row is locked before its facts are read, so that two transactions writing
# the same household's visits or lease take turns and the second reads what the first wrote.
PG_FUNCTION = """
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM 1 FROM household WHERE id = OLD.household_id FOR NO KEY UPDATE;
        {old_facts};
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.household_id <> OLD.household_id) THEN
        PERFORM 1 FROM household WHERE id = NEW.household_id FOR NO KEY UPDATE;
        {new_facts};
    END IF;
    RETURN NULL;
END $$
"""

PG_FLAT_FUNCTION = """
CREATE FUNCTION flat_status_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.status = OLD.status THEN
        RETURN NULL;
    END IF;
    -- One statement for both rows, so that concurrent writers lock them in the same order.
    INSERT INTO flat_status_count AS c (status, flats)
    SELECT s.status, SUM(s.delta) FROM (
        SELECT NEW.status, 1 WHERE TG_OP <> 'DELETE'
        UNION ALL SELECT OLD.status, -1 WHERE TG_OP <> 'INSERT'
    ) AS s (status, delta)
    GROUP BY s.status ORDER BY s.status
    ON CONFLICT (status) DO UPDATE SET flats = c.flats + EXCLUDED.flats;
    RETURN NULL;
END $$
"""


def _pg_triggers() -> list[str]:
    statements = []
    for table, function, facts, columns in SOURCES:
        body = PG_FUNCTION.format(
            function=function,
            old_facts=facts.format(which="= OLD.household_id").strip(),
            new_facts=facts.format(which="= NEW.household_id").strip(),
        )
        statements += [
            body,
            f"CREATE TRIGGER trg_{table}_household AFTER INSERT OR DELETE OR UPDATE OF "
            f"{columns} ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()",
        ]
    return [
        *statements,
        PG_FLAT_FUNCTION,
        "CREATE TRIGGER trg_flat_status_count AFTER INSERT OR DELETE OR UPDATE OF status "
        "ON flat FOR EACH ROW EXECUTE FUNCTION flat_status_count()",
    ]


def _sqlite_count(row: str, delta: str) -> str:
    return f"UPDATE flat_status_count SET flats = flats {delta} 1 WHERE status = {row}.status;"


def _sqlite_triggers() -> list[str]:
    statements = []
    for table, _, facts, columns in SOURCES:
        old = facts.format(which="= OLD.household_id").strip()
        new = facts.format(which="= NEW.household_id").strip()
        bodies = {
            "insert": ("INSERT", f"{new};"),
            "delete": ("DELETE", f"{old};"),
            "update": (f"UPDATE OF {columns}", f"{old}; {new};"),
        }
        statements += [
            f"CREATE TRIGGER trg_{table}_household_{event} AFTER {when} ON {table} "
            f"FOR EACH ROW BEGIN {body} END"
            for event, (when, body) in bodies.items()
        ]
    flat_bodies = {
        "insert": ("INSERT", _sqlite_count("NEW", "+")),
        "delete": ("DELETE", _sqlite_count("OLD", "-")),
        "update": (
            "UPDATE OF status",
            _sqlite_count("OLD", "-") + " " + _sqlite_count("NEW", "+"),
        ),
    }
    statements += [
        f"CREATE TRIGGER trg_flat_status_count_{event} AFTER {when} ON flat "
        f"FOR EACH ROW BEGIN {body} END"
        for event, (when, body) in flat_bodies.items()
    ]
    return statements


def upgrade() -> None:
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active_lease_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("lease_balance", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("lease_monthly", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("open_visit_since", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("last_visit_red", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "flat_status_count",
        sa.Column(
            "status",
            sa.Enum(*FLAT_STATUSES, name="flatstatus", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("flats", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("status"),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _pg_triggers() if postgres else _sqlite_triggers():
        op.execute(statement)
    _backfill()
    _create_indexes()


def _backfill() -> None:
    for table, _, facts, _ in SOURCES:
        op.execute(facts.format(which=f"IN (SELECT household_id FROM {table})"))
    op.execute(
        "INSERT INTO flat_status_count (status, flats) SELECT s.status, "
        "(SELECT COUNT(*) FROM flat WHERE flat.status = s.status) FROM ("
        + " UNION ALL ".join(f"SELECT '{status}' AS status" for status in FLAT_STATUSES)
        + ") AS s"
    )


def _create_indexes() -> None:
    op.create_index(
        "ix_household_open_visit",
        "household",
        ["open_visit_since", "organisation_id", *WARNING_COLUMNS],
        unique=False,
        sqlite_where=HOUSED,
        postgresql_where=HOUSED,
    )
    op.create_index(
        "ix_household_warning",
        "household",
        ["organisation_id", "open_visit_since", *WARNING_COLUMNS],
        unique=False,
        sqlite_where=WARNED,
        postgresql_where=WARNED,
    )


def downgrade() -> None:
    op.drop_index("ix_household_warning", table_name="household")
    op.drop_index("ix_household_open_visit", table_name="household")
    if op.get_bind().dialect.name == "postgresql":
        for table, function, _, _ in SOURCES:
            op.execute(f"DROP TRIGGER trg_{table}_household ON {table}")
            op.execute(f"DROP FUNCTION {function}()")
        op.execute("DROP TRIGGER trg_flat_status_count ON flat")
        op.execute("DROP FUNCTION flat_status_count()")
    else:
        for trigger in (
            "trg_lease_household",
            "trg_support_visit_household",
            "trg_flat_status_count",
        ):
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {trigger}_{event}")
    op.drop_table("flat_status_count")
    with op.batch_alter_table("household", schema=None) as batch_op:
        for column in (
            "last_visit_red",
            "open_visit_since",
            "lease_monthly",
            "lease_balance",
            "active_lease_id",
        ):
            batch_op.drop_column(column)
