"""Charged orders made quickly for the statements tests: one order placed through the real service, then
copies of it with their own price, account, status and delivery day (generated months need hundreds)."""
from __future__ import annotations

import uuid
from datetime import date

from portal.extensions import db
from portal.orders.models import Order, OrderStatus

COPIED = ("customer_id", "product_id", "product_name", "options", "option_labels", "quantity", "pages_per_copy",
          "delivery_method", "address_id", "ship_to", "promise_date", "expected_date", "placed_at")


def charged(template: Order, *, account, price_cents: int, delivered_on: date | None,
            status: OrderStatus = OrderStatus.DELIVERED, title: str = "Flyers for the open day", customer=None) -> Order:
    """A copy of `template` charged to `account` (its snapshot and department), delivered on `delivered_on`."""
    order = Order(**{name: getattr(template, name) for name in COPIED}, idempotency_key=uuid.uuid4().hex,
                  title=title, price_cents=price_cents, price_lines=[["Printing", price_cents]],
                  billing_account_id=account.id, billing=account.snapshot(), department_id=account.department_id,
                  status=status, delivered_on=delivered_on)
    if customer is not None:
        order.customer_id = customer.id
    db.session.add(order)
    db.session.flush()
    order.number = f"26-{order.id:05d}"
    db.session.commit()
    return order
