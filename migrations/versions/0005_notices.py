"""Proactive notices and tracking (issue 6)

The outbox (announcements and the notices they produce), notice preferences, approval requests and
tracking lookups; orders get a random tracking token and a satisfaction answer.

Revision ID: 0005
Revises: 0004
"""
import secrets

from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tracking_lookups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_lookups'))
    )
    with op.batch_alter_table('tracking_lookups', schema=None) as batch_op:
        batch_op.create_index('ix_tracking_lookups_client_at', ['client', 'at'], unique=False)

    op.create_table('notice_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('received', 'approval_needed', 'declined', 'proof_ready', 'ready_for_pickup', 'out_for_delivery', 'shipped', 'delivered', 'delay', name='noticekind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('channel', sa.Enum('email', 'portal', name='channel', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notice_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_preferences')),
    sa.UniqueConstraint('user_id', 'kind', 'channel', name=op.f('uq_notice_preferences_user_id_kind_channel'))
    )
    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('received', 'approval_needed', 'declined', 'proof_ready', 'ready_for_pickup', 'out_for_delivery', 'shipped', 'delivered', 'delay', name='noticekind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('occurrence', sa.String(length=64), nullable=False),
    sa.Column('dedup_key', sa.String(length=120), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_announcements_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_announcements_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements')),
    sa.UniqueConstraint('dedup_key', name=op.f('uq_announcements_dedup_key'))
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcements_order_id'), ['order_id'], unique=False)

    op.create_table('approval_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('approver_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision', sa.Enum('approved', 'declined', name='decision', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['approver_id'], ['users.id'], name=op.f('fk_approval_requests_approver_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_approval_requests_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_requests')),
    sa.UniqueConstraint('nonce', name=op.f('uq_approval_requests_nonce'))
    )
    with op.batch_alter_table('approval_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_requests_order_id'), ['order_id'], unique=False)

    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('received', 'approval_needed', 'declined', 'proof_ready', 'ready_for_pickup', 'out_for_delivery', 'shipped', 'delivered', 'delay', name='noticekind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('channel', sa.Enum('email', 'portal', name='channel', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('to_name', sa.String(length=120), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=600), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('message_id', sa.String(length=250), nullable=True),
    sa.Column('status', sa.Enum('pending', 'sending', 'sent', 'failed', name='noticestatus', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claim', sa.String(length=32), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], name=op.f('fk_notices_announcement_id_announcements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_notices_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_notices_recipient_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('announcement_id', 'recipient_id', 'channel', name=op.f('uq_notices_announcement_id_recipient_id_channel')),
    sa.UniqueConstraint('message_id', name=op.f('uq_notices_message_id'))
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index('ix_notices_due', ['channel', 'status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_notices_inbox', ['recipient_id', 'channel', 'read_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_order_id'), ['order_id'], unique=False)

    # Orders placed before this revision get their random tracking token here, one each.
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tracking_token', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('satisfaction', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('satisfaction_at', sa.DateTime(timezone=True), nullable=True))
    connection = op.get_bind()
    orders = sa.table('orders', sa.column('id', sa.Integer), sa.column('tracking_token', sa.String))
    ids = connection.execute(sa.select(orders.c.id).where(orders.c.tracking_token.is_(None))).scalars().all()
    for order_id in ids:
        connection.execute(orders.update().where(orders.c.id == order_id)
                           .values(tracking_token=secrets.token_urlsafe(24)))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.alter_column('tracking_token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_orders_tracking_token'), ['tracking_token'])


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_orders_tracking_token'), type_='unique')
        batch_op.drop_column('satisfaction_at')
        batch_op.drop_column('satisfaction')
        batch_op.drop_column('tracking_token')

    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_order_id'))
        batch_op.drop_index('ix_notices_inbox')
        batch_op.drop_index('ix_notices_due')

    op.drop_table('notices')
    with op.batch_alter_table('approval_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_requests_order_id'))

    op.drop_table('approval_requests')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcements_order_id'))

    op.drop_table('announcements')
    op.drop_table('notice_preferences')
    with op.batch_alter_table('tracking_lookups', schema=None) as batch_op:
        batch_op.drop_index('ix_tracking_lookups_client_at')

    op.drop_table('tracking_lookups')
