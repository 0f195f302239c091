"""The outbox without HTTP: what announce() writes, preferences, approvals, delays, satisfaction,
and tracking tokens."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.failures import Conflict, NotAllowed, ValidationFailed
from portal.notices import approvals, links, services, tracking
from portal.notices.links import LinkExpired
from portal.notices.models import Announcement, ApprovalRequest, Notice, NoticeStatus
from portal.notices.rules import Channel, Decision, NoticeKind
from portal.orders.models import OrderEvent, OrderStatus
from tests.factories import NOW
from tests.notices_support import approval_token, notices_of


def announcements(order, kind: str) -> list[Announcement]:
    return list(db.session.scalars(select(Announcement).where(Announcement.order_id == order.id,
                                                              Announcement.kind == NoticeKind(kind))))


def kinds_of(order, channel=Channel.EMAIL) -> list[str]:
    return [notice.kind.value for notice in notices_of(order, channel)]


@pytest.fixture
def approver(make):
    return make.user(name="Daniel Reyes")


@pytest.fixture
def waiting_order(make, approver):
    """An order above its account's approval threshold, waiting for the approver."""
    customer = make.customer(on_file=False)
    make.address(customer, is_default=True)
    account = make.account(customer, is_default=True, approval_threshold_cents=100, approver_id=approver.id)
    return make.order(customer, account=account)


def test_placing_an_order_tells_the_customer_it_is_received_with_the_promised_date(make, customer):
    order = make.order(customer)
    [email] = notices_of(order)
    [portal] = notices_of(order, Channel.PORTAL)
    assert email.kind == portal.kind == NoticeKind.RECEIVED
    assert email.recipient_id == portal.recipient_id == customer.id
    assert email.status == NoticeStatus.PENDING and email.to_address == customer.email and email.message_id
    assert portal.status == NoticeStatus.SENT and portal.read_at is None and portal.message_id is None
    assert order.promise_date.strftime("%A, %B %-d, %Y") in email.body_text
    assert f"/orders/{order.number}" == portal.link


def test_an_order_above_the_threshold_asks_the_approver_and_tells_the_customer_nothing_yet(waiting_order, approver):
    assert waiting_order.status == OrderStatus.AWAITING_APPROVAL
    notices = notices_of(waiting_order) + notices_of(waiting_order, Channel.PORTAL)
    assert {(n.kind, n.recipient_id) for n in notices} == {(NoticeKind.APPROVAL_NEEDED, approver.id)}
    assert len(notices) == 2
    assert db.session.scalar(select(ApprovalRequest.approver_id)) == approver.id


def test_the_same_event_announced_twice_writes_one_announcement(make, customer):
    order = make.order(customer)
    first = services.announce(order, "shipped", now=NOW, carrier="UPS", tracking_number="1Z1")
    db.session.commit()
    again = services.announce(order, "shipped", now=NOW + timedelta(minutes=5), carrier="UPS", tracking_number="1Z1")
    db.session.commit()
    assert first is not None and again is None
    assert len(announcements(order, "shipped")) == 1 and kinds_of(order).count("shipped") == 1
    # Another shipment (another tracking number) is another event.
    assert services.announce(order, "shipped", now=NOW, carrier="UPS", tracking_number="1Z2") is not None
    assert kinds_of(order).count("shipped") == 2


def test_a_repeat_in_a_transaction_of_its_own_does_not_break_the_callers_change(make, customer):
    order = make.order(customer)
    services.announce(order, "ready_for_pickup", now=NOW)
    db.session.commit()
    order.status = OrderStatus.READY
    services.announce(order, "ready_for_pickup", now=NOW)  # the dedup key is taken: nothing, and no error
    db.session.commit()
    db.session.expire_all()
    assert order.status == OrderStatus.READY and kinds_of(order).count("ready_for_pickup") == 1


def test_an_unknown_kind_is_refused(make, customer):
    order = make.order(customer)
    with pytest.raises(ValueError, match="unknown notice kind"):
        services.announce(order, "launched", now=NOW)


def test_preferences_choose_the_channels_per_kind(make, customer):
    services.save_preferences(customer, wanted={("shipped", "portal"), ("received", "email"),
                                                ("received", "portal")})
    db.session.commit()
    order = make.order(customer)
    services.announce(order, "shipped", now=NOW, carrier="UPS", tracking_number="1Z")
    services.announce(order, "delivered", now=NOW)
    services.announce(order, "proof_ready", now=NOW)   # action needed: sent whatever the preferences
    db.session.commit()
    assert kinds_of(order) == ["received", "proof_ready"]
    assert kinds_of(order, Channel.PORTAL) == ["received", "shipped", "proof_ready"]
    # The delivery was still announced (staff see it was not sent: turned off).
    assert len(announcements(order, "delivered")) == 1


def test_saved_preferences_cannot_turn_off_notices_that_need_action(customer, make):
    services.save_preferences(customer, wanted=set())
    db.session.commit()
    assert ("proof_ready", "email") not in services.turned_off(customer)
    assert ("shipped", "email") in services.turned_off(customer)


def test_tracking_tokens_are_random_and_not_derived_from_the_order(make, customer):
    orders = [make.order(customer) for _ in range(3)]
    tokens = [order.tracking_token for order in orders]
    assert len(set(tokens)) == 3 and all(len(token) >= 32 for token in tokens)
    assert not any(str(order.id) in token and order.number in token for order, token in zip(orders, tokens))


def test_a_tracking_link_opens_the_tracking_view_without_private_details(make, customer):
    order = make.order(customer)
    services.announce(order, "shipped", now=NOW, carrier="UPS", tracking_number="1Z999")
    order.events.append(OrderEvent(at=NOW, message="Internal: customer is difficult", public=False))
    db.session.commit()
    token = links.sign(order.tracking_token, purpose="tracking", now=NOW)
    view = tracking.lookup(token, client="198.51.100.7", now=NOW + timedelta(days=3))
    assert (view.number, view.status, view.promise_date) == (order.number, order.status, order.promise_date)
    assert (view.carrier, view.tracking_number) == ("UPS", "1Z999") and "ups.com" in view.carrier_url
    assert all("Internal" not in step.message for step in view.steps)
    assert not hasattr(view, "ship_to") and not hasattr(view, "billing") and not hasattr(view, "price_cents")


@pytest.mark.parametrize("token, later", [
    ("wrong", timedelta(0)),
    ("forged", timedelta(0)),
    ("expired", timedelta(days=181)),
    ("other purpose", timedelta(0)),
])
def test_wrong_forged_expired_or_misused_tracking_links_are_refused(make, customer, token, later):
    order = make.order(customer)
    tokens = {
        "wrong": links.sign("not-a-tracking-token", purpose="tracking", now=NOW),
        "forged": links.sign(order.tracking_token, purpose="tracking", now=NOW)[:-3] + "AAA",
        "expired": links.sign(order.tracking_token, purpose="tracking", now=NOW),
        "other purpose": links.sign(order.tracking_token, purpose="satisfaction", now=NOW),
    }
    with pytest.raises(NotAllowed):
        tracking.lookup(tokens[token], client="198.51.100.7", now=NOW + later)


def test_expired_links_are_told_apart_from_forged_ones(make, customer):
    order = make.order(customer)
    token = links.sign(order.tracking_token, purpose="tracking", now=NOW)
    with pytest.raises(LinkExpired):
        tracking.lookup(token, client="x", now=NOW + timedelta(days=181))


def test_tracking_lookups_are_rate_limited_per_client_address(make, customer, app):
    order = make.order(customer)
    token = links.sign(order.tracking_token, purpose="tracking", now=NOW)
    limit = app.config["TRACKING_LOOKUPS_PER_WINDOW"]
    for _ in range(limit):
        tracking.lookup(token, client="203.0.113.9", now=NOW)
    with pytest.raises(tracking.RateLimited):
        tracking.lookup(token, client="203.0.113.9", now=NOW)
    assert tracking.lookup(token, client="203.0.113.10", now=NOW).number == order.number   # another client
    later = NOW + timedelta(seconds=app.config["TRACKING_WINDOW_SECONDS"] + 1)
    assert tracking.lookup(token, client="203.0.113.9", now=later).number == order.number   # the window moved on
    assert tracking.prune_lookups(now=later) == limit + 1


def test_approving_moves_the_order_to_received_and_tells_the_customer(waiting_order, approver):
    approvals.decide(approval_token(waiting_order), decision=Decision.APPROVED, reason="", now=NOW)
    db.session.commit()
    db.session.expire_all()
    assert waiting_order.status == OrderStatus.RECEIVED
    assert waiting_order.events[-1].status == OrderStatus.RECEIVED
    assert "Approved by Daniel Reyes" in waiting_order.events[-1].message
    [received] = [n for n in notices_of(waiting_order) if n.kind == NoticeKind.RECEIVED]
    assert received.recipient_id == waiting_order.customer_id and "Approved by Daniel Reyes" in received.summary
    # The approver's own "approval needed" in the portal is done.
    [asked] = notices_of(waiting_order, Channel.PORTAL)[:1]
    assert asked.kind == NoticeKind.APPROVAL_NEEDED and asked.read_at == NOW


def test_declining_cancels_the_order_with_the_reason_and_tells_the_customer(waiting_order):
    approvals.decide(approval_token(waiting_order), decision=Decision.DECLINED, reason="Over this term's budget.",
                     now=NOW)
    db.session.commit()
    db.session.expire_all()
    assert waiting_order.status == OrderStatus.CANCELLED
    assert any("Over this term's budget." in event.message for event in waiting_order.events)
    [declined] = [n for n in notices_of(waiting_order) if n.kind == NoticeKind.DECLINED]
    assert declined.recipient_id == waiting_order.customer_id and "Over this term's budget." in declined.body_text


def test_declining_needs_a_reason(waiting_order):
    with pytest.raises(ValidationFailed) as refused:
        approvals.decide(approval_token(waiting_order), decision=Decision.DECLINED, reason="  ", now=NOW)
    assert "reason" in refused.value.errors


def test_an_approval_link_works_once(waiting_order):
    token = approval_token(waiting_order)
    approvals.decide(token, decision=Decision.APPROVED, reason="", now=NOW)
    db.session.commit()
    with pytest.raises(Conflict, match="used already"):
        approvals.decide(token, decision=Decision.DECLINED, reason="Changed my mind", now=NOW)
    db.session.rollback()
    db.session.expire_all()
    assert waiting_order.status == OrderStatus.RECEIVED


def test_approval_links_expire_and_forged_ones_are_refused(waiting_order, app):
    token = approval_token(waiting_order)
    with pytest.raises(LinkExpired):
        approvals.find(token, now=NOW + timedelta(days=app.config["APPROVAL_LINK_DAYS"], seconds=1))
    approval = db.session.scalar(select(ApprovalRequest))
    forged = links.sign({"r": approval.id, "n": "guessed"}, purpose="approval", now=NOW)
    with pytest.raises(NotAllowed):
        approvals.find(forged, now=NOW)
    with pytest.raises(NotAllowed):
        approvals.find(token[:-4] + "abcd", now=NOW)


def test_a_delay_is_announced_once_per_slip_before_the_promised_date(make, customer):
    order = make.order(customer)
    on_time = make.order(customer)
    order.events.append(OrderEvent(at=NOW, message="The perfect binder is being repaired."))
    order.expected_date = order.promise_date + timedelta(days=2)
    db.session.commit()
    today = NOW + timedelta(hours=1)
    assert today.date() < order.promise_date

    [announced] = services.check_delays(now=today)
    db.session.commit()
    assert announced.order_id == order.id and announced.occurrence == order.expected_date.isoformat()
    [email] = [n for n in notices_of(order) if n.kind == NoticeKind.DELAY]
    assert "The perfect binder is being repaired." in email.body_text
    assert order.expected_date.strftime("%A, %B %-d, %Y") in email.body_text
    assert services.check_delays(now=today) == []            # the same slip: told already

    order.expected_date += timedelta(days=1)                  # it slips again
    db.session.commit()
    assert len(services.check_delays(now=today)) == 1
    db.session.commit()
    assert kinds_of(order).count("delay") == 2 and "delay" not in kinds_of(on_time)


def test_finished_or_waiting_orders_get_no_delay_notice(make, customer, waiting_order):
    delivered = make.order(customer)
    for order, status in ((delivered, OrderStatus.DELIVERED), (waiting_order, OrderStatus.AWAITING_APPROVAL)):
        order.status = status
        order.expected_date = order.promise_date + timedelta(days=3)
    db.session.commit()
    assert services.check_delays(now=NOW) == []


def test_an_order_ready_for_pickup_is_not_running_late_while_it_waits_on_the_shelf(make, customer):
    shelf, campus = make.order(customer), make.order(customer)
    shelf.delivery_method = "pickup"  # the customer collects it
    for order in (shelf, campus):
        order.status, order.expected_date = OrderStatus.READY, order.promise_date + timedelta(days=1)
    db.session.commit()
    assert campus.delivery_method == "campus"
    assert [a.order_id for a in services.check_delays(now=NOW)] == [campus.id]  # the campus run is still to come


def test_the_satisfaction_answer_is_recorded_on_the_order(make, customer):
    order = make.order(customer)
    token = links.sign(order.tracking_token, purpose="satisfaction", now=NOW)
    found = tracking.satisfaction_order(token, now=NOW + timedelta(days=2))
    tracking.record_satisfaction(found, "4", now=NOW)
    db.session.commit()
    db.session.expire_all()
    assert (order.satisfaction, order.satisfaction_at) == (4, NOW)
    with pytest.raises(ValidationFailed):
        tracking.record_satisfaction(found, "11", now=NOW)
    with pytest.raises(NotAllowed):
        tracking.satisfaction_order(links.sign(order.tracking_token, purpose="tracking", now=NOW), now=NOW)


def test_inbox_unread_count_and_marking_read(make, customer):
    orders = [make.order(customer) for _ in range(3)]
    other = make.order(make.customer())
    assert services.unread_count(customer) == 3
    page = services.inbox(customer, per_page=2)
    assert page.total == 3 and len(page.items) == 2 and page.has_next
    services.mark_read(customer, page.items[0].id, now=NOW)
    assert services.unread_count(customer) == 2
    with pytest.raises(NotAllowed):
        services.mark_read(customer, notices_of(other, Channel.PORTAL)[0].id, now=NOW)
    with pytest.raises(NotAllowed):   # an email is not a portal notice
        services.mark_read(customer, notices_of(orders[0])[0].id, now=NOW)
    assert services.mark_all_read(customer, now=NOW) == 2 and services.unread_count(customer) == 0


def test_resend_puts_only_failed_emails_back(make, customer):
    order = make.order(customer)
    [email] = notices_of(order)
    with pytest.raises(Conflict):
        services.resend(email.id, now=NOW)
    db.session.rollback()
    email.status, email.attempts, email.last_error = NoticeStatus.FAILED, 1, "550 no such user"
    db.session.commit()
    resent = services.resend(email.id, now=NOW + timedelta(hours=1))
    db.session.commit()
    assert (resent.status, resent.attempts, resent.next_attempt_at) == (NoticeStatus.PENDING, 0, NOW + timedelta(hours=1))
    with pytest.raises(NotAllowed):
        services.resend(notices_of(order, Channel.PORTAL)[0].id, now=NOW)


def test_notices_go_with_the_order_when_it_is_deleted(make, customer):
    order = make.order(customer)
    db.session.delete(order)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0
    assert db.session.scalar(select(func.count()).select_from(Announcement)) == 0
