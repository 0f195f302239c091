"""A generated campus for benchmarks: many customers, orders and open jobs, inserted in bulk.

    PORTAL_ENV=development DATABASE_URL=sqlite:////tmp/bench.db python -m benchmarks.dataset --orders 20000
"""
from __future__ import annotations

import argparse
import random
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select

from portal import create_app
from portal.accounts.models import Department, DepartmentKind, Membership, Role, User
from portal.accounts.services import hash_password
from portal.addresses.models import Address
from portal.shop.delivery import DeliveryMethod
from portal.billing.models import AccountHolder, BillingAccount
from portal.demo.catalog import load_catalog
from portal.documents import services as documents
from portal.extensions import db
from portal.orders.models import Order, OrderEvent, OrderFile, OrderStatus
from tests.factories import pdf_bytes

PASSWORD = "benchmark-password"
OPEN = [OrderStatus.RECEIVED, OrderStatus.PREPRESS, OrderStatus.PRINTING, OrderStatus.FINISHING, OrderStatus.READY]


def build(*, orders: int, customers: int, open_share: float, seed: int = 7) -> dict:
    """Fills an empty, migrated database; returns the sign-ins and a sample order number."""
    rng = random.Random(seed)
    products = load_catalog()
    department = Department(name="Benchmark Department", kind=DepartmentKind.ACADEMIC)
    db.session.add(department)
    db.session.flush()
    hashed = hash_password(PASSWORD)
    people = [User(email=f"customer{i}@example.edu", name=f"Customer {i}", password_hash=hashed)
              for i in range(customers)]
    staff = User(email="staff@example.edu", name="Bench Staff", password_hash=hashed, role=Role.STAFF)
    db.session.add_all(people + [staff])
    db.session.flush()
    account = BillingAccount(code="10-0000-0001", name="Benchmark account", department_id=department.id)
    db.session.add(account)
    db.session.flush()
    addresses = {}
    for person in people:
        db.session.add(Membership(user_id=person.id, department_id=department.id))
        db.session.add(AccountHolder(account_id=account.id, user_id=person.id, is_default=True))
        for n in range(8):
            address = Address(user_id=person.id, label=f"Office {n}", kind=DeliveryMethod.CAMPUS, recipient=person.name,
                              building="Day Hall", room=f"Room {100 + n}", is_default=n == 0)
            db.session.add(address)
        db.session.flush()
        addresses[person.id] = address
    stored = documents.store_pdf(people[0], data=pdf_bytes(12), filename="reading.pdf")
    product = products["course-pack"]
    start = datetime(2026, 11, 23, 15, tzinfo=timezone.utc)
    rows, file_rows, event_rows = [], [], []
    for n in range(orders):
        person = people[0] if n % 4 == 0 else rng.choice(people)  # the first customer has a long history
        placed = start - timedelta(minutes=37 * n)
        status = rng.choice(OPEN) if rng.random() < open_share else OrderStatus.DELIVERED
        promise = (placed + timedelta(days=5)).date()
        rows.append(dict(
            number=f"{placed:%y}-{n + 1:06d}", idempotency_key=f"bench-{n}", customer_id=person.id,
            department_id=department.id, product_id=product.id, title=f"LAW {500 + n % 90} course pack, Fall 2026",
            status=status, version=1, product_name=product.name,
            options={"color": "bw", "sides": "double", "stock": "bond20", "binding": "coil"},
            option_labels=[["Colour", "Black and white"], ["Binding", "Coil bound with clear cover"]],
            quantity=40, pages_per_copy=12, rush=n % 13 == 0, instructions="", price_cents=28500,
            price_lines=[["Setup", 1500], ["Printing", 27000]], delivery_method=DeliveryMethod.CAMPUS,
            address_id=addresses[person.id].id, ship_to=addresses[person.id].snapshot(), billing_account_id=account.id,
            billing=account.snapshot(), promise_date=promise, expected_date=promise,
            delivered_on=promise if status == OrderStatus.DELIVERED else None, placed_at=placed, updated_at=placed))
    db.session.execute(insert(Order), rows)
    ids = db.session.execute(select(Order.id, Order.placed_at, Order.customer_id)).all()
    for order_id, placed, customer_id in ids:
        file_rows.append(dict(order_id=order_id, file_id=stored.id, position=0, title="Reading 1", page_count=12))
        event_rows.append(dict(order_id=order_id, at=placed, status=OrderStatus.RECEIVED, message="Order placed.",
                               actor_id=customer_id, public=True))
    db.session.execute(insert(OrderFile), file_rows)
    db.session.execute(insert(OrderEvent), event_rows)
    db.session.commit()
    sample = db.session.scalar(select(Order.number).where(Order.customer_id == people[0].id).limit(1))
    return {"customer": people[0].email, "staff": staff.email, "password": PASSWORD, "order": sample}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=20000)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--open-share", type=float, default=0.5)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        began = time.perf_counter()
        info = build(orders=args.orders, customers=args.customers, open_share=args.open_share)
        print(f"built {args.orders} orders in {time.perf_counter() - began:.1f}s: {info}")


if __name__ == "__main__":
    main()
