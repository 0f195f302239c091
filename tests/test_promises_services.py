"""Promises against the database: planned work joins the queue, the re-plan flags risk, calibration."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.orders.models import OrderStatus
from portal.keeping import services as keeping
from portal.promises import services
from portal.promises.models import Calibration, OrderWork, Station
from portal.queue import services as queue
from portal.shop.delivery import DeliveryMethod
from tests.factories import NOW


def test_an_order_brings_its_planned_minutes_per_station(ctx, make, customer):
    order = make.order(customer)
    work = db.session.scalars(select(OrderWork).where(OrderWork.order_id == order.id).order_by(OrderWork.position)).all()
    assert [(w.stage, round(w.minutes)) for w in work] == [("prepress", 25), ("printing", 14), ("finishing", 79)]
    assert order.planned_date == date(2026, 11, 24) and order.promise_date == date(2026, 11, 25)


def test_queued_work_pushes_later_promises_back(ctx, make, customer):
    first = make.configuration(customer).estimate(delivery_method="campus", now=NOW)
    for _ in range(25):  # a term-start rush of big course packs at the bindery
        make.order(customer, quantity="60", enrollment="60")
    db.session.expire_all()
    later = make.configuration(customer).estimate(delivery_method="campus", now=NOW)
    assert later.delivery > first.delivery


def test_rush_waits_only_behind_rush(ctx, make, customer):
    for _ in range(25):
        make.order(customer, quantity="60", enrollment="60")
    plain = make.configuration(customer).estimate(delivery_method="campus", now=NOW)
    rushed = make.configuration(customer, rush="y").estimate(delivery_method="campus", now=NOW)
    assert rushed.delivery < plain.delivery


def test_moving_through_the_queue_marks_work_done(ctx, make, customer, staff):
    order = make.order(customer)
    for to in (OrderStatus.PREPRESS, OrderStatus.PRINTING):
        queue.move_job(order, to=to, seen=order.status, actor=staff, now=NOW)
    done = dict(db.session.execute(select(OrderWork.stage, OrderWork.done).where(OrderWork.order_id == order.id)).all())
    assert done == {"prepress": True, "printing": False, "finishing": False}
    queue.move_job(order, to=OrderStatus.ON_HOLD, seen=order.status, actor=staff, now=NOW, details={"reason": "Paper"})
    assert services.shop_state(NOW + timedelta(days=1)).backlog.get("bindery", 0) == 0  # held work blocks no one


def test_a_station_down_flips_an_order_to_at_risk_with_the_reason(ctx, make, customer):
    order = make.order(customer)
    assert keeping.replan(now=NOW) >= 0
    assert order.at_risk_reason is None
    bindery = db.session.scalar(select(Station).where(Station.code == "bindery"))
    for offset in range(0, 3):
        services.add_downtime(station_id=bindery.id, day=date(2026, 11, 23) + timedelta(days=offset),
                              reason="Coil binder broken", now=NOW)
    keeping.replan(now=NOW)
    assert order.expected_date > order.promise_date
    assert order.at_risk_reason and "Bindery" in order.at_risk_reason
    assert [o.id for o in keeping.at_risk_orders()] == [order.id]


def test_a_closure_is_refused_in_the_past_and_twice(ctx):
    from portal.failures import ValidationFailed

    with pytest.raises(ValidationFailed) as past:
        services.add_closure(day=date(2026, 11, 1), reason="x", now=NOW)
    assert past.value.errors == {"day": "Choose today or a later day."}
    services.add_closure(day=date(2026, 12, 24), reason="Winter break", now=NOW)
    with pytest.raises(ValidationFailed):
        services.add_closure(day=date(2026, 12, 24), reason="Again", now=NOW)


def test_calibration_sets_the_buffer_from_how_late_jobs_ran_against_their_plan(ctx, make, customer):
    product_id = make.order(customer).product_id
    for index in range(30):  # thirty delivered course packs: one a day late against its plan
        order = make.order(customer, key=f"k{index}")
        order.status, order.planned_date = OrderStatus.DELIVERED, date(2026, 11, 16)
        order.delivered_on = date(2026, 11, 17) if index == 0 else date(2026, 11, 16)
    db.session.commit()
    runs = keeping.calibrate(now=NOW)
    assert [(r.product_id, r.buffer_days, r.previous_buffer_days, r.samples) for r in runs] == [(product_id, 1, None, 30)]
    assert keeping.calibrate(now=NOW) == []  # unchanged: nothing new recorded
    assert db.session.scalar(select(func.count()).select_from(Calibration)) == 1


def test_kept_rate_counts_deliveries_on_or_before_the_promise(ctx, make, customer):
    for index, delivered in enumerate([date(2026, 11, 20), date(2026, 11, 25), date(2026, 11, 26)]):
        order = make.order(customer, key=f"kept{index}")
        order.status, order.promise_date, order.delivered_on = OrderStatus.DELIVERED, date(2026, 11, 25), delivered
    db.session.commit()
    kept = keeping.kept_rate(now=datetime(2026, 11, 27, 15, tzinfo=timezone.utc), days=30)
    assert (kept.delivered, kept.kept) == (3, 2)


def test_a_pickup_ready_on_the_shelf_by_its_promise_is_kept_whenever_it_is_collected(ctx, make, customer, staff):
    pickup = make.address(customer, kind=DeliveryMethod.PICKUP)
    on_time, late = (make.order(customer, key=key, address=pickup) for key in ("on-time", "late"))
    for order, ready_at in ((on_time, datetime(2026, 11, 24, 20, tzinfo=timezone.utc)),
                            (late, datetime(2026, 11, 25, 20, tzinfo=timezone.utc))):
        order.promise_date = date(2026, 11, 24)
        for to in (OrderStatus.PREPRESS, OrderStatus.PRINTING, OrderStatus.FINISHING, OrderStatus.READY):
            queue.move_job(order, to=to, seen=order.status, actor=staff, now=ready_at)
        queue.move_job(order, to=OrderStatus.DELIVERED, seen=order.status, actor=staff,
                       now=datetime(2026, 11, 25, 21, tzinfo=timezone.utc), details={"received_by": customer.name})
    db.session.commit()
    assert (on_time.ready_on, on_time.delivered_on) == (date(2026, 11, 24), date(2026, 11, 25))
    kept = keeping.kept_rate(now=datetime(2026, 11, 27, 15, tzinfo=timezone.utc), days=30)
    assert (kept.delivered, kept.kept) == (2, 1)  # collected the day after; ready by the promise only one of them


def test_a_promise_without_transit_is_kept_when_ready_by_it_and_not_told_late(ctx, make, customer, staff):
    order = make.order(customer, key="mailed")  # as a mailer is promised: its mail date, no transit after
    order.promise_date = order.ready_by = date(2026, 11, 25)
    db.session.commit()
    keeping.replan(now=NOW)
    assert order.expected_date <= order.promise_date and order.at_risk_reason is None
    for to in (OrderStatus.PREPRESS, OrderStatus.PRINTING, OrderStatus.FINISHING, OrderStatus.READY,
               OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        queue.move_job(order, to=to, seen=order.status, actor=staff, now=datetime(2026, 11, 25, 20, tzinfo=timezone.utc)
                       if to != OrderStatus.DELIVERED else datetime(2026, 11, 27, 15, tzinfo=timezone.utc),
                       details={"received_by": "Mail room"} if to == OrderStatus.DELIVERED else None)
    db.session.commit()
    kept = keeping.kept_rate(now=datetime(2026, 11, 30, 15, tzinfo=timezone.utc), days=30)
    assert (kept.delivered, kept.kept) == (1, 1)


def test_calibration_counts_a_pickup_from_the_day_it_was_ready_not_the_day_it_was_collected(ctx, make, customer):
    pickup = make.address(customer, kind=DeliveryMethod.PICKUP)
    for index in range(60):  # on the shelf on the planned day; a third collected two days later
        order = make.order(customer, key=f"p{index}", address=pickup)
        order.status, order.planned_date, order.ready_on = OrderStatus.DELIVERED, date(2026, 11, 16), date(2026, 11, 16)
        order.delivered_on = date(2026, 11, 18) if index % 3 == 0 else date(2026, 11, 16)
    db.session.commit()
    assert [run.buffer_days for run in keeping.calibrate(now=NOW)] == [1]  # the least a promise keeps, not 2


def test_the_load_chart_shows_planned_work_against_capacity(ctx, make, customer):
    make.order(customer)
    keeping.replan(now=NOW)
    chart = {station.name: station.days for station in keeping.load_chart(now=NOW)}
    day, planned, capacity = chart["Bindery"][0]
    assert day == date(2026, 11, 23) and round(planned) == 79 and capacity == 1800


def test_a_short_simulation_runs_through_the_real_code(app, tmp_path):
    """The benchmark's simulation on a scratch database: it places, works and delivers orders."""
    from flask_migrate import upgrade

    from portal import create_app
    from benchmarks import simulation

    scratch = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'sim.db'}",
                          "UPLOAD_DIR": str(tmp_path / "uploads")})
    with scratch.app_context():
        upgrade()
        summary = simulation.run(days=12, seed=3)
        db.session.remove()
        db.engine.dispose()
    assert summary["orders"] > 50 and summary["evaluated"] > 20
    assert summary["mailer_orders"] > 0  # mailers too, each with its own list and approved proof
    assert 0 <= summary["kept_rate"] <= 1 and summary["median_slack_business_days"] is not None
    assert set(summary) >= {"orders", "kept_rate", "median_slack_business_days", "p90_slack_business_days", "late_orders"}


def test_the_kept_trend_counts_each_week_by_delivery_day(ctx, make, customer):
    for index, (delivered, promise) in enumerate([(date(2026, 11, 23), date(2026, 11, 23)),
                                                  (date(2026, 11, 23), date(2026, 11, 20)),
                                                  (date(2026, 11, 10), date(2026, 11, 12))]):
        order = make.order(customer, key=f"trend{index}")
        order.status, order.promise_date, order.delivered_on = OrderStatus.DELIVERED, promise, delivered
    db.session.commit()
    weeks = keeping.kept_trend(now=NOW, weeks=3)
    assert [(w.start, w.delivered, w.kept) for w in weeks] == [
        (date(2026, 11, 9), 1, 1), (date(2026, 11, 16), 0, 0), (date(2026, 11, 23), 2, 1)]


def test_after_closing_the_replan_leaves_today_behind_and_the_slip_is_told_that_evening(ctx, make, customer):
    from portal.notices import services as notices

    order = make.order(customer)  # Monday 10:00: ready today, at the department Tuesday, promised Wednesday
    keeping.replan(now=NOW)
    assert order.expected_date == date(2026, 11, 24) and order.at_risk_reason is None
    monday_evening = NOW + timedelta(hours=7, minutes=30)  # 17:30 in the shop: the day's work is over
    keeping.replan(now=monday_evening)
    assert order.expected_date == date(2026, 11, 25) and order.at_risk_reason is None  # Tuesday's work now
    keeping.replan(now=monday_evening + timedelta(days=1))  # Tuesday 17:30, still not started
    assert order.expected_date == date(2026, 11, 27) and order.at_risk_reason  # Thursday is Thanksgiving
    told = notices.check_delays(now=monday_evening + timedelta(days=1))
    assert [a.order_id for a in told] == [order.id]  # a business day before the Wednesday promised


def test_a_proof_unanswered_at_closing_is_expected_late_that_evening_a_business_day_before_the_promise(
        ctx, make, customer, staff):
    from portal.notices import services as notices
    from tests.factories import pdf_bytes

    pickup = make.address(customer, kind=DeliveryMethod.PICKUP)
    order = make.order(customer, "booklet", address=pickup, quantity=100)
    order.promise_date = order.ready_by = date(2026, 11, 25)  # Wednesday, on the shelf
    proof = queue.send_proof(order, data=pdf_bytes(2), filename="proof.pdf", message="", actor=staff, now=NOW)
    db.session.commit()
    assert proof.answer_by == date(2026, 11, 24)
    monday_evening = NOW + timedelta(hours=7, minutes=30)  # 17:30 in the shop
    keeping.replan(now=monday_evening)
    assert order.at_risk_reason is None  # answered Tuesday, printed Wednesday: still on time
    tuesday_evening = monday_evening + timedelta(days=1)  # no answer yet: Wednesday at the earliest, printed after
    keeping.replan(now=tuesday_evening)
    assert order.expected_date > order.promise_date and order.at_risk_reason == "Waiting for the customer to answer the proof."
    assert [a.order_id for a in notices.check_delays(now=tuesday_evening)] == [order.id]  # the day before its promise
