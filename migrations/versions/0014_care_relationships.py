"""Care: satisfaction comments and outside print purchases, for the relationships page (issue 16)

The satisfaction check keeps an optional comment beside its answer (on the order, as the answer is); the
purchasing office's outside print purchases (department, vendor, day, amount) are imported for the share of
print spend each department gives the shop.

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('satisfaction_comment', sa.Text(), nullable=True))
    op.create_table(
        'outside_purchases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('vendor', sa.String(length=160), nullable=False),
        sa.Column('bought_on', sa.Date(), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_outside_purchases_department_id_departments'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outside_purchases')),
    )
    op.create_index(op.f('ix_outside_purchases_department_bought'), 'outside_purchases', ['department_id', 'bought_on'])


def downgrade():
    op.drop_index(op.f('ix_outside_purchases_department_bought'), table_name='outside_purchases')
    op.drop_table('outside_purchases')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('satisfaction_comment')
