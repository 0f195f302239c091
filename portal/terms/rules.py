"""Terms and the deadline to order for the first day of classes. Pure: the calendar and today are passed in."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Sequence, TypeVar

from portal.shop.calendar import ShopCalendar

NAME_LIMIT = 40  # characters, as orders keep a pack's term (orders.term)
YEAR = re.compile(r"\b(20\d\d)\b")
DEFAULT_ORDER_DAYS = 15  # business days before the first day of classes (PORTAL_TERM_ORDER_DAYS)
DEFAULT_REMINDER_DAYS = 10  # the reminder goes out this many business days before the deadline
FIRST_WEEKS = timedelta(days=14)  # the term-start view: what is due up to two weeks into the term


def clean_name(name: str | None) -> str:
    """The name as the manager typed it, spaces tidied and each word begun with a capital: 'spring  2027' is
    'Spring 2027'; 'Winter Intersession 2027' and 'MBA Fall 2027' stay as they are."""
    return " ".join(word[:1].upper() + word[1:] for word in (name or "").split())


def name_problem(name: str) -> str | None:
    """A term is named as instructors will choose it in the course-pack configurator, with its year (every
    year has its own Spring): "Spring 2027", "Winter Intersession 2027"."""
    if not name:
        return "Enter the term, like Spring 2027."
    if len(name) > NAME_LIMIT:
        return f"Use at most {NAME_LIMIT} characters."
    if not YEAR.search(name):
        return "Give the term its year, like Spring 2027 or Winter Intersession 2027."
    return None


def order_deadline(first_day: date, *, calendar: ShopCalendar, business_days: int) -> date:
    """The last business day to order a course pack and have it on the first day of classes: `business_days`
    business days before that day (weekends, holidays and shop closures do not count)."""
    day, counted = first_day, 0
    while counted < business_days:
        day -= timedelta(days=1)
        counted += calendar.is_business_day(day)
    return day


@dataclass(frozen=True)
class Deadline:
    """What the configurator and the reminder say about a term: its first day, the day to order by, and how
    many business days are left until then (0 on the day itself; negative once it has passed)."""

    term: str
    first_day: date
    order_by: date
    business_days_left: int

    @property
    def passed(self) -> bool:
        return self.business_days_left < 0


def deadline(term: str, first_day: date, *, today: date, calendar: ShopCalendar, business_days: int) -> Deadline:
    order_by = order_deadline(first_day, calendar=calendar, business_days=business_days)
    return Deadline(term, first_day, order_by, calendar.business_days_between(today, order_by))


T = TypeVar("T")


def coming_term(terms: Sequence[T], today: date) -> T | None:
    """The next term whose classes have not started (terms have `first_day`), or None."""
    ahead = sorted((term for term in terms if term.first_day > today), key=lambda term: term.first_day)
    return ahead[0] if ahead else None


def term_before(terms: Sequence[T], term: T) -> T | None:
    """The term just before `term` by first day of classes, or None."""
    earlier = [other for other in terms if other.first_day < term.first_day]
    return max(earlier, key=lambda other: other.first_day) if earlier else None


def reminder_due(due: Deadline, *, lead_days: int) -> bool:
    """Instructors are reminded once the deadline is `lead_days` business days away or closer, and never after it."""
    return 0 <= due.business_days_left <= lead_days


def term_start_window(first_day: date, today: date) -> tuple[date, date]:
    """The days the term-start view covers: from today to the end of the term's first two weeks (inclusive)."""
    return today, first_day + FIRST_WEEKS - timedelta(days=1)


def load_by_day(work: Sequence[tuple[str, date, float]], days: Sequence[date]) -> dict[str, list[float]]:
    """Minutes of work per station on each of `days`, from (station code, day it is due, minutes); work due
    before the first day counts on the first day (it is late already), work due after the last is left out."""
    index = {day: position for position, day in enumerate(days)}
    load: dict[str, list[float]] = {}
    for code, due, minutes in work:
        if not days or due > days[-1]:
            continue
        position = index.get(max(due, days[0]))
        if position is None:  # a day the shop is closed: the business day before it
            position = max((i for d, i in index.items() if d <= due), default=0)
        load.setdefault(code, [0.0] * len(days))[position] += minutes
    return load


def business_days(start: date, end: date, calendar: ShopCalendar) -> list[date]:
    """The business days from `start` to `end`, both included."""
    days, day = [], calendar.on_or_after(start)
    while day <= end:
        days.append(day)
        day = calendar.next_business_day(day)
    return days
