"""a contract's revision after a TRUNCATE

PostgreSQL fires no row or statement trigger of b7e4c1d9a2f3 for a TRUNCATE of the schedule entries or the
deposits (an operator emptying a table by hand, before loading it again): the contracts kept their revisions, and
the cabinet showed their cached views for up to 15 minutes. A TRUNCATE has triggers of its own, statement-level
and without the rows: each gives every contract a new revision. SQLite has no TRUNCATE; its DELETE without a
WHERE fires the row triggers there already (with triggers on a table, SQLite does not take its truncate shortcut).

Revision ID: 5c8d2e6f1b47
Revises: b7e4c1d9a2f3
Create Date: 2026-11-25 09:40:00.000000

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "5c8d2e6f1b47"
down_revision = "b7e4c1d9a2f3"
branch_labels = None
depends_on = None

FACT_TABLES = ("schedule_entries", "deposits")
POSTGRES_FUNCTION = """
CREATE FUNCTION contracts_all_new_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contracts SET revision = floor(random() * 9007199254740991)::bigint;
    RETURN NULL;
END
$$
"""


def upgrade():
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(POSTGRES_FUNCTION)
    for table in FACT_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_truncated AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION contracts_all_new_revision()"
        )


def downgrade():
    if op.get_context().dialect.name != "postgresql":
        return
    for table in FACT_TABLES:
        op.execute(f"DROP TRIGGER {table}_truncated ON {table}")
    op.execute("DROP FUNCTION contracts_all_new_revision()")
