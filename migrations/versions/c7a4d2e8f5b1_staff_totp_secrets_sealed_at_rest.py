"""staff TOTP secrets sealed at rest with PORTAL_TOTP_KEY (Fernet)

Revision ID: c7a4d2e8f5b1
Revises: b5e2f0a9c613
Create Date: 2026-12-06 10:00:00.000000

The key comes from the app's configuration: Flask-Migrate runs this inside the app (migrations/env.py reads
current_app), whose config.finalise has read PORTAL_TOTP_KEY from the environment or instance/config.py, or in
development put in the fixed development key (portal/sealing.py). The same key that the app then unseals with.
"""
from alembic import op
import sqlalchemy as sa
from cryptography.fernet import Fernet, MultiFernet
from flask import current_app


# revision identifiers, used by Alembic.
revision = 'c7a4d2e8f5b1'
down_revision = 'b5e2f0a9c613'
branch_labels = None
depends_on = None

staff = sa.table('staff', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String),
                 sa.column('totp_sealed', sa.String))


def _sealer():
    keys = [key.strip() for key in str(current_app.config['PORTAL_TOTP_KEY']).split(',') if key.strip()]
    return MultiFernet([Fernet(key) for key in keys])


def upgrade():
    # Plain ADD and DROP COLUMN (SQLite 3.35+): a batch copy of `staff` would drop the table, and with it, through
    # ON DELETE CASCADE, every staff role. SQLite adds a NOT NULL column only with a default; PostgreSQL drops it.
    op.add_column('staff', sa.Column('totp_sealed', sa.String(length=255), nullable=False, server_default=''))
    connection = op.get_bind()
    sealer = _sealer()
    for staff_id, secret in connection.execute(sa.select(staff.c.id, staff.c.totp_secret)).all():
        sealed = sealer.encrypt(secret.encode()).decode()
        connection.execute(staff.update().where(staff.c.id == staff_id).values(totp_sealed=sealed))
    op.drop_column('staff', 'totp_secret')
    if connection.dialect.name == 'postgresql':
        op.alter_column('staff', 'totp_sealed', server_default=None)


def downgrade():
    op.add_column('staff', sa.Column('totp_secret', sa.String(length=64), nullable=False, server_default=''))
    connection = op.get_bind()
    sealer = _sealer()
    for staff_id, sealed in connection.execute(sa.select(staff.c.id, staff.c.totp_sealed)).all():
        secret = sealer.decrypt(sealed.encode()).decode()
        connection.execute(staff.update().where(staff.c.id == staff_id).values(totp_secret=secret))
    op.drop_column('staff', 'totp_sealed')
    if connection.dialect.name == 'postgresql':
        op.alter_column('staff', 'totp_secret', server_default=None)
