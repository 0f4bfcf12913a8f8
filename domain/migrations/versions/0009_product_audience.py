"""products.audience: who a product is for, so a gift offer suits the person celebrating

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

A birthday offer for a one-year-old recommended a men's panjabi. Products may now say who they
are for (baby, child, girls, boys, women, men, adult; null = anyone); existing rows stay null (anyone).
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience', sa.String(length=8), nullable=True))
        batch_op.create_check_constraint(
            'audience', "audience is null or audience in ('baby','child','girls','boys','women','men','adult')")


def downgrade() -> None:
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_products_audience'), type_='check')
        batch_op.drop_column('audience')
