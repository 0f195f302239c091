"""How the delivery date is computed. Pure: the calendar and `now` are passed in.

The clock starts on the order's start day: the day it is placed when that is a business day
before the cut-off, otherwise the next business day. Production takes whole business days counted
from the start day (the start day is day one), plus the proof round trip when the job has a proof.
The order then travels: pickup is ready the day production ends, campus delivery arrives the next
business day, carrier shipping three business days later.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from math import ceil
from typing import Iterable, Mapping

from portal.catalog.rules import ChoiceRules, ProductRules

TRANSIT_DAYS = {"pickup": 0, "campus": 1, "carrier": 3}
PROOF_ROUND_TRIP_DAYS = 2


@dataclass(frozen=True)
class ShopCalendar:
    """Business days: Monday to Friday, except federal holidays and the shop's own closures."""

    closed: frozenset[date] = frozenset()

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.closed

    def on_or_after(self, day: date) -> date:
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def next_business_day(self, day: date) -> date:
        return self.on_or_after(day + timedelta(days=1))

    def add_business_days(self, day: date, count: int) -> date:
        """The business day `count` business days after `day` (itself when count is 0)."""
        day = self.on_or_after(day)
        for _ in range(count):
            day = self.next_business_day(day)
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Business days after `start` up to and including `end`; negative when `end` is earlier."""
        if end < start:
            return -self.business_days_between(end, start)
        days, day = 0, start
        while day < end:
            day += timedelta(days=1)
            days += self.is_business_day(day)
        return days


@dataclass(frozen=True)
class Estimate:
    start: date
    ready: date
    delivery: date
    production_days: int
    transit_days: int


def build_calendar(holidays: Iterable[date], closures: Iterable[date]) -> ShopCalendar:
    return ShopCalendar(closed=frozenset(holidays) | frozenset(closures))


def start_day(ordered_at: datetime, *, cutoff: time, calendar: ShopCalendar) -> date:
    """The first production day: today if a business day before the cut-off, else the next one."""
    today = ordered_at.date()
    if calendar.is_business_day(today) and ordered_at.time() < cutoff:
        return today
    return calendar.next_business_day(today)


def production_days(product: ProductRules, chosen: Mapping[str, ChoiceRules], *,
                    quantity: int, pages: int, rush: bool = False) -> int:
    """Business days of production: the product's base days, one more for each full day of
    printing past the first at the product's pages per day, the slowest option's extra days;
    rush halves that (rounding up); the proof round trip is added after and is never rushed.
    """
    printing = ceil(max(1, quantity) * max(1, pages) / max(1, product.pages_per_day))
    days = product.base_days + printing - 1 + max((c.extra_days for c in chosen.values()), default=0)
    if rush and product.rush_surcharge_percent:
        days = ceil(days / 2)
    return max(1, days) + (PROOF_ROUND_TRIP_DAYS if product.needs_proof else 0)


def estimate(*, ordered_at: datetime, cutoff: time, calendar: ShopCalendar,
             production: int, delivery_method: str) -> Estimate:
    """The delivery date for a job of `production` business days ordered at `ordered_at` (shop time)."""
    start = start_day(ordered_at, cutoff=cutoff, calendar=calendar)
    ready = calendar.add_business_days(start, max(1, production) - 1)
    transit = TRANSIT_DAYS[delivery_method]
    return Estimate(start=start, ready=ready, delivery=calendar.add_business_days(ready, transit),
                    production_days=production, transit_days=transit)


@dataclass(frozen=True)
class Alternative:
    label: str
    rush: bool
    delivery_method: str
    delivery: date

    @property
    def code(self) -> str:
        """"rush", "pickup" or "rush+pickup": what checkout changes to take this way."""
        return "+".join(part for part, wanted in (("rush", self.rush), ("pickup", self.delivery_method == "pickup"))
                        if wanted)


def ways_to_meet(need_by: date, alternatives: Iterable[Alternative]) -> list[Alternative]:
    """The alternatives that arrive by the need-by date, earliest first."""
    return sorted((a for a in alternatives if a.delivery <= need_by), key=lambda a: a.delivery)
