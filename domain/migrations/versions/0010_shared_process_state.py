"""state shared by several server processes: the chat rate limit and the daily-run record

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

``chat_turn_windows`` holds each user's chat turns of the last minute, so every ``c360 serve``
process on one PostgreSQL database counts the same turns (one atomic upsert per turn; SQLite keeps
its in-process counter and never writes here). ``daily_runs`` records which daily job (score
refresh, Slack digest) finished for which day, so a process that takes over leadership from one
that died does not run a finished job again.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
import domain.models.base


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chat_turn_windows',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('turns', postgresql.ARRAY(sa.Float()).with_variant(sa.JSON(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_chat_turn_windows_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_chat_turn_windows'))
    )
    op.create_table('daily_runs',
    sa.Column('job', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('finished_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('runner', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('job', 'day', name=op.f('pk_daily_runs'))
    )


def downgrade() -> None:
    op.drop_table('daily_runs')
    op.drop_table('chat_turn_windows')
