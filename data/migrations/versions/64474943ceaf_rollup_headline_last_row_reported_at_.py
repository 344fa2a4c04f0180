"""rollup_headline.last_row_reported_at: the latest first 上报日期 of an org's rows, so that the 首评 headlines of
the red-line page come from the rollup when every row of the org counts on the as-of day

Revision ID: 64474943ceaf
Revises: 3a7e9c5b2d10
Create Date: 2026-12-06 03:47:59
"""
from alembic import op
import sqlalchemy as sa


revision = '64474943ceaf'
down_revision = '3a7e9c5b2d10'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('rollup_headline', sa.Column('last_row_reported_at', sa.DateTime(), nullable=True))
    # Filled for the rollups already built (data.rollups fills it on every rebuild); each org's rows are one
    # range of the tallies' (round, org, …) key.
    op.execute("UPDATE rollup_headline SET last_row_reported_at = (SELECT max(t.first_reported_at) FROM tallies t"
               " WHERE t.round_id = rollup_headline.round_id AND t.org_id = rollup_headline.org_id)")


def downgrade() -> None:
    with op.batch_alter_table('rollup_headline', schema=None) as batch_op:
        batch_op.drop_column('last_row_reported_at')
