"""How a reading is cleared, told apart from another work, reused next term, and charged. Pure: dates,
the calendar and typed text are passed in."""
from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass
from datetime import date, timedelta

from portal.shop.calendar import ShopCalendar


class ClearanceState(enum.StrEnum):
    """Where a request for clearance stands in the shop's Copyright queue."""

    AWAITING = "awaiting"    # in the queue: the shop asks the rights holder
    GRANTED = "granted"      # permission granted (by the rights holder, or a clearance on file reused)
    REFUSED = "refused"      # refused: the instructor removes, replaces or links the reading
    WITHDRAWN = "withdrawn"  # the reading was removed, replaced or linked instead after a refusal

    @property
    def label(self) -> str:
        return {"awaiting": "Awaiting", "granted": "Granted", "refused": "Refused",
                "withdrawn": "Withdrawn"}[self.value]


class Choice(enum.StrEnum):
    """What the instructor chooses for a refused reading."""

    REMOVE = "remove"
    REPLACE = "replace"
    LINK = "link"

    @property
    def label(self) -> str:
        return {"remove": "Remove it from the pack", "replace": "Replace it with another reading",
                "link": "Link it in the learning system instead"}[self.value]


FEE_LIMIT_CENTS = 1_000_000  # $10,000: a permission fee above this is a typing mistake
NOTES_LIMIT = 2000
PERIOD_LIMIT = 60
USUAL_VALIDITY_DAYS = 365  # what the grant form suggests: permissions are commonly for a year of teaching
FEE = re.compile(r"\d{1,7}(\.\d{1,2})?")


def work_key(title: str, author: str) -> str:
    """The same work whoever types it: its title and author in lowercase words, without punctuation
    or articles' spacing differences (a digest, so it fits an index)."""
    def words(text: str) -> str:
        return " ".join(re.findall(r"[0-9a-z]+", (text or "").lower()))
    return hashlib.sha256(f"{words(title)}|{words(author)}".encode()).hexdigest()


@dataclass(frozen=True)
class OnFile:
    """A clearance the shop has for a work: the period it covers and the last day it is good for."""

    id: int
    period: str
    expires_on: date


def reuse(on_file: list[OnFile], *, on: date) -> tuple[OnFile | None, OnFile | None]:
    """(the clearance to reuse, the expired one that was found instead): a clearance is good through
    its expiry day; the one lasting longest wins; with none good, the latest expired is named so the
    queue says why the reading is back."""
    good = [c for c in on_file if c.expires_on >= on]
    if good:
        return max(good, key=lambda c: (c.expires_on, c.id)), None
    expired = max(on_file, key=lambda c: (c.expires_on, c.id)) if on_file else None
    return None, expired


def days_left(requested_on: date, *, today: date, calendar: ShopCalendar, usual_days: int) -> int:
    """Business days the promise still allows for a reading awaiting clearance: the shop's usual
    clearance time (`usual_days`, calibrated: portal.promises) counted from the request, and at least one
    more while it is still not answered."""
    return max(1, usual_days - answer_days(requested_on, today, calendar=calendar))


def answer_days(requested_on: date, answered_on: date, *, calendar: ShopCalendar) -> int:
    """Business days a request took from the day it was asked to the day the shop had its answer."""
    return calendar.business_days_between(requested_on, answered_on) if answered_on > requested_on else 0


def read_fee(text: str | None) -> tuple[int | None, str | None]:
    """A permission fee typed in dollars ("45", "$1,250.50") as integer cents; blank is None (no fee quoted)."""
    value = (text or "").replace("$", "").replace(",", "").strip()
    if not value:
        return None, None
    if not FEE.fullmatch(value):
        return None, "Enter the fee in dollars, like 45 or 45.50."
    whole, _, cents = value.partition(".")
    amount = int(whole) * 100 + int((cents + "00")[:2])
    if amount > FEE_LIMIT_CENTS:
        return None, "That fee is above $10,000: check it."
    return amount, None


def read_day(text: str | None) -> tuple[date | None, str | None]:
    """A day typed as 2027-06-30 (what a date input sends); blank is None."""
    value = (text or "").strip()
    if not value:
        return None, None
    try:
        return date.fromisoformat(value), None
    except ValueError:
        return None, "Enter the day as YYYY-MM-DD, like 2027-06-30."


def grant_problems(*, period: str, expires_on: date | None, today: date) -> dict[str, str]:
    """What a grant needs: the term or period the permission covers and when it expires (today or later)."""
    problems = {}
    if not period:
        problems["period"] = "Say which term or period the permission covers, like Spring 2027."
    elif len(period) > PERIOD_LIMIT:
        problems["period"] = f"Use at most {PERIOD_LIMIT} characters."
    if expires_on is None:
        problems.setdefault("expires_on", "Enter the day the permission expires.")
    elif expires_on < today:
        problems["expires_on"] = "That day has passed: a permission granted now must still be good."
    return problems


def usual_expiry(today: date) -> date:
    return today + timedelta(days=USUAL_VALIDITY_DAYS)


def fee_label(title: str) -> str:
    """The line the customer sees on the order's price."""
    return f"Copyright permission: {title}"[:200]


def sent_problem(sent_on: date | None, *, today: date) -> str | None:
    if sent_on is not None and sent_on > today:
        return "The request cannot have been sent after today."
    return None
