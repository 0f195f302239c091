"""Course packs: terms, bookstore delivery (issue 17)

Terms with their first day of classes (the deadline to order a course pack counts back from it); delivery to the
campus bookstore (a delivery method for addresses and orders) with the price a student pays there and the copies
in a bundle; the outbox learns the term reminder sent to instructors who had a pack last term.

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

OLD_METHODS = ('campus', 'pickup', 'carrier')
NEW_METHODS = OLD_METHODS + ('bookstore',)
METHOD_CHECKS = (('addresses', 'kind', 'addresskind'), ('orders', 'delivery_method', 'deliverymethod'))
OLD_KINDS = ('received', 'approval_needed', 'declined', 'proof_ready', 'ready_for_pickup', 'out_for_delivery',
             'shipped', 'delivered', 'delay', 'invitation', 'password_reset', 'statements_ready',
             'case_update', 'case_assigned', 'case_due', 'copyright_refused')  # copyright_refused: 0016
NEW_KINDS = OLD_KINDS + ('term_reminder',)
KIND_TABLES = ('announcements', 'notices', 'notice_preferences')


def _in(column, values) -> sa.TextClause:
    return sa.text(f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")")


def _recheck(methods, kinds) -> None:
    """Replaces the CHECKs on the delivery method and the notice kind (SQLite rebuilds the tables in batch mode)."""
    for table, column, name in METHOD_CHECKS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(name, type_='check')
            batch_op.create_check_constraint(name, _in(column, methods))
    for table in KIND_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint('noticekind', type_='check')
            batch_op.create_check_constraint('noticekind', _in('kind', kinds))


def upgrade():
    op.create_table(
        'terms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=20), nullable=False),
        sa.Column('first_day', sa.Date(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_terms')),
        sa.UniqueConstraint('name', name=op.f('uq_terms_name')),
        sa.UniqueConstraint('first_day', name=op.f('uq_terms_first_day')),
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('student_price_cents', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('copies_per_bundle', sa.Integer(), nullable=True))
    _recheck(NEW_METHODS, NEW_KINDS)


def downgrade():
    op.execute(sa.text("DELETE FROM notice_preferences WHERE kind = 'term_reminder'"))
    op.execute(sa.text("DELETE FROM notices WHERE kind = 'term_reminder'"))
    op.execute(sa.text("DELETE FROM announcements WHERE kind = 'term_reminder'"))
    # A bookstore address or order goes back to campus delivery: the closest the older schema can say.
    op.execute(sa.text("UPDATE addresses SET kind = 'campus' WHERE kind = 'bookstore'"))
    op.execute(sa.text("UPDATE orders SET delivery_method = 'campus' WHERE delivery_method = 'bookstore'"))
    _recheck(OLD_METHODS, OLD_KINDS)
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('copies_per_bundle')
        batch_op.drop_column('student_price_cents')
    op.drop_table('terms')
