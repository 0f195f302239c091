"""The shop manages its catalog: every change recorded (issue 13)

catalog_changes: who changed which field of a product or a station, when, from what to what (text), the
product's history. products.replaced_by_id: set when a product is retired, so a reorder of its past orders
names what replaced it.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'catalog_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('product_id', sa.Integer(), nullable=True),
        sa.Column('station_code', sa.String(length=30), nullable=True),
        sa.Column('field', sa.String(length=200), nullable=False),
        sa.Column('old_value', sa.Text(), nullable=False),
        sa.Column('new_value', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_catalog_changes_actor_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_catalog_changes_product_id_products'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_changes')),
    )
    op.create_index('ix_catalog_changes_product', 'catalog_changes', ['product_id', 'id'], unique=False)
    op.create_index('ix_catalog_changes_station', 'catalog_changes', ['station_code', 'id'], unique=False)
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaced_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_products_replaced_by_id_products'), 'products',
                                    ['replaced_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_products_replaced_by_id_products'), type_='foreignkey')
        batch_op.drop_column('replaced_by_id')
    op.drop_index('ix_catalog_changes_station', table_name='catalog_changes')
    op.drop_index('ix_catalog_changes_product', table_name='catalog_changes')
    op.drop_table('catalog_changes')
