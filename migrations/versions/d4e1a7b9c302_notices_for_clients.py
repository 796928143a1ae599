"""notices for clients: a short text in each language, shown between two moments

Revision ID: d4e1a7b9c302
Revises: a3f9c1d27e84
Create Date: 2026-12-06 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e1a7b9c302'
down_revision = 'a3f9c1d27e84'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('client_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text_ru', sa.String(length=300), nullable=False),
    sa.Column('text_kk', sa.String(length=300), nullable=False),
    sa.Column('text_en', sa.String(length=300), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_client_notices_ends_after_starts')),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], name=op.f('fk_client_notices_created_by_staff'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_notices'))
    )
    with op.batch_alter_table('client_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_notices_ends_at'), ['ends_at'], unique=False)


def downgrade():
    with op.batch_alter_table('client_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_notices_ends_at'))

    op.drop_table('client_notices')
