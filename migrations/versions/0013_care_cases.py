"""Care: cases with one owner, satisfaction acted on (issue 16)

Cases about an order (one staff owner at every moment, a response promise, a random link token), their thread
of entries, who owns a department's cases and the duty rota; the outbox learns three notice kinds
(case_update, case_assigned, case_due).

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

OLD_KINDS = ('received', 'approval_needed', 'declined', 'proof_ready', 'ready_for_pickup', 'out_for_delivery',
             'shipped', 'delivered', 'delay', 'invitation', 'password_reset', 'statements_ready')
CARE_KINDS = ('case_update', 'case_assigned', 'case_due')
NEW_KINDS = OLD_KINDS + CARE_KINDS
KIND_TABLES = ('announcements', 'notices', 'notice_preferences')
CAUSES = ('wrong_quantity', 'quality', 'late', 'damaged', 'billing', 'other', 'dissatisfied')
STATES = ('open', 'waiting', 'resolved')
ENTRY_KINDS = ('reported', 'message', 'handoff', 'reprint_offered', 'reprint_placed', 'credit', 'production_note',
               'resolved', 'made_right', 'reopened')


def _recheck_kinds(kinds) -> None:
    """Replaces the CHECK on the notice kind (SQLite rebuilds the table in batch mode; PostgreSQL alters it)."""
    for table in KIND_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint('noticekind', type_='check')
            batch_op.create_check_constraint(
                'noticekind', sa.text("kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"))


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


def upgrade():
    op.create_table(
        'care_cases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=16), nullable=True),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('cause', _enum(CAUSES, 'cause'), nullable=False),
        sa.Column('problem', sa.Text(), nullable=False),
        sa.Column('wanted', sa.Text(), nullable=False),
        sa.Column('state', _enum(STATES, 'casestate'), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=True),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('response_due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('warned_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('made_right', sa.Boolean(), nullable=True),
        sa.Column('reprint_offered', sa.Boolean(), nullable=False),
        sa.Column('reprint_order_id', sa.Integer(), nullable=True),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_care_cases_order_id_orders'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['customer_id'], ['users.id'], name=op.f('fk_care_cases_customer_id_users'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id'],
                                name=op.f('fk_care_cases_department_id_departments'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_care_cases_owner_id_users')),
        sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_care_cases_file_id_stored_files'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['reprint_order_id'], ['orders.id'],
                                name=op.f('fk_care_cases_reprint_order_id_orders'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_care_cases')),
        sa.UniqueConstraint('number', name=op.f('uq_care_cases_number')),
        sa.UniqueConstraint('token', name=op.f('uq_care_cases_token')),
    )
    with op.batch_alter_table('care_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_cases_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_cases_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_cases_department_id'), ['department_id'], unique=False)
        batch_op.create_index('ix_care_cases_owner_state_due', ['owner_id', 'state', 'response_due_at'], unique=False)

    op.create_table(
        'care_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', _enum(ENTRY_KINDS, 'entrykind'), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('from_customer', sa.Boolean(), nullable=False),
        sa.Column('public', sa.Boolean(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['care_cases.id'], name=op.f('fk_care_entries_case_id_care_cases'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_care_entries_author_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_care_entries')),
    )
    with op.batch_alter_table('care_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_entries_case_id'), ['case_id'], unique=False)

    op.create_table(
        'care_department_owners',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id'],
                                name=op.f('fk_care_department_owners_department_id_departments'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['staff_id'], ['users.id'], name=op.f('fk_care_department_owners_staff_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_care_department_owners')),
        sa.UniqueConstraint('department_id', name=op.f('uq_care_department_owners_department_id')),
    )
    op.create_table(
        'care_duty_turns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['staff_id'], ['users.id'], name=op.f('fk_care_duty_turns_staff_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_care_duty_turns')),
    )
    with op.batch_alter_table('care_duty_turns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_duty_turns_starts_on'), ['starts_on'], unique=False)

    _recheck_kinds(NEW_KINDS)


def downgrade():
    kinds = ", ".join(f"'{kind}'" for kind in CARE_KINDS)
    op.execute(f"DELETE FROM notices WHERE kind IN ({kinds})")
    op.execute(f"DELETE FROM notice_preferences WHERE kind IN ({kinds})")
    op.execute(f"DELETE FROM announcements WHERE kind IN ({kinds})")
    _recheck_kinds(OLD_KINDS)
    op.drop_table('care_duty_turns')
    op.drop_table('care_department_owners')
    op.drop_table('care_entries')
    op.drop_table('care_cases')
