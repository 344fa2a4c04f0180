"""rectifications (round_id, deadline, code, measure_no) and pledges (round_id, due_date, code) indexes: a ledger
page reads each part of its order (red, yellow, the rest) in index order instead of sorting the round's ledger

Revision ID: 3a7e9c5b2d10
Revises: 9d4a6f2c1e83
Create Date: 2026-12-05 20:10:00
"""
from alembic import op


revision = '3a7e9c5b2d10'
down_revision = '9d4a6f2c1e83'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_rectifications_round_id_deadline', 'rectifications',
                    ['round_id', 'deadline', 'code', 'measure_no'], unique=False)
    op.create_index('ix_pledges_round_id_due_date', 'pledges', ['round_id', 'due_date', 'code'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_pledges_round_id_due_date', table_name='pledges')
    op.drop_index('ix_rectifications_round_id_deadline', table_name='rectifications')
