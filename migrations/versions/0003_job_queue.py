"""The staff job queue (issue 5): proofs, internal notes, shipments; who has a job and why it is held

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_job_notes_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_job_notes_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_notes'))
    )
    with op.batch_alter_table('job_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_notes_order_id'), ['order_id'], unique=False)

    op.create_table('proofs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('answer', sa.Enum('approved', 'changes_requested', name='proofanswer', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('delay_days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_proofs_answered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_proofs_file_id_stored_files')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_proofs_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_proofs_sent_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proofs')),
    sa.UniqueConstraint('order_id', 'round', name=op.f('uq_proofs_order_id_round'))
    )
    with op.batch_alter_table('proofs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proofs_order_id'), ['order_id'], unique=False)

    op.create_table('shipments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('pickup', 'campus_run', 'carrier', name='shipmentkind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('carrier', sa.String(length=40), nullable=False),
    sa.Column('tracking_number', sa.String(length=60), nullable=False),
    sa.Column('run_on', sa.Date(), nullable=True),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dispatched_by_id', sa.Integer(), nullable=True),
    sa.Column('received_by', sa.String(length=120), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['delivered_by_id'], ['users.id'], name=op.f('fk_shipments_delivered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['dispatched_by_id'], ['users.id'], name=op.f('fk_shipments_dispatched_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_shipments_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments')),
    sa.UniqueConstraint('order_id', name=op.f('uq_shipments_order_id'))
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipments_run_on'), ['run_on'], unique=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_to_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('hold_reason', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('held_from', sa.Enum('awaiting_approval', 'received', 'prepress', 'printing', 'finishing', 'ready', 'shipped', 'delivered', 'on_hold', 'cancelled', name='held_from_status', native_enum=False, create_constraint=True, length=24), nullable=True))
        batch_op.create_index(batch_op.f('ix_orders_assigned_to_id'), ['assigned_to_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_orders_assigned_to_id_users'), 'users', ['assigned_to_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_orders_assigned_to_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_orders_assigned_to_id'))
        batch_op.drop_constraint(op.f('ck_orders_held_from_status'), type_='check')
        batch_op.drop_column('held_from')
        batch_op.drop_column('hold_reason')
        batch_op.drop_column('assigned_to_id')

    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipments_run_on'))

    op.drop_table('shipments')
    with op.batch_alter_table('proofs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proofs_order_id'))

    op.drop_table('proofs')
    with op.batch_alter_table('job_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_notes_order_id'))

    op.drop_table('job_notes')
