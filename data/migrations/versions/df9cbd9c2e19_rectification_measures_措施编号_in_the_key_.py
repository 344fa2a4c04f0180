"""rectification measures: 措施编号 in the key, free 问题来源

Revision ID: df9cbd9c2e19
Revises: 2c276dece67a
Create Date: 2026-12-03 19:16:38.226411
"""
from alembic import op
import sqlalchemy as sa


revision = 'df9cbd9c2e19'
down_revision = '2c276dece67a'
branch_labels = None
depends_on = None


# The initial schema's UNIQUE(code) had no name: PostgreSQL called it rectifications_code_key, and SQLite's
# batch mode names the reflected one by this convention so that it can be dropped.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _old_unique() -> str:
    return "rectifications_code_key" if op.get_bind().dialect.name == "postgresql" else "uq_rectifications_code"


def upgrade() -> None:
    with op.batch_alter_table('rectifications', schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint(_old_unique(), type_='unique')
        batch_op.add_column(sa.Column('measure_no', sa.Integer(), server_default='1', nullable=False))
        batch_op.alter_column('source',
               existing_type=sa.VARCHAR(length=20),
               type_=sa.String(length=100),
               existing_nullable=True)
        batch_op.create_index(batch_op.f('ix_rectifications_code'), ['code'], unique=False)
        batch_op.create_unique_constraint('uq_rectifications_round_code_measure', ['round_id', 'code', 'measure_no'])



def downgrade() -> None:
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.drop_constraint('uq_rectifications_round_code_measure', type_='unique')
        batch_op.drop_index(batch_op.f('ix_rectifications_code'))
        batch_op.alter_column('source',
               existing_type=sa.String(length=100),
               type_=sa.VARCHAR(length=20),
               existing_nullable=True)
        batch_op.drop_column('measure_no')
        batch_op.create_unique_constraint(_old_unique(), ['code'])

