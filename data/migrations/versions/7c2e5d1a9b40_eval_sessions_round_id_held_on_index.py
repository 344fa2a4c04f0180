"""eval_sessions (round_id, held_on) index: the default as-of day reads a round's last 测评日期 on every page

Revision ID: 7c2e5d1a9b40
Revises: efc9d1a249a3
Create Date: 2026-12-04 15:50:00
"""
from alembic import op


revision = '7c2e5d1a9b40'
down_revision = 'efc9d1a249a3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_eval_sessions_round_id_held_on', 'eval_sessions', ['round_id', 'held_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_eval_sessions_round_id_held_on', table_name='eval_sessions')
