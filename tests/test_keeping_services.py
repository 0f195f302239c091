"""Keeping promises without needless work: the worker's re-plan is skipped while nothing it depends on changed,
the re-plan writes only what changed, and the shop state is kept per process until anything is written."""
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from portal.background import PeriodicRun, once_per_period
from portal.extensions import db
from portal.keeping import services as keeping
from portal.keeping import tasks
from portal.orders.models import Order, OrderStatus
from portal.promises import services as promises
from portal.promises.models import LastReplan, Station
from portal.queue import services as queue
from tests.factories import NOW  # Monday 10:00 in the shop

EVENING = NOW + timedelta(hours=7, minutes=30)  # Monday 17:30, after closing


def replanned(now=NOW) -> int:
    changed = keeping.replan(now=now)
    db.session.commit()
    return changed


def due(now=NOW) -> bool:
    answer = keeping.replan_is_due(now=now)
    db.session.rollback()
    return answer


def test_the_replan_is_due_until_there_has_been_one(ctx, make, customer):
    make.order(customer)
    assert due()
    replanned()
    assert not due()
    assert not due(NOW + timedelta(hours=3))  # later the same day, still before closing


def test_any_committed_write_makes_it_due_again(ctx, make, customer, staff):
    order = make.order(customer)
    replanned()
    queue.move_job(order, to=OrderStatus.PREPRESS, seen=order.status, actor=staff, now=NOW)
    assert not due()  # a write not committed is nothing yet (due() rolls it back)
    queue.move_job(order, to=OrderStatus.PREPRESS, seen=order.status, actor=staff, now=NOW)
    db.session.commit()
    assert due()
    replanned()
    assert not due()


def test_closing_time_and_the_next_day_make_it_due(ctx, make, customer):
    make.order(customer)
    replanned()
    assert due(EVENING)  # work now resumes tomorrow
    replanned(EVENING)
    assert not due(EVENING + timedelta(hours=1))
    assert due(NOW + timedelta(days=1))  # Tuesday morning: another day


def test_the_claims_of_other_periodic_work_change_nothing_it_depends_on(ctx, make, customer):
    make.order(customer)
    replanned()
    once_per_period("notices.sweep_outbox", timedelta(minutes=1), lambda: None, now=NOW)
    assert not due()


def test_the_worker_skips_the_replan_and_claims_nothing_while_nothing_changed(ctx, make, customer, staff):
    order = make.order(customer)
    with time_machine.travel(NOW, tick=False):
        tasks.replan_open_orders.call_local()
        assert db.session.scalar(select(LastReplan.today)) == NOW.date()
    claims = select(PeriodicRun.period_start).where(PeriodicRun.task == "promises.replan")
    assert len(db.session.scalars(claims).all()) == 1
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        tasks.replan_open_orders.call_local()
    assert len(db.session.scalars(claims).all()) == 1  # skipped: nothing claimed
    queue.move_job(order, to=OrderStatus.PREPRESS, seen=order.status, actor=staff, now=NOW)
    db.session.commit()
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        tasks.replan_open_orders.call_local()
    assert len(db.session.scalars(claims).all()) == 2


def test_a_replan_writes_only_the_orders_whose_forecast_changed(ctx, make, customer):
    first, second = make.order(customer), make.order(customer)
    db.session.execute(Order.__table__.update().values(expected_date=NOW.date()))
    db.session.commit()
    versions = dict(db.session.execute(select(Order.id, Order.version)).all())
    with time_machine.travel(NOW, tick=False):
        assert replanned() == 2
        assert replanned() == 0
    after = dict(db.session.execute(select(Order.id, Order.version)).all())
    assert after == {first.id: versions[first.id] + 1, second.id: versions[second.id] + 1}  # moved once each
    assert first.expected_date > NOW.date() and first.version == after[first.id]  # the session's order was told
    told = first.expected_date
    db.session.expire_all()  # what was written, read back as the ORM reads it
    assert (first.expected_date, first.updated_at) == (told, NOW) and first.at_risk_reason is None
    assert db.session.scalar(select(Order.id).where(Order.expected_date == told, Order.updated_at == NOW,
                                                    Order.id == first.id)) == first.id  # stored as the ORM stores it


def test_a_replan_never_writes_over_an_order_changed_since_it_was_read(ctx, make, customer):
    order = make.order(customer)
    db.session.commit()
    read = {"order_id": order.id, "read_version": order.version - 1, "expected": NOW.date(), "reason": "Late."}
    with pytest.raises(StaleDataError, match="1 of 1 orders changed while it ran"):
        keeping._write_forecasts([read])
    db.session.rollback()
    db.session.expire_all()
    assert order.at_risk_reason != "Late."


def test_the_shop_state_is_kept_until_anything_is_written(ctx, make, customer):
    make.order(customer)
    db.session.rollback()
    state = promises.shop_state(NOW)
    promises.forget_state()  # as the next request would find it
    assert promises.shop_state(NOW) is state
    assert promises.shop_state(NOW + timedelta(days=1)) is not state  # another day
    bindery = db.session.scalar(select(Station).where(Station.code == "bindery"))
    promises.add_downtime(station_id=bindery.id, day=NOW.date() + timedelta(days=1), reason="Broken", now=NOW)
    written = promises.shop_state(NOW)  # this transaction has written: its own, with its downtime, kept for no one
    assert written is not state and written.capacity.down["bindery"]
    db.session.rollback()
    promises.forget_state()
    assert promises.shop_state(NOW) is state  # the write was rolled back: nothing else changed
    promises.add_downtime(station_id=bindery.id, day=NOW.date() + timedelta(days=1), reason="Broken", now=NOW)
    db.session.commit()
    promises.forget_state()
    assert promises.shop_state(NOW).capacity.down["bindery"]


def test_the_kept_shop_state_cannot_be_changed_by_its_readers(ctx, make, customer):
    make.order(customer)
    state = promises.shop_state(NOW)
    for mapping in (state.backlog, state.stations, state.capacity.minutes_per_day):
        try:
            mapping["bindery"] = 0
        except TypeError:
            continue
        raise AssertionError("a kept mapping was changed")
