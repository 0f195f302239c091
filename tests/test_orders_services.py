"""Placing orders and finding them, against the database, without HTTP."""
import threading
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import User
from portal.addresses.models import Address
from portal.billing.models import BillingAccount
from portal.catalog import forms
from portal.catalog import services as catalog
from portal.extensions import db
from portal.failures import NotAllowed, ValidationFailed
from portal.orders import services
from portal.orders.models import Order, OrderStatus
from portal.shop.delivery import DeliveryMethod
from tests.factories import NOW, job_values


def test_an_order_keeps_what_was_ordered_and_snapshots_of_where_and_who_pays(make, customer):
    order = make.order(customer)
    assert order.number == f"26-{order.id:05d}"
    assert order.status == OrderStatus.RECEIVED
    assert order.product_name == "Course pack" and order.quantity == 40 and order.pages_per_copy == 12
    assert order.course_code == "LAW 501" and order.enrollment == 40
    assert ["Binding", "Coil bound with clear cover"] in order.option_labels
    assert order.price_cents == sum(cents for _, cents in order.price_lines)
    assert order.ship_to["building"] == "Myron Taylor Hall" and order.delivery_method == DeliveryMethod.CAMPUS
    account = db.session.get(BillingAccount, order.billing_account_id)
    assert order.billing == {"code": account.code, "name": account.name, "department": account.department.name}
    assert [f.title for f in order.files] == ["Reading 1"] and order.files[0].page_count == 12
    assert [e.status for e in order.events] == [OrderStatus.RECEIVED]


def test_the_promise_is_the_estimate_shown_before_ordering(make, customer):
    config = make.configuration(customer)
    shown = config.estimate(delivery_method="campus", now=NOW)
    order = make.order(customer)
    assert order.promise_date == order.expected_date == shown.delivery
    # Monday 10:00 before the cut-off, an empty shop: prepress, press and bindery all today; a day's
    # margin (the default buffer), then campus delivery the next business day.
    assert shown.delivery == date(2026, 11, 25)


def test_changing_the_address_book_later_does_not_change_the_order(make, customer):
    order = make.order(customer)
    address = db.session.get(Address, order.address_id)
    address.building = "Somewhere Else"
    db.session.commit()
    db.session.refresh(order)
    assert order.ship_to["building"] == "Myron Taylor Hall"


def test_an_order_above_the_accounts_threshold_waits_for_approval(make, customer):
    account = make.account(customer, approval_threshold_cents=100, department=customer.memberships[0].department)
    order = make.order(customer, account=account)
    assert order.status == OrderStatus.AWAITING_APPROVAL
    assert "approver" in order.events[-1].message


def test_an_incomplete_job_is_refused_and_nothing_is_saved(make, customer):
    config = make.configuration(customer, enrollment="", quantity="")
    defaults = catalog.checkout_defaults(customer)
    with pytest.raises(ValidationFailed) as refused:
        services.place_order(customer=customer, config=config, address=defaults.address,
                             account=defaults.holding.account, need_by=None, instructions="",
                             idempotency_key="k1", now=NOW)
    assert "enrollment" in refused.value.errors
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_the_same_key_again_returns_the_first_order(make, customer):
    first = make.order(customer, key="same-key")
    again = make.order(customer, key="same-key")
    assert again.id == first.id
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1


def test_ten_concurrent_submissions_with_one_key_make_one_order(app, make, customer):
    """Ten requests at once, each with its own connection and transaction; the unique key decides."""
    make.catalog()
    reading = make.stored_file(customer, pages=4)
    customer_id, barrier, results, errors = customer.id, threading.Barrier(10, timeout=30), [], []

    def submit():
        barrier.wait()
        with app.test_request_context(method="POST"):
            try:
                user = db.session.get(User, customer_id)
                config = catalog.configure(catalog.product_by_slug("course-pack"), forms.configurator_form(
                    catalog.product_by_slug("course-pack"), job_values("course-pack", [reading]), today=NOW.date()),
                    user, today=NOW.date())
                defaults = catalog.checkout_defaults(user)
                order = services.place_order(customer=user, config=config, address=defaults.address,
                                             account=defaults.holding.account, need_by=None, instructions="",
                                             idempotency_key="one-key", now=NOW)
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                order = services.order_for_key(db.session.get(User, customer_id), "one-key")
            except Exception as error:  # recorded and asserted below
                errors.append(error)
                return
            finally:
                db.session.remove()
            results.append(order.id)

    threads = [threading.Thread(target=submit, daemon=True) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert errors == []
    assert len(results) == 10 and len(set(results)) == 1
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1


def test_history_is_newest_first_paginated_and_searchable(make, customer):
    orders = [make.order(customer, key=uuid.uuid4().hex) for _ in range(3)]
    make.order(make.customer())  # someone else's never shows
    page = services.history(customer, per_page=2)
    assert [o.id for o in page.items] == [orders[2].id, orders[1].id]
    assert page.has_next and not page.has_prev
    last = services.history(customer, per_page=2, page=2)
    assert [o.id for o in last.items] == [orders[0].id] and last.has_prev and not last.has_next
    assert [o.id for o in services.history(customer, search=orders[0].number).items] == [orders[0].id]
    assert len(services.history(customer, search="law 501").items) == 3
    assert services.history(customer, search="100%_").items == []


def test_an_order_is_found_for_its_customer_and_staff_only(make, customer):
    order = make.order(customer)
    assert services.order_for(customer, order.number).id == order.id
    assert services.order_for(make.staff(), order.number).id == order.id
    with pytest.raises(NotAllowed):
        services.order_for(make.customer(), order.number)
