"""stored call priority: call_priority_scores, call_priority_days; orders by customer and date

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

The call list stops scoring every customer on every call: each customer's points for the day
(and their RFM scores) are stored and kept current by the writes and the daily refresh
(``domain.call_priority.stored``). The tables start empty; until the first refresh fills them
(``c360 refresh``, the server's start, or any full ``refresh_derived``) the readers compute from
``customer_stats`` as before, because ``call_priority_days`` names no day yet.

``ix_orders_customer_ordered`` gives a customer's orders newest first without a sort (the 360
view's recent orders on PostgreSQL sorted every order of a heavy customer). 0003 dropped an index
of that name; it is created here only when missing.
"""
from alembic import op
import sqlalchemy as sa
import domain.models.base


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('call_priority_scores',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('eligible', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('temperature', sa.String(length=8), nullable=False),
    sa.Column('lifecycle_stage', sa.String(length=16), nullable=False),
    sa.Column('assigned_to_id', sa.Integer(), nullable=True),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('temperature_points', sa.Float(), nullable=False),
    sa.Column('dated_points', sa.Float(), nullable=False),
    sa.Column('rfm_r', sa.SmallInteger(), nullable=False),
    sa.Column('rfm_f', sa.SmallInteger(), nullable=False),
    sa.Column('rfm_m', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_call_priority_scores_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_call_priority_scores'))
    )
    with op.batch_alter_table('call_priority_scores', schema=None) as batch_op:
        batch_op.create_index('ix_call_priority_rank', ['eligible', sa.text('points DESC'), sa.text('value DESC'), 'customer_id'], unique=False)
        batch_op.create_index('ix_call_priority_rfm', ['rfm_r', 'rfm_f', 'rfm_m', 'status'], unique=False)

    op.create_table('call_priority_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('monetary_thresholds', sa.String(length=100), nullable=False),
    sa.Column('follow_up_lapse_days', sa.Integer(), nullable=False),
    sa.Column('negative_outcome_days', sa.Integer(), nullable=False),
    sa.Column('customers', sa.Integer(), nullable=False),
    sa.Column('refreshed_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_priority_days'))
    )

    existing = {ix['name'] for ix in sa.inspect(op.get_bind()).get_indexes('orders')}
    if 'ix_orders_customer_ordered' not in existing:
        with op.batch_alter_table('orders', schema=None) as batch_op:
            batch_op.create_index('ix_orders_customer_ordered', ['customer_id', 'ordered_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_customer_ordered')
    op.drop_table('call_priority_days')
    with op.batch_alter_table('call_priority_scores', schema=None) as batch_op:
        batch_op.drop_index('ix_call_priority_rfm')
        batch_op.drop_index('ix_call_priority_rank')
    op.drop_table('call_priority_scores')
