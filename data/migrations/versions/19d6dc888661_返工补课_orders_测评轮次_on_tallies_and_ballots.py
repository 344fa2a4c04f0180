"""返工补课 orders, 测评轮次 on tallies and ballots

Revision ID: 19d6dc888661
Revises: 1f0d551a7823
Create Date: 2026-12-03 19:51:42.936276
"""
from alembic import op
import sqlalchemy as sa


revision = '19d6dc888661'
down_revision = '1f0d551a7823'
branch_labels = None
depends_on = None


# The initial schema's UNIQUE on tallies had no name: PostgreSQL's, and SQLite's reflected one named by
# this convention so that batch mode can drop it.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _old_unique() -> str:
    if op.get_bind().dialect.name == "postgresql":
        return "tallies_round_id_org_id_member_key_item_id_category_key"
    return "uq_tallies_round_id"


def upgrade() -> None:
    op.create_table('rework_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('ordered_on', sa.Date(), nullable=False),
    sa.Column('office', sa.String(length=100), nullable=True),
    sa.Column('doc_no', sa.String(length=100), nullable=True),
    sa.Column('recheck_due', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], ),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('round_id', 'org_id')
    )
    with op.batch_alter_table('rework_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rework_orders_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rework_orders_round_id'), ['round_id'], unique=False)

    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phase', sa.String(length=4), server_default='首评', nullable=False))

    with op.batch_alter_table('tallies', schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint(_old_unique(), type_='unique')
        batch_op.add_column(sa.Column('phase', sa.String(length=4), server_default='首评', nullable=False))
        batch_op.add_column(sa.Column('current', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.create_unique_constraint('uq_tallies_key_phase', ['round_id', 'org_id', 'member_key', 'item_id', 'category', 'phase'])



def downgrade() -> None:
    with op.batch_alter_table('tallies', schema=None) as batch_op:
        batch_op.drop_constraint('uq_tallies_key_phase', type_='unique')
        batch_op.drop_column('current')
        batch_op.drop_column('phase')
        batch_op.create_unique_constraint(_old_unique(), ['round_id', 'org_id', 'member_key', 'item_id', 'category'])

    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_column('phase')

    with op.batch_alter_table('rework_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rework_orders_round_id'))
        batch_op.drop_index(batch_op.f('ix_rework_orders_org_id'))

    op.drop_table('rework_orders')
