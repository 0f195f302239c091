"""How the delivery date is computed, and how promises are kept. Pure: the calendar, the shop's
capacity and `now` are passed in.

The clock starts on the order's start day: the day it is placed when that is a business day before
the cut-off, otherwise the next business day. The job's work is a list of steps, one per
workstation on its routing (prepress, a press, the bindery, mail preparation...), each a number of
minutes from the product's routing and the job's quantity, pages and options. Each workstation
works its queue in order with its daily minutes on business days (none when it is down); a new
job waits behind the work already queued there (a rush job only behind other rush work), and each
step starts when the previous one is done. A job with a proof waits the proof round trip after
prepress. Production ends on the day its last step is done; the promise adds the product's
calibrated buffer (business days that past jobs of this product needed beyond the plan, at a high
percentile) and then transit: pickup is ready that day, campus delivery arrives the next business
day, carrier shipping three business days later. The day a job must be ready by (`ready_by`) is its
promise less its transit, and the shop works its jobs in that order, rush first.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import reduce
from itertools import accumulate
from math import ceil
from operator import add
from typing import Iterable, Mapping, Sequence

from portal.shop.calendar import ShopCalendar
from portal.shop.delivery import DeliveryMethod


TRANSIT_DAYS = {DeliveryMethod.PICKUP: 0, DeliveryMethod.CAMPUS: 1, DeliveryMethod.CARRIER: 3,
                DeliveryMethod.BOOKSTORE: 1}  # the bookstore is on the campus run
PROOF_ROUND_TRIP_DAYS = 2
# The shop's usual time to clear a course-pack reading's copyright (ask the rights holder, get an answer):
# business days from the order to permission, allowed after prepress as a proof's round trip is. Five is
# the shop's own figure from the terms it cleared by email before the portal (most answers in three to
# five business days), and what the promise allows until the portal has answered requests enough to calibrate it
# (clearance_business_days, set weekly with the buffers: portal.keeping.services.calibrate).
CLEARANCE_BUSINESS_DAYS = 5
CLEARANCE_PERCENTILE = 0.9  # the calibrated clearance time is enough for this share of the shop's requests ...
CLEARANCE_HISTORY = 50  # ... over its last this many answered requests ...
CLEARANCE_MINIMUM_SAMPLES = 10  # ... once this many are answered; before that, the stated figure above


def clearance_business_days(durations: Sequence[int], *, percentile: float = CLEARANCE_PERCENTILE,
                            minimum_samples: int = CLEARANCE_MINIMUM_SAMPLES,
                            default: int = CLEARANCE_BUSINESS_DAYS) -> int:
    """The shop's usual clearance time, calibrated: the `percentile` of the business days its past requests took
    from request to answer (`durations`: its latest answered requests, granted or refused), and at least one
    business day (permission is never assumed to arrive the day it is asked). With fewer than `minimum_samples`
    answered: the stated figure, `default`."""
    if len(durations) < minimum_samples:
        return default
    return nearest_rank(sorted(max(1, value) for value in durations), percentile)


def nearest_rank(ordered: Sequence[int], percentile: float) -> int:
    """The `percentile` of `ordered` (sorted, not empty) by the nearest-rank rule: the smallest value that at least
    that share of the values do not exceed."""
    return ordered[min(len(ordered) - 1, max(0, ceil(percentile * len(ordered)) - 1))]


def ready_by(promise_date: date, *, transit_days: int, calendar: ShopCalendar) -> date:
    """The business day a job must leave the stations to keep its promise: `transit_days` business days
    before the promised day (the promised day itself for a pickup, ready on the shop's shelf)."""
    day, counted = promise_date, 0
    while counted < transit_days:
        day -= timedelta(days=1)
        counted += calendar.is_business_day(day)
    return day


def start_day(ordered_at: datetime, *, cutoff: time, calendar: ShopCalendar) -> date:
    """The first production day: today if a business day before the cut-off, else the next one."""
    today = ordered_at.date()
    if calendar.is_business_day(today) and ordered_at.time() < cutoff:
        return today
    return calendar.next_business_day(today)


MAX_DAYS = 400  # a plan that needs more than this many days of a station is refused, not looped on


@dataclass(frozen=True)
class RouteStep:
    """One step of a product's routing: a station, the stage it belongs to, and its minutes."""

    station: str
    stage: str  # prepress, printing or finishing: the queue stage in which this work is done
    setup_minutes: float = 0
    per_copy: float = 0
    per_sheet: float = 0
    per_impression: float = 0
    when_option: str | None = None  # the step applies only when this option ...
    when_choices: tuple[str, ...] = ()  # ... has one of these choices


@dataclass(frozen=True)
class Work:
    station: str
    stage: str
    minutes: float


def work_for(route: Sequence[RouteStep], chosen: Mapping[str, str], *, quantity: int, pages: int,
             sheets: int) -> list[Work]:
    """The minutes each routing step takes for this job: setup, then per copy, per sheet and per
    printed page (impression). Steps whose option condition does not match are skipped."""
    work = []
    for step in route:
        if step.when_option and chosen.get(step.when_option) not in step.when_choices:
            continue
        minutes = (step.setup_minutes + quantity * step.per_copy + quantity * sheets * step.per_sheet
                   + quantity * pages * step.per_impression)
        work.append(Work(step.station, step.stage, round(minutes, 2)))
    return work


# The weekdays a station's hours are given for, as the catalog names them (business days are weekdays).
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


@dataclass(frozen=True)
class Capacity:
    """The shop's working minutes: per station per business day (its usual minutes, or the minutes of
    that weekday where the station's hours differ), none on its down days."""

    calendar: ShopCalendar
    minutes_per_day: Mapping[str, float]
    down: Mapping[str, frozenset[date]] = field(default_factory=dict)
    weekday_minutes: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # {"bindery": {"fri": 600}}

    def minutes_on(self, station: str, day: date) -> float:
        if not self.calendar.is_business_day(day) or day in self.down.get(station, ()):
            return 0
        usual = self.minutes_per_day.get(station, 0)
        if day.weekday() >= len(WEEKDAYS):
            return usual
        return self.weekday_minutes.get(station, {}).get(WEEKDAYS[day.weekday()], usual)

    def _table(self, station: str, first: date, end: date) -> tuple[int, tuple[float, ...], tuple[int, ...] | None]:
        """The station's minutes_on from the day numbered `base` on, covering `first` up to `end`, and their running
        sums when all are whole. Kept on the capacity, as the re-plan reads the same station-days tens of thousands
        of times; only ever replaced whole, never changed, so one capacity can be shared by threads."""
        tables = self.__dict__.setdefault("_minutes_tables", {})  # not a field: not compared, shown or copied
        start, stop = first.toordinal(), max(first.toordinal(), end.toordinal())
        table = tables.get(station)
        if table is None or start < table[0] or stop > table[0] + len(table[1]):
            low = min(start, table[0]) if table else start
            high = max(stop, table[0] + 2 * len(table[1]) if table else stop, low + 8)  # grown well ahead
            minutes = tuple(self.minutes_on(station, date.fromordinal(ordinal)) for ordinal in range(low, high))
            whole = all(float(m).is_integer() for m in minutes)
            table = (low, minutes, tuple(accumulate((int(m) for m in minutes), initial=0)) if whole else None)
            tables[station] = table
        return table


@dataclass(frozen=True)
class Cursor:
    """A point in a station's working time: a day, and the minutes of it already used."""

    day: date
    used: float = 0


def advance(capacity: Capacity, station: str, cursor: Cursor, minutes: float) -> Cursor:
    """Where the station's time stands after `minutes` more work from `cursor`."""
    day, used = cursor.day, cursor.used
    days = 0
    while days < MAX_DAYS:
        base, minutes_on, _ = capacity._table(station, day, day + _WEEK)
        for index in range(day.toordinal() - base, len(minutes_on)):
            free = minutes_on[index] - used
            if minutes <= free:
                return Cursor(day, used + minutes)
            if free > 0:
                minutes -= free
            day, used = day + _DAY, 0
            days += 1
            if days == MAX_DAYS:
                break
    raise ValueError(f"{station} has no capacity for this work within {MAX_DAYS} days")


_DAY, _WEEK = timedelta(days=1), timedelta(days=7)


def later(a: Cursor, b: Cursor) -> Cursor:
    return a if (a.day, a.used) >= (b.day, b.used) else b


@dataclass(frozen=True)
class Plan:
    """When a job's work is done, where it waited longest, and when each step runs."""

    ready: date
    bottleneck: str | None = None
    waited_minutes: float = 0
    runs: tuple[tuple[str, Cursor, Cursor], ...] = ()  # station, begins, ends


def plan_job(work: Sequence[Work], *, capacity: Capacity, start: Cursor, free_from: dict[str, Cursor],
             proof_days: int = 0, proof_from: date | None = None) -> Plan:
    """Schedules one job's steps in order on stations that are free from `free_from` (updated in
    place: the job now occupies that time). After its prepress work, a job with a proof waits
    `proof_days` business days (from `proof_from` when the proof is already out)."""
    previous = start
    bottleneck, waited = None, 0.0
    runs = []
    proof_pending = proof_days > 0
    for step in work:
        if proof_pending and step.stage != "prepress":
            sent = proof_from or previous.day
            previous = later(previous, Cursor(capacity.calendar.add_business_days(sent, proof_days)))
            proof_pending = False
        station_free = free_from.get(step.station, start)
        begin = later(previous, station_free)
        wait = _minutes_between(capacity, step.station, previous, begin)
        if wait > waited:
            bottleneck, waited = step.station, wait
        end = advance(capacity, step.station, begin, step.minutes)
        runs.append((step.station, begin, end))
        free_from[step.station] = end
        previous = end
    if proof_pending:
        previous = later(previous, Cursor(capacity.calendar.add_business_days(proof_from or previous.day, proof_days)))
    return Plan(previous.day, bottleneck, waited, tuple(runs))


def _minutes_between(capacity: Capacity, station: str, a: Cursor, b: Cursor) -> float:
    if (b.day, b.used) <= (a.day, a.used):
        return 0
    if a.day == b.day:
        return b.used - a.used
    base, minutes_on, running = capacity._table(station, a.day, b.day)
    first, end = a.day.toordinal() - base, b.day.toordinal() - base
    total = minutes_on[first] - a.used
    if running is not None and float(total).is_integer():  # whole minutes add up exactly in any order
        return total + (running[end] - running[first + 1]) + b.used
    # The days between added one by one, in order: the same float to the last bit as adding them in a loop.
    return reduce(add, minutes_on[first + 1:end], total) + b.used


def queue_end(capacity: Capacity, station: str, start: Cursor, backlog_minutes: float) -> Cursor:
    """When the station is through the work already queued there, working from `start`."""
    return advance(capacity, station, start, backlog_minutes) if backlog_minutes > 0 else start


@dataclass(frozen=True)
class Estimate:
    start: date
    ready: date
    delivery: date  # the promise: ready + calibrated buffer + transit
    planned_delivery: date  # without the buffer: what the plan alone says
    buffer_days: int
    transit_days: int


def estimate(*, ordered_at: datetime, cutoff: time, capacity: Capacity, work: Sequence[Work],
             backlog: Mapping[str, float], proof_days: int, buffer_days: int,
             delivery_method: DeliveryMethod) -> Estimate:
    """The delivery date for a job ordered at `ordered_at` (shop time) behind `backlog` minutes of
    queued work per station."""
    calendar = capacity.calendar
    start = start_day(ordered_at, cutoff=cutoff, calendar=calendar)
    begin = Cursor(start)
    free_from = {station: queue_end(capacity, station, begin, minutes) for station, minutes in backlog.items()}
    plan = plan_job(work, capacity=capacity, start=begin, free_from=free_from, proof_days=proof_days)
    transit = TRANSIT_DAYS[delivery_method]
    ready = calendar.on_or_after(plan.ready)
    planned = calendar.add_business_days(ready, transit)
    margin = margin_days(buffer_days, plan_days=calendar.business_days_between(start, ready))
    return Estimate(start=start, ready=ready, delivery=calendar.add_business_days(ready, margin + transit),
                    planned_delivery=planned, buffer_days=margin, transit_days=transit)


# A long plan has more room to slip than a short one: each of its station-days can run slow or be lost to a
# breakdown, and a slip late in it finds no day left. One business day of margin for every this many business
# days the plan takes, when that is more than the product's calibrated buffer (which past jobs, mostly short
# plans in quiet weeks, set). Set from the simulation's term-start surge (three times the usual packs, plans of
# four to ten business days): with the flat buffer it kept 97 % of its promises; with a day for every five, plans
# of four days still lost their one day to a bindery breakdown on their last; with a day for every four, every
# scenario met its targets on seeds 1 to 5 while the usual mix's promises stayed as they were.
PLAN_DAYS_PER_MARGIN_DAY = 4


def margin_days(buffer_days: int, *, plan_days: int) -> int:
    """Business days a promise keeps beyond the plan: the product's calibrated buffer, or more for a long plan
    (MINIMUM_BUFFER_DAYS and one more for every whole PLAN_DAYS_PER_MARGIN_DAY business days of plan)."""
    long_plan = max(0, plan_days) // PLAN_DAYS_PER_MARGIN_DAY
    return buffer_days if not long_plan else max(buffer_days, MINIMUM_BUFFER_DAYS + long_plan)


def usual_business_days(*, start: date, capacity: Capacity, work: Sequence[Work], proof_days: int,
                        buffer_days: int, delivery_method: DeliveryMethod) -> int:
    """How long a job usually takes, for the catalog's "usually N business days": business days from
    its first production day (`start`, or the next business day) to the date it would be promised
    with nothing queued ahead of it and no station down. The estimate at ordering adds the day's queue."""
    calendar = capacity.calendar
    first = calendar.on_or_after(start)
    plan = plan_job(work, capacity=Capacity(calendar, capacity.minutes_per_day, weekday_minutes=capacity.weekday_minutes),
                    start=Cursor(first), free_from={},
                    proof_days=proof_days)
    delivery = calendar.add_business_days(calendar.on_or_after(plan.ready), buffer_days + TRANSIT_DAYS[delivery_method])
    return calendar.business_days_between(first, delivery)


@dataclass(frozen=True)
class OpenJob:
    """An order still in the shop, as the re-plan sees it."""

    order_id: int
    rush: bool
    promise: date
    placed: date
    remaining: tuple[Work, ...]
    delivery_method: DeliveryMethod
    held: bool = False
    proof_days: int = 0  # a proof still to go out or come back
    proof_from: date | None = None  # when the proof went out
    awaiting_clearance: tuple[str, ...] = ()  # readings still waiting for copyright permission (titles)
    ready_by: date | None = None  # the day it must be ready to keep its promise (None: the promise itself)
    transit_days: int | None = None  # business days its promise counts after ready (None: its delivery method's)


def priority(job: OpenJob) -> tuple:
    """The order the shop works its jobs in, as the staff queue lists them: rush first (a rush job is
    promised as if only other rush work were ahead of it), then the day the job must be ready by (its
    promise less its transit: a job shipped by carrier leaves days before its promise), then first come."""
    return (not job.rush, job.ready_by or job.promise, job.placed, job.order_id)


@dataclass(frozen=True)
class Forecast:
    ready: date
    expected: date
    bottleneck: str | None
    waited_minutes: float


def replan(jobs: Sequence[OpenJob], *, capacity: Capacity, today: date,
           resumes: date | None = None) -> dict[int, Forecast]:
    """Every open job's expected delivery date: each station works its jobs in priority order from
    today, or from `resumes` (the next business day, once the shop has closed for the day); held
    jobs are planned last, as if released now. A job with nothing left to do is ready today."""
    calendar = capacity.calendar
    return {job.order_id: _forecast(job, plan, calendar=calendar, today=today)
            for job, plan in _plans(jobs, capacity=capacity, start=calendar.on_or_after(resumes or today))}


def _plans(jobs: Sequence[OpenJob], *, capacity: Capacity, start: date) -> Iterable[tuple[OpenJob, Plan]]:
    """Each job with its plan, in the order the stations work them (held jobs last, as if released now)."""
    begin = Cursor(start)
    free_from: dict[str, Cursor] = {}
    for job in sorted(jobs, key=lambda j: (j.held,) + priority(j)):
        yield job, plan_job(job.remaining, capacity=capacity, start=begin, free_from=free_from,
                            proof_days=job.proof_days, proof_from=job.proof_from)


def _forecast(job: OpenJob, plan: Plan, *, calendar: ShopCalendar, today: date) -> Forecast:
    done = not job.remaining and not job.proof_days and not job.held
    ready = calendar.on_or_after(today if done else plan.ready)
    transit = TRANSIT_DAYS[job.delivery_method] if job.transit_days is None else job.transit_days
    expected = calendar.add_business_days(ready, transit)
    return Forecast(ready, expected, plan.bottleneck, plan.waited_minutes)


def load_by_day(jobs: Sequence[OpenJob], *, capacity: Capacity, today: date, days: int) -> dict[str, list[float]]:
    """Minutes of planned work per station for each of the next `days` business days (the load
    chart): the same plan as replan(), with each step's minutes spread over the days it runs."""
    return replan_with_load(jobs, capacity=capacity, today=today, days=days)[1]


def replan_with_load(jobs: Sequence[OpenJob], *, capacity: Capacity, today: date, resumes: date | None = None,
                     days: int) -> tuple[dict[int, Forecast], dict[str, list[float]]]:
    """replan() and load_by_day() at once. The chart plans from today, the forecasts from when work resumes; when
    that is today too, the two are one plan (held jobs come last, so leaving them out of the chart changes no one
    else's), and the jobs are planned once."""
    calendar = capacity.calendar
    horizon = [calendar.on_or_after(today)]
    while len(horizon) < days:
        horizon.append(calendar.next_business_day(horizon[-1]))
    index = {day: i for i, day in enumerate(horizon)}
    load = {station: [0.0] * days for station in capacity.minutes_per_day}
    resumed = calendar.on_or_after(resumes or today)
    forecasts = {}
    for job, plan in _plans(jobs, capacity=capacity, start=horizon[0]):
        if resumed == horizon[0]:
            forecasts[job.order_id] = _forecast(job, plan, calendar=calendar, today=today)
        if not job.held:
            for station, begins, ends in plan.runs:
                _spread(load, index, capacity, station, begins, ends)
    if resumed != horizon[0]:
        forecasts = replan(jobs, capacity=capacity, today=today, resumes=resumes)
    return forecasts, load


def _spread(load, index, capacity: Capacity, station: str, a: Cursor, b: Cursor) -> None:
    day, used = a.day, a.used
    while (day, used) < (b.day, b.used) and day <= b.day:
        end = b.used if day == b.day else capacity.minutes_on(station, day)
        if day in index and end > used:
            load.setdefault(station, [0.0] * len(index))[index[day]] += end - used
        day, used = day + timedelta(days=1), 0


def risk_reason(job: OpenJob, forecast: Forecast, *, station_names: Mapping[str, str],
                hold_reason: str = "", capacity: Capacity | None = None, today: date | None = None) -> str | None:
    """Why the order will miss its promise, in words staff and customers understand; None when it won't."""
    if forecast.expected <= job.promise:
        return None
    if job.held:
        return f"On hold{': ' + hold_reason if hold_reason else ''}."
    if job.awaiting_clearance:
        count = len(job.awaiting_clearance)
        return (f"Copyright permission is still awaited for {count} reading{'s' if count != 1 else ''} "
                f"({'; '.join(job.awaiting_clearance)}).")[:240]
    if job.proof_days and job.proof_from:
        return "Waiting for the customer to answer the proof."
    if capacity is not None and today is not None:
        for station in dict.fromkeys(step.station for step in job.remaining):
            down = sorted(d for d in capacity.down.get(station, ()) if today <= d <= forecast.ready)
            if down:
                days = ", ".join(d.strftime("%a %b %-d") for d in down)
                return f"The {station_names.get(station, station)} is out of service ({days})."
    if forecast.bottleneck and forecast.waited_minutes >= 30:
        hours = forecast.waited_minutes / 60
        return f"Queued behind {hours:.0f} hours of work at the {station_names.get(forecast.bottleneck, forecast.bottleneck)}."
    return f"Finishing {forecast.ready:%a %b %-d} leaves too little time to deliver by the promised date."


# A promise keeps at least this many business days beyond the plan: a slip found on the day the plan
# finishes (a slow day, a breakdown, a carrier a day slower) is then told to the customer a business day
# before the promise, not on the day (the delay notice comes before they have to ask).
MINIMUM_BUFFER_DAYS = 1


def buffer_days(lateness: Sequence[int], *, percentile: float, minimum_samples: int = 20,
                default: int = 1, minimum: int = MINIMUM_BUFFER_DAYS) -> int:
    """Business days to add to the plan so promises hold: the given percentile of how late past
    jobs ran against their plan (negative lateness counts as on time), and never fewer than
    `minimum`. Too little history: default."""
    if len(lateness) < minimum_samples:
        return max(default, minimum)
    return max(nearest_rank(sorted(max(0, value) for value in lateness), percentile), minimum)


KEPT_TARGET = 0.98  # the share of promises the shop aims to keep


def kept(promise: date, delivered: date | None) -> bool:
    """A promise is kept when the order is delivered (or, for a pickup, ready on the shop's shelf) on or
    before the promised date: pass the day `judged_on` gives."""
    return delivered is not None and delivered <= promise


def judged_on(delivery_method: DeliveryMethod | None, *, ready_on: date | None, delivered_on: date | None,
              transit_days: int | None = None) -> date | None:
    """The day a promise is judged by. A pickup customer is promised the order "ready for pickup at the shop"
    on the promised date (the order page, the received notice): its promise is kept when it is on the shelf
    by then, whenever the customer comes for it. So is any promise that counts no transit after the job is
    ready (`transit_days` 0: a mailer's promise is its mail date, "Mailed on"). Every other order is judged
    by the day it was delivered."""
    if (delivery_method == DeliveryMethod.PICKUP or transit_days == 0) and ready_on is not None:
        return ready_on
    return delivered_on


@dataclass(frozen=True)
class Kept:
    """Deliveries over some span and how many kept their promise."""

    delivered: int
    kept: int

    @property
    def rate(self) -> float | None:
        return self.kept / self.delivered if self.delivered else None


@dataclass(frozen=True)
class WeekKept(Kept):
    start: date  # the Monday the week begins


def weekly_kept(days: Iterable[tuple[date, int, int]], *, today: date, weeks: int) -> list[WeekKept]:
    """(day, delivered, kept) counts summed into the last `weeks` weeks, Monday to Sunday, oldest
    first; the current week is the last, so far. Weeks without deliveries are there, with none."""
    this_monday = today - timedelta(days=today.weekday())
    starts = [this_monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    totals = {start: [0, 0] for start in starts}
    for day, delivered, kept_count in days:
        monday = day - timedelta(days=day.weekday())
        if monday in totals:
            totals[monday][0] += delivered
            totals[monday][1] += kept_count
    return [WeekKept(delivered=totals[start][0], kept=totals[start][1], start=start) for start in starts]


@dataclass(frozen=True)
class Alternative:
    label: str
    rush: bool
    delivery_method: DeliveryMethod
    delivery: date

    @property
    def code(self) -> str:
        """"rush", "pickup" or "rush+pickup": what checkout changes to take this way."""
        return "+".join(part for part, wanted in (("rush", self.rush), ("pickup", self.delivery_method == DeliveryMethod.PICKUP))
                        if wanted)


def ways_to_meet(need_by: date, alternatives: Iterable[Alternative]) -> list[Alternative]:
    """The alternatives that arrive by the need-by date, earliest first."""
    return sorted((a for a in alternatives if a.delivery <= need_by), key=lambda a: a.delivery)
