"""tallies: a partial index of the 复评 rows, so the red-line page finds the rechecked orgs without reading
every 首评 row of the round

Revision ID: 9d4a6f2c1e83
Revises: 7c2e5d1a9b40
Create Date: 2026-12-04 16:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '9d4a6f2c1e83'
down_revision = '7c2e5d1a9b40'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_tallies_recheck', 'tallies', ['round_id', 'org_id'], unique=False,
                    sqlite_where=sa.text("phase = '复评'"), postgresql_where=sa.text("phase = '复评'"))


def downgrade() -> None:
    op.drop_index('ix_tallies_recheck', table_name='tallies')
