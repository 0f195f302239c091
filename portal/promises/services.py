"""The shop as the promise sees it (calendar, capacity, queued work, buffers), the estimate of a
job's delivery date, the queue's planned work as jobs move, and the shop's closures and down days.
Keeping the promises made (re-plan, calibration, promises kept) is portal.keeping, above orders."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Mapping, Sequence

from flask import g, has_app_context
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.database import kept_in_app, kept_or_made
from portal.extensions import db
from portal.failures import ValidationFailed
from portal.promises import rules
from portal.promises.models import Calibration, ClearanceCalibration, Closure, OrderWork, Station, StationDowntime
from portal.shop.calendar import ShopCalendar, calendar_around, calendar_years
from portal.shop.clock import cutoff, shop_time, shop_today
from portal.shop.delivery import DeliveryMethod
from portal.shop.stages import OrderStatus

if TYPE_CHECKING:
    from portal.orders.models import Order  # an order is planned here; orders stand above promises


def shop_calendar(around: date) -> ShopCalendar:
    """Weekends, US federal holidays and the shop's closures, from a year before to two after."""
    years = calendar_years(around)
    closures = db.session.scalars(select(Closure.day).where(
        Closure.day >= date(years[0], 1, 1), Closure.day <= date(years[-1], 12, 31)))
    return calendar_around(around, closures)


DEFAULT_BUFFER_DAYS = 1
STAGE_ORDER = ("prepress", "printing", "finishing")
WAITING = (OrderStatus.ON_HOLD, OrderStatus.AWAITING_APPROVAL)  # a job whose work is out of the queue for now


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
    clearance_days: int = 0  # a course pack waiting for the shop to clear readings (clearance_days())

    def waits_days(self) -> int:
        """Business days the job waits after prepress: its proof's round trip, or the shop's clearance time."""
        return max(rules.PROOF_ROUND_TRIP_DAYS if self.needs_proof else 0, self.clearance_days)

    def work(self) -> list[rules.Work]:
        return rules.work_for(self.route, self.chosen, quantity=self.quantity, pages=self.pages, sheets=self.sheets)


@dataclass(frozen=True)
class Workstation:
    """A station as the shop state keeps it: plain values, which requests can share (unlike a session's rows)."""

    id: int
    code: str
    name: str


@dataclass(frozen=True)
class ShopState:
    """The shop as an estimate sees it now: calendar, capacity, queued work and calibrated buffers. Read-only
    (its mappings too): one state is shared by every request that reads the same data on the same day."""

    today: date
    capacity: rules.Capacity
    stations: Mapping[str, Workstation]
    backlog: Mapping[str, float]
    rush_backlog: Mapping[str, float]
    buffers: Mapping[int, int]

    def buffer_for(self, product_id: int) -> int:
        return self.buffers.get(product_id, DEFAULT_BUFFER_DAYS)


def shop_state(now: datetime) -> ShopState:
    """Loaded once per request and shared by every estimate in it; kept per process under the data version
    and the day, the two things it is made from, so requests with no write between them share one (five
    small queries, one of them the queued minutes per station summed in SQL). Never older than the last
    committed write: every commit that writes moves the version on. A transaction that has written loads
    its own, and keeps none."""
    today = shop_today(now)
    cached = g.get("shop_state") if has_app_context() else None
    if cached is not None and cached.today == today:
        return cached
    if has_app_context():
        state = kept_or_made(db.session, kept_in_app("promises.shop_states", KEPT_STATES), today,
                             lambda: load_shop_state(today))
        g.shop_state = state
        return state
    return load_shop_state(today)


KEPT_STATES = 4  # the latest few of this process: older versions are never asked for again


def load_shop_state(today: date) -> ShopState:
    """The shop state on `today` as the database has it now, not kept (shop_state keeps it)."""
    calendar = shop_calendar(today)
    rows = list(db.session.scalars(select(Station).order_by(Station.position)))
    stations = {s.code: Workstation(s.id, s.code, s.name) for s in rows}
    down: dict[str, set[date]] = {}
    for code, day in db.session.execute(select(Station.code, StationDowntime.day).join(StationDowntime.station)
                                        .where(StationDowntime.day >= today)):
        down.setdefault(code, set()).add(day)
    capacity = rules.Capacity(calendar, MappingProxyType({s.code: s.minutes_per_day for s in rows}),
                              MappingProxyType({code: frozenset(days) for code, days in down.items()}),
                              MappingProxyType({s.code: MappingProxyType(dict(s.weekday_minutes))
                                                for s in rows if s.weekday_minutes}))
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
    return ShopState(today, capacity, MappingProxyType(stations), MappingProxyType(backlog),
                     MappingProxyType(rush_backlog), MappingProxyType(buffers))


def estimate_for(job: Job, *, delivery_method: DeliveryMethod, now: datetime, state: ShopState | None = None) -> rules.Estimate:
    """The promise for this job if it were ordered now: behind the work queued at each station
    (rush work only behind other rush work), plus its proof, buffer and transit."""
    state = state or shop_state(now)
    return rules.estimate(ordered_at=shop_time(now), cutoff=cutoff(), capacity=state.capacity, work=job.work(),
                          backlog=state.rush_backlog if job.rush else state.backlog,
                          proof_days=job.waits_days(),
                          buffer_days=state.buffer_for(job.product_id), delivery_method=delivery_method)


def usual_business_days(job: Job, *, delivery_method: DeliveryMethod, now: datetime,
                        state: ShopState | None = None) -> int:
    """Business days this job usually takes to its promised date: the shop's calendar, capacity,
    proof round trip and the product's buffer, without the day's queue (rules.usual_business_days)."""
    state = state or shop_state(now)
    return rules.usual_business_days(start=state.today, capacity=state.capacity, work=job.work(),
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
    """At ordering: the job's planned minutes at each station join the queue, and the plan is kept, with
    the day the job must be ready by to keep its promise (the promise less the estimate's transit)."""
    state = shop_state(now)
    for position, work in enumerate(job.work()):
        db.session.add(OrderWork(order_id=order.id, station_id=state.stations[work.station].id, position=position,
                                 stage=work.stage, minutes=work.minutes, rush=job.rush, done=False,
                                 queued=order.status not in WAITING))
    order.planned_date = estimate.planned_delivery
    order.ready_by = rules.ready_by(order.promise_date, transit_days=estimate.transit_days,
                                    calendar=state.capacity.calendar)
    forget_state()


def forget_state() -> None:
    """The queue changed within this request or command: the next estimate reloads the shop."""
    if has_app_context():
        g.pop("shop_state", None)
        g.pop("clearance_days", None)


def clearance_calibration() -> ClearanceCalibration | None:
    """The latest calibration of the shop's clearance time, or None before the first (one row by primary key)."""
    return db.session.scalar(select(ClearanceCalibration).order_by(ClearanceCalibration.id.desc()).limit(1))


def clearance_days() -> int:
    """Business days the promise allows the shop to clear a reading's copyright: the calibrated figure, or the
    stated one (rules.CLEARANCE_BUSINESS_DAYS) before any calibration. Read once per request or command."""
    cached = g.get("clearance_days") if has_app_context() else None
    if cached is not None:
        return cached
    latest = clearance_calibration()
    figure = rules.CLEARANCE_BUSINESS_DAYS if latest is None else latest.business_days
    if has_app_context():
        g.clearance_days = figure
    return figure


def calibrate_clearance(durations: Sequence[int], *, now: datetime) -> ClearanceCalibration | None:
    """Sets the shop's clearance time from `durations`, the business days from request to answer of its latest
    answered requests (rules.clearance_business_days). Records a calibration when the figure changes, or the first
    time there are answers enough to calibrate, so staff see how it moved and why; returns it, or None."""
    latest = clearance_calibration()
    figure = rules.clearance_business_days(durations)
    if latest is None and len(durations) < rules.CLEARANCE_MINIMUM_SAMPLES:
        return None  # the stated figure stands, and is not recorded as if calibrated
    if latest is not None and latest.business_days == figure:
        return None
    run = ClearanceCalibration(computed_at=now, business_days=figure,
                               previous_business_days=latest.business_days if latest else None,
                               samples=len(durations), percentile=rules.CLEARANCE_PERCENTILE)
    db.session.add(run)
    db.session.flush()
    forget_state()
    return run


def job_moved(order: Order, *, to: OrderStatus) -> None:
    """The order moved: work in stages it has left is done (moving back reopens it); a job that is
    finished, gone or cancelled has no work left; a job on hold or waiting for its approver keeps
    its work out of the queue until it moves on."""
    waiting = to in WAITING
    finished = to in (OrderStatus.READY, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED)
    reached = STAGE_ORDER.index(to.value) if to.value in STAGE_ORDER else -1
    with db.session.no_autoflush:  # the order's own change is flushed once, by its caller
        for work in db.session.scalars(select(OrderWork).where(OrderWork.order_id == order.id)):
            work.queued = not waiting
            if not waiting:
                work.done = finished or STAGE_ORDER.index(work.stage) < reached
    forget_state()


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
