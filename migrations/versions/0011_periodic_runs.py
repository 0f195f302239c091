"""Periodic work runs once in the cluster: each period of each task is claimed by one worker (issue 14)

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'periodic_runs',
        sa.Column('task', sa.String(length=80), nullable=False),
        sa.Column('period_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('worker', sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint('task', 'period_start', name=op.f('pk_periodic_runs')),
    )


def downgrade():
    op.drop_table('periodic_runs')
