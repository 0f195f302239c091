"""The shop as the promise sees it (calendar, capacity, queued work, buffers), estimates, the
re-plan that keeps expected dates current, calibration, and what staff see of promises kept."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Mapping

from flask import g, has_app_context
from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import joinedload

from portal.catalog.models import Product
from portal.extensions import db
from portal.failures import ValidationFailed
from portal.orders.models import Order, OrderStatus
from portal.promises import rules
from portal.promises.models import Calibration, Closure, OrderWork, Station, StationDowntime, StationLoad
from portal.queue.models import Proof
from portal.shop.calendar import ShopCalendar, calendar_around, calendar_years
from portal.shop.clock import cutoff, shop_time, shop_today
from portal.shop.delivery import DeliveryMethod


def shop_calendar(around: date) -> ShopCalendar:
    """Weekends, US federal holidays and the shop's closures, from a year before to two after."""
    years = calendar_years(around)
    closures = db.session.scalars(select(Closure.day).where(
        Closure.day >= date(years[0], 1, 1), Closure.day <= date(years[-1], 12, 31)))
    return calendar_around(around, closures)


PERCENTILE = 0.98  # promises are calibrated to hold for this share of jobs
DEFAULT_BUFFER_DAYS = 1
HISTORY_DAYS = 180
STAGE_ORDER = ("prepress", "printing", "finishing")


@dataclass(frozen=True)
class Job:
    """What the estimate needs to know about a job, however it was configured."""

    product_id: int
    route: tuple[rules.RouteStep, ...]
    chosen: Mapping[str, str]
    quantity: int
    pages: int
    sheets: int
    rush: bool
    needs_proof: bool

    def work(self) -> list[rules.Work]:
        return rules.work_for(self.route, self.chosen, quantity=self.quantity, pages=self.pages, sheets=self.sheets)


@dataclass(frozen=True)
class ShopState:
    """The shop as an estimate sees it now: calendar, capacity, queued work and calibrated buffers."""

    today: date
    capacity: rules.Capacity
    stations: Mapping[str, Station]
    backlog: Mapping[str, float]
    rush_backlog: Mapping[str, float]
    buffers: Mapping[int, int]

    def buffer_for(self, product_id: int) -> int:
        return self.buffers.get(product_id, DEFAULT_BUFFER_DAYS)


def shop_state(now: datetime) -> ShopState:
    """Loaded once per request (five small queries) and shared by every estimate in it."""
    today = shop_today(now)
    cached = g.get("shop_state") if has_app_context() else None
    if cached is not None and cached.today == today:
        return cached
    calendar = shop_calendar(today)
    stations = {s.code: s for s in db.session.scalars(select(Station).order_by(Station.position))}
    down: dict[str, set[date]] = {}
    for code, day in db.session.execute(select(Station.code, StationDowntime.day).join(StationDowntime.station)
                                        .where(StationDowntime.day >= today)):
        down.setdefault(code, set()).add(day)
    capacity = rules.Capacity(calendar, {code: s.minutes_per_day for code, s in stations.items()},
                              {code: frozenset(days) for code, days in down.items()})
    backlog: dict[str, float] = {}
    rush_backlog: dict[str, float] = {}
    for code, rush, minutes in db.session.execute(
            select(Station.code, OrderWork.rush, func.sum(OrderWork.minutes)).join(Station, Station.id == OrderWork.station_id)
            .where(OrderWork.done.is_(False), OrderWork.queued.is_(True)).group_by(Station.code, OrderWork.rush)):
        backlog[code] = backlog.get(code, 0) + float(minutes)
        if rush:
            rush_backlog[code] = rush_backlog.get(code, 0) + float(minutes)
    latest = select(Calibration.product_id, func.max(Calibration.id).label("id")).group_by(Calibration.product_id).subquery()
    buffers = dict(db.session.execute(select(Calibration.product_id, Calibration.buffer_days)
                                      .join(latest, latest.c.id == Calibration.id)).all())
    state = ShopState(today, capacity, stations, backlog, rush_backlog, buffers)
    if has_app_context():
        g.shop_state = state
    return state


def estimate_for(job: Job, *, delivery_method: DeliveryMethod, now: datetime, state: ShopState | None = None) -> rules.Estimate:
    """The promise for this job if it were ordered now: behind the work queued at each station
    (rush work only behind other rush work), plus its proof, buffer and transit."""
    state = state or shop_state(now)
    return rules.estimate(ordered_at=shop_time(now), cutoff=cutoff(), capacity=state.capacity, work=job.work(),
                          backlog=state.rush_backlog if job.rush else state.backlog,
                          proof_days=rules.PROOF_ROUND_TRIP_DAYS if job.needs_proof else 0,
                          buffer_days=state.buffer_for(job.product_id), delivery_method=delivery_method)


def ways_to_meet(job: Job, *, rush_surcharge_percent: int, delivery_method: DeliveryMethod, need_by: date,
                 now: datetime) -> list[rules.Alternative]:
    """What would arrive by the need-by date instead: rush, pickup at the shop, or both."""
    variants = []
    if rush_surcharge_percent and not job.rush:
        variants.append((f"Rush (+{rush_surcharge_percent}%)", True, delivery_method))
    if delivery_method != DeliveryMethod.PICKUP:
        variants.append(("Pickup at the shop", job.rush, DeliveryMethod.PICKUP))
        if rush_surcharge_percent and not job.rush:
            variants.append((f"Rush (+{rush_surcharge_percent}%) and pickup at the shop", True, DeliveryMethod.PICKUP))
    alternatives = []
    for label, with_rush, method in variants:
        estimate = estimate_for(replace(job, rush=with_rush), delivery_method=method, now=now)
        alternatives.append(rules.Alternative(label, with_rush, method, estimate.delivery))
    return rules.ways_to_meet(need_by, alternatives)


def record_work(order: Order, job: Job, estimate: rules.Estimate, *, now: datetime) -> None:
    """At ordering: the job's planned minutes at each station join the queue, and the plan is kept."""
    state = shop_state(now)
    for position, work in enumerate(job.work()):
        db.session.add(OrderWork(order_id=order.id, station_id=state.stations[work.station].id, position=position,
                                 stage=work.stage, minutes=work.minutes, rush=job.rush, done=False,
                                 queued=order.status != OrderStatus.AWAITING_APPROVAL))
    order.planned_date = estimate.planned_delivery
    forget_state()


def forget_state() -> None:
    """The queue changed within this request or command: the next estimate reloads the shop."""
    if has_app_context():
        g.pop("shop_state", None)


def job_moved(order: Order, *, to: OrderStatus) -> None:
    """The order moved: work in stages it has left is done (moving back reopens it); a job that is
    finished, gone or cancelled has no work left; a job on hold or waiting for its approver keeps
    its work out of the queue until it moves on."""
    waiting = to in (OrderStatus.ON_HOLD, OrderStatus.AWAITING_APPROVAL)
    finished = to in (OrderStatus.READY, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED)
    reached = STAGE_ORDER.index(to.value) if to.value in STAGE_ORDER else -1
    with db.session.no_autoflush:  # the order's own change is flushed once, by its caller
        for work in db.session.scalars(select(OrderWork).where(OrderWork.order_id == order.id)):
            work.queued = not waiting
            if not waiting:
                work.done = finished or STAGE_ORDER.index(work.stage) < reached
    forget_state()


def open_jobs(today: date) -> tuple[list[rules.OpenJob], dict[int, Order]]:
    """Every order still to be made, with the work it has left (a few queries, whatever the size)."""
    orders = {o.id: o for o in db.session.scalars(select(Order).where(Order.status.in_(OPEN_FOR_PLAN)))}
    remaining: dict[int, list[rules.Work]] = {order_id: [] for order_id in orders}
    for order_id, code, stage, minutes in db.session.execute(
            select(OrderWork.order_id, Station.code, OrderWork.stage, OrderWork.minutes)
            .join(Station, Station.id == OrderWork.station_id).join(Order, Order.id == OrderWork.order_id)
            .where(OrderWork.done.is_(False), Order.status.in_(OPEN_FOR_PLAN))
            .order_by(OrderWork.order_id, OrderWork.position)):
        remaining[order_id].append(rules.Work(code, stage, minutes))
    proofs_out = dict(db.session.execute(select(Proof.order_id, func.max(Proof.sent_at)).join(Order)
                                         .where(Proof.answered_at.is_(None), Order.status.in_(OPEN_FOR_PLAN))
                                         .group_by(Proof.order_id)).all())
    products = dict(db.session.execute(select(Product.id, Product.needs_proof)).all())
    proofed = set(db.session.scalars(select(Proof.order_id).distinct()))
    calendar = shop_calendar(today)
    jobs = []
    for order in orders.values():
        proof_days, proof_from = 0, None
        if order.id in proofs_out:
            proof_from = shop_today(proofs_out[order.id])
            proof_days = max(rules.PROOF_ROUND_TRIP_DAYS, calendar.business_days_between(proof_from, today) + 1)
        elif products.get(order.product_id) and order.status in (OrderStatus.RECEIVED, OrderStatus.PREPRESS) \
                and order.id not in proofed:
            proof_days = rules.PROOF_ROUND_TRIP_DAYS
        jobs.append(rules.OpenJob(order.id, order.rush, order.promise_date, shop_today(order.placed_at),
                                  tuple(remaining[order.id]), order.delivery_method,
                                  held=order.status == OrderStatus.ON_HOLD, proof_days=proof_days,
                                  proof_from=proof_from))
    return jobs, orders


OPEN_FOR_PLAN = (OrderStatus.RECEIVED, OrderStatus.PREPRESS, OrderStatus.PRINTING, OrderStatus.FINISHING,
                 OrderStatus.READY, OrderStatus.ON_HOLD)
CHART_DAYS = 10


def replan(*, now: datetime) -> int:
    """Recomputes every open order's expected date from the queue as it is now, marks orders at risk
    (expected after promised) with the reason, and refreshes the load chart. Returns how many
    orders changed. The promise itself never moves."""
    state = shop_state(now)
    jobs, orders = open_jobs(state.today)
    forecasts = rules.replan(jobs, capacity=state.capacity, today=state.today)
    names = {code: station.name for code, station in state.stations.items()}
    changed = 0
    for job in jobs:
        order, forecast = orders[job.order_id], forecasts[job.order_id]
        reason = rules.risk_reason(job, forecast, station_names=names, hold_reason=getattr(order, "hold_reason", "") or "",
                                   capacity=state.capacity, today=state.today)
        if (order.expected_date, order.at_risk_reason) != (forecast.expected, reason):
            order.expected_date, order.at_risk_reason = forecast.expected, reason
            changed += 1
    load = rules.load_by_day(jobs, capacity=state.capacity, today=state.today, days=CHART_DAYS)
    db.session.execute(delete(StationLoad))
    horizon = _horizon(state)
    db.session.add_all(StationLoad(station_id=state.stations[code].id, day=day, minutes=round(minutes, 1))
                       for code, per_day in load.items() for day, minutes in zip(horizon, per_day) if code in state.stations)
    db.session.flush()
    return changed


def _horizon(state: ShopState) -> list[date]:
    days = [state.capacity.calendar.on_or_after(state.today)]
    while len(days) < CHART_DAYS:
        days.append(state.capacity.calendar.next_business_day(days[-1]))
    return days


def calibrate(*, now: datetime, percentile: float = PERCENTILE) -> list[Calibration]:
    """Compares each product's finished jobs with their plans and sets its buffer: the percentile of
    how many business days late against the plan they were delivered. Records a calibration when
    the buffer changes (or the first time), so staff can see how it moved and why."""
    today = shop_today(now)
    calendar = shop_calendar(today)
    since = today - timedelta(days=HISTORY_DAYS)
    lateness: dict[int, list[int]] = {}
    for product_id, planned, delivered in db.session.execute(
            select(Order.product_id, Order.planned_date, Order.delivered_on)
            .where(Order.delivered_on >= since, Order.planned_date.is_not(None))):
        lateness.setdefault(product_id, []).append(calendar.business_days_between(planned, delivered))
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
    db.session.flush()
    forget_state()
    return recorded


# rules.kept in SQL: how many of the delivered orders selected arrived on or before their promise.
KEPT_COUNT = func.sum(case((Order.delivered_on <= Order.promise_date, 1), else_=0))


@dataclass(frozen=True)
class KeptRate(rules.Kept):
    days: int  # over the last this many days


def kept_rate(*, now: datetime, days: int) -> KeptRate:
    """Promises kept over the last `days`: delivered (or picked up) on or before the promised date."""
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


def add_closure(*, day: date | None, reason: str, now: datetime) -> Closure:
    """Closes the shop for a day (no work, no deliveries): estimates and the re-plan see it at once.
    Raises ValidationFailed on `day` or `reason`."""
    reason = " ".join((reason or "").split())
    problems = {}
    if day is None:
        problems["day"] = "Enter the day, like 2026-12-24."
    elif day < shop_today(now):
        problems["day"] = "Choose today or a later day."
    elif db.session.scalar(select(Closure.id).where(Closure.day == day)):
        problems["day"] = "The shop is already closed that day."
    if not reason:
        problems["reason"] = "Say why, like “Winter break”."
    if problems:
        raise ValidationFailed(problems)
    closure = Closure(day=day, reason=reason[:120])
    db.session.add(closure)
    db.session.flush()
    forget_state()
    return closure


def add_downtime(*, station_id, day: date | None, reason: str, now: datetime) -> StationDowntime:
    """A station out of service for a day. Raises ValidationFailed on `station`, `day`."""
    problems = {}
    station = db.session.get(Station, int(station_id)) if str(station_id or "").isdigit() else None
    if station is None:
        problems["station"] = "Choose the station."
    if day is None:
        problems["day"] = "Enter the day, like 2026-12-03."
    elif day < shop_today(now):
        problems["day"] = "Choose today or a later day."
    elif station and db.session.scalar(select(StationDowntime.id).where(StationDowntime.station_id == station.id,
                                                                         StationDowntime.day == day)):
        problems["day"] = "That station is already marked down that day."
    if problems:
        raise ValidationFailed(problems)
    downtime = StationDowntime(station_id=station.id, day=day, reason=" ".join((reason or "").split())[:120])
    db.session.add(downtime)
    db.session.flush()
    forget_state()
    return downtime


def upcoming_closures(now: datetime) -> list[Closure]:
    return list(db.session.scalars(select(Closure).where(Closure.day >= shop_today(now)).order_by(Closure.day)))


def upcoming_downtime(now: datetime) -> list[StationDowntime]:
    return list(db.session.scalars(select(StationDowntime).where(StationDowntime.day >= shop_today(now))
                                   .options(joinedload(StationDowntime.station)).order_by(StationDowntime.day)))


def stations() -> list[Station]:
    return list(db.session.scalars(select(Station).order_by(Station.position)))
