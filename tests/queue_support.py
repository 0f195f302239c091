"""Helpers the queue's tests share: jobs at a stage, and counting the SQL a request runs."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from portal.shop.delivery import DeliveryMethod
from portal.extensions import db
from portal.orders.models import Order, OrderStatus


def job_at(make, customer, status: OrderStatus = OrderStatus.RECEIVED, *, product: str = "course-pack",
           delivery: DeliveryMethod | None = None, **overrides) -> Order:
    """An order placed through the real service, then put at `status` (as if moved there)."""
    address = make.address(customer, kind=delivery) if delivery else None
    if product != "course-pack":
        overrides.setdefault("quantity", 100)
    order = make.order(customer, product, address=address, **overrides)
    if status != OrderStatus.RECEIVED:
        order.status = status
        db.session.commit()
    return order


@contextmanager
def counting_queries(app):
    """Counts the SQL statements run while inside (every connection of the app's engine)."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
