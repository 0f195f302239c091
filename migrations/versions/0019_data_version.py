"""One number that every committed write moves on (portal.database.data_version, issue 19)

Pages and the shop state are kept rendered or computed per process under the number they were made at
(portal.web.page_cache); any transaction that writes adds one to it in the same commit, so nothing kept is
ever older than the last write. The table is not a model: the suite's cleaning between tests must not
empty it (its DELETEs move it on instead).

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('data_versions',
                    sa.Column('id', sa.Integer(), primary_key=True, autoincrement=False),
                    sa.Column('version', sa.BigInteger(), nullable=False))
    op.execute("INSERT INTO data_versions (id, version) VALUES (1, 0)")


def downgrade():
    op.drop_table('data_versions')
