"""Care's services against the real database: a case has one owner from its report to "did this make it
right?", every step is on its thread, and each party hears of it through the outbox (real SMTP here)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.billing.models import BillingAccount
from portal.care import services
from portal.care.models import Case, CaseEntry, DepartmentOwner, DutyTurn
from portal.care.rules import CaseState, EntryKind
from portal.extensions import db
from portal.failures import Conflict, NotAllowed, ValidationFailed
from portal.notices import delivery
from portal.notices.models import Notice
from portal.notices.rules import Channel, NoticeKind
from portal.orders.models import Order, OrderEvent, OrderStatus
from portal.statements.models import Adjustment
from tests.factories import NOW, pdf_bytes

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def reported(make, customer, order=None, **values):
    order = order or make.order(customer)
    fields = dict(cause="quality", problem="The colours are washed out on every page.", wanted="A reprint.",
                  attachment=None)
    fields.update(values)
    case = services.report(order=order, now=NOW, **fields)
    db.session.commit()
    return case


def delivered(order):
    order.status, order.delivered_on = OrderStatus.DELIVERED, NOW.date()
    db.session.commit()
    db.session.expire_all()  # read back as a request would (the session keeps objects after commit)
    return order


def emails_to(person, kind=None):
    query = select(Notice).where(Notice.recipient_id == person.id, Notice.channel == Channel.EMAIL)
    if kind:
        query = query.where(Notice.kind == kind)
    return list(db.session.scalars(query.order_by(Notice.id)))


def test_a_report_is_a_case_with_a_number_one_owner_and_a_promised_answer(make, ctx):
    customer = make.customer(name="Prof. Maya Okafor")
    owner = make.staff(name="Dana Reyes")
    case = reported(make, customer)

    assert case.number == f"C-{case.id:05d}"
    assert case.owner_id == owner.id and case.state == CaseState.OPEN
    assert case.response_due_at == NOW + timedelta(hours=4)  # Monday 10:00 in the shop: by 14:00
    assert [entry.kind for entry in case.entries] == [EntryKind.REPORTED]
    assert "washed out" in case.entries[0].body and "A reprint." in case.entries[0].body
    told = emails_to(customer, NoticeKind.CASE_UPDATE)
    assert len(told) == 1 and case.number in told[0].subject and "Dana Reyes" in told[0].subject
    assert "/case/" in told[0].body_text and len(emails_to(owner, NoticeKind.CASE_ASSIGNED)) == 1


def test_the_department_owner_then_the_person_on_duty_then_the_least_busy_owns_it(make, ctx):
    law = make.department("School of Law")
    customer = make.customer(department=law)
    busy, on_duty, owner = make.staff(name="Busy"), make.staff(name="On duty"), make.staff(name="Law's owner")
    reported(make, make.customer())  # Busy (lowest id, no cases) takes the first
    db.session.add(DutyTurn(staff_id=on_duty.id, starts_on=NOW.date() - timedelta(days=3)))
    db.session.add(DutyTurn(staff_id=busy.id, starts_on=NOW.date() + timedelta(days=3)))  # not yet
    db.session.commit()
    assert reported(make, make.customer()).owner_id == on_duty.id
    db.session.add(DepartmentOwner(department_id=law.id, staff_id=owner.id))
    db.session.commit()
    assert reported(make, customer).owner_id == owner.id
    owner.active = False
    db.session.commit()
    assert reported(make, customer).owner_id == on_duty.id  # an owner who left is passed over


def test_a_report_without_the_words_keeps_nothing(make, ctx):
    customer = make.customer()
    make.staff()
    order = make.order(customer)
    with pytest.raises(ValidationFailed) as refusal:
        services.report(order=order, cause="free_reprint", problem="  ", wanted="x" * 3000,
                        attachment=(b"GIF89a", "cat.gif"), now=NOW)
    assert set(refusal.value.errors) == {"cause", "problem", "wanted", "attachment"}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0
    assert db.session.scalar(select(func.count()).select_from(Notice)) <= 2  # the order's own notices only


def test_a_photo_or_a_pdf_is_kept_with_the_case(make, ctx):
    customer = make.customer()
    make.staff()
    photo = reported(make, customer, attachment=(PNG, "../../smudge.png"))
    assert photo.file.media_type == "image/png" and photo.file.original_name == "smudge.png"
    assert photo.file.storage_key.endswith(".png")
    scan = reported(make, customer, attachment=(pdf_bytes(1), "scan.pdf"))
    assert scan.file.media_type == "application/pdf"
    with pytest.raises(ValidationFailed) as refusal:
        reported(make, customer, attachment=(b"%PDF-1.7 not really", "fake.pdf"))
    assert "attachment" in refusal.value.errors


def test_owner_and_customer_write_and_each_is_emailed(make, ctx):
    customer = make.customer()
    owner = make.staff(name="Dana Reyes")
    case = reported(make, customer)
    services.write(case, author=owner, body="So sorry. Can you send a photo?", now=NOW + timedelta(hours=1))
    db.session.commit()
    assert case.state == CaseState.WAITING and case.responded_at == NOW + timedelta(hours=1)
    services.write(case, author=customer, body="Photo attached by post.", now=NOW + timedelta(hours=2))
    db.session.commit()
    assert case.state == CaseState.OPEN
    assert "Can you send a photo?" in emails_to(customer, NoticeKind.CASE_UPDATE)[-1].body_text
    assert "Photo attached by post." in emails_to(owner, NoticeKind.CASE_ASSIGNED)[-1].body_text


def test_only_the_owner_writes_for_the_shop(make, ctx):
    customer = make.customer()
    make.staff()
    other = make.staff()
    case = reported(make, customer)
    with pytest.raises(ValidationFailed):
        services.write(case, author=other, body="Hello", now=NOW)
    with pytest.raises(NotAllowed):
        services.write(case, author=make.customer(), body="Hello", now=NOW)


def test_a_hand_off_keeps_one_owner_says_why_and_tells_the_customer_the_new_name(make, ctx):
    customer = make.customer()
    first, second = make.staff(name="Dana Reyes"), make.staff(name="Omar Haddad")
    case = reported(make, customer)
    with pytest.raises(ValidationFailed) as refusal:
        services.hand_off(case, to_staff_id=first.id, reason="", actor=first, now=NOW)
    assert set(refusal.value.errors) == {"owner", "reason"}
    db.session.rollback()
    services.hand_off(case, to_staff_id=second.id, reason="Omar runs the bindery.", actor=first, now=NOW)
    db.session.commit()
    assert case.owner_id == second.id
    private = [e for e in case.entries if e.kind == EntryKind.HANDOFF and not e.public]
    assert private and "Omar runs the bindery." in private[0].body
    assert "Omar Haddad" in emails_to(customer, NoticeKind.CASE_UPDATE)[-1].subject
    assert emails_to(second, NoticeKind.CASE_ASSIGNED)


def test_a_stale_form_is_a_conflict(make, ctx):
    customer = make.customer()
    first, second = make.staff(), make.staff()
    case = reported(make, customer)
    seen = case.version
    services.hand_off(case, to_staff_id=second.id, reason="Away today.", actor=first, now=NOW)
    db.session.commit()
    with pytest.raises(Conflict):
        services.resolve(case, summary="Done", actor=second, now=NOW, version=seen)


def test_a_reprint_offered_and_accepted_is_a_new_order_and_a_credit(make, ctx):
    customer = make.customer()
    owner = make.staff()
    order = delivered(make.order(customer))
    case = reported(make, customer, order=order)
    services.offer_reprint(case, actor=owner, now=NOW)
    db.session.commit()
    assert case.state == CaseState.WAITING and case.responded_at == NOW
    reprint = services.accept_reprint(case, now=NOW + timedelta(minutes=5))
    db.session.commit()
    assert services.accept_reprint(case, now=NOW + timedelta(minutes=6)) is reprint  # once, however often
    assert reprint.source_order_id == order.id and case.reprint_order_id == reprint.id
    credit = db.session.scalar(select(Adjustment).where(Adjustment.order_id == order.id))
    assert credit.credit_cents == min(order.price_cents, reprint.price_cents) and case.number in credit.reason
    assert db.session.scalar(select(func.count()).select_from(Order)) == 2
    assert case.state == CaseState.OPEN and emails_to(owner, NoticeKind.CASE_ASSIGNED)


def test_a_reprint_the_shop_owes_never_waits_for_the_accounts_approver(make, ctx):
    customer = make.customer()
    owner = make.staff()
    order = delivered(make.order(customer))
    account = db.session.get(BillingAccount, order.billing_account_id)
    account.approval_threshold_cents, account.approver_id = 100, make.user().id  # above $1.00 waits for approval
    db.session.commit()
    case = reported(make, customer, order=order)
    services.offer_reprint(case, actor=owner, now=NOW)
    reprint = services.accept_reprint(case, now=NOW + timedelta(minutes=5))
    db.session.commit()
    assert reprint.price_cents > 100 and reprint.status == OrderStatus.RECEIVED
    assert db.session.scalar(select(func.count()).select_from(Order).where(
        Order.status == OrderStatus.AWAITING_APPROVAL)) == 0


def test_no_reprint_is_accepted_unless_offered(make, ctx):
    customer = make.customer()
    make.staff()
    case = reported(make, customer)
    with pytest.raises(ValidationFailed):
        services.accept_reprint(case, now=NOW)


def test_a_credit_and_a_production_note(make, ctx):
    customer = make.customer()
    owner = make.staff()
    order = delivered(make.order(customer))
    case = reported(make, customer, order=order)
    with pytest.raises(ValidationFailed) as refusal:
        services.credit(case, amount="-3", reason="", actor=owner, now=NOW)
    assert set(refusal.value.errors) >= {"amount", "reason"}
    db.session.rollback()
    services.credit(case, amount="12.50", reason="Two boxes were short.", actor=owner, now=NOW)
    services.production_note(case, body="Check the counter on press 2.", actor=owner, now=NOW)
    db.session.commit()
    assert db.session.scalar(select(Adjustment.credit_cents).where(Adjustment.order_id == order.id)) == 1250
    note = db.session.scalar(select(OrderEvent).where(OrderEvent.order_id == order.id, OrderEvent.public.is_(False)))
    assert "press 2" in note.message and case.number in note.message
    assert "$12.50" in emails_to(customer, NoticeKind.CASE_UPDATE)[-1].subject


def test_resolving_asks_did_this_make_it_right_and_a_no_reopens_with_the_same_owner(make, ctx):
    customer = make.customer()
    owner = make.staff()
    make.staff()
    case = reported(make, customer)
    services.resolve(case, summary="Reprinted and delivered.", actor=owner, now=NOW)
    db.session.commit()
    assert case.state == CaseState.RESOLVED and "make it right" in emails_to(customer)[-1].subject
    services.answer_made_right(case, answer="no", now=NOW + timedelta(hours=1))
    db.session.commit()
    assert case.state == CaseState.OPEN and case.owner_id == owner.id and case.made_right is False
    assert "reopened" in emails_to(owner)[-1].subject
    with pytest.raises(ValidationFailed):
        services.answer_made_right(case, answer="yes", now=NOW)  # open again: nothing to answer
    services.resolve(case, summary="Credited too.", actor=owner, now=NOW + timedelta(hours=2))
    services.answer_made_right(case, answer="yes", now=NOW + timedelta(hours=3))
    db.session.commit()
    assert case.state == CaseState.RESOLVED and case.made_right is True


def test_staff_see_their_cases_soonest_due_first(make, ctx):
    owner = make.staff()
    later = reported(make, make.customer())
    answered = reported(make, make.customer())
    services.write(answered, author=owner, body="On it.", now=NOW)
    db.session.commit()
    case = db.session.get(Case, later.id)
    case.response_due_at = NOW + timedelta(hours=6)
    soon = reported(make, make.customer())
    db.session.commit()
    page = services.staff_cases(owner, now=NOW)
    assert [c.id for c in page.items] == [soon.id, later.id, answered.id]
    assert services.staff_cases(make.staff(), now=NOW).items == []
    assert len(services.staff_cases(make.staff(), everyone=True, now=NOW).items) == 3


def test_owner_and_manager_are_told_once_before_the_first_answer_is_due(make, ctx, smtp_server):
    customer = make.customer()
    owner = make.staff(name="Dana Reyes")
    manager = make.user(role=Role.ADMIN, name="Rosa Diaz")
    case = reported(make, customer)
    assert services.warn_nearly_due(now=NOW + timedelta(hours=2)) == []
    warned = services.warn_nearly_due(now=NOW + timedelta(hours=3, minutes=5))
    db.session.commit()
    assert warned == [case] and services.warn_nearly_due(now=NOW + timedelta(hours=3, minutes=30)) == []
    delivery.sweep(now=NOW + timedelta(hours=3, minutes=5))
    due = [item for item in smtp_server.received if item.message["X-Portal-Notice"] == "case_due"]
    assert sorted(item.rcpt_tos[0] for item in due) == sorted([owner.email, manager.email])
    assert all(case.number in item.message["Subject"] for item in due)
    assert "/staff/cases/" in due[0].part("plain")


def test_the_case_emails_arrive_over_smtp_with_the_case_link(make, ctx, smtp_server):
    customer = make.customer()
    make.staff(name="Dana Reyes")
    case = reported(make, customer)
    delivery.sweep(now=NOW)
    mine = [item for item in smtp_server.mailbox.to(customer.email) if item.message["X-Portal-Notice"] == "case_update"]
    assert len(mine) == 1
    text, html = mine[0].part("plain"), mine[0].part("html")
    assert case.number in mine[0].message["Subject"] and "Dana Reyes" in text
    assert "http://portal.test/case/" in text and "http://portal.test/case/" in html


def test_a_case_is_seen_by_its_customer_department_administrators_and_staff(make, ctx):
    law = make.department("Law")
    customer = make.customer(department=law)
    staff = make.staff()
    case = reported(make, customer)
    administrator = make.user(administers=[law])
    assert services.case_for(customer, case.number) is case
    assert services.case_for(staff, case.number) is case
    assert services.case_for(administrator, case.number) is case
    for stranger in (make.customer(), make.user(departments=[law]), make.user(administers=[make.department()])):
        with pytest.raises(NotAllowed):
            services.case_for(stranger, case.number)


def test_the_case_link_is_signed_and_expires(make, ctx, app):
    customer = make.customer()
    make.staff()
    case = reported(make, customer)
    token = services.link_token(case, now=NOW)
    assert services.case_for_link(token, now=NOW + timedelta(days=10)) is case
    with pytest.raises(NotAllowed):
        services.case_for_link(token + "x", now=NOW)
    with pytest.raises(NotAllowed):
        services.case_for_link(token, now=NOW + timedelta(days=app.config["CARE_LINK_DAYS"] + 1))


def test_the_manager_sets_owners_and_turns_on_duty(make, ctx):
    manager = make.user(role=Role.ADMIN)
    staff = make.staff()
    law = make.department()
    with pytest.raises(NotAllowed):
        services.set_department_owner(department_id=law.id, staff_id=staff.id, actor=staff)
    services.set_department_owner(department_id=law.id, staff_id=staff.id, actor=manager)
    services.add_duty_turn(staff_id=staff.id, starts_on=date(2026, 12, 1), actor=manager)
    db.session.commit()
    departments, turns = services.owners_view()
    assert (law, db.session.scalar(select(DepartmentOwner))) in departments and len(turns) == 1
    with pytest.raises(ValidationFailed):
        services.set_department_owner(department_id=law.id, staff_id=make.customer().id, actor=manager)
    services.set_department_owner(department_id=law.id, staff_id="", actor=manager)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(DepartmentOwner)) == 0
    assert db.session.scalar(select(func.count()).select_from(CaseEntry)) == 0


@pytest.mark.parametrize("answer, opens", [("1", True), ("2", True), ("3", False), ("5", False)])
def test_a_dissatisfied_answer_opens_a_case_and_tells_its_owner(make, ctx, answer, opens):
    from portal.notices import tracking

    customer = make.customer()
    owner = make.staff(name="Dana Reyes")
    order = delivered(make.order(customer))
    told = tracking.record_satisfaction(order, answer, now=NOW)
    db.session.commit()
    case = db.session.scalar(select(Case))
    if not opens:
        assert case is None and told == []
        return
    assert case.cause.value == "dissatisfied" and case.owner_id == owner.id and case.order_id == order.id
    assert "satisfaction check" in case.problem
    assert "Dana Reyes" in told[0]["text"] and case.number in told[0]["text"] and "/case/" in told[0]["url"]
    assert emails_to(owner, NoticeKind.CASE_ASSIGNED)
    tracking.record_satisfaction(order, "1", now=NOW + timedelta(minutes=5))  # a second answer: the same case
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Case)) == 1
    assert "satisfaction check" in db.session.get(Case, case.id).entries[-1].body


def answered(order, score, comment=None, at=NOW):
    from portal.notices import tracking
    tracking.record_satisfaction(order, score, comment=comment, now=at)
    db.session.commit()
    return order


def test_a_satisfaction_answer_keeps_its_comment_and_a_later_answer_replaces_it(make, ctx):
    order = make.order(make.customer())
    answered(order, 4, "  Lovely binding.  ")
    assert order.satisfaction_comment == "Lovely binding."
    answered(order, 5)
    assert (order.satisfaction, order.satisfaction_comment) == (5, None)
    with pytest.raises(ValidationFailed) as refusal:
        answered(order, 5, "x" * 2001)
    assert refusal.value.errors == {"comment": "Use at most 2,000 characters."}


def test_the_care_page_counts_satisfaction_by_month_product_station_and_department(make, ctx):
    from portal.care import watching
    make.staff(name="Dana Reyes")
    history, law = make.department("History"), make.department("Law")
    historian, lawyer = make.customer(department=history), make.customer(department=law)
    answered(make.order(historian), 5, "Right on time.", at=NOW - timedelta(days=40))
    answered(make.order(historian), 4)
    answered(make.order(lawyer), 2, "The covers were scuffed.")      # opens a case too
    answered(make.order(lawyer, "flyer"), 5, at=NOW - timedelta(days=400))  # outside the window
    view = watching.overview(now=NOW)
    assert [month.month for month, _ in view.months] == [6, 7, 8, 9, 10, 11]
    assert [(share.counted, share.hits) for _, share in view.months][-2:] == [(1, 1), (2, 1)]
    assert (view.overall.counted, view.overall.hits) == (3, 2)
    assert [(name, share.counted, share.hits) for name, share in view.by_department] == [
        ("Law", 1, 0), ("History", 2, 2)]
    assert [(name, share.counted) for name, share in view.by_product] == [("Course pack", 3)]
    assert view.by_station and all(share.counted == 3 for _, share in view.by_station)
    assert [order.satisfaction_comment for order in view.comments.items] == [
        "The covers were scuffed.", "Right on time."]                 # every comment, newest first
    assert dict(view.open_by_age)["Under a day"] == 1 and view.oldest_open[0].cause.label == "Dissatisfied answer"
    assert [(count.cause.value, count.cases) for count in view.causes] == [("dissatisfied", 1)]
    assert view.kept.counted == 0      # its first answer is not due yet


def test_the_response_promise_kept_rate_counts_answered_and_overdue_cases(make, ctx):
    from portal.care import watching
    owner = make.staff()
    customer = make.customer()
    on_time, late, waiting = (reported(make, customer) for _ in range(3))
    services.write(on_time, author=owner, body="On it.", now=NOW + timedelta(hours=1))
    services.write(late, author=owner, body="Sorry for the wait.", now=late.response_due_at + timedelta(hours=1))
    db.session.commit()
    view = watching.overview(now=waiting.response_due_at + timedelta(minutes=5))
    assert (view.kept.counted, view.kept.hits) == (3, 1)
    assert [(count.cause.value, count.cases, count.repeats, count.customers) for count in view.causes] == [
        ("quality", 3, 2, 1)]
