"""Indexes for the staff queue's order (stage, promise, rush, id) and for promises kept by delivery day

Revision ID: 0007
Revises: 0006
"""
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_queue', ['status', 'promise_date', 'rush', 'id'], unique=False)
        batch_op.drop_index('ix_orders_status_promise')
        batch_op.create_index('ix_orders_delivered_on', ['delivered_on'], unique=False)


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_status_promise', ['status', 'promise_date'], unique=False)
        batch_op.drop_index('ix_orders_queue')
        batch_op.drop_index('ix_orders_delivered_on')
