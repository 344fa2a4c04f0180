"""领导点评, 公示反馈, 逐级审核 and the round's 公示期限

Revision ID: efc9d1a249a3
Revises: 19d6dc888661
Create Date: 2026-12-03 22:23:57.861636
"""
from alembic import op
import sqlalchemy as sa


revision = 'efc9d1a249a3'
down_revision = '19d6dc888661'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=4), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('acted_by', sa.String(length=80), nullable=False),
    sa.Column('acted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], ),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('round_id', 'org_id', name='uq_approvals_round_org')
    )
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approvals_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_approvals_round_id'), ['round_id'], unique=False)

    op.create_table('leader_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('commenter', sa.String(length=100), nullable=False),
    sa.Column('commented_on', sa.Date(), nullable=False),
    sa.Column('grade', sa.String(length=4), nullable=True),
    sa.Column('opinion', sa.Text(), nullable=False),
    sa.Column('problem_codes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], ),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('round_id', 'code', name='uq_leader_comments_round_code')
    )
    with op.batch_alter_table('leader_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leader_comments_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_leader_comments_round_id'), ['round_id'], unique=False)

    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('method', sa.String(length=100), nullable=True),
    sa.Column('feedback_on', sa.Date(), nullable=True),
    sa.Column('feedback_to', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], ),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('round_id', 'org_id', name='uq_publications_round_org')
    )
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publications_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_publications_round_id'), ['round_id'], unique=False)

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publish_days', sa.Integer(), server_default='15', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('publish_days')

    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publications_round_id'))
        batch_op.drop_index(batch_op.f('ix_publications_org_id'))

    op.drop_table('publications')
    with op.batch_alter_table('leader_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leader_comments_round_id'))
        batch_op.drop_index(batch_op.f('ix_leader_comments_org_id'))

    op.drop_table('leader_comments')
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approvals_round_id'))
        batch_op.drop_index(batch_op.f('ix_approvals_org_id'))

    op.drop_table('approvals')
