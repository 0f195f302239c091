"""Catalog: a station's working minutes per weekday, and a product's minimum charge (issue 13)

A station may work different hours on different weekdays (the bindery closes early on Fridays): its
`weekday_minutes` holds the weekdays that differ from its usual `minutes_per_day` ({"fri": 600});
none means every business day is the same. A product's `minimum_cents` is the least a job of it is
charged (0: none).

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weekday_minutes', sa.JSON(), nullable=True))
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('minimum_cents', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_column('minimum_cents')
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_column('weekday_minutes')
