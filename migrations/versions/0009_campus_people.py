"""Campus sign-in and the people in it (issue 12)

Campus identities (issuer, subject) for single sign-on; departments get the campus's short code; one-time
account links (invitations, password resets) keep only a hash of their secret; the outbox carries mail
about a person as well as about an order (order_id becomes optional, two new notice kinds).

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

OLD_KINDS = ('received', 'approval_needed', 'declined', 'proof_ready', 'ready_for_pickup', 'out_for_delivery',
             'shipped', 'delivered', 'delay')
NEW_KINDS = OLD_KINDS + ('invitation', 'password_reset')
KIND_TABLES = ('announcements', 'notices', 'notice_preferences')


def _kinds(kinds) -> str:
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def _recheck_kinds(kinds, *, order_optional: bool) -> None:
    """Replaces the CHECK on the notice kind (SQLite rebuilds the table in batch mode; PostgreSQL alters it)."""
    for table in KIND_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint('noticekind', type_='check')
            batch_op.create_check_constraint('noticekind', sa.text(_kinds(kinds)))
            if table != 'notice_preferences':
                batch_op.alter_column('order_id', existing_type=sa.Integer(), nullable=order_optional)


def upgrade():
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=20), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_departments_code'), ['code'])

    op.create_table(
        'campus_identities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('issuer', sa.String(length=300), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_signed_in_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_campus_identities_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campus_identities')),
        sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_campus_identities_issuer_subject')),
    )
    with op.batch_alter_table('campus_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campus_identities_user_id'), ['user_id'], unique=False)

    op.create_table(
        'account_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.Enum('invitation', 'password_reset', name='linkpurpose', native_enum=False,
                                     create_constraint=True, length=24), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_links_user_id_users'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_account_links_created_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_links')),
        sa.UniqueConstraint('secret_hash', name=op.f('uq_account_links_secret_hash')),
    )
    with op.batch_alter_table('account_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_links_user_id'), ['user_id'], unique=False)

    _recheck_kinds(NEW_KINDS, order_optional=True)


def downgrade():
    op.execute("DELETE FROM notices WHERE order_id IS NULL OR kind IN ('invitation', 'password_reset')")
    op.execute("DELETE FROM announcements WHERE order_id IS NULL OR kind IN ('invitation', 'password_reset')")
    _recheck_kinds(OLD_KINDS, order_optional=False)
    op.drop_table('account_links')
    op.drop_table('campus_identities')
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_departments_code'), type_='unique')
        batch_op.drop_column('code')
