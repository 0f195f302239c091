"""What the coming term asks of the shop: its course packs due by the end of its first two weeks, each with the
state of its readings' clearance, and their remaining work on each station by the day it is due. Queries only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.orders.models import Order, OrderStatus
from portal.promises.models import OrderWork, Station
from portal.promises.services import shop_state
from portal.terms import rules, services as terms
from portal.terms.models import Term


@dataclass(frozen=True)
class Pack:
    order: Order
    readings: int
    waiting: int  # readings whose clearance holds printing (OrderFile.copyright_status.blocks_printing)
    statuses: list[tuple[str, int]]  # (status label, readings), most first

    @property
    def clearance(self) -> str:
        if not self.readings:
            return "No readings"
        if not self.waiting:
            return "All cleared"
        return f"{self.waiting} of {self.readings} waiting for clearance"


@dataclass(frozen=True)
class StationLoad:
    name: str
    days: list[tuple[date, float, float]]  # day, course-pack minutes due that day, the station's minutes that day

    @property
    def peak_share(self) -> float:
        return max((planned / capacity for _, planned, capacity in self.days if capacity), default=0.0)


@dataclass(frozen=True)
class TermStart:
    term: Term | None
    terms: list[Term]
    first_day: date | None
    until: date | None
    packs: list[Pack]
    load: list[StationLoad]
    days: list[date]

    @property
    def copies(self) -> int:
        return sum(pack.order.quantity for pack in self.packs)

    @property
    def waiting(self) -> int:
        return sum(1 for pack in self.packs if pack.waiting)


def term_start(*, now: datetime, term_id: int | None = None) -> TermStart:
    """The term-start view for `term_id` (another id raises NotAllowed), or the coming term: a fixed number of
    queries whatever the number of packs."""
    listed = terms.terms()
    state = shop_state(now)
    term = terms.term_by_id(term_id) if term_id else rules.coming_term(listed, state.today)
    if term is None:
        return TermStart(None, listed, None, None, [], [], [])
    start, until = rules.term_start_window(term.first_day, state.today)
    calendar = state.capacity.calendar
    orders = list(db.session.scalars(
        select(Order).options(joinedload(Order.customer), selectinload(Order.files))
        .where(Order.course_code.is_not(None), Order.term == term.name, Order.status != OrderStatus.CANCELLED,
               Order.promise_date <= until)
        .order_by(Order.promise_date, Order.id)))
    packs = [_pack(order) for order in orders]
    days = rules.business_days(start, until, calendar)
    open_ids = {order.id: order for order in orders if order.is_open}
    work = []
    if open_ids:
        for order_id, code, minutes in db.session.execute(
                select(OrderWork.order_id, Station.code, OrderWork.minutes).join(Station, Station.id == OrderWork.station_id)
                .where(OrderWork.order_id.in_(open_ids), OrderWork.done.is_(False))):
            order = open_ids[order_id]
            work.append((code, order.ready_by, float(minutes)))  # the day it must be ready by, kept since ordering
    by_station = rules.load_by_day(work, days)
    load = [StationLoad(station.name, [(day, round(minutes, 1), state.capacity.minutes_on(code, day))
                                       for day, minutes in zip(days, by_station.get(code, [0.0] * len(days)))])
            for code, station in state.stations.items()]
    return TermStart(term, listed, term.first_day, until, packs, load, days)


def _pack(order: Order) -> Pack:
    counts: dict[str, int] = {}
    waiting = 0
    for item in order.files:
        status = item.copyright_status
        counts[status.label if status else "Not chosen"] = counts.get(status.label if status else "Not chosen", 0) + 1
        waiting += status is None or bool(getattr(status, "blocks_printing", False))
    return Pack(order, len(order.files), waiting, sorted(counts.items(), key=lambda pair: -pair[1]))
