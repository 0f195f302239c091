"""Moving jobs, proofs, notes and the queue's lists, against the database, without HTTP."""
from datetime import date, timedelta

import pytest

from portal.shop.delivery import DeliveryMethod
from portal.extensions import db
from portal.failures import Conflict, NotAllowed, ValidationFailed
from portal.orders.models import OrderStatus as S
from portal.promises.services import shop_calendar
from portal.queue import services
from portal.queue.models import ProofAnswer, ShipmentKind
from portal.queue.services import QueueFilters
from tests.factories import NOW, pdf_bytes, to_clear
from tests.queue_support import job_at

TODAY = date(2026, 11, 23)


@pytest.fixture
def shop(make):
    make.catalog()
    return make.staff(name="Priya Natarajan")


def move(order, to, actor, *, now=NOW, **details):
    services.move_job(order, to=to, seen=order.status, actor=actor, now=now, details=details)
    db.session.commit()
    return order


def test_a_move_is_a_timeline_event_with_who_and_when(make, customer, shop):
    order = job_at(make, customer)
    version = order.version
    move(order, S.PREPRESS, shop)
    event = order.events[-1]
    assert order.status == S.PREPRESS and order.version == version + 1
    assert (event.status, event.actor_id, event.at, event.public) == (S.PREPRESS, shop.id, NOW, True)


def test_a_job_that_moved_since_it_was_seen_is_a_conflict_and_nothing_changes(make, customer, shop):
    order = job_at(make, customer, S.PRINTING)
    with pytest.raises(Conflict):
        services.move_job(order, to=S.PRINTING, seen=S.PREPRESS, actor=shop, now=NOW)
    db.session.rollback()
    assert order.status == S.PRINTING and len(order.events) == 1
    message = services.what_changed(order.number, now=NOW + timedelta(hours=2))
    assert "It is now in Printing" in message


def test_the_rules_refuse_with_a_reason_on_the_move_field(make, customer, shop):
    order = job_at(make, customer, S.PREPRESS, **to_clear(0))
    with pytest.raises(ValidationFailed) as refused:
        services.move_job(order, to=S.PRINTING, seen=S.PREPRESS, actor=shop, now=NOW)
    assert "Copyright permission is pending for 1 reading (Reading 1)" in refused.value.errors["move"]


def test_hold_needs_a_reason_and_resume_goes_back(make, customer, shop):
    order = job_at(make, customer, S.PRINTING)
    with pytest.raises(ValidationFailed) as refused:
        services.move_job(order, to=S.ON_HOLD, seen=S.PRINTING, actor=shop, now=NOW, details={"reason": "  "})
    assert "reason" in refused.value.errors
    db.session.rollback()
    move(order, S.ON_HOLD, shop, reason="Paper stock arrives Tuesday")
    assert (order.held_from, order.hold_reason) == (S.PRINTING, "Paper stock arrives Tuesday")
    assert order.events[-1].message == "On hold: Paper stock arrives Tuesday"
    move(order, S.PRINTING, shop)
    assert order.status == S.PRINTING and order.held_from is None and order.hold_reason is None


def test_campus_delivery_goes_out_on_the_days_run_and_is_signed_for(make, customer, shop):
    order = job_at(make, customer, S.READY)
    move(order, S.SHIPPED, shop)
    assert order.shipment.kind == ShipmentKind.CAMPUS_RUN and order.shipment.run_on == TODAY
    with pytest.raises(ValidationFailed) as refused:
        services.move_job(order, to=S.DELIVERED, seen=S.SHIPPED, actor=shop, now=NOW)
    assert refused.value.errors == {"received_by": "Enter who received it."}
    db.session.rollback()
    move(order, S.DELIVERED, shop, received_by="Front desk, J. Ortiz")
    assert order.delivered_on == TODAY and order.shipment.received_by == "Front desk, J. Ortiz"
    assert order.events[-1].message == "Delivered; received by Front desk, J. Ortiz."


def test_carrier_shipping_records_carrier_and_tracking(make, customer, shop):
    order = job_at(make, customer, S.READY, delivery=DeliveryMethod.CARRIER)
    with pytest.raises(ValidationFailed) as refused:
        services.move_job(order, to=S.SHIPPED, seen=S.READY, actor=shop, now=NOW, details={"carrier": "UPS"})
    assert set(refused.value.errors) == {"tracking_number"}
    db.session.rollback()
    move(order, S.SHIPPED, shop, carrier="UPS", tracking_number="1Z 999 AA1 0123 4567")
    assert (order.shipment.carrier, order.shipment.tracking_number) == ("UPS", "1Z 999 AA1 0123 4567")


def test_a_pickup_is_picked_up(make, customer, shop):
    order = job_at(make, customer, S.READY, delivery=DeliveryMethod.PICKUP)
    move(order, S.DELIVERED, shop, received_by="Maya Okafor")
    assert order.shipment.kind == ShipmentKind.PICKUP and order.events[-1].message.startswith("Picked up")


def test_proof_round_trip_on_time_moves_the_job_on_and_keeps_the_dates(make, customer, shop):
    order = job_at(make, customer, product="booklet")
    promised = order.expected_date
    proof = services.send_proof(order, data=pdf_bytes(2), filename="proof.pdf", message="Check page 3",
                                actor=shop, now=NOW)
    db.session.commit()
    assert order.status == S.PREPRESS and proof.round == 1
    assert services.rules.refusal(services.facts(order), S.PRINTING) == "The customer has not answered the proof yet."
    services.answer_proof(proof, customer=customer, approved=True, comment="", now=NOW + timedelta(days=1))
    db.session.commit()
    assert proof.answer == ProofAnswer.APPROVED and order.status == S.PRINTING
    assert order.expected_date == promised == order.promise_date and proof.delay_days == 0
    assert [e.message for e in order.events][-2:] == ["Proof 1 approved.", "Proof approved: on the press."]


def test_a_proof_asks_for_an_answer_by_the_day_that_keeps_the_promise(make, customer, shop):
    order = job_at(make, customer, product="booklet")  # placed Monday November 23
    order.ready_by = date(2026, 12, 4)
    first = services.send_proof(order, data=pdf_bytes(2), filename="proof.pdf", message="", actor=shop, now=NOW)
    db.session.commit()
    assert first.answer_by == date(2026, 11, 24)  # Tuesday: printing planned from Wednesday
    order.ready_by = date(2026, 11, 24)  # had it been due to be ready Tuesday: answer on Monday, the day it is sent
    second = services.send_proof(order, data=pdf_bytes(2), filename="proof.pdf", message="", actor=shop, now=NOW)
    assert second.answer_by == date(2026, 11, 23)


def test_a_late_answer_moves_the_expected_date_never_the_promise(make, customer, shop):
    order = job_at(make, customer, product="booklet")
    promised = order.promise_date
    proof = services.send_proof(order, data=pdf_bytes(2), filename="proof.pdf", message="", actor=shop, now=NOW)
    db.session.commit()
    # Sent Monday; answered the next Monday: 4 business days (Thanksgiving is closed), 2 past the plan.
    services.answer_proof(proof, customer=customer, approved=False, comment="Use the 2026 logo",
                          now=NOW + timedelta(days=7))
    db.session.commit()
    assert order.status == S.PREPRESS and proof.answer == ProofAnswer.CHANGES_REQUESTED
    assert proof.delay_days == 2 and order.promise_date == promised
    assert order.expected_date == shop_calendar(TODAY).add_business_days(promised, 2)
    assert f"2 business days later than planned: now expected {order.expected_date:%A, %B %-d}" in order.events[-1].message


def test_asking_for_changes_needs_a_comment_and_an_answer_is_given_once(make, customer, shop):
    order = job_at(make, customer, product="booklet")
    proof = services.send_proof(order, data=pdf_bytes(2), filename="p.pdf", message="", actor=shop, now=NOW)
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        services.answer_proof(proof, customer=customer, approved=False, comment=" ", now=NOW)
    assert refused.value.errors == {"comment": "Say what should change."}
    db.session.rollback()
    services.answer_proof(proof, customer=customer, approved=True, comment="", now=NOW)
    db.session.commit()
    with pytest.raises(ValidationFailed):
        services.answer_proof(proof, customer=customer, approved=True, comment="", now=NOW)
    with pytest.raises(NotAllowed):
        services.answer_proof(proof, customer=make.customer(), approved=True, comment="", now=NOW)


def test_a_fake_proof_is_refused_on_the_proof_field(make, customer, shop):
    order = job_at(make, customer, product="booklet")
    with pytest.raises(ValidationFailed) as refused:
        services.send_proof(order, data=b"not a pdf", filename="proof.pdf", message="", actor=shop, now=NOW)
    assert "not a PDF" in refused.value.errors["proof"]


def test_notes_and_assignment(make, customer, shop):
    order = job_at(make, customer)
    with pytest.raises(ValidationFailed):
        services.add_note(order, text="   ", author=shop, now=NOW)
    services.add_note(order, text="Customer called: wants spiral binding", author=shop, now=NOW)
    services.assign(order, staff_id=shop.id, actor=shop, now=NOW)
    db.session.commit()
    assert [n.text for n in services.notes(order)] == ["Customer called: wants spiral binding"]
    assert order.assigned_to_id == shop.id and not order.events[-1].public
    with pytest.raises(ValidationFailed):
        services.assign(order, staff_id=customer.id, actor=shop, now=NOW)


def test_filters_find_what_is_due_late_at_risk_rush_and_mine(make, customer, shop):
    other = make.customer(name="Omar Farouk")
    due = job_at(make, customer, title="Due today")
    late = job_at(make, customer, S.PRINTING, title="Late one")
    risky = job_at(make, other, S.FINISHING, title="Risky", rush="y")
    closed = job_at(make, customer, S.DELIVERED, title="Done")
    due.promise_date = due.expected_date = due.ready_by = TODAY
    late.promise_date = late.expected_date = late.ready_by = TODAY - timedelta(days=2)
    risky.expected_date = risky.promise_date + timedelta(days=3)
    late.assigned_to_id = shop.id
    closed.promise_date = TODAY
    db.session.commit()

    def found(**filters):
        return [o.title for o in services.queue_page(QueueFilters(**filters), today=TODAY).items]

    assert found() == ["Risky", "Late one", "Due today"]  # open jobs, rush first, then the soonest to be ready
    assert found(when="due_today") == ["Due today"]
    assert found(when="late") == ["Late one"]
    assert found(when="at_risk") == ["Risky"]
    assert found(rush=True) == ["Risky"]
    assert found(assigned=str(shop.id)) == ["Late one"]
    assert found(assigned="unassigned") == ["Risky", "Due today"]
    assert found(search="omar") == ["Risky"]
    assert found(search=late.number) == ["Late one"]
    assert found(search="risky") == ["Risky"]
    assert found(department_id=other.memberships[0].department_id) == ["Risky"]
    assert found(stage="closed") == ["Done"]
    assert found(stage="printing") == ["Late one"]
    counts = services.stage_counts(QueueFilters(), today=TODAY)
    assert (counts[S.RECEIVED], counts[S.PRINTING], counts[S.FINISHING], counts[S.READY]) == (1, 1, 1, 0)
    board = services.board(QueueFilters(), today=TODAY, per_stage=1)
    assert [o.title for o in board[S.PRINTING]] == ["Late one"] and board[S.READY] == []


def test_the_queue_lists_jobs_by_the_day_they_must_be_ready_so_a_carrier_job_comes_before_its_promise(
        make, customer):
    campus = job_at(make, customer, title="Campus, promised Wednesday", delivery=DeliveryMethod.CAMPUS)
    carrier = job_at(make, customer, title="Carrier, promised Friday", delivery=DeliveryMethod.CARRIER)
    rush = job_at(make, customer, title="Rush, promised Friday", delivery=DeliveryMethod.PICKUP, rush="y")
    calendar = shop_calendar(TODAY)
    # placed: each must be ready its transit's business days before its promise (a pickup on the day itself)
    assert calendar.add_business_days(campus.ready_by, 1) == campus.promise_date
    assert calendar.add_business_days(carrier.ready_by, 3) == carrier.promise_date
    assert rush.ready_by == rush.promise_date
    campus.promise_date, campus.ready_by = date(2026, 11, 25), date(2026, 11, 24)
    carrier.promise_date, carrier.ready_by = date(2026, 11, 27), date(2026, 11, 23)  # Thanksgiving does not count
    rush.promise_date = rush.ready_by = date(2026, 11, 27)
    db.session.commit()

    titles = [o.title for o in services.queue_page(QueueFilters(), today=TODAY).items]
    board = services.board(QueueFilters(), today=TODAY)

    assert titles == ["Rush, promised Friday", "Carrier, promised Friday", "Campus, promised Wednesday"]
    assert [o.title for o in board[S.RECEIVED]] == titles


def test_the_run_sheet_lists_the_days_campus_deliveries_by_building(make, shop):
    stops = []
    for building, room in [("Uris Hall", "Room 440"), ("Day Hall", "Room 300"), ("Uris Hall", "Room 12")]:
        customer = make.customer()
        address = make.address(customer, building=building, room=room)
        order = make.order(customer, address=address)
        order.status = S.READY
        db.session.commit()
        move(order, S.SHIPPED, shop)
        stops.append(order)
    run = services.campus_run(TODAY)
    assert [(stop.building, [o.ship_to["room"] for o in stop.orders]) for stop in run] == [
        ("Day Hall", ["Room 300"]), ("Uris Hall", ["Room 12", "Room 440"])]
    assert services.campus_run(TODAY + timedelta(days=1)) == []


def test_moves_and_proofs_announce_what_the_customer_hears_about(make, customer, shop, monkeypatch):
    """The notices outbox is another piece of work: here, the calls it will get, through the real announce()."""
    heard = []
    real = services.announce

    def listening(order, kind, *, now, actor=None, **details):
        real(order, kind, now=now, actor=actor, **details)  # validates the kind
        heard.append((kind, details))

    monkeypatch.setattr(services, "announce", listening)
    booklet = job_at(make, customer, product="booklet")
    services.send_proof(booklet, data=pdf_bytes(2), filename="p.pdf", message="", actor=shop, now=NOW)
    pickup = job_at(make, customer, S.FINISHING, delivery=DeliveryMethod.PICKUP)
    move(pickup, S.READY, shop)
    move(pickup, S.DELIVERED, shop, received_by="Maya")
    campus = job_at(make, customer, S.READY)
    move(campus, S.SHIPPED, shop)
    carrier = job_at(make, customer, S.READY, delivery=DeliveryMethod.CARRIER)
    move(carrier, S.SHIPPED, shop, carrier="UPS", tracking_number="1Z9")
    assert heard == [("proof_ready", {"proof_round": 1}), ("ready_for_pickup", {}),
                     ("delivered", {"received_by": "Maya"}), ("out_for_delivery", {}),
                     ("shipped", {"carrier": "UPS", "tracking_number": "1Z9"})]


def test_the_station_filter_finds_jobs_with_work_left_there(ctx, make, customer, staff):
    from sqlalchemy import select as sa_select

    from portal.promises.models import Station
    from portal.queue.services import queue_page

    flyer, pack = make.order(customer, "flyer"), make.order(customer)
    bindery = db.session.scalar(sa_select(Station).where(Station.code == "bindery"))
    found = queue_page(QueueFilters(station_id=bindery.id), today=NOW.date()).items
    assert [o.id for o in found] == [pack.id]  # a letter flyer has no bindery step
    for to in (S.PREPRESS, S.PRINTING, S.FINISHING, S.READY):
        services.move_job(pack, to=to, seen=pack.status, actor=staff, now=NOW)
    assert queue_page(QueueFilters(station_id=bindery.id), today=NOW.date()).items == []
    assert flyer.id not in [o.id for o in found]
