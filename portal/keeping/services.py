"""Keeping the promises made: the re-plan that keeps every open order's expected date current and
says who is at risk and why, each product's calibrated buffer, promises kept (30 and 90 days, week by
week), and the planned load on each station. It reads the orders; the estimate is portal.promises."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Row, bindparam, case, delete, func, insert, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from portal.catalog.models import Product
from portal.copyright.services import answer_times, clearance_waits
from portal.database import data_version, exclusive, execute_many, utcnow
from portal.extensions import db
from portal.orders.models import Order, OrderStatus
from portal.promises import rules
from portal.promises.models import Calibration, LastReplan, OrderWork, Station, StationLoad
from portal.promises.services import (DEFAULT_BUFFER_DAYS, ShopState, calibrate_clearance, forget_state, shop_calendar,
                                     shop_state)
from portal.queue.models import Proof
from portal.shop.clock import closing, shop_time, shop_today, shop_zone
from portal.shop.delivery import DeliveryMethod

PERCENTILE = 0.98  # promises are calibrated to hold for this share of jobs
HISTORY_DAYS = 180


ORDERS = Order.__table__  # the re-plan reads and writes orders as plain rows


def open_jobs(today: date, *, resumes: date | None = None) -> tuple[list[rules.OpenJob], dict[int, Row]]:
    """Every order still to be made, with the work it has left, and each order as the re-plan reads and writes it
    (plain rows, not ORM objects: a few queries, whatever the size).

    A proof out waits the round trip the promise planned; one still unanswered when work resumes (today, or
    the next business day once the shop has closed) is answered that day at the earliest, and the work after
    it waits for the day after: so an unanswered proof is seen slipping the evening before, not the morning of."""
    orders = {order.id: order for order in db.session.execute(
        select(ORDERS.c.id, ORDERS.c.version, ORDERS.c.status, ORDERS.c.product_id, ORDERS.c.rush, ORDERS.c.promise_date,
               ORDERS.c.ready_by, ORDERS.c.placed_at, ORDERS.c.delivery_method, ORDERS.c.hold_reason,
               ORDERS.c.expected_date, ORDERS.c.at_risk_reason).where(ORDERS.c.status.in_(OPEN_FOR_PLAN))).all()}
    codes = dict(db.session.execute(select(Station.__table__.c.id, Station.__table__.c.code)).all())
    steps: dict[int, list[rules.Work]] = {order_id: [] for order_id in orders}
    same_step: dict[tuple, rules.Work] = {}  # many jobs have the same step: one Work (immutable) for them all
    work = OrderWork.__table__
    for order_id, station_id, stage, minutes in db.session.execute(
            select(work.c.order_id, work.c.station_id, work.c.stage, work.c.minutes)
            .where(work.c.done.is_(False)).order_by(work.c.order_id, work.c.position)):  # each job's in their order
        if order_id in steps:  # work not done of an order waiting for its approver is not planned
            step = same_step.get((station_id, stage, minutes))
            if step is None:
                step = same_step[station_id, stage, minutes] = rules.Work(codes[station_id], stage, minutes)
            steps[order_id].append(step)
    proofs_out = dict(db.session.execute(select(Proof.order_id, func.max(Proof.sent_at)).join(Order)
                                         .where(Proof.answered_at.is_(None), Order.status.in_(OPEN_FOR_PLAN))
                                         .group_by(Proof.order_id)).all())
    products = dict(db.session.execute(select(Product.id, Product.needs_proof)).all())
    proofed = set(db.session.scalars(select(Proof.order_id).distinct().join(Order).where(Order.status.in_(OPEN_FOR_PLAN))))
    calendar = shop_calendar(today)
    clearing = clearance_waits(orders, today=today, calendar=calendar)
    jobs = []
    zone = shop_zone()
    on_hold, before_proof = OrderStatus.ON_HOLD, (OrderStatus.RECEIVED, OrderStatus.PREPRESS)
    for (order_id, _, status, product_id, rush, promise, ready_by, placed_at, method, *_) in orders.values():
        proof_days, proof_from = 0, None
        if order_id in proofs_out:
            proof_from = shop_today(proofs_out[order_id])
            proof_days = max(rules.PROOF_ROUND_TRIP_DAYS,
                             calendar.business_days_between(proof_from, resumes or today) + 1)
        elif products.get(product_id) and status in before_proof and order_id not in proofed:
            proof_days = rules.PROOF_ROUND_TRIP_DAYS
        titles, days_left = clearing.get(order_id, ((), 0))
        if titles and days_left >= proof_days:  # printing waits for copyright permission, counted from today
            proof_days, proof_from = days_left, today
        transit = calendar.business_days_between(ready_by, promise)  # remembered by the calendar: a few hundred pairs
        jobs.append(rules.OpenJob(order_id, rush, promise, placed_at.astimezone(zone).date(), tuple(steps[order_id]),
                                  method, held=status == on_hold, proof_days=proof_days, proof_from=proof_from,
                                  awaiting_clearance=titles, ready_by=ready_by, transit_days=transit))
    return jobs, orders


OPEN_FOR_PLAN = (OrderStatus.RECEIVED, OrderStatus.PREPRESS, OrderStatus.PRINTING, OrderStatus.FINISHING,
                 OrderStatus.READY, OrderStatus.ON_HOLD)
CHART_DAYS = 10


def replan(*, now: datetime) -> int:
    """Recomputes every open order's expected date from the queue as it is now, marks orders at risk
    (expected after promised) with the reason, and refreshes the load chart. Returns how many
    orders changed. The promise itself never moves. While another process re-plans (two workers
    on two machines), this one does nothing and returns 0: two at once would collide on the load table.
    Only the orders whose date or reason changed are written (one statement for all, each guarded by the
    version it was read at, as the ORM guards it: a job moved meanwhile raises StaleDataError), and the load
    chart only when it changed. It is remembered (LastReplan) for replan_is_due, which trusts that its
    transaction then commits without writing anything more that a re-plan reads."""
    if not exclusive(db.session, "promises-replan"):
        return 0
    with _cycle_collection_paused():
        return _replan(now)


@contextmanager
def _cycle_collection_paused():
    """The re-plan holds some 150,000 small objects (rows, jobs, plans) until it ends, none of them in a cycle;
    meanwhile Python's cycle collector would walk the whole heap again and again as they accumulate, a third of
    the re-plan's time. Paused while it runs (reference counting still frees everything), on again after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _replan(now: datetime) -> int:
    seen = data_version(db.session)  # read first: everything read below is at least this new
    state = shop_state(now)
    resumes = work_resumes(now, state)
    jobs, orders = open_jobs(state.today, resumes=resumes)
    forecasts, load = rules.replan_with_load(jobs, capacity=state.capacity, today=state.today, resumes=resumes,
                                             days=CHART_DAYS)
    names = {code: station.name for code, station in state.stations.items()}
    changed = []
    for job in jobs:
        order, forecast = orders[job.order_id], forecasts[job.order_id]
        reason = rules.risk_reason(job, forecast, station_names=names, hold_reason=order.hold_reason or "",
                                   capacity=state.capacity, today=state.today)
        if (order.expected_date, order.at_risk_reason) != (forecast.expected, reason):
            changed.append({"order_id": order.id, "read_version": order.version, "expected": forecast.expected,
                            "reason": reason})
    _write_forecasts(changed)
    horizon = _horizon(state)
    _write_load({(state.stations[code].id, day): round(minutes, 1) for code, per_day in load.items()
                 for day, minutes in zip(horizon, per_day) if code in state.stations})
    db.session.execute(delete(LastReplan))
    if seen is not None:
        db.session.execute(insert(LastReplan).values(id=1, data_version=seen, today=state.today, resumes=resumes,
                                                     planned_at=now))
    db.session.flush()
    return len(changed)


def replan_is_due(*, now: datetime) -> bool:
    """Whether the worker's five-minute re-plan has anything to do. Not when nothing it depends on changed since
    the last re-plan: the data, when no commit but the last re-plan's own has written anything since it read (the
    data version then stands one past the version it read: its own commit); and the day, and the day work resumes
    (closing time moves it to the next business day). Due whenever the data version is not known."""
    last = db.session.execute(select(LastReplan.data_version, LastReplan.today, LastReplan.resumes)).first()
    version = data_version(db.session)
    if last is None or version is None or version != last.data_version + 1:
        return True
    state = shop_state(now)
    return (state.today, work_resumes(now, state)) != (last.today, last.resumes)


WRITE_FORECAST = (update(ORDERS).where(ORDERS.c.id == bindparam("order_id"), ORDERS.c.version == bindparam("read_version"))
                  .values(expected_date=bindparam("expected", type_=ORDERS.c.expected_date.type),
                          at_risk_reason=bindparam("reason", type_=ORDERS.c.at_risk_reason.type),
                          updated_at=bindparam("now", type_=ORDERS.c.updated_at.type), version=ORDERS.c.version + 1))


def _write_forecasts(changed: list[dict]) -> None:
    """The changed orders' expected date and reason, in one executemany UPDATE (database.execute_many: 10,000 rows
    in a few dozen milliseconds); the version moves on as an ORM flush would move it (a page kept under an order's
    version shows the new date), and an order already in this session is told what was written."""
    if not changed:
        return
    moment = utcnow()
    written = execute_many(db.session, WRITE_FORECAST, [dict(row, now=moment) for row in changed])
    if written != len(changed) and written >= 0:
        raise StaleDataError(f"Re-plan: {len(changed) - written} of {len(changed)} orders changed while it ran")
    written_to = {row["order_id"]: row for row in changed}
    for (model, (order_id, *_), *_), order in list(db.session.identity_map.items()):
        row = written_to.get(order_id) if model is Order else None
        if row is not None:
            for name, value in (("expected_date", row["expected"]), ("at_risk_reason", row["reason"]),
                                ("version", row["read_version"] + 1)):
                set_committed_value(order, name, value)
            db.session.expire(order, ["updated_at"])


def _write_load(planned: dict[tuple[int, date], float]) -> None:
    """The load chart's minutes per station and day, rewritten only when they changed."""
    kept = {(station_id, day): minutes for station_id, day, minutes in db.session.execute(
        select(StationLoad.station_id, StationLoad.day, StationLoad.minutes))}
    if kept == planned:
        return
    db.session.execute(delete(StationLoad))
    if planned:
        db.session.execute(insert(StationLoad), [{"station_id": station_id, "day": day, "minutes": minutes}
                                                 for (station_id, day), minutes in planned.items()])


def work_resumes(now: datetime, state: ShopState) -> date:
    """The first day the open work can be done: today, or the next business day once the shop has
    closed (what is not done by then waits for tomorrow, so the evening re-plan sees a slip that
    evening, a business day before a promise it will miss, not the next morning)."""
    if shop_time(now).time() >= closing():
        return state.capacity.calendar.next_business_day(state.today)
    return state.today


def _horizon(state: ShopState) -> list[date]:
    days = [state.capacity.calendar.on_or_after(state.today)]
    while len(days) < CHART_DAYS:
        days.append(state.capacity.calendar.next_business_day(days[-1]))
    return days


# rules.judged_on in SQL: a pickup, or any promise counting no transit after ready (a mailer's mail date: ready_by is
# the promise), is judged by the day it was ready; any other order by its delivery (the promises kept, and the
# calibration: the day a pickup's customer comes for it, or the post's time after mailing, is not the shop's time).
JUDGED_ON = case((((Order.delivery_method == DeliveryMethod.PICKUP) | (Order.ready_by == Order.promise_date))
                  & Order.ready_on.is_not(None), Order.ready_on), else_=Order.delivered_on)


def calibrate(*, now: datetime, percentile: float = PERCENTILE) -> list[Calibration]:
    """Compares each product's finished jobs with their plans and sets its buffer: the percentile of
    how many business days late against the plan they were delivered. Records a calibration when
    the buffer changes (or the first time), so staff can see how it moved and why; the shop's usual
    copyright clearance time is calibrated with them (promises.calibrate_clearance). While another
    process calibrates, this one does nothing and returns []."""
    if not exclusive(db.session, "promises-calibrate"):
        return []
    today = shop_today(now)
    calendar = shop_calendar(today)
    since = today - timedelta(days=HISTORY_DAYS)
    lateness: dict[int, list[int]] = {}
    for product_id, planned, judged in db.session.execute(
            select(Order.product_id, Order.planned_date, JUDGED_ON)
            .where(Order.delivered_on >= since, Order.planned_date.is_not(None))):
        lateness.setdefault(product_id, []).append(calendar.business_days_between(planned, judged))
    current = shop_state(now).buffers
    recorded = []
    for product_id, values in lateness.items():
        buffer = rules.buffer_days(values, percentile=percentile, default=DEFAULT_BUFFER_DAYS)
        if product_id not in current or current[product_id] != buffer:
            run = Calibration(product_id=product_id, computed_at=now, buffer_days=buffer,
                              previous_buffer_days=current.get(product_id), samples=len(values), percentile=percentile,
                              late_share=sum(v > 0 for v in values) / len(values))
            db.session.add(run)
            recorded.append(run)
    calibrate_clearance(answer_times(calendar=calendar), now=now)  # the shop's usual clearance time, with the buffers
    db.session.flush()
    forget_state()
    return recorded


# rules.kept in SQL: how many of the delivered orders selected arrived (a pickup: was ready) on or before their promise.
KEPT_COUNT = func.sum(case((JUDGED_ON <= Order.promise_date, 1), else_=0))


@dataclass(frozen=True)
class KeptRate(rules.Kept):
    days: int  # over the last this many days


def kept_rate(*, now: datetime, days: int) -> KeptRate:
    """Promises kept over the last `days`: of the orders delivered (or picked up) in them, those delivered
    on or before the promised date, or for a pickup ready on the shop's shelf by then (rules.judged_on)."""
    since = shop_today(now) - timedelta(days=days)
    delivered, kept = db.session.execute(
        select(func.count(), KEPT_COUNT)
        .where(Order.delivered_on > since)).one()
    return KeptRate(delivered=delivered or 0, kept=int(kept or 0), days=days)


TREND_WEEKS = 12


def kept_trend(*, now: datetime, weeks: int = TREND_WEEKS) -> list[rules.WeekKept]:
    """Promises kept week by week over the last `weeks` weeks (one query: a row per delivery day)."""
    today = shop_today(now)
    since = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    rows = db.session.execute(
        select(Order.delivered_on, func.count(), KEPT_COUNT)
        .where(Order.delivered_on >= since, Order.delivered_on <= today).group_by(Order.delivered_on))
    return rules.weekly_kept(((day, delivered, int(kept or 0)) for day, delivered, kept in rows), today=today, weeks=weeks)


def at_risk_orders(limit: int = 50) -> list[Order]:
    """Open orders expected after their promise, the soonest promise first, with why."""
    return list(db.session.scalars(select(Order).where(Order.at_risk_reason.is_not(None), Order.status.in_(OPEN_FOR_PLAN))
                                   .options(joinedload(Order.customer)).order_by(Order.promise_date, Order.id).limit(limit)))


@dataclass(frozen=True)
class StationChart:
    name: str
    days: list[tuple[date, float, float]]  # day, planned minutes, capacity minutes


def load_chart(*, now: datetime) -> list[StationChart]:
    """Planned load against capacity for each station over the next ten business days."""
    state = shop_state(now)
    horizon = _horizon(state)
    planned = {(station_id, day): minutes for station_id, day, minutes in db.session.execute(
        select(StationLoad.station_id, StationLoad.day, StationLoad.minutes))}
    return [StationChart(station.name, [(day, planned.get((station.id, day), 0.0),
                                         state.capacity.minutes_on(code, day)) for day in horizon])
            for code, station in state.stations.items()]


def calibration_history(limit: int = 40) -> list[tuple[Calibration, str]]:
    return [(run, name) for run, name in db.session.execute(
        select(Calibration, Product.name).join(Product, Product.id == Calibration.product_id)
        .order_by(Calibration.computed_at.desc(), Calibration.id.desc()).limit(limit))]
