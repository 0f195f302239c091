"""Direct mailers (issue 7): mailing lists, remembered column mappings, the mailer columns of orders

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mailing_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('storage_key', sa.String(length=80), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('source_format', sa.String(length=20), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('columns_key', sa.String(length=64), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=True),
    sa.Column('mapping_remembered', sa.Boolean(), nullable=False),
    sa.Column('dropped_rows', sa.JSON(), nullable=False),
    sa.Column('good_count', sa.Integer(), nullable=False),
    sa.Column('problem_counts', sa.JSON(), nullable=False),
    sa.Column('headline', sa.String(length=120), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('return_address', sa.Text(), nullable=False),
    sa.Column('artwork_file_id', sa.Integer(), nullable=True),
    sa.Column('proof_key', sa.String(length=80), nullable=True),
    sa.Column('proof_fingerprint', sa.String(length=64), nullable=True),
    sa.Column('proof_pages', sa.Integer(), nullable=True),
    sa.Column('approved_fingerprint', sa.String(length=64), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('ordered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_mailing_lists_approved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['artwork_file_id'], ['stored_files.id'], name=op.f('fk_mailing_lists_artwork_file_id_stored_files'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_mailing_lists_owner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_mailing_lists_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mailing_lists')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_mailing_lists_storage_key'))
    )
    with op.batch_alter_table('mailing_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mailing_lists_owner_id'), ['owner_id'], unique=False)

    op.create_table('mailer_column_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('columns_key', sa.String(length=64), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_mailer_column_mappings_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mailer_column_mappings')),
    sa.UniqueConstraint('owner_id', 'columns_key', name=op.f('uq_mailer_column_mappings_owner_id_columns_key'))
    )

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mailing_list_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('mail_class', sa.Enum('first_class', 'marketing', name='mailclass', native_enum=False, create_constraint=True, length=24), nullable=True))
        batch_op.add_column(sa.Column('mail_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('piece_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('postage_cents', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_orders_mailing_list_id_mailing_lists'), 'mailing_lists', ['mailing_list_id'], ['id'], ondelete='SET NULL')

    # A mailer's piece is its design merged with the list; artwork is optional (issue 7).
    op.execute("UPDATE products SET needs_files = false WHERE kind = 'mailer'")


def downgrade():
    op.execute("UPDATE products SET needs_files = true WHERE kind = 'mailer'")
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_orders_mailing_list_id_mailing_lists'), type_='foreignkey')
        batch_op.drop_column('postage_cents')
        batch_op.drop_column('piece_count')
        batch_op.drop_column('mail_date')
        batch_op.drop_column('mail_class')
        batch_op.drop_column('mailing_list_id')

    op.drop_table('mailer_column_mappings')
    with op.batch_alter_table('mailing_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mailing_lists_owner_id'))
    op.drop_table('mailing_lists')
