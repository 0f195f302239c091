"""Business days: Monday to Friday, except US federal holidays (observed) and the shop's own closures.
Pure: the closures are passed in."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Iterable

import holidays


@dataclass(frozen=True)
class ShopCalendar:
    """Business days: Monday to Friday, except federal holidays and the shop's own closures."""

    closed: frozenset[date] = frozenset()

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.closed

    def on_or_after(self, day: date) -> date:
        answers = self._answers()
        found = answers.get(("on_or_after", day))
        if found is None:
            found = day
            while not self.is_business_day(found):
                found += timedelta(days=1)
            answers["on_or_after", day] = found
        return found

    def next_business_day(self, day: date) -> date:
        return self.on_or_after(day + timedelta(days=1))

    def add_business_days(self, day: date, count: int) -> date:
        """The business day `count` business days after `day` (itself when count is 0)."""
        answers = self._answers()
        found = answers.get(("add", day, count))
        if found is None:
            found = self.on_or_after(day)
            for _ in range(count):
                found = self.next_business_day(found)
            answers["add", day, count] = found
        return found

    def business_days_between(self, start: date, end: date) -> int:
        """Business days after `start` up to and including `end`; negative when `end` is earlier."""
        if end < start:
            return -self.business_days_between(end, start)
        answers = self._answers()
        days = answers.get(("between", start, end))
        if days is None:
            days, day = 0, start
            while day < end:
                day += timedelta(days=1)
                days += self.is_business_day(day)
            answers["between", start, end] = days
        return days

    def _answers(self) -> dict:
        """Answers already worked out, kept on the calendar (it never changes): the re-plan asks the same few
        questions tens of thousands of times. Not a field, so not compared or shown."""
        return self.__dict__.setdefault("_answers_found", {})  # not "_answers": that would hide this method


def build_calendar(holidays: Iterable[date], closures: Iterable[date]) -> ShopCalendar:
    return ShopCalendar(closed=frozenset(holidays) | frozenset(closures))


@lru_cache(maxsize=64)
def federal_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("US", years=year, observed=True).keys())


def calendar_around(around: date, closures: Iterable[date]) -> ShopCalendar:
    """The calendar from a year before `around` to two after: federal holidays and these closures."""
    closed = frozenset().union(*(federal_holidays(year) for year in calendar_years(around)))
    return build_calendar(closed, closures)


def calendar_years(around: date) -> range:
    return range(around.year - 1, around.year + 3)
