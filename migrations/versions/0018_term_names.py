"""Terms named as the manager names them; the shop's usual clearance time, calibrated (issue 17)

The course-pack configurator lists the terms of the manager's Terms page, so a term may be named anything with its
year ("Winter Intersession 2027"): a term's name and the term an order keeps grow from 20 to 40 characters.

Each change of the copyright clearance time the promise allows, calibrated weekly from the shop's answered
clearance requests (business days from request to answer, a high percentile of the latest fifty), is kept with its
evidence (`clearance_calibrations`); before the first, promises allow the stated five business days.

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

COLUMNS = (('terms', 'name', False), ('orders', 'term', True))


def _resize(old: int, new: int) -> None:
    for table, column, nullable in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.String(length=old), type_=sa.String(length=new),
                                  existing_nullable=nullable)


def upgrade():
    _resize(20, 40)
    op.create_table(
        'clearance_calibrations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('business_days', sa.Integer(), nullable=False),
        sa.Column('previous_business_days', sa.Integer(), nullable=True),
        sa.Column('samples', sa.Integer(), nullable=False),
        sa.Column('percentile', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_clearance_calibrations')),
    )


def downgrade():
    op.drop_table('clearance_calibrations')
    # The older schema cannot hold a longer name: such a term leaves the Terms page (its packs keep a shortened
    # name; only the deadline shown for them is lost).
    op.execute(sa.text("DELETE FROM terms WHERE LENGTH(name) > 20"))
    op.execute(sa.text("UPDATE orders SET term = SUBSTR(term, 1, 20) WHERE LENGTH(term) > 20"))
    _resize(40, 20)
