"""staff roles: support, editor, admin; the staff there already keep what they did (support)

Revision ID: 8d3b5a1c0e72
Revises: f1a7c3e9b205
Create Date: 2026-12-06 09:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8d3b5a1c0e72'
down_revision = 'f1a7c3e9b205'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_roles',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.CheckConstraint("role in ('support', 'editor', 'admin')", name=op.f('ck_staff_roles_role')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_staff_roles_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staff_id', 'role', name=op.f('pk_staff_roles'))
    )
    op.execute("INSERT INTO staff_roles (staff_id, role) SELECT id, 'support' FROM staff")


def downgrade():
    op.drop_table('staff_roles')
