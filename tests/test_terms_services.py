"""The term cycle's services: terms kept by the manager, the deadline on the shop calendar, the reminder to
instructors who had a pack last term (through the outbox, over real SMTP, exactly once), the reprint for next
term with its readings carried over, and the term-start view's packs and load."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import inspect, select

from portal.accounts.models import User
from portal.catalog.models import CopyrightStatus
from portal.extensions import db
from portal.failures import NotAllowed, ValidationFailed
from portal.notices import delivery, term_reminders
from portal.notices.models import Notice
from portal.notices.rules import Channel, NoticeKind
from portal.orders import reorders
from portal.orders.models import Order, OrderFile
from portal.orders.services import NOT_CARRIED, carry_over_files
from portal.promises.models import Closure
from portal.queue import term_load
from portal.terms import services as terms
from tests.factories import NOW
from tests.terms_support import PUBLIC_DOMAIN, SPRING_FIRST_DAY, add_terms, last_terms_pack

IN_THE_WINDOW = datetime(2026, 12, 10, 15, 0, tzinfo=timezone.utc)  # 9 business days before the deadline


def test_the_manager_keeps_terms_and_each_names_one_day(make, ctx):
    fall, spring = add_terms()
    assert [term.name for term in terms.terms()] == ["Fall 2026", "Spring 2027"]
    with pytest.raises(ValidationFailed) as refused:
        terms.save_term(None, name="winter", first_day=None)
    assert set(refused.value.errors) == {"name", "first_day"}
    db.session.rollback()
    with pytest.raises(ValidationFailed) as refused:
        terms.save_term(None, name="spring 2027", first_day=fall.first_day)
    assert "already on the list" in refused.value.errors["name"] and "Fall 2026 already starts" in refused.value.errors["first_day"]
    db.session.rollback()
    moved = terms.save_term(spring, name="Spring 2027", first_day=date(2027, 1, 25))
    db.session.commit()
    assert moved.first_day == date(2027, 1, 25) and terms.term_named("Spring 2027").id == spring.id
    with pytest.raises(NotAllowed):
        terms.term_by_id(spring.id + 100)


def test_the_deadline_is_on_the_shop_calendar_with_its_closures_and_configurable(make, ctx, app):
    add_terms()
    due = terms.deadline_for("Spring 2027", now=NOW)
    assert due.first_day == SPRING_FIRST_DAY and due.order_by == date(2026, 12, 24)  # Christmas and New Year's skipped
    db.session.add(Closure(day=date(2026, 12, 28), reason="Inventory"))
    db.session.commit()
    assert terms.deadline_for("Spring 2027", now=NOW).order_by == date(2026, 12, 23)
    app.config["TERM_ORDER_BUSINESS_DAYS"] = 5
    try:
        assert terms.deadline_for("Spring 2027", now=NOW).order_by == date(2027, 1, 11)  # Jan 18 is MLK Day
    finally:
        app.config["TERM_ORDER_BUSINESS_DAYS"] = 15
    assert terms.deadline_for("Summer 2027", now=NOW) is None  # not on the calendar: nothing to say


def test_instructors_who_had_a_pack_last_term_are_reminded_once_by_email(make, ctx, smtp_server):
    add_terms()
    instructor = make.customer(name="Maya Okafor")
    pack = last_terms_pack(make, instructor)
    already = make.customer(name="Ordered Already")
    last_terms_pack(make, already)
    make.order(already, **PUBLIC_DOMAIN)  # a Spring 2027 pack placed today
    make.customer(name="No Pack")
    assert term_reminders.remind_instructors(now=NOW) == []  # 22 business days before the deadline: too early
    written = term_reminders.remind_instructors(now=IN_THE_WINDOW)
    db.session.commit()
    assert [announcement.dedup_key for announcement in written] == [f"term-reminder-Spring 2027-{instructor.id}"]
    assert term_reminders.remind_instructors(now=IN_THE_WINDOW + timedelta(hours=1)) == []
    delivery.sweep(now=IN_THE_WINDOW)
    delivery.sweep(now=IN_THE_WINDOW + timedelta(hours=2))
    received = [item for item in smtp_server.received if item.message["X-Portal-Notice"] == "term_reminder"]
    assert len(received) == 1 and received[0].rcpt_tos == [instructor.email]
    assert received[0].message["Subject"] == "Order your Spring 2027 course packs by Thursday, December 24"
    text = received[0].part("plain")
    assert "Tuesday, January 19" in text and pack.number in text and f"/orders/{pack.number}#reorder-{pack.number}" in text
    assert db.session.scalar(select(Notice).where(Notice.kind == NoticeKind.TERM_REMINDER,
                                                  Notice.channel == Channel.PORTAL)).recipient_id == instructor.id
    assert term_reminders.remind_instructors(now=datetime(2026, 12, 28, 15, tzinfo=timezone.utc)) == []


def test_no_reminder_without_the_coming_term_and_the_one_before_it(make, ctx):
    last_terms_pack(make, make.customer())  # ordered before the Terms page had any term (the generated names)
    terms.save_term(None, name="Spring 2027", first_day=SPRING_FIRST_DAY)
    db.session.commit()
    assert term_reminders.remind_instructors(now=IN_THE_WINDOW) == []


def test_last_terms_pack_is_reprinted_for_next_term_in_one_step_with_its_readings(make, ctx):
    add_terms()
    customer = make.customer()
    readings = [make.stored_file(customer, pages=4), make.stored_file(customer, pages=9)]
    source = make.order(customer, now=datetime(2026, 7, 20, 15, tzinfo=timezone.utc), term="Fall 2026", files=readings,
                        enrollment="40", **{"files-0-copyright": "public_domain", "files-1-copyright": "public_domain"})
    plan = reorders.plan_reorder(customer, source, now=NOW, enrollment="55")
    assert plan.ready and plan.questions.reprint and plan.questions.term == "Spring 2027"
    placed = reorders.place_reorder(customer, plan, idempotency_key="reprint-1", now=NOW)
    db.session.commit()
    assert (placed.term, placed.enrollment, placed.quantity, placed.source_order_id) == ("Spring 2027", 55, 55, source.id)
    assert [item.file_id for item in placed.files] == [item.file_id for item in source.files]
    carried = [attribute.key for attribute in inspect(OrderFile).column_attrs if attribute.key not in NOT_CARRIED]
    assert "copyright_status" in carried and "title" in carried
    for old, new in zip(source.files, placed.files):
        assert {key: getattr(new, key) for key in carried} == {key: getattr(old, key) for key in carried}
        assert new.id != old.id and new.order_id == placed.id


def test_each_reading_carries_what_the_configuration_left_empty_from_the_same_file(ctx):
    """Matched by stored file, not by place: a reading left out of the reprint matches nothing, and a file
    uploaded again matches the one it replaces."""
    source = Order(files=[OrderFile(file_id=1, position=0, title="Dropped", page_count=3,
                                    copyright_status=CopyrightStatus.REMOVED),
                          OrderFile(file_id=2, position=1, title="Kept", page_count=4,
                                    copyright_status=CopyrightStatus.PUBLIC_DOMAIN),
                          OrderFile(file_id=3, position=2, title="Uploaded again", page_count=5,
                                    copyright_status=CopyrightStatus.FAIR_USE)])
    reprint = Order(files=[OrderFile(file_id=2, position=0, title="Kept", page_count=4, copyright_status=None),
                           OrderFile(file_id=9, position=1, title="Uploaded again", page_count=6,
                                     copyright_status=CopyrightStatus.AWAITING_CLEARANCE)])
    carry_over_files(source, reprint, replaced={3: 9})
    kept, again = reprint.files
    assert (kept.file_id, kept.position, kept.copyright_status) == (2, 0, CopyrightStatus.PUBLIC_DOMAIN)
    assert (again.file_id, again.page_count, again.copyright_status) == (9, 6, CopyrightStatus.AWAITING_CLEARANCE)


def test_a_bad_enrollment_stops_the_reprint_and_says_why(make, ctx):
    add_terms()
    customer = make.customer()
    source = last_terms_pack(make, customer)
    plan = reorders.plan_reorder(customer, source, now=NOW, enrollment="forty")
    assert plan.problems == {"enrollment": "Enter the number of students, 1 to 5,000."}
    with pytest.raises(NotAllowed):
        reorders.plan_reorder(make.customer(), source, now=NOW)


def test_the_term_start_view_lists_the_packs_due_with_clearance_and_station_load(make, ctx):
    _, spring = add_terms()
    customer = make.customer()
    pack = make.order(customer, **PUBLIC_DOMAIN)  # Spring 2027, placed today
    last_terms_pack(make, customer)  # Fall 2026: not this term's
    view = term_load.term_start(now=NOW)
    assert view.term.id == spring.id and view.until == date(2027, 2, 1)
    assert [entry.order.number for entry in view.packs] == [pack.number]
    assert view.packs[0].clearance == "All cleared" and view.packs[0].statuses == [("Public domain", 1)]
    assert view.days[0] == date(2026, 11, 23) and view.days[-1] == date(2027, 2, 1)
    due = sum(minutes for station in view.load for _, minutes, _ in station.days)
    assert due > 0 and all(len(station.days) == len(view.days) for station in view.load)
    assert view.copies == pack.quantity and view.waiting == 0
    with pytest.raises(NotAllowed):
        term_load.term_start(now=NOW, term_id=spring.id + 50)


def test_the_demo_has_terms_packs_for_next_term_and_an_instructor_to_remind(app):
    with time_machine.travel(NOW, tick=False):
        result = app.test_cli_runner().invoke(args=["demo", "load", "--days", "120"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            assert [term.name for term in terms.terms()] == ["Summer 2026", "Fall 2026", "Spring 2027"]
            view = term_load.term_start(now=NOW)
            assert view.term.name == "Spring 2027" and len(view.packs) == 3
            assert [pack.order.student_price_cents for pack in view.packs if pack.order.copies_per_bundle] == [2450]
            assert sum(minutes for station in view.load for _, minutes, _ in station.days) > 0
            spring = terms.term_named("Spring 2027")
            reminded = term_reminders.instructors_to_remind(spring, terms.term_before(spring))
            assert "faculty@example.edu" in {person.email for person in reminded}
            faculty = db.session.scalar(select(User).where(User.email == "faculty@example.edu"))
            past = db.session.scalar(select(Order).where(Order.customer_id == faculty.id, Order.term == "Fall 2026"))
            assert reorders.questions_for(past, NOW.date()).reprint
