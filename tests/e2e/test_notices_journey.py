"""Notices in a real browser: the tracking page opened from an email link without signing in, the
notification centre whose unread count htmx keeps current without reloading, and the other notice
pages; accessibility checked with axe on each."""
import re

import pytest
from playwright.sync_api import expect

from portal.database import utcnow
from portal.extensions import db
from portal.notices import links, services
from portal.notices.models import NoticeStatus
from portal.orders.models import OrderStatus
from tests.e2e.conftest import serious_accessibility_problems, sign_in
from tests.notices_support import approval_token, notices_of


@pytest.fixture
def fast_polling(app):
    saved = app.config["NOTICE_POLL_SECONDS"]
    app.config["NOTICE_POLL_SECONDS"] = 1
    yield
    app.config["NOTICE_POLL_SECONDS"] = saved


def test_anyone_with_the_link_sees_where_an_order_is(page, live_server, make, customer):
    order = make.order(customer, title="Constitutional law readings")
    order.status = OrderStatus.SHIPPED
    services.announce(order, "shipped", now=utcnow(), carrier="UPS", tracking_number="1Z999AA10123456784")
    db.session.commit()
    token = links.sign(order.tracking_token, purpose="tracking", now=utcnow())

    page.goto(f"{live_server}{links.path('notices.track', token=token)}")
    expect(page.get_by_role("heading", name=f"Order {order.number}")).to_be_visible()
    expect(page.get_by_text("Constitutional law readings")).to_be_visible()
    expect(page.get_by_role("link", name="Track it on the UPS website")).to_have_attribute(
        "href", "https://www.ups.com/track?tracknum=1Z999AA10123456784")
    assert order.ship_to["building"] not in page.content() and order.billing["code"] not in page.content()
    assert serious_accessibility_problems(page) == []
    assert page.js_errors == []

    page.goto(f"{live_server}/track/{order.tracking_token}")          # the raw token is not a link
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()


def test_the_notification_centre_keeps_its_count_current_without_reloading(page, live_server, make, customer,
                                                                            fast_polling):
    make.order(customer, title="Week one readings")
    make.order(customer, title="Week two readings")
    sign_in(page, live_server, customer)
    notices_link = page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("^Notices"))
    expect(notices_link).to_have_text(re.compile(r"Notices\s*2 unread"))

    notices_link.click()
    page.wait_for_url(re.compile(r"/notices$"))
    page.evaluate("window.stillTheSamePage = true")
    problems = {"centre": serious_accessibility_problems(page)}

    page.get_by_role("button", name=re.compile("Mark as read.*Week two readings")).click()
    expect(notices_link).to_have_text(re.compile(r"Notices\s*1 unread"))
    expect(page.get_by_role("button", name=re.compile("Mark as read.*Week two readings"))).to_have_count(0)

    make.order(customer, title="Week three readings")                 # something happens meanwhile
    expect(notices_link).to_have_text(re.compile(r"Notices\s*2 unread"), timeout=10_000)

    page.get_by_role("button", name="Mark all as read").click()
    expect(notices_link).to_have_text(re.compile(r"^\s*Notices\s*$"))
    assert page.evaluate("window.stillTheSamePage") is True          # all of it without a reload

    page.get_by_role("link", name="Notice preferences").click()
    page.wait_for_url(re.compile(r"/notices/preferences$"))
    problems["preferences"] = serious_accessibility_problems(page)
    page.get_by_label("Email: Shipped").uncheck()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_text("Your notice preferences are saved.")).to_be_visible()
    expect(page.get_by_label("Email: Shipped")).not_to_be_checked()
    assert {name: found for name, found in problems.items() if found} == {}
    assert page.js_errors == [], "\n".join(page.js_errors)


def test_an_approver_approves_from_the_emailed_link(page, live_server, make):
    approver = make.user(name="Daniel Reyes")
    customer = make.customer(on_file=False)
    make.address(customer, is_default=True)
    account = make.account(customer, is_default=True, approval_threshold_cents=100, approver_id=approver.id)
    order = make.order(customer, account=account, now=utcnow())

    page.goto(f"{live_server}/approvals/{approval_token(order)}?decision=approve")
    problems = serious_accessibility_problems(page)
    page.get_by_role("button", name=f"Approve order {order.number}").click()
    expect(page.get_by_role("heading", name="Approved")).to_be_visible()
    db.session.rollback()   # end the test's read transaction: see what the server committed
    assert order.status == OrderStatus.RECEIVED
    assert problems == [] and page.js_errors == []


def test_staff_resend_a_failed_email_in_place(page, live_server, make, customer):
    order = make.order(customer)
    [email] = notices_of(order)
    email.status, email.last_error = NoticeStatus.FAILED, "550 5.1.1 No such mailbox"
    db.session.commit()
    staff = make.staff()
    sign_in(page, live_server, staff)
    page.goto(f"{live_server}/staff/orders/{order.number}/notices")
    problems = serious_accessibility_problems(page)
    page.get_by_role("button", name=re.compile("Resend")).click()
    expect(page.get_by_text("will be sent again")).to_be_visible()
    expect(page.get_by_text("Waiting to send")).to_be_visible()
    assert problems == [] and page.js_errors == []
