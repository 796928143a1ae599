"""each staff member's last sign-in, for the admins' list of members: an index of the audit trail by staff member

Revision ID: a3f9c1d27e84
Revises: f6a3c9d1e524
Create Date: 2026-12-06 11:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a3f9c1d27e84'
down_revision = 'f6a3c9d1e524'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_staff_id_event_at', ['staff_id', 'event', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_staff_id_event_at')
