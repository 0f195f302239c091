"""Orders know the day they must be ready by and the day they were ready; a proof, the day to answer by (issue 17)

The staff queue and the re-plan work jobs rush first, then by the day each must be ready to keep its promise
(the promise less its transit: a carrier job leaves the shop three business days before its promise), so the
queue's index is (status, rush, ready_by, id). A pickup's promise is "ready for pickup" on the promised day: the
day it was last made ready is kept (`ready_on`) so promises kept judge a pickup by it. Existing orders are
backfilled from their promise and transit on the shop's calendar, and from their timeline's last "ready". A proof
asks its customer to answer by a day that keeps the promise (`answer_by`; none for proofs sent before).

Revision ID: 0020
Revises: 0019
"""
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

from portal.shop.calendar import calendar_around
from portal.shop.clock import shop_today

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

TRANSIT = {'pickup': 0, 'campus': 1, 'bookstore': 1, 'carrier': 3}  # promises.rules.TRANSIT_DAYS as of this revision


def _ready_by(promise: date, transit: int, calendar) -> date:
    day, counted = promise, 0
    while counted < transit:
        day -= timedelta(days=1)
        counted += calendar.is_business_day(day)
    return day


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ready_by', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ready_on', sa.Date(), nullable=True))
    bind = op.get_bind()
    closures = [row[0] for row in bind.execute(sa.text('SELECT day FROM closures'))]
    closures = [date.fromisoformat(day) if isinstance(day, str) else day for day in closures]
    calendars = {}
    groups = bind.execute(sa.text(
        'SELECT promise_date, delivery_method, mailing_list_id IS NOT NULL FROM orders '
        'GROUP BY promise_date, delivery_method, mailing_list_id IS NOT NULL')).all()
    for promise, method, mailer in groups:
        promise = date.fromisoformat(promise) if isinstance(promise, str) else promise
        calendar = calendars.setdefault(promise.year, calendar_around(promise, closures))
        transit = 0 if mailer else TRANSIT.get(method, 0)  # a mailer's promise is its mail date
        bind.execute(sa.text(
            'UPDATE orders SET ready_by = :ready_by WHERE promise_date = :promise AND delivery_method = :method '
            'AND (mailing_list_id IS NOT NULL) = :mailer'),
            {'ready_by': _ready_by(promise, transit, calendar), 'promise': promise, 'method': method,
             'mailer': bool(mailer)})
    readied = bind.execute(sa.text(
        "SELECT order_id, MAX(at) FROM order_events WHERE status = 'ready' GROUP BY order_id")).all()
    for order_id, at in readied:
        bind.execute(sa.text('UPDATE orders SET ready_on = :day WHERE id = :id'),
                     {'day': shop_today(_utc(at)), 'id': order_id})
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.alter_column('ready_by', existing_type=sa.Date(), nullable=False)
        batch_op.drop_index('ix_orders_queue')
        batch_op.create_index('ix_orders_queue', ['status', 'rush', 'ready_by', 'id'], unique=False)
    with op.batch_alter_table('proofs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_by', sa.Date(), nullable=True))


def _utc(at):
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def downgrade():
    with op.batch_alter_table('proofs', schema=None) as batch_op:
        batch_op.drop_column('answer_by')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_queue')
        batch_op.create_index('ix_orders_queue', ['status', 'promise_date', 'rush', 'id'], unique=False)
        batch_op.drop_column('ready_on')
        batch_op.drop_column('ready_by')
