"""One-click reorder: the same job again at today's price with a fresh promise; exactly once."""
import re
import threading
from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from portal.billing.models import BillingAccount
from portal.catalog.models import Product
from portal.documents import storage
from portal.extensions import db
from portal.orders import reorders
from portal.orders.models import Order, OrderStatus
from tests.factories import NOW

HTMX = {"HX-Request": "true"}
LATER = NOW + timedelta(days=60)  # Friday 2027-01-22: a new term, new prices possible


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(LATER, tick=False) as traveller:
        yield traveller


@pytest.fixture
def past(make, customer):
    return make.order(customer)


def orders_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Order))


def key_in(page: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page).group(1)


def test_one_click_makes_the_same_job_at_todays_price_with_a_fresh_promise(app, make, customer, customer_client, past):
    with app.app_context():  # the shop raised the price of coil binding since
        product = db.session.scalar(select(Product).where(Product.slug == "course-pack"))
        next(c for o in product.options for c in o.choices if c.code == "coil").per_copy_cents = 300
        db.session.commit()
    page = customer_client.get(f"/orders/{past.number}").get_data(as_text=True)
    response = customer_client.post(f"/orders/{past.number}/reorder", data={"idempotency_key": key_in(page)},
                                    headers=HTMX)
    panel = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.match(rf'\s*<div class="reorder notice notice-ok"\s+id="reorder-{past.number}"', panel)
    assert "Cancel order" in panel and "order-placed" in response.headers["HX-Trigger"]
    with app.app_context():
        again = db.session.scalar(select(Order).where(Order.source_order_id == past.id))
        assert again.quantity == past.quantity and again.options == past.options
        assert [f.file_id for f in again.files] == [f.file_id for f in past.files]  # files reused, not copied
        assert again.price_cents == past.price_cents + 40 * 75                       # re-priced today
        assert again.promise_date > past.promise_date
        assert again.promise_date.strftime("%B %-d, %Y") in panel
        assert again.term == "Spring 2027"                                             # term still current
        assert again.ship_to == past.ship_to and again.billing == past.billing


def test_a_double_click_or_retry_makes_one_order(app, customer_client, past):
    key = key_in(customer_client.get(f"/orders/{past.number}").get_data(as_text=True))
    first = customer_client.post(f"/orders/{past.number}/reorder", data={"idempotency_key": key})
    second = customer_client.post(f"/orders/{past.number}/reorder", data={"idempotency_key": key})
    assert first.headers["Location"] == second.headers["Location"]
    assert orders_count(app) == 2


def test_ten_concurrent_reorders_with_one_key_make_one_order(app, customer, past):
    clients = [app.test_client() for _ in range(10)]
    for client in clients:
        client.sign_in(customer)
    key = key_in(clients[0].get(f"/orders/{past.number}").get_data(as_text=True))
    barrier, locations = threading.Barrier(10, timeout=30), []

    def reorder(client):
        data = {"idempotency_key": key, "csrf_token": client.csrf_token()}
        barrier.wait()
        locations.append(client.post(f"/orders/{past.number}/reorder", data=data).headers.get("Location"))

    threads = [threading.Thread(target=reorder, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(locations) == 10 and len(set(locations)) == 1 and locations[0].startswith("/orders/")
    assert orders_count(app) == 2


def test_cancel_within_the_window_and_not_after(app, customer_client, past, frozen_clock):
    key = key_in(customer_client.get(f"/orders/{past.number}").get_data(as_text=True))
    customer_client.post(f"/orders/{past.number}/reorder", data={"idempotency_key": key}, headers=HTMX)
    with app.app_context():
        again = db.session.scalar(select(Order).where(Order.source_order_id == past.id))
    panel = customer_client.post(f"/orders/{again.number}/cancel", data={"panel": past.number}, headers=HTMX)
    assert "is cancelled. Nothing will be charged." in panel.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Order, again.id).status == OrderStatus.CANCELLED
    key = key_in(customer_client.get(f"/orders/{past.number}").get_data(as_text=True))
    customer_client.post(f"/orders/{past.number}/reorder", data={"idempotency_key": key})
    frozen_clock.shift(timedelta(minutes=16))
    with app.app_context():
        late = db.session.scalar(select(Order).where(Order.source_order_id == past.id,
                                                     Order.status == OrderStatus.RECEIVED))
    customer_client.post(f"/orders/{late.number}/cancel")
    with app.app_context():
        assert db.session.get(Order, late.id).status == OrderStatus.RECEIVED


def test_an_expired_account_is_named_and_fixed_in_place_with_one_more_click(app, make, customer, customer_client, past):
    with app.app_context():
        db.session.get(BillingAccount, past.billing_account_id).active_until = date(2026, 12, 31)
        db.session.commit()
    spare = make.account(customer, name="Teaching fund", department=customer.memberships[0].department)
    key = key_in(customer_client.get(f"/orders/{past.number}").get_data(as_text=True))
    panel = customer_client.post(f"/orders/{past.number}/reorder", data={"idempotency_key": key}, headers=HTMX)
    text = panel.get_data(as_text=True)
    assert "This account expired on December 31, 2026." in text and "Teaching fund" in text
    assert orders_count(app) == 1  # nothing half-created
    fixed = customer_client.post(f"/orders/{past.number}/reorder", headers=HTMX,
                                 data={"idempotency_key": key, "billing_account": str(spare.id)})
    assert "Reordered as" in fixed.get_data(as_text=True)
    with app.app_context():
        again = db.session.scalar(select(Order).where(Order.source_order_id == past.id))
        assert again.billing_account_id == spare.id


def test_a_price_above_the_threshold_says_so_and_can_be_sent_for_approval(app, make, customer, customer_client, past):
    with app.app_context():
        account = db.session.get(BillingAccount, past.billing_account_id)
        account.approval_threshold_cents, account.approver_id = 100, make.user(name="Ann Approver").id
        db.session.commit()
    key = key_in(customer_client.get(f"/orders/{past.number}").get_data(as_text=True))
    text = customer_client.post(f"/orders/{past.number}/reorder", data={"idempotency_key": key},
                                headers=HTMX).get_data(as_text=True)
    assert "it will wait for Ann Approver to approve it" in text
    customer_client.post(f"/orders/{past.number}/reorder", headers=HTMX,
                         data={"idempotency_key": key, "send_for_approval": "1"})
    with app.app_context():
        again = db.session.scalar(select(Order).where(Order.source_order_id == past.id))
        assert again.status == OrderStatus.AWAITING_APPROVAL


def test_a_missing_file_is_uploaded_again_in_place(app, customer_client, past):
    from io import BytesIO

    from tests.factories import pdf_bytes

    with app.app_context():
        storage.delete(db.session.get(Order, past.id).files[0].file.storage_key)
    key = key_in(customer_client.get(f"/orders/{past.number}").get_data(as_text=True))
    text = customer_client.post(f"/orders/{past.number}/reorder", data={"idempotency_key": key},
                                headers=HTMX).get_data(as_text=True)
    assert "We no longer have “Reading 1”" in text
    file_id = past.files[0].file_id
    fixed = customer_client.post(f"/orders/{past.number}/reorder", headers=HTMX, content_type="multipart/form-data",
                                 data={"idempotency_key": key, f"replace-{file_id}": (BytesIO(pdf_bytes(12)), "r1.pdf")})
    assert "Reordered as" in fixed.get_data(as_text=True)
    assert orders_count(app) == 2


def test_a_retired_product_cannot_be_reordered_and_says_what_to_do(app, customer_client, past):
    with app.app_context():
        db.session.scalar(select(Product).where(Product.slug == "course-pack")).active = False
        db.session.commit()
    key = key_in(customer_client.get(f"/orders/{past.number}").get_data(as_text=True))
    response = customer_client.post(f"/orders/{past.number}/reorder", data={"idempotency_key": key})
    assert response.status_code == 422
    assert "no longer take course pack orders online" in response.get_data(as_text=True)
    assert orders_count(app) == 1


def test_another_customers_order_or_account_in_a_reorder_answers_404(app, make, customer, customer_client, past):
    stranger = make.customer()
    theirs = make.order(stranger)
    assert customer_client.post(f"/orders/{theirs.number}/reorder", data={}).status_code == 404
    their_account = make.account(stranger)
    response = customer_client.post(f"/orders/{past.number}/reorder",
                                    data={"idempotency_key": "k", "billing_account": str(their_account.id)})
    assert response.status_code == 404
    assert orders_count(app) == 2


def test_reorder_with_changes_opens_the_configurator_prefilled(customer_client, past):
    response = customer_client.get(f"/orders/{past.number}/reorder-with-changes")
    assert response.status_code == 302
    page = customer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Reordering <a href=\"/orders/{past.number}\">order {past.number}</a> with changes" in page
    assert 'value="LAW 501"' in page and 'value="Reading 1"' in page


def test_home_greets_and_offers_buy_again_with_todays_price_and_date(make, customer, customer_client, past):
    make.order(customer)
    page = customer_client.get("/").get_data(as_text=True)
    assert f"Hello, {customer.first_name}" in page and "Buy again" in page
    assert "LAW 501 course pack" in page and re.search(r"Today \$[\d,]+\.\d\d · arrives", page)


@pytest.mark.parametrize("original, terms, term", [
    ("Spring 2027", ("Spring 2027", "Summer 2027", "Fall 2027", "Spring 2028"), "Spring 2027"),  # still current
    ("Fall 2025", ("Fall 2026", "Spring 2027", "Summer 2027", "Fall 2027"), "Fall 2026"),  # the next of its season
    ("Spring 2026", ("Fall 2026", "Spring 2027", "Summer 2027", "Fall 2027"), "Spring 2027"),
    ("Summer 2026", ("Spring 2027", "Summer 2027", "Fall 2027", "Spring 2028"), "Summer 2027"),
    ("Winter Intersession 2026", ("Fall 2026", "Winter Intersession 2027", "Spring 2027"), "Winter Intersession 2027"),
    ("Summer 2026", ("Fall 2026", "Spring 2027"), "Fall 2026"),  # its season not open yet: the current term
    ("Fall 2025", (), None),
])
def test_reorder_term(original, terms, term):
    from portal.catalog.rules import reorder_term

    assert reorder_term(original, terms) == term


def test_buy_again_lists_most_ordered_jobs_first(ctx, make, customer):
    pack = make.order(customer)
    make.order(customer)
    flyer = make.order(customer, "flyer")
    found = reorders.buy_again(customer)
    assert [o.title for o in found] == [pack.title, flyer.title]


def test_a_course_pack_reorder_asks_the_term_and_places_the_one_chosen(app, customer_client, past):
    page = customer_client.get(f"/orders/{past.number}").get_data(as_text=True)
    panel = page[page.index(f'id="reorder-{past.number}"'):]
    assert f'<select id="reorder-{past.number}-term" name="term"' in panel
    assert '<option value="Spring 2027" selected>' in panel and '<option value="Fall 2027">' in panel
    assert f"Last time: {past.term}." in panel
    assert "Rush the reorder" not in panel  # it was not rushed
    response = customer_client.post(f"/orders/{past.number}/reorder",
                                    data={"idempotency_key": key_in(page), "term": "Fall 2027"})
    assert response.status_code == 303
    with app.app_context():
        again = db.session.scalar(select(Order).where(Order.source_order_id == past.id))
        assert again.term == "Fall 2027" and again.title == "LAW 501 course pack, Fall 2027"


def test_a_rushed_job_is_not_rushed_again_unless_the_customer_says_so(app, make, customer, customer_client):
    rushed = make.order(customer, "flyer", rush="y", quantity="100")
    page = customer_client.get(f"/orders/{rushed.number}").get_data(as_text=True)
    panel = page[page.index(f'id="reorder-{rushed.number}"'):]
    assert "Rush the reorder (+50%)" in panel and "Last time was rushed." in panel
    assert f'id="reorder-{rushed.number}-rush" name="rush" value="y" checked' not in panel  # asked, not ticked
    assert "<select" not in panel[:panel.index("</form>")]  # not a course pack: no term to ask
    plain = customer_client.post(f"/orders/{rushed.number}/reorder", data={"idempotency_key": key_in(page)})
    second = customer_client.get(f"/orders/{rushed.number}").get_data(as_text=True)
    again = customer_client.post(f"/orders/{rushed.number}/reorder", data={"idempotency_key": key_in(second), "rush": "y"})
    assert plain.status_code == again.status_code == 303
    with app.app_context():
        plain_order, rushed_again = db.session.scalars(select(Order).where(Order.source_order_id == rushed.id)
                                                       .order_by(Order.id)).all()
        assert not plain_order.rush and not any(label.startswith("Rush") for label, _ in plain_order.price_lines)
        assert rushed_again.rush and rushed_again.price_lines[-1][0] == "Rush, +50%"
        assert rushed_again.price_cents > plain_order.price_cents


def test_choosing_rush_in_the_panel_reprices_it_before_anything_is_placed(app, make, customer, customer_client):
    rushed = make.order(customer, "flyer", rush="y", quantity="100")
    plain = customer_client.get(f"/orders/{rushed.number}/reorder", headers=HTMX).get_data(as_text=True)
    ticked = customer_client.get(f"/orders/{rushed.number}/reorder?rush=y", headers=HTMX).get_data(as_text=True)
    price = re.compile(r"Today (\$[\d,.]+) · arrives")
    assert plain.lstrip().startswith('<div class="reorder"') and f'id="reorder-{rushed.number}"' in plain
    assert price.search(plain).group(1) != price.search(ticked).group(1)
    assert 'name="rush" value="y" checked' in ticked
    whole = customer_client.get(f"/orders/{rushed.number}/reorder?rush=y")  # without JavaScript: the order page
    assert "<html" in whole.get_data(as_text=True) and price.search(whole.get_data(as_text=True))
    assert orders_count(app) == 1


def test_a_course_pack_in_the_history_list_is_reordered_from_its_page_where_the_term_is_asked(
        customer_client, past, make, customer):
    flyer = make.order(customer, "flyer")
    rows = customer_client.get("/orders").get_data(as_text=True)
    pack = rows[rows.index(f'id="reorder-{past.number}"'):]
    assert pack[:pack.index("</div>")].count(f'href="/orders/{past.number}#reorder-{past.number}"') == 1
    plain = rows[rows.index(f'id="reorder-{flyer.number}"'):]
    assert f'action="/orders/{flyer.number}/reorder"' in plain[:plain.index("</form>")]  # one click, nothing to ask
