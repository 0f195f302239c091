"""Delivery promises that are kept (issue 4): workstations, routings, planned work, calibration.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=30), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('minutes_per_day', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stations')),
        sa.UniqueConstraint('code', name=op.f('uq_stations_code')),
    )
    op.create_table(
        'station_downtime',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('station_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_station_downtime_station_id_stations'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_station_downtime')),
        sa.UniqueConstraint('station_id', 'day', name=op.f('uq_station_downtime_station_id_day')),
    )
    op.create_table(
        'route_steps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('station_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=20), nullable=False),
        sa.Column('setup_minutes', sa.Numeric(precision=10, scale=3), nullable=False),
        sa.Column('per_copy', sa.Numeric(precision=10, scale=5), nullable=False),
        sa.Column('per_sheet', sa.Numeric(precision=10, scale=5), nullable=False),
        sa.Column('per_impression', sa.Numeric(precision=10, scale=5), nullable=False),
        sa.Column('when_option', sa.String(length=30), nullable=True),
        sa.Column('when_choices', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_route_steps_product_id_products'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_route_steps_station_id_stations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_route_steps')),
    )
    with op.batch_alter_table('route_steps') as batch_op:
        batch_op.create_index(batch_op.f('ix_route_steps_product_id'), ['product_id'], unique=False)
    op.create_table(
        'order_work',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('station_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=20), nullable=False),
        sa.Column('minutes', sa.Float(), nullable=False),
        sa.Column('rush', sa.Boolean(), nullable=False),
        sa.Column('done', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_work_order_id_orders'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_order_work_station_id_stations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_order_work')),
    )
    with op.batch_alter_table('order_work') as batch_op:
        batch_op.create_index(batch_op.f('ix_order_work_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_order_work_open', ['done', 'station_id'], unique=False)
    op.create_table(
        'calibrations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('buffer_days', sa.Integer(), nullable=False),
        sa.Column('previous_buffer_days', sa.Integer(), nullable=True),
        sa.Column('samples', sa.Integer(), nullable=False),
        sa.Column('percentile', sa.Float(), nullable=False),
        sa.Column('late_share', sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_calibrations_product_id_products'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calibrations')),
    )
    with op.batch_alter_table('calibrations') as batch_op:
        batch_op.create_index(batch_op.f('ix_calibrations_product_id'), ['product_id'], unique=False)
    op.create_table(
        'station_load',
        sa.Column('station_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('minutes', sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_station_load_station_id_stations'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('station_id', 'day', name=op.f('pk_station_load')),
    )
    with op.batch_alter_table('orders') as batch_op:
        batch_op.add_column(sa.Column('planned_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('at_risk_reason', sa.String(length=240), nullable=True))


def downgrade():
    with op.batch_alter_table('orders') as batch_op:
        batch_op.drop_column('at_risk_reason')
        batch_op.drop_column('planned_date')
    op.drop_table('station_load')
    op.drop_table('calibrations')
    op.drop_table('order_work')
    op.drop_table('route_steps')
    op.drop_table('station_downtime')
    op.drop_table('stations')
