"""alert daily cap: a per-user per-day counter taken with one conditional update, so two outbox
workers at once cannot both send the cap-th alert (domain/alerts/outbox.py)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

``alert_daily_counts`` holds each user's alert DMs of a business day, sent or in flight; a worker
takes a slot with ``UPDATE ... SET taken = taken + 1 WHERE taken < cap`` in its claim transaction.
``alert_deliveries.cap_day`` names the day whose slot a delivery holds: a delivery taken again after
its worker died keeps its slot, and a failed try gives it back. A day's counter is seeded from the
deliveries already sent that day the first time it is needed, so upgrading mid-day keeps the cap.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_daily_counts',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('taken', sa.Integer(), nullable=False),
    sa.CheckConstraint('taken >= 0', name=op.f('ck_alert_daily_counts_taken')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_alert_daily_counts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'day', name=op.f('pk_alert_daily_counts'))
    )
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cap_day', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.drop_column('cap_day')
    op.drop_table('alert_daily_counts')
