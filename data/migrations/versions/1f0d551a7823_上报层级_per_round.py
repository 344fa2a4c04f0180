"""上报层级 per round

Revision ID: 1f0d551a7823
Revises: 217e3900218c
Create Date: 2026-12-03 19:48:52.880611
"""
from alembic import op
import sqlalchemy as sa


revision = '1f0d551a7823'
down_revision = '217e3900218c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_level', sa.String(length=20), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('report_level')

