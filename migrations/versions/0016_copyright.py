"""Course packs: copyright clearances (issue 17)

A reading's copyright status learns what the shop's clearing adds (awaiting clearance, cleared by the shop,
refused, removed, linked in the learning system instead) and keeps what the instructor declared with it
(`copyright_details`: who granted permission, the fair-use reason, or the work to clear). The shop's
Copyright queue (`copyright_requests`) and the clearances it holds per work (`copyright_clearances`, the
period covered and the expiry). The outbox learns the notice kind copyright_refused.

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

OLD_STATUSES = ('public_domain', 'permission_obtained', 'pending', 'fair_use')
NEW_STATUSES = OLD_STATUSES + ('awaiting_clearance', 'cleared_by_shop', 'refused', 'removed', 'linked_in_lms')
OLD_KINDS = ('received', 'approval_needed', 'declined', 'proof_ready', 'ready_for_pickup', 'out_for_delivery',
             'shipped', 'delivered', 'delay', 'invitation', 'password_reset', 'statements_ready',
             'case_update', 'case_assigned', 'case_due')
NEW_KINDS = OLD_KINDS + ('copyright_refused',)
KIND_TABLES = ('announcements', 'notices', 'notice_preferences')
STATES = ('awaiting', 'granted', 'refused', 'withdrawn')


def _check(table, name, column, values) -> None:
    """Replaces a CHECK of allowed values (SQLite rebuilds the table in batch mode; PostgreSQL alters it)."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(name, type_='check')
        batch_op.create_check_constraint(name, sa.text(f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"))


def upgrade():
    _check('order_files', 'copyrightstatus', 'copyright_status', NEW_STATUSES)
    with op.batch_alter_table('order_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('copyright_details', sa.JSON(), nullable=True))
    for table in KIND_TABLES:
        _check(table, 'noticekind', 'kind', NEW_KINDS)

    op.create_table(
        'copyright_clearances',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('work_key', sa.String(length=64), nullable=False),
        sa.Column('work_title', sa.String(length=200), nullable=False),
        sa.Column('work_author', sa.String(length=160), nullable=False),
        sa.Column('work_publisher', sa.String(length=160), nullable=False),
        sa.Column('period', sa.String(length=60), nullable=False),
        sa.Column('expires_on', sa.Date(), nullable=False),
        sa.Column('fee_cents', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('granted_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['document_id'], ['stored_files.id'],
                                name=op.f('fk_copyright_clearances_document_id_stored_files'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'],
                                name=op.f('fk_copyright_clearances_granted_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_copyright_clearances')),
    )
    with op.batch_alter_table('copyright_clearances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_copyright_clearances_work_key'), ['work_key'], unique=False)

    op.create_table(
        'copyright_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('order_file_id', sa.Integer(), nullable=False),
        sa.Column('work_key', sa.String(length=64), nullable=False),
        sa.Column('work_title', sa.String(length=200), nullable=False),
        sa.Column('work_author', sa.String(length=160), nullable=False),
        sa.Column('work_publisher', sa.String(length=160), nullable=False),
        sa.Column('pages_used', sa.Integer(), nullable=True),
        sa.Column('total_pages', sa.Integer(), nullable=True),
        sa.Column('state', sa.Enum(*STATES, name='clearancestate', native_enum=False, create_constraint=True,
                                   length=24), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_on', sa.Date(), nullable=True),
        sa.Column('fee_cents', sa.Integer(), nullable=True),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('clearance_id', sa.Integer(), nullable=True),
        sa.Column('reused', sa.Boolean(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_copyright_requests_order_id_orders'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['order_file_id'], ['order_files.id'],
                                name=op.f('fk_copyright_requests_order_file_id_order_files'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['document_id'], ['stored_files.id'],
                                name=op.f('fk_copyright_requests_document_id_stored_files'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                                name=op.f('fk_copyright_requests_decided_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['clearance_id'], ['copyright_clearances.id'],
                                name=op.f('fk_copyright_requests_clearance_id_copyright_clearances'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_copyright_requests')),
    )
    with op.batch_alter_table('copyright_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_copyright_requests_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_copyright_requests_order_file_id'), ['order_file_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_copyright_requests_work_key'), ['work_key'], unique=False)
        batch_op.create_index('ix_copyright_requests_state', ['state', 'requested_at'], unique=False)


def downgrade():
    op.drop_table('copyright_requests')
    op.drop_table('copyright_clearances')
    op.execute("DELETE FROM notices WHERE kind = 'copyright_refused'")
    op.execute("DELETE FROM notice_preferences WHERE kind = 'copyright_refused'")
    op.execute("DELETE FROM announcements WHERE kind = 'copyright_refused'")
    for table in KIND_TABLES:
        _check(table, 'noticekind', 'kind', OLD_KINDS)
    # What the old statuses can say: cleared is permission obtained; anything else not cleared is pending.
    op.execute("UPDATE order_files SET copyright_status = 'permission_obtained' WHERE copyright_status = 'cleared_by_shop'")
    op.execute("UPDATE order_files SET copyright_status = 'pending' "
               "WHERE copyright_status IN ('awaiting_clearance', 'refused', 'removed', 'linked_in_lms')")
    with op.batch_alter_table('order_files', schema=None) as batch_op:
        batch_op.drop_column('copyright_details')
    _check('order_files', 'copyrightstatus', 'copyright_status', OLD_STATUSES)
