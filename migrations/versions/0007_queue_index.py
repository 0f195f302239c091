"""The staff queue's order (stage, promise, rush, id) in one index, so its page reads ids without the table

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


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_status_promise', ['status', 'promise_date'], unique=False)
        batch_op.drop_index('ix_orders_queue')
