"""Planned work says itself whether it is queued (not on hold, not awaiting approval), so the estimate reads
the queue's minutes without the orders table

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('order_work', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queued', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.drop_index('ix_order_work_open')
        batch_op.create_index('ix_order_work_open', ['done', 'queued', 'station_id'], unique=False)
    op.execute("UPDATE order_work SET queued = false WHERE order_id IN "
               "(SELECT id FROM orders WHERE status IN ('on_hold', 'awaiting_approval'))")
    op.execute("UPDATE order_work SET done = true WHERE order_id IN "
               "(SELECT id FROM orders WHERE status IN ('cancelled', 'delivered'))")


def downgrade():
    with op.batch_alter_table('order_work', schema=None) as batch_op:
        batch_op.drop_index('ix_order_work_open')
        batch_op.create_index('ix_order_work_open', ['done', 'station_id'], unique=False)
        batch_op.drop_column('queued')
