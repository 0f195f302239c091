"""Clearing readings against the database, without HTTP: the queue a placed pack fills, grants with fees
that reach the price (and the approver), clearances reused or expired, refusals the instructor decides,
and the promise that counts clearance."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from portal.catalog.models import CopyrightStatus as C
from portal.copyright import services
from portal.copyright.models import Clearance, ClearanceRequest
from portal.copyright.rules import ClearanceState
from portal.extensions import db
from portal.failures import Conflict, NotAllowed, ValidationFailed
from portal.keeping import services as keeping
from portal.notices import services as notices
from portal.notices.models import Notice
from portal.notices.rules import Channel, NoticeKind
from portal.orders.models import OrderStatus as S
from portal.orders.reorders import job_values_from
from portal.promises import services as promises
from portal.promises.models import ClearanceCalibration
from portal.promises.rules import CLEARANCE_BUSINESS_DAYS
from portal.queue import services as queue
from tests.factories import NOW, pdf_bytes, to_clear


@pytest.fixture
def shop(make):
    make.catalog()
    return make.staff(name="Priya Natarajan")


def pack(make, customer, *readings, **overrides):
    files = [make.stored_file(customer, pages=pages) for pages in readings or (12,)]
    return make.order(customer, files=files, **overrides)


def request_of(order) -> ClearanceRequest:
    return db.session.scalar(select(ClearanceRequest).where(ClearanceRequest.order_id == order.id)
                             .order_by(ClearanceRequest.id.desc()))


def grant(request, shop, *, fee="", period="Spring 2027", expires_on="2027-06-30", now=NOW):
    services.work_on(request, action="grant", sent_on="2026-11-23", fee=fee, notes="Granted by email",
                     period=period, expires_on=expires_on, now=now, actor=shop)
    db.session.commit()


def test_a_reading_sent_for_clearance_joins_the_queue_with_its_work_and_the_promise_allows_for_it(ctx, make, customer, shop):
    declared = pack(make, customer)
    asked = pack(make, customer, **to_clear(0))
    request = request_of(asked)
    assert asked.files[0].copyright_status == C.AWAITING_CLEARANCE and request_of(declared) is None
    assert (request.state, request.work_title, request.work_author, request.work_publisher, request.pages_used,
            request.total_pages) == (ClearanceState.AWAITING, "Contracts: Cases and Materials", "E. Farnsworth",
                                     "Aspen", 30, 900)
    assert declared.files[0].copyright_details == {"granted_by": "The publisher, by letter"}
    assert [r.id for r in services.queue().items] == [request.id] and services.awaiting_count() == 1
    # Printing waits for the shop's usual clearance time: the promise is later than the same pack declared.
    assert asked.promise_date >= declared.promise_date + timedelta(days=CLEARANCE_BUSINESS_DAYS - 2)


def test_a_pack_cannot_be_configured_with_a_reading_whose_status_was_never_chosen(ctx, make, customer):
    config = make.configuration(customer, **{"files-0-copyright": "", "files-0-granted_by": ""})
    assert config.problems["files-0-copyright"] == "Choose this reading's copyright status."
    config = make.configuration(customer, **{"files-0-copyright": "fair_use"})
    assert "files-0-justification" in config.problems
    with pytest.raises(ValidationFailed):
        make.order(customer, **{"files-0-copyright": ""})


def test_a_granted_fee_reaches_the_price_and_the_job_prints_once_cleared(ctx, make, customer, shop):
    order = pack(make, customer, 12, 4, **to_clear(1, work="Restatement of Contracts"))
    order.status = S.PREPRESS
    db.session.commit()
    before = order.price_cents
    with pytest.raises(ValidationFailed):
        queue.move_job(order, to=S.PRINTING, seen=S.PREPRESS, actor=shop, now=NOW)
    db.session.rollback()
    grant(request_of(order), shop, fee="45.50")
    assert order.price_cents == before + 4550
    assert order.price_lines[-1] == ["Copyright permission: Reading 2", 4550]
    assert order.files[1].copyright_status == C.CLEARED and order.status == S.PREPRESS
    assert "fee of $45.50" in order.events[-1].message
    queue.move_job(order, to=S.PRINTING, seen=S.PREPRESS, actor=shop, now=NOW)
    db.session.commit()
    assert order.status == S.PRINTING
    clearance = db.session.scalar(select(Clearance))
    assert (clearance.period, clearance.expires_on, clearance.fee_cents) == ("Spring 2027", date(2027, 6, 30), 4550)


def test_a_fee_above_the_accounts_threshold_sends_the_order_to_its_approver(ctx, make, customer, shop):
    approver = make.user(name="Dana Approver")
    order = pack(make, customer, **to_clear(0))
    account = make.account(customer, approval_threshold_cents=order.price_cents + 1000, approver_id=approver.id)
    order.billing_account_id = account.id
    db.session.commit()
    grant(request_of(order), shop, fee="9.99")  # still under the threshold
    assert order.status == S.RECEIVED
    second = pack(make, customer, **to_clear(0, work="Another casebook"))
    second.billing_account_id = account.id
    db.session.commit()
    grant(request_of(second), shop, fee="25")
    assert second.status == S.AWAITING_APPROVAL
    asked = db.session.scalars(select(Notice).where(Notice.order_id == second.id, Notice.recipient_id == approver.id,
                                                    Notice.kind == NoticeKind.APPROVAL_NEEDED)).all()
    assert {n.channel for n in asked} == {Channel.EMAIL, Channel.PORTAL}
    assert "$" in asked[0].subject


def test_a_clearance_on_file_clears_the_same_work_at_once_and_an_expired_one_goes_back_to_the_queue(ctx, make, customer, shop):
    first = pack(make, customer, **to_clear(0))
    grant(request_of(first), shop, fee="30", period="Academic year 2026-27", expires_on="2027-08-31")
    again = pack(make, customer, **to_clear(0, work="CONTRACTS cases and materials"))
    reused = request_of(again)
    assert (reused.state, reused.reused, reused.fee_cents) == (ClearanceState.GRANTED, True, 0)
    assert again.files[0].copyright_status == C.CLEARED and "Academic year 2026-27" in again.events[-1].message
    db.session.get(Clearance, reused.clearance_id).expires_on = date(2026, 11, 30)
    db.session.commit()
    later = pack(make, customer, **to_clear(0))
    back = request_of(later)
    assert back.state == ClearanceState.AWAITING and "expired on" in back.notes
    assert later.files[0].copyright_status == C.AWAITING_CLEARANCE


def test_a_refusal_tells_the_instructor_and_removing_the_reading_lets_the_pack_go_on(ctx, make, customer, shop):
    order = pack(make, customer, 12, 5, **to_clear(1))
    request = request_of(order)
    with pytest.raises(ValidationFailed) as refused:
        services.work_on(request, action="refuse", now=NOW, actor=shop)
    assert "notes" in refused.value.errors
    db.session.rollback()
    services.work_on(request, action="refuse", notes="The publisher does not license excerpts.", now=NOW, actor=shop)
    db.session.commit()
    assert order.files[1].copyright_status == C.REFUSED and services.refused_readings(order) == [request]
    emails = db.session.scalars(select(Notice).where(Notice.order_id == order.id,
                                                     Notice.kind == NoticeKind.COPYRIGHT_REFUSED)).all()
    assert {n.channel for n in emails} == {Channel.EMAIL, Channel.PORTAL}
    email = next(n for n in emails if n.channel == Channel.EMAIL)
    assert email.recipient_id == customer.id and "Reading 2" in email.body_text and "Remove it" in email.body_text
    with pytest.raises(Conflict):
        services.work_on(request, action="grant", period="x", expires_on="2027-01-01", now=NOW, actor=shop)
    db.session.rollback()
    with pytest.raises(NotAllowed):
        services.choose(make.customer(), order.number, request.id, choice="remove", now=NOW)
    services.choose(customer, order.number, request.id, choice="remove", now=NOW)
    db.session.commit()
    assert order.files[1].copyright_status == C.REMOVED and request.state == ClearanceState.WITHDRAWN
    assert order.pages_per_copy == 12 and queue.facts(order).pending_readings == ()
    with pytest.raises(Conflict):
        services.choose(customer, order.number, request.id, choice="link", now=NOW)


def test_a_refused_reading_replaced_by_one_to_clear_goes_back_to_the_queue(ctx, make, customer, shop):
    order = pack(make, customer, **to_clear(0))
    request = request_of(order)
    services.work_on(request, action="refuse", notes="Refused.", now=NOW, actor=shop)
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        services.choose(customer, order.number, request.id, choice="replace",
                        declaration={"copyright": "awaiting_clearance"}, now=NOW)
    assert {"upload", "work_title", "pages_used"} <= set(refused.value.errors)
    db.session.rollback()
    declaration = {"copyright": "awaiting_clearance", "title": "Williston excerpt", "work_title": "Williston on Contracts",
                   "work_author": "S. Williston", "work_publisher": "West", "pages_used": "8", "total_pages": "400"}
    services.choose(customer, order.number, request.id, choice="replace", declaration=declaration,
                    replacement=(pdf_bytes(8), "williston.pdf"), now=NOW)
    db.session.commit()
    reading = order.files[0]
    assert (reading.title, reading.page_count, reading.copyright_status) == ("Williston excerpt", 8, C.AWAITING_CLEARANCE)
    fresh = request_of(order)
    assert fresh.id != request.id and fresh.state == ClearanceState.AWAITING and fresh.work_title == "Williston on Contracts"


def test_a_reading_still_awaiting_near_its_date_puts_the_order_at_risk_with_the_reason(ctx, make, customer, shop):
    order = pack(make, customer, **to_clear(0))
    keeping.replan(now=NOW)
    assert order.at_risk_reason is None
    near = NOW + timedelta(days=(order.promise_date - NOW.date()).days - 1)
    keeping.replan(now=near)
    db.session.commit()
    assert order.expected_date > order.promise_date
    assert "Copyright permission is still awaited for 1 reading (Reading 1)" in order.at_risk_reason
    told = notices.check_delays(now=near)  # the sweep tells the instructor, with the reason
    db.session.commit()
    assert [a.order_id for a in told] == [order.id]
    email = db.session.scalar(select(Notice).where(Notice.order_id == order.id, Notice.kind == NoticeKind.DELAY,
                                                   Notice.channel == Channel.EMAIL))
    assert email.recipient_id == customer.id and "Copyright permission is still awaited" in email.body_text


def test_a_request_records_sent_day_fee_notes_and_its_document(ctx, make, customer, shop):
    order = pack(make, customer, **to_clear(0))
    request, price = request_of(order), order.price_cents
    with pytest.raises(ValidationFailed) as refused:
        services.work_on(request, action="save", sent_on="2026-12-25", fee="lots", now=NOW, actor=shop)
    assert set(refused.value.errors) == {"sent_on", "fee"}
    db.session.rollback()
    services.work_on(request, action="save", sent_on="2026-11-20", fee="120", notes="Asked CCC.",
                     document=(pdf_bytes(1), "permission.pdf"), now=NOW, actor=shop)
    db.session.commit()
    assert (request.sent_on, request.fee_cents, request.notes, request.state) == (
        date(2026, 11, 20), 12000, "Asked CCC.", ClearanceState.AWAITING)
    assert request.document.original_name == "permission.pdf" and request.document.owner_id == shop.id
    assert order.price_cents == price  # a fee quoted is not charged until it is granted


def test_a_reorder_asks_the_shop_again_for_what_it_cleared_and_leaves_out_what_was_removed(ctx, make, customer, shop):
    order = pack(make, customer, 12, 5, 7, **{**to_clear(0), **to_clear(2, work="Williston on Contracts")})
    first, second = db.session.scalars(select(ClearanceRequest).where(ClearanceRequest.order_id == order.id)
                                       .order_by(ClearanceRequest.id)).all()
    grant(first, shop, period="2026-27", expires_on="2027-08-31")
    services.work_on(second, action="refuse", notes="No.", now=NOW, actor=shop)
    services.choose(customer, order.number, second.id, choice="remove", now=NOW)
    db.session.commit()
    values = job_values_from(order, today=NOW.date())
    assert values["files-0-copyright"] == "awaiting_clearance" and values["files-0-work_title"] == first.work_title
    assert values["files-1-copyright"] == "permission_obtained" and values["files-1-granted_by"]
    assert "files-2-file_id" not in values  # the removed reading is not carried over
    again = make.order(customer, files=[make.stored_file(customer, pages=12), make.stored_file(customer, pages=5)],
                       **{k: v for k, v in values.items() if k.startswith("files-") and not k.endswith(("-file_id", "-title"))})
    assert again.files[0].copyright_status == C.CLEARED  # the clearance on file, reused at once


def test_two_staff_answering_one_request_at_once_the_second_is_told_and_changes_nothing(ctx, make, customer, shop):
    order = pack(make, customer, **to_clear(0))
    request, price = request_of(order), order.price_cents
    # Another staff member refused it a moment ago, after this one loaded the page.
    db.session.execute(update(ClearanceRequest).where(ClearanceRequest.id == request.id).values(
        version=ClearanceRequest.version + 1, state=ClearanceState.REFUSED).execution_options(synchronize_session=False))
    db.session.commit()
    with pytest.raises(Conflict):
        services.work_on(request, action="grant", fee="50", period="Spring 2027", expires_on="2027-06-30",
                         now=NOW, actor=shop)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(ClearanceRequest, request.id).state == ClearanceState.REFUSED
    assert db.session.get(type(order), order.id).price_cents == price and db.session.scalar(select(Clearance)) is None


def test_the_clearance_time_is_calibrated_weekly_from_the_requests_the_shop_answered(ctx, make, customer, shop):
    asked = pack(make, customer, **to_clear(0))
    awaiting = request_of(asked)
    monday = datetime(2026, 9, 14, 15, tzinfo=timezone.utc)  # 10:00 in the shop, a week without holidays
    took = [1] * 5 + [2] * 4 + [3] * 2 + [4]  # business days from request to answer, twelve requests
    for days in took:
        db.session.add(ClearanceRequest(order_id=asked.id, order_file_id=awaiting.order_file_id,
                                        work_key=awaiting.work_key, work_title=awaiting.work_title,
                                        state=ClearanceState.GRANTED, requested_at=monday,
                                        decided_at=monday + timedelta(days=days)))
    db.session.add(ClearanceRequest(order_id=asked.id, order_file_id=awaiting.order_file_id, work_key=awaiting.work_key,
                                    work_title=awaiting.work_title, state=ClearanceState.GRANTED, reused=True,
                                    requested_at=monday, decided_at=monday))  # cleared at once: no asking to time
    db.session.commit()
    assert promises.clearance_days() == CLEARANCE_BUSINESS_DAYS  # the stated figure until calibrated
    assert sorted(services.answer_times(calendar=promises.shop_calendar(NOW.date()))) == sorted(took)
    keeping.calibrate(now=NOW)
    db.session.commit()
    run = promises.clearance_calibration()
    assert (run.business_days, run.previous_business_days, run.samples, run.percentile) == (3, None, 12, 0.9)
    assert promises.clearance_days() == 3
    # A pack with a reading to clear is promised the calibrated time, and so is the one already waiting.
    config = make.configuration(customer, **to_clear(0))
    assert config.clearance_days == config.job().clearance_days == 3
    waits = services.clearance_waits([asked.id], today=NOW.date(), calendar=promises.shop_calendar(NOW.date()))
    assert waits[asked.id][1] == 3
    keeping.calibrate(now=NOW + timedelta(days=7))  # nothing new answered: the figure stands, nothing recorded
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ClearanceCalibration)) == 1
