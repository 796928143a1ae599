"""no contract revision: the cabinet keeps no cache of a contract's derived view

The revision (b7e4c1d9a2f3, 5c8d2e6f1b47) keyed that cache; every page now works its figures out from the facts,
so the column and the triggers that kept it go. A downgrade puts both back as those migrations made them.

Revision ID: 0b9e3f4a7c21
Revises: 5c8d2e6f1b47
Create Date: 2026-12-06 09:00:00.000000

"""

import importlib.util
from pathlib import Path

from alembic import op

# revision identifiers, used by Alembic.
revision = "0b9e3f4a7c21"
down_revision = "5c8d2e6f1b47"
branch_labels = None
depends_on = None

HERE = Path(__file__).parent


def _migration(name):
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade():
    # Each earlier migration's downgrade drops what it made, newest first.
    _migration("5c8d2e6f1b47_a_contract_s_revision_after_a_truncate").downgrade()
    _migration("b7e4c1d9a2f3_a_contract_s_revision_kept_by_the_database").downgrade()


def downgrade():
    _migration("b7e4c1d9a2f3_a_contract_s_revision_kept_by_the_database").upgrade()
    _migration("5c8d2e6f1b47_a_contract_s_revision_after_a_truncate").upgrade()
