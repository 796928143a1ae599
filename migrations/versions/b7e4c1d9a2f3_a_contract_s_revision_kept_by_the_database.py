"""a contract's revision, kept by the database

Every change to a contract's schedule entries or deposits gives the contract a new random revision, whoever
makes it (the importer, the demo, an operator's fix by hand): database triggers, not the application, keep it.
The cabinet keys its cache of a contract's derived view (statuses and figures) by it (portal/cabinet/service.py).

Random rather than counted, so that a revision is never used twice for one contract id, even where SQLite
hands a deleted row's id to a new one.

Revision ID: b7e4c1d9a2f3
Revises: 42104f681448
Create Date: 2026-11-25 09:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b7e4c1d9a2f3"
down_revision = "42104f681448"
branch_labels = None
depends_on = None

FACT_TABLES = ("schedule_entries", "deposits")

# PostgreSQL: one statement-level trigger per statement kind, with the statement's rows as a transition table,
# so that an import's million-row statement costs one UPDATE of the contracts it touched, not one per row.
POSTGRES_RANDOM = "floor(random() * 9007199254740991)::bigint"
POSTGRES_FUNCTION = f"""
CREATE FUNCTION contracts_new_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contracts SET revision = {POSTGRES_RANDOM}
    WHERE id IN (SELECT DISTINCT contract_id FROM changed_rows);
    RETURN NULL;
END
$$
"""
# (trigger suffix, event, which transition table): an UPDATE names both the contract a row left and the one
# it joined.
POSTGRES_TRIGGERS = (
    ("inserted", "INSERT", "NEW"),
    ("updated_to", "UPDATE", "NEW"),
    ("updated_from", "UPDATE", "OLD"),
    ("deleted", "DELETE", "OLD"),
)
# SQLite (development and tests): row-level triggers, the only kind it has. A later migration that rebuilds
# `contracts` in batch mode (SQLite's copy-and-move) drops contracts_inserted with the old table: create it again.
SQLITE_TRIGGERS = (
    ("inserted", "INSERT", ("NEW",)),
    ("updated", "UPDATE", ("OLD", "NEW")),
    ("deleted", "DELETE", ("OLD",)),
)


def upgrade():
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.BigInteger(), server_default="0", nullable=False))

    if op.get_context().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE contracts ALTER COLUMN revision SET DEFAULT {POSTGRES_RANDOM}")
        op.execute(POSTGRES_FUNCTION)
        for table in FACT_TABLES:
            for suffix, event, kind in POSTGRES_TRIGGERS:
                op.execute(
                    f"CREATE TRIGGER {table}_{suffix} AFTER {event} ON {table} "
                    f"REFERENCING {kind} TABLE AS changed_rows FOR EACH STATEMENT "
                    "EXECUTE FUNCTION contracts_new_revision()"
                )
    else:
        op.execute(
            "CREATE TRIGGER contracts_inserted AFTER INSERT ON contracts FOR EACH ROW BEGIN "
            "UPDATE contracts SET revision = random() WHERE id = NEW.id; END"
        )
        for table in FACT_TABLES:
            for suffix, event, rows in SQLITE_TRIGGERS:
                ids = ", ".join(f"{row}.contract_id" for row in rows)
                op.execute(
                    f"CREATE TRIGGER {table}_{suffix} AFTER {event} ON {table} FOR EACH ROW BEGIN "
                    f"UPDATE contracts SET revision = random() WHERE id IN ({ids}); END"
                )


def downgrade():
    if op.get_context().dialect.name == "postgresql":
        for table in FACT_TABLES:
            for suffix, _, _ in POSTGRES_TRIGGERS:
                op.execute(f"DROP TRIGGER {table}_{suffix} ON {table}")
        op.execute("DROP FUNCTION contracts_new_revision()")
    else:
        op.execute("DROP TRIGGER contracts_inserted")
        for table in FACT_TABLES:
            for suffix, _, _ in SQLITE_TRIGGERS:
                op.execute(f"DROP TRIGGER {table}_{suffix}")

    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_column("revision")
