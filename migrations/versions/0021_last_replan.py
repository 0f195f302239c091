"""The latest re-plan, so the worker skips one when nothing it depends on changed (issue 19)

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'last_replan',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('data_version', sa.BigInteger(), nullable=False),
        sa.Column('today', sa.Date(), nullable=False),
        sa.Column('resumes', sa.Date(), nullable=False),
        sa.Column('planned_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_last_replan')),
    )


def downgrade():
    op.drop_table('last_replan')
