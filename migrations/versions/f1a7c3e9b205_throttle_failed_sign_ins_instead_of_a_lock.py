"""failed sign-ins throttle per account and address instead of locking the account

Revision ID: f1a7c3e9b205
Revises: 1c6ffe1b53ce
Create Date: 2026-12-06 08:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1a7c3e9b205'
down_revision = '1c6ffe1b53ce'
branch_labels = None
depends_on = None

OLD_PURPOSES = "purpose in ('register', 'reset')"
NEW_PURPOSES = "purpose in ('register', 'reset', 'sign_in')"


def upgrade():
    op.create_table('sign_in_failures',
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_try_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('failures >= 0', name=op.f('ck_sign_in_failures_failures_not_negative')),
    sa.PrimaryKeyConstraint('account', 'address', name=op.f('pk_sign_in_failures'))
    )
    op.create_index('ix_sign_in_failures_last_at', 'sign_in_failures', ['last_at'], unique=False)
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of `clients` would drop the table, and with it,
    # through ON DELETE CASCADE, every contract.
    for table in ('clients', 'staff'):
        op.drop_column(table, 'locked_until')
        op.drop_column(table, 'failed_logins')
    # one_time_codes has no dependants: SQLite rebuilds it to change the check.
    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_one_time_codes_purpose'), type_='check')
        batch_op.create_check_constraint(op.f('ck_one_time_codes_purpose'), NEW_PURPOSES)


def downgrade():
    op.execute("DELETE FROM one_time_codes WHERE purpose = 'sign_in'")
    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_one_time_codes_purpose'), type_='check')
        batch_op.create_check_constraint(op.f('ck_one_time_codes_purpose'), OLD_PURPOSES)
    op.add_column('staff', sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
    op.add_column('staff', sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
    op.add_column('clients', sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
    op.add_column('clients', sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
    op.drop_index('ix_sign_in_failures_last_at', table_name='sign_in_failures')
    op.drop_table('sign_in_failures')
