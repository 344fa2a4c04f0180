"""drop ix_tallies_round_org, a prefix of the tally unique key

The unique key (round_id, org_id, member_key, item_id, category) serves every look-up by (round_id, org_id);
the extra index only made each tally write update a third B-tree (a province import spent a third of its
insert time there).

Revision ID: 51b0d983af82
Revises: fdecd3a14df0
Create Date: 2026-12-01 02:07:33.578016
"""
from alembic import op


revision = '51b0d983af82'
down_revision = 'fdecd3a14df0'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_tallies_round_org', table_name='tallies')


def downgrade() -> None:
    op.create_index('ix_tallies_round_org', 'tallies', ['round_id', 'org_id'], unique=False)
