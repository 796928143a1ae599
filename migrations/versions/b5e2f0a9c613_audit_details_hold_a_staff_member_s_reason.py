"""audit details hold a staff member's reason (up to 200 characters) for clearing a client's sign-in restrictions

Revision ID: b5e2f0a9c613
Revises: 8d3b5a1c0e72
Create Date: 2026-12-06 09:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5e2f0a9c613'
down_revision = '8d3b5a1c0e72'
branch_labels = None
depends_on = None


def upgrade():
    # Nothing references audit_events, so SQLite may rebuild it (batch) without losing a row elsewhere.
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('detail', type_=sa.String(length=255), existing_type=sa.String(length=100),
                              existing_nullable=True)


def downgrade():
    op.execute("UPDATE audit_events SET detail = substr(detail, 1, 100) WHERE length(detail) > 100")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('detail', type_=sa.String(length=100), existing_type=sa.String(length=255),
                              existing_nullable=True)
