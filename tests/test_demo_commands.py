"""`flask demo load` over the real CLI: whatever day it is loaded, a new user finds a job due today,
a proof waiting for the customer's answer and a delivery out on today's campus run, and every demo date
is counted from the shop's today."""
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from portal.billing.models import BillingAccount
from portal.copyright import services as copyright
from portal.extensions import db
from portal.orders.models import Order, OrderStatus
from portal.promises.models import Closure
from portal.queue import services as queue
from portal.queue.models import Proof, ShipmentKind
from portal.shop.clock import shop_today
from tests.factories import NOW


@pytest.mark.parametrize("loaded_at", [NOW, NOW + timedelta(days=400, hours=3)], ids=["this Monday", "a year on"])
def test_the_demo_shows_work_due_today_a_proof_waiting_and_a_delivery_out_on_the_day_it_is_loaded(app, loaded_at):
    with time_machine.travel(loaded_at, tick=False):
        result = app.test_cli_runner().invoke(args=["demo", "load", "--days", "20"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            today = shop_today(loaded_at)
            due = queue.queue_page(queue.QueueFilters(when="due_today"), today=today).items
            assert due and all(order.promise_date == today for order in due)
            waiting = db.session.scalars(select(Proof).where(Proof.answer.is_(None))).all()
            assert [proof.order.status for proof in waiting] == [OrderStatus.PREPRESS]
            assert waiting[0].order.customer.email == "faculty@example.edu"
            out = db.session.scalars(select(Order).where(Order.status == OrderStatus.SHIPPED)).all()
            runs = [o for o in out if o.shipment and o.shipment.kind == ShipmentKind.CAMPUS_RUN]
            assert runs and runs[0].shipment.run_on == today and runs[0].shipment.dispatched_at <= loaded_at
            assert runs[0].customer.email == "faculty@example.edu"
            assert copyright.awaiting_count() >= 1  # the Copyright queue has readings to clear
            expired = db.session.scalar(select(BillingAccount).where(BillingAccount.code == "10-4410-7350"))
            assert today - timedelta(days=123) <= expired.active_until < today - timedelta(days=59)
            closures = db.session.scalars(select(Closure.day)).all()
            assert closures and all(today - timedelta(days=10) <= day <= today + timedelta(days=366) for day in closures)
        again = app.test_cli_runner().invoke(args=["demo", "load"])
        assert "already loaded" in again.output


def test_the_demo_has_a_department_overdue_against_its_usual_gap_whatever_day_it_is_loaded(app):
    from portal.care import relationships

    loaded_at = NOW + timedelta(days=200, hours=3)
    with time_machine.travel(loaded_at, tick=False):
        result = app.test_cli_runner().invoke(args=["demo", "load", "--days", "120"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            view = relationships.overview(now=loaded_at)
            overdue = {figure.department.name: figure.overdue for figure in view.overdue}
    assert "Economics" in overdue and overdue["Economics"].startswith("Economics hasn't ordered in 9 weeks")
