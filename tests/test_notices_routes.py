"""The notice pages over HTTP: the notification centre and its count, preferences, the tracking
page, the satisfaction check, approval links, and the staff's view of an order's notices."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import event

from portal import create_app
from portal.extensions import db
from portal.notices import links, services
from portal.notices.models import NoticeStatus
from portal.notices.rules import Channel, NoticeKind
from portal.orders.models import OrderStatus
from tests.factories import NOW
from tests.notices_support import approval_token, notices_of, tracking_path

HTMX = {"HX-Request": "true"}


@pytest.fixture
def frozen():
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        yield


class QueryCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args):
        self.count += 1


def queries_for(client, url: str) -> int:
    with QueryCounter(db.engine) as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_the_navigation_shows_the_unread_count_and_htmx_keeps_it_current(make, customer, customer_client):
    make.order(customer)
    make.order(customer)
    page = customer_client.get("/").get_data(as_text=True)
    assert re.search(r'id="nav-notices"[^>]*hx-get="/notices/unread"[^>]*hx-trigger="every 60s', page)
    assert 'href="/notices"' in page and 'data-unread="2"' in page

    fragment = customer_client.get("/notices/unread", headers=HTMX)
    assert fragment.status_code == 200 and fragment.get_data(as_text=True).lstrip().startswith("<li")
    assert 'data-unread="2"' in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]
    assert customer_client.get("/notices/unread").headers["Location"] == "/notices"   # a plain visit: the centre


def test_the_unread_count_stops_polling_when_signed_out(client):
    assert client.get("/notices/unread", headers=HTMX).status_code == 286


def test_the_notification_centre_lists_only_your_notices_and_marks_them_read(make, customer, customer_client):
    order = make.order(customer, title="Readings for week one")
    make.order(make.customer(), title="Somebody else's job")
    page = customer_client.get("/notices").get_data(as_text=True)
    assert "Readings for week one" in page and "Somebody else" not in page
    [notice] = notices_of(order, Channel.PORTAL)

    response = customer_client.post(f"/notices/{notice.id}/read", headers=HTMX)
    assert response.status_code == 200 and "notices-read" in response.headers["HX-Trigger"]
    assert f'id="notice-{notice.id}"' in response.get_data(as_text=True) and "Mark as read" not in response.get_data(as_text=True)
    assert 'data-unread' not in customer_client.get("/notices/unread", headers=HTMX).get_data(as_text=True)


def test_marking_read_works_without_javascript(make, customer, customer_client):
    make.order(customer)
    make.order(customer)
    notice = notices_of(make.order(customer), Channel.PORTAL)[0]
    response = customer_client.post(f"/notices/{notice.id}/read")
    assert response.status_code == 303 and response.headers["Location"].startswith("/notices")
    assert services.unread_count(customer) == 2
    assert customer_client.post("/notices/read").status_code == 303
    assert services.unread_count(customer) == 0


def test_another_customers_notice_answers_404(make, customer_client):
    stranger = make.customer()
    notice = notices_of(make.order(stranger), Channel.PORTAL)[0]
    assert customer_client.post(f"/notices/{notice.id}/read").status_code == 404
    assert services.unread_count(stranger) == 1


def test_marking_read_needs_the_csrf_token(make, customer, customer_client):
    notice = notices_of(make.order(customer), Channel.PORTAL)[0]
    assert customer_client.post(f"/notices/{notice.id}/read", csrf=False).status_code == 400
    assert services.unread_count(customer) == 1


def test_the_centre_pages_with_a_fixed_number_of_queries(make, customer, customer_client):
    make.order(customer)
    few = queries_for(customer_client, "/notices")
    for _ in range(30):
        make.order(customer)
    assert queries_for(customer_client, "/notices") == few
    assert "Page 1 of 2" in customer_client.get("/notices").get_data(as_text=True)


def test_preferences_are_saved_and_respected(make, customer, customer_client):
    page = customer_client.get("/notices/preferences").get_data(as_text=True)
    assert re.search(r'value="shipped:email"\s+checked', page) and "Always sent" in page
    wanted = [f"{kind}:{channel}" for kind in ("received", "shipped", "delivered", "delay", "ready_for_pickup",
                                              "out_for_delivery") for channel in ("email", "portal")]
    wanted.remove("shipped:email")
    response = customer_client.post("/notices/preferences", data={"wanted": wanted + ["proof_ready:bogus"]})
    assert response.status_code == 303
    saved = customer_client.get("/notices/preferences").get_data(as_text=True)
    assert not re.search(r'value="shipped:email"\s+checked', saved) and re.search(r'value="shipped:portal"\s+checked', saved)
    order = make.order(customer)
    services.announce(order, "shipped", now=NOW, carrier="UPS", tracking_number="1Z")
    db.session.commit()
    assert [n.kind.value for n in notices_of(order)] == ["received"]


def test_the_tracking_page_shows_status_only_without_signing_in(make, customer, client, frozen):
    order = make.order(customer, title="Spring readings")
    services.announce(order, "shipped", now=NOW, carrier="UPS", tracking_number="1Z999AA10123456784")
    db.session.commit()
    response = client.get(tracking_path(order, now=NOW))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert order.number in page and "Spring readings" in page and order.status.label in page
    assert order.promise_date.strftime("%A, %B %-d, %Y") in page
    assert "1Z999AA10123456784" in page and "https://www.ups.com/track?tracknum=1Z999AA10123456784" in page
    assert response.headers["Cache-Control"] == "no-store" and "noindex" in response.headers["X-Robots-Tag"]
    # Nothing private: no address, price, budget account or the customer's email.
    for private in (order.ship_to["building"], order.ship_to["room"], order.billing["code"], order.billing["name"],
                    f"{order.price_cents // 100:,}", customer.email):
        assert private not in page, private


def test_a_date_sooner_than_promised_is_good_news_and_a_later_one_a_warning(make, customer, client, frozen):
    order = make.order(customer)
    order.expected_date = order.promise_date - timedelta(days=1)
    db.session.commit()
    page = client.get(tracking_path(order, now=NOW)).get_data(as_text=True)
    assert 'class="notices-early">Now expected sooner' in page and "notices-late" not in page
    order.expected_date = order.promise_date + timedelta(days=2)
    db.session.commit()
    assert 'class="notices-late">Now expected' in client.get(tracking_path(order, now=NOW)).get_data(as_text=True)


@pytest.mark.parametrize("case", ["wrong", "forged", "expired", "not a token"])
def test_wrong_or_expired_tracking_links_answer_404(make, customer, client, case):
    order = make.order(customer)
    paths = {
        "wrong": links.path("notices.track", token=links.sign("nope", purpose="tracking", now=NOW)),
        "forged": tracking_path(order, now=NOW)[:-2] + "xx",
        "expired": tracking_path(order, now=NOW - timedelta(days=181)),
        "not a token": f"/track/{order.tracking_token}",
    }
    with time_machine.travel(NOW, tick=False):
        assert client.get(paths[case]).status_code == 404


def test_tracking_lookups_are_rate_limited_across_processes(make, customer, client, app, frozen):
    """The count lives in the database: a second app (another process would be the same) shares it."""
    order = make.order(customer)
    path = tracking_path(order, now=NOW)
    other = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SERVER_NAME": None})
    other_client = other.test_client()
    limit = app.config["TRACKING_LOOKUPS_PER_WINDOW"]
    answers = [(client if n % 2 else other_client).get(path if n % 3 else "/track/guess").status_code
               for n in range(limit)]
    assert set(answers) == {200, 404}
    assert client.get(path).status_code == 429 and other_client.get(path).status_code == 429
    assert client.get(path).headers["Retry-After"] == str(app.config["TRACKING_WINDOW_SECONDS"])
    with other.app_context():
        db.engine.dispose()


def test_the_satisfaction_check_records_an_answer_with_a_post(make, customer, client, frozen):
    order = make.order(customer)
    token = links.sign(order.tracking_token, purpose="satisfaction", now=NOW)
    page = client.get(f"/satisfaction/{token}?answer=5")
    assert page.status_code == 200 and re.search(r'<input checked[^>]*value="5"', page.get_data(as_text=True))
    db.session.expire_all()
    assert order.satisfaction is None                       # opening the link records nothing
    response = client.post(f"/satisfaction/{token}", data={"answer": "5"})
    assert response.status_code == 200 and "Thank you" in response.get_data(as_text=True)
    db.session.expire_all()
    assert order.satisfaction == 5
    assert client.post(f"/satisfaction/{token}", data={"answer": "9"}).status_code == 422
    assert client.get(f"/satisfaction/{token[:-2]}xx").status_code == 404


@pytest.fixture
def waiting_order(make):
    approver = make.user(name="Daniel Reyes")
    customer = make.customer(on_file=False)
    make.address(customer, is_default=True)
    account = make.account(customer, is_default=True, approval_threshold_cents=100, approver_id=approver.id)
    return make.order(customer, account=account)


def test_an_approval_link_shows_a_confirmation_and_only_a_post_approves(waiting_order, client, frozen):
    path = f"/approvals/{approval_token(waiting_order)}"
    page = client.get(path + "?decision=approve")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and f"Approve order {waiting_order.number}" in text and 'method="post"' in text
    assert page.headers["Cache-Control"] == "no-store"
    db.session.expire_all()
    assert waiting_order.status == OrderStatus.AWAITING_APPROVAL   # a link scanner's GET changed nothing

    response = client.post(path, data={"decision": "approve"})
    assert response.status_code == 200 and "Approved" in response.get_data(as_text=True)
    db.session.expire_all()
    assert waiting_order.status == OrderStatus.RECEIVED

    reused = client.post(path, data={"decision": "decline", "reason": "No"})
    assert reused.status_code == 409 and "Approved" in reused.get_data(as_text=True)
    db.session.expire_all()
    assert waiting_order.status == OrderStatus.RECEIVED


def test_declining_from_the_link_needs_a_reason_and_keeps_what_was_typed(waiting_order, client, frozen):
    path = f"/approvals/{approval_token(waiting_order)}"
    refused = client.post(path, data={"decision": "decline", "reason": ""})
    assert refused.status_code == 422 and "Say why" in refused.get_data(as_text=True)
    response = client.post(path, data={"decision": "decline", "reason": "Use the <b>grant</b> account"})
    assert response.status_code == 200 and "Use the &lt;b&gt;grant&lt;/b&gt; account" in response.get_data(as_text=True)
    db.session.expire_all()
    assert waiting_order.status == OrderStatus.CANCELLED
    assert [n.kind for n in notices_of(waiting_order) if n.recipient_id == waiting_order.customer_id] == [
        NoticeKind.DECLINED]


def test_expired_and_forged_approval_links(waiting_order, client, app):
    path = f"/approvals/{approval_token(waiting_order)}"
    with time_machine.travel(NOW + timedelta(days=app.config["APPROVAL_LINK_DAYS"] + 1), tick=False):
        assert client.get(path).status_code == 410
        assert client.post(path, data={"decision": "approve"}).status_code == 410
    with time_machine.travel(NOW, tick=False):
        assert client.get(path[:-3] + "abc").status_code == 404
        assert client.post(path[:-3] + "abc", data={"decision": "approve"}).status_code == 404
    db.session.expire_all()
    assert waiting_order.status == OrderStatus.AWAITING_APPROVAL


def test_staff_see_every_notice_of_an_order_with_its_delivery(make, customer, staff_client, client, customer_client):
    order = make.order(customer)
    services.save_preferences(customer, wanted=set())
    services.announce(order, "delivered", now=NOW)
    db.session.commit()
    page = staff_client.get(f"/staff/orders/{order.number}/notices").get_data(as_text=True)
    assert "Order received" in page and "Waiting to send" in page and customer.email in page
    assert "Delivered" in page and "Nobody was told" in page
    assert notices_of(order)[0].message_id.strip("<>") in page
    assert customer_client.get(f"/staff/orders/{order.number}/notices").status_code == 404
    assert customer_client.get("/staff/notices/failed").status_code == 404
    assert client.get(f"/staff/orders/{order.number}/notices").status_code == 302
    assert staff_client.get("/staff/orders/99-99999/notices").status_code == 404


def test_customers_cannot_resend(make, customer, customer_client):
    [email] = notices_of(make.order(customer))
    email.status = NoticeStatus.FAILED
    db.session.commit()
    assert customer_client.post(f"/staff/notices/{email.id}/resend").status_code == 404
    assert notices_of(email.order)[0].status == NoticeStatus.FAILED


def test_resend_without_javascript_goes_back_to_the_order(make, customer, staff_client):
    order = make.order(customer)
    [email] = notices_of(order)
    email.status = NoticeStatus.FAILED
    db.session.commit()
    response = staff_client.post(f"/staff/notices/{email.id}/resend")
    assert response.status_code == 303 and response.headers["Location"] == f"/staff/orders/{order.number}/notices"
    assert notices_of(order)[0].status == NoticeStatus.PENDING
    again = staff_client.post(f"/staff/notices/{email.id}/resend", data={"back": "failed"})
    assert again.status_code == 303 and again.headers["Location"] == "/staff/notices/failed"


def test_staff_notice_pages_use_a_fixed_number_of_queries(make, customer, staff_client):
    order = make.order(customer)
    few = queries_for(staff_client, f"/staff/orders/{order.number}/notices")
    for n in range(30):
        services.announce(order, "shipped", now=NOW, carrier="UPS", tracking_number=f"1Z{n}")
    for notice in notices_of(order):
        notice.status = NoticeStatus.FAILED
    db.session.commit()
    assert queries_for(staff_client, f"/staff/orders/{order.number}/notices") == few
    failed_few = queries_for(staff_client, "/staff/notices/failed")
    for n in range(5):
        [email] = notices_of(make.order(customer))
        email.status = NoticeStatus.FAILED
    db.session.commit()
    assert queries_for(staff_client, "/staff/notices/failed") == failed_few


def test_the_order_page_offers_a_tracking_link_to_share(make, customer, customer_client, staff_client, client, frozen):
    order = make.order(customer)
    page = customer_client.get(f"/orders/{order.number}").get_data(as_text=True)
    link = re.search(r'href="http://portal\.test(/track/[^"]+)">this tracking link', page).group(1)
    assert client.get(link).status_code == 200
    assert "Notices sent about this order" not in page
    assert f"/staff/orders/{order.number}/notices" in staff_client.get(f"/orders/{order.number}").get_data(as_text=True)
