"""Checkout, the order page and order history over HTTP."""
import re
import threading
from urllib.parse import urlencode

import pytest
import time_machine
from sqlalchemy import func, select

from portal.addresses.models import Address
from portal.billing.models import AccountHolder, BillingAccount
from portal.extensions import db
from portal.orders.models import Order, OrderStatus
from tests.factories import NOW, job_values


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def job(make, customer):
    make.catalog()
    return job_values("course-pack", [make.stored_file(customer, pages=12)])


def checkout_form(customer_client, job) -> dict:
    """What the checkout page's form would submit as it is first shown."""
    page = customer_client.get("/checkout?" + urlencode(list(job.items(multi=True)))).get_data(as_text=True)
    values = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    values.update(re.findall(r'<input id="(idempotency_key)" name="idempotency_key" type="hidden" value="([^"]+)"', page))
    values["address"] = re.search(r'name="address" value="(\d+)" checked', page).group(1)
    values["billing_account"] = re.search(r'name="billing_account" value="(\d+)" checked', page).group(1)
    values.pop("csrf_token", None)
    return values


def test_checkout_is_prefilled_with_what_is_on_file_and_shows_price_and_promise(customer_client, job):
    page = customer_client.get("/checkout?" + urlencode(list(job.items(multi=True)))).get_data(as_text=True)
    assert "Deliver to" in page and "Charge to" in page
    assert re.search(r'name="address" value="\d+" checked', page)
    assert re.search(r'name="billing_account" value="\d+" checked', page)
    assert "Wednesday, November 25, 2026" in page  # the promise, before ordering
    assert "Place order" in page


def test_an_incomplete_job_goes_back_to_the_configurator(customer_client, job):
    job.setlist("enrollment", [""])
    response = customer_client.get("/checkout?" + urlencode(list(job.items(multi=True))))
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/products/course-pack?")


def test_placing_the_order_records_the_promise_shown_and_confirms_it(app, customer_client, job, customer):
    values = checkout_form(customer_client, job)
    response = customer_client.post("/checkout", data={**values, "action": "place"})
    assert response.status_code == 303
    number = response.headers["Location"].rsplit("/", 1)[1]
    page = customer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"order {number} is placed" in page
    assert "Wednesday, November 25, 2026" in page
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        assert order.customer_id == customer.id
        assert order.promise_date.isoformat() == "2026-11-25"


def test_checkout_says_an_order_will_wait_for_its_approver_and_the_confirmation_does_not_promise_yet(
        app, make, customer_client, job, customer):
    approver = make.user(name="Dana Approver")
    with app.app_context():
        account = db.session.scalar(select(BillingAccount).join(AccountHolder).where(AccountHolder.user_id == customer.id))
        account.approval_threshold_cents, account.approver_id = 100, approver.id
        db.session.commit()
    values = checkout_form(customer_client, job)
    page = customer_client.get("/checkout?" + urlencode(list(job.items(multi=True)))).get_data(as_text=True)
    assert "This order waits for approval." in page and "Dana Approver is asked to approve it first" in page
    response = customer_client.post("/checkout", data={**values, "action": "place"})
    confirmation = customer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "It now waits for the budget account's approver." in confirmation
    assert "We promise it for" not in confirmation
    later = customer_client.get(response.headers["Location"]).get_data(as_text=True)
    when = later[later.index('id="promise-heading"'):]
    assert "this is the date if they approve it today" in when[:when.index("</section>")]


def test_an_order_under_the_threshold_says_nothing_of_approval(customer_client, job):
    page = customer_client.get("/checkout?" + urlencode(list(job.items(multi=True)))).get_data(as_text=True)
    assert "waits for approval" not in page


def test_a_double_click_makes_one_order(app, customer_client, job):
    values = {**checkout_form(customer_client, job), "action": "place"}
    first = customer_client.post("/checkout", data=values)
    second = customer_client.post("/checkout", data=values)
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 1


def test_ten_concurrent_checkout_posts_with_one_key_make_one_order(app, customer, job):
    clients = [app.test_client() for _ in range(10)]
    for client in clients:
        client.sign_in(customer)
    values = {**checkout_form(clients[0], job), "action": "place"}
    barrier, locations = threading.Barrier(10, timeout=30), []

    def submit(client):
        data = {**values, "csrf_token": client.csrf_token()}
        barrier.wait()
        locations.append(client.post("/checkout", data=data).headers.get("Location"))

    threads = [threading.Thread(target=submit, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(locations) == 10 and len(set(locations)) == 1 and locations[0].startswith("/orders/")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 1


def test_extra_fields_cannot_set_status_price_or_customer(app, make, customer_client, job):
    other = make.customer()
    values = {**checkout_form(customer_client, job), "action": "place",
              "status": "delivered", "price_cents": "1", "price": "1", "customer_id": str(other.id)}
    customer_client.post("/checkout", data=values)
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert order.status == OrderStatus.RECEIVED
        assert order.price_cents > 1000
        assert order.customer_id != other.id


@pytest.mark.parametrize("field", ["address", "billing_account"])
def test_another_customers_address_or_account_in_the_form_is_refused(app, make, customer_client, job, field):
    stranger = make.customer()
    with app.app_context():
        theirs = {"address": db.session.scalar(select(Address.id).where(Address.user_id == stranger.id)),
                  "billing_account": db.session.scalar(select(AccountHolder.account_id).where(
                      AccountHolder.user_id == stranger.id))}[field]
    values = {**checkout_form(customer_client, job), "action": "place", field: str(theirs)}
    assert customer_client.post("/checkout", data=values).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_an_expired_account_cannot_be_charged_and_says_why(app, make, customer, customer_client, job):
    from datetime import date
    department = customer.memberships[0].department
    expired = make.account(customer, active_until=date(2026, 8, 31), name="Summer institute", department=department)
    page = customer_client.get("/checkout?" + urlencode(list(job.items(multi=True)))).get_data(as_text=True)
    assert "This account expired on August 31, 2026." in page
    reason = re.search(r'<span class="([^"]+)" id="account-%d-reason">([^<]+)<' % expired.id, page)
    assert reason.group(1) == "unusable-reason"  # what to do, not an error of theirs
    assert reason.group(2).endswith(f"Choose another or ask the {department.name} administrator to renew it.")
    assert "None of your budget accounts on file can be charged today" not in page  # the default one can
    values = {**checkout_form(customer_client, job), "action": "place", "billing_account": str(expired.id)}
    response = customer_client.post("/checkout", data=values)
    assert response.status_code == 422
    assert 'id="billing_account-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_when_no_account_on_file_can_be_charged_checkout_says_so_before_placing(app, customer_client, job, customer):
    with app.app_context():
        account = db.session.scalar(select(BillingAccount).join(AccountHolder).where(AccountHolder.user_id == customer.id))
        account.active_until = NOW.date().replace(day=1)
        db.session.commit()
    page = customer_client.get("/checkout?" + urlencode(list(job.items(multi=True)))).get_data(as_text=True)
    assert "None of your budget accounts on file can be charged today" in page
    assert "This account expired on November 1, 2026. Choose another or ask" in page
    assert 'name="billing_account" value="%d" checked' % account.id not in page


def test_a_first_time_customer_adds_an_address_and_account_inline(app, make):
    first_timer = make.customer(on_file=False)
    client = app.test_client()
    client.sign_in(first_timer)
    make.catalog()
    job = job_values("course-pack", [make.stored_file(first_timer)])
    page = client.get("/checkout?" + urlencode(list(job.items(multi=True)))).get_data(as_text=True)
    assert "You have no addresses on file yet" in page
    base = {**dict(job.items()), "idempotency_key": "k-first"}
    bad = client.post("/checkout", data={**base, "action": "add_address", "new_address-kind": "campus",
                                         "new_address-label": "My office", "new_address-recipient": "Me",
                                         "new_address-building": "Day Hall"})
    assert bad.status_code == 422
    assert "Enter the room or mail stop." in bad.get_data(as_text=True)
    assert 'value="Day Hall"' in bad.get_data(as_text=True)
    good = client.post("/checkout", data={**base, "action": "add_address", "new_address-kind": "campus",
                                          "new_address-label": "My office", "new_address-recipient": "Me",
                                          "new_address-building": "Day Hall", "new_address-room": "300"},
                       headers={"HX-Request": "true", "HX-Target": "checkout-form"})
    fragment = good.get_data(as_text=True)
    assert good.status_code == 200 and fragment.lstrip().startswith('<form id="checkout-form"')
    address_id = re.search(r'name="address" value="(\d+)" checked', fragment).group(1)
    department_id = first_timer.memberships[0].department_id
    added = client.post("/checkout", data={**base, "address": address_id, "action": "add_account",
                                           "new_account-code": "10-1234-5678", "new_account-name": "My budget",
                                           "new_account-department": str(department_id)})
    account_id = re.search(r'name="billing_account" value="(\d+)" checked', added.get_data(as_text=True)).group(1)
    placed = client.post("/checkout", data={**base, "address": address_id, "billing_account": account_id,
                                            "action": "place"})
    assert placed.status_code == 303
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert order.ship_to["building"] == "Day Hall" and order.billing["code"] == "10-1234-5678"


def test_a_missed_need_by_date_is_said_before_ordering_with_what_would_meet_it(customer_client, job):
    values = {**checkout_form(customer_client, job), "need_by": "2026-11-24"}
    fragment = customer_client.get("/checkout?" + urlencode(values),
                                   headers={"HX-Request": "true", "HX-Target": "checkout-summary"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="checkout-summary"')
    assert "This date is after your need-by date" in fragment
    assert 'value="use:pickup"' in fragment  # ready Monday; pickup with the day's margin: Tuesday


def test_choosing_a_way_to_meet_the_date_applies_it(app, customer_client, job):
    values = {**checkout_form(customer_client, job), "need_by": "2026-11-24"}
    page = customer_client.post("/checkout", data={**values, "action": "use:pickup"}).get_data(as_text=True)
    assert re.search(r'name="address" value="\d+" checked>\s*<span><strong>Pickup at the shop', page)
    assert "This date is after your need-by date" not in page
    rushed = customer_client.post("/checkout", data={**values, "action": "use:rush"}).get_data(as_text=True)
    assert 'name="rush" value="y"' in rushed


def test_order_page_shows_everything_and_is_private(app, make, customer, customer_client):
    order = make.order(customer)
    page = customer_client.get(f"/orders/{order.number}").get_data(as_text=True)
    for text in (order.number, "Course pack", "LAW 501", "Reading 1", "Myron Taylor Hall", order.billing["code"],
                 "Wednesday, November 25, 2026", "Order placed."):
        assert text in page
    when = page[page.index('id="promise-heading"'):]
    assert "Wednesday, November 25, 2026" in when[:when.index("</section>")]  # its own card, first on a phone
    assert "approve it today" not in page
    stranger = app.test_client()
    stranger.sign_in(make.customer())
    assert stranger.get(f"/orders/{order.number}").status_code == 404
    assert stranger.get(f"/files/{order.files[0].file_id}").status_code == 404
    assert customer_client.get(f"/files/{order.files[0].file_id}").headers["Content-Disposition"].startswith("attachment")


def test_history_page_and_live_search_fragment(make, customer, customer_client):
    order = make.order(customer)
    page = customer_client.get("/orders").get_data(as_text=True)
    assert order.number in page and "<html" in page
    fragment = customer_client.get(f"/orders?q={order.number}",
                                   headers={"HX-Request": "true", "HX-Target": "history-results"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="history-results"') and order.number in fragment
    assert "No orders match" in customer_client.get("/orders?q=zzz").get_data(as_text=True)


def test_the_order_page_folds_reorder_while_the_order_is_on_its_way_and_opens_it_once_delivered(
        make, customer, customer_client):
    make.catalog()
    order = make.order(customer, "flyer")
    folded = customer_client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert '<details class="order-reorder">' in folded and f'id="reorder-{order.number}"' in folded
    assert folded.index("When it arrives") > folded.index("order-reorder")  # in the page, but folded away
    order.status = OrderStatus.DELIVERED
    db.session.commit()
    opened = customer_client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert '<details class="order-reorder" open>' in opened
