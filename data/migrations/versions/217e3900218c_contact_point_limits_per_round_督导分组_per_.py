"""contact-point limits per round, 督导分组 per round

Revision ID: 217e3900218c
Revises: df9cbd9c2e19
Create Date: 2026-12-03 19:44:39.577319
"""
from alembic import op
import sqlalchemy as sa


revision = '217e3900218c'
down_revision = 'df9cbd9c2e19'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_min', sa.Integer(), server_default='2', nullable=False))
        batch_op.add_column(sa.Column('contact_max', sa.Integer(), server_default='3', nullable=False))

    with op.batch_alter_table('supervision_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_supervision_groups_round_id'), ['round_id'], unique=False)
        batch_op.create_foreign_key('fk_supervision_groups_round_id', 'rounds', ['round_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('supervision_groups', schema=None) as batch_op:
        batch_op.drop_constraint('fk_supervision_groups_round_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_supervision_groups_round_id'))
        batch_op.drop_column('round_id')

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('contact_max')
        batch_op.drop_column('contact_min')

