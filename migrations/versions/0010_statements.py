"""Monthly statements and the chargeback file (issue 13)

Months the manager closed, credits on orders (adjustments) with their reason, and the statement lines frozen
when a month closes (an order is charged on one month only: a partial unique index); the outbox learns one
new notice kind, statements_ready, for department administrators.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

OLD_KINDS = ('received', 'approval_needed', 'declined', 'proof_ready', 'ready_for_pickup', 'out_for_delivery',
             'shipped', 'delivered', 'delay', 'invitation', 'password_reset')
NEW_KINDS = OLD_KINDS + ('statements_ready',)
KIND_TABLES = ('announcements', 'notices', 'notice_preferences')


def _recheck_kinds(kinds) -> None:
    """Replaces the CHECK on the notice kind (SQLite rebuilds the table in batch mode; PostgreSQL alters it)."""
    for table in KIND_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint('noticekind', type_='check')
            batch_op.create_check_constraint(
                'noticekind', sa.text("kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"))


def upgrade():
    op.create_table(
        'month_closes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('charges_cents', sa.Integer(), nullable=False),
        sa.Column('credits_cents', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_month_closes_closed_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_month_closes')),
        sa.UniqueConstraint('month', name=op.f('uq_month_closes_month')),
    )
    op.create_table(
        'adjustments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('kind', sa.Enum('reprint', 'refund', 'correction', name='adjustmentkind', native_enum=False,
                                  create_constraint=True, length=24), nullable=False),
        sa.Column('credit_cents', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('credit_cents > 0', name=op.f('ck_adjustments_credit_positive')),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_adjustments_order_id_orders'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_adjustments_created_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_adjustments')),
    )
    with op.batch_alter_table('adjustments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adjustments_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adjustments_month'), ['month'], unique=False)

    op.create_table(
        'statement_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('kind', sa.Enum('charge', 'credit', name='linekind', native_enum=False, create_constraint=True,
                                  length=24), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=True),
        sa.Column('adjustment_id', sa.Integer(), nullable=True),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('billing_account_id', sa.Integer(), nullable=True),
        sa.Column('department_name', sa.String(length=120), nullable=False),
        sa.Column('account_code', sa.String(length=40), nullable=False),
        sa.Column('account_name', sa.String(length=120), nullable=False),
        sa.Column('order_number', sa.String(length=16), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('title', sa.String(length=160), nullable=False),
        sa.Column('ordered_by', sa.String(length=120), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_statement_lines_order_id_orders'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['adjustment_id'], ['adjustments.id'],
                                name=op.f('fk_statement_lines_adjustment_id_adjustments'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id'],
                                name=op.f('fk_statement_lines_department_id_departments'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'],
                                name=op.f('fk_statement_lines_billing_account_id_billing_accounts'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_lines')),
        sa.UniqueConstraint('adjustment_id', name=op.f('uq_statement_lines_adjustment_id')),
    )
    with op.batch_alter_table('statement_lines', schema=None) as batch_op:
        batch_op.create_index('uq_statement_lines_one_charge', ['order_id'], unique=True,
                              sqlite_where=sa.text("kind = 'charge'"), postgresql_where=sa.text("kind = 'charge'"))
        batch_op.create_index('ix_statement_lines_month_department', ['month', 'department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_lines_billing_account_id'), ['billing_account_id'],
                              unique=False)

    _recheck_kinds(NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM notices WHERE kind = 'statements_ready'")
    op.execute("DELETE FROM announcements WHERE kind = 'statements_ready'")
    _recheck_kinds(OLD_KINDS)
    op.drop_table('statement_lines')
    op.drop_table('adjustments')
    op.drop_table('month_closes')
