"""Order numbers and what the customer sees of an order's state. Pure."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Sequence

from portal.catalog.rules import reorder_term  # pure rules; import nothing of the portal

NUMBER = re.compile(r"(\d{2})-(\d{5,})")


def order_number(order_id: int, placed_on: date) -> str:
    """26-00042: the year placed, then the order's sequence number."""
    return f"{placed_on:%y}-{order_id:05d}"


def need_by_problem(need_by: date | None, today: date) -> str | None:
    if need_by is not None and need_by <= today:
        return "Choose a date after today."
    return None


def misses_need_by(need_by: date | None, delivery: date | None) -> bool:
    return need_by is not None and delivery is not None and delivery > need_by


CANCEL_WINDOW = timedelta(minutes=15)


def can_cancel(status: str, placed_at: datetime, now: datetime) -> bool:
    """The customer can cancel on their own for a short while after ordering, before work starts."""
    return status in ("received", "awaiting_approval") and now - placed_at <= CANCEL_WINDOW


def cancel_deadline(placed_at: datetime) -> datetime:
    return placed_at + CANCEL_WINDOW


def pick_on_file(original_id: int | None, usable_ids: list[int], default_id: int | None) -> int | None:
    """For a reorder: the original address or account while it is still on file and usable,
    otherwise the customer's current default, otherwise none (the customer chooses)."""
    if original_id in usable_ids:
        return original_id
    if default_id in usable_ids:
        return default_id
    return None


@dataclass(frozen=True)
class ReorderQuestions:
    """What a one-click reorder asks instead of repeating last time's: the term a course pack is for,
    and whether to rush it again (a surcharge is a choice for this time, not a habit)."""

    terms: tuple[str, ...]  # the terms to choose from; none: not a course pack
    term: str | None  # the term chosen, or suggested
    last_term: str | None
    rush_percent: int  # the surcharge asked about; 0: rush is not asked
    rush: bool  # rush chosen this time
    # A course pack also asks its enrollment (the copies) to confirm, starting from last time's.
    last_enrollment: int | None = None
    enrollment_text: str = ""  # as typed ("" when not asked yet: last time's)
    enrollment_problem: str | None = None
    next_term: str | None = None  # the coming term on the shop's calendar: a past pack is reprinted for it

    @property
    def asked(self) -> bool:
        return bool(self.terms or self.rush_percent)

    @property
    def enrollment(self) -> int | None:
        """The enrollment the reorder is for: the one typed when it is a good number, else last time's."""
        if self.enrollment_problem or not self.enrollment_text:
            return self.last_enrollment
        return int(self.enrollment_text.replace(",", ""))

    @property
    def reprint(self) -> bool:
        """A past pack reprinted for the coming term ("Reprint for Spring 2027")."""
        return bool(self.next_term) and self.term == self.next_term and self.last_term != self.next_term


def reorder_questions(*, course_pack: bool, last_term: str | None, last_rushed: bool, rush_surcharge_percent: int,
                      terms: Sequence[str] = (), term: str | None = None, rush: bool = False,
                      last_enrollment: int | None = None, enrollment: str | None = None,
                      next_term: str | None = None) -> ReorderQuestions:
    """A course pack asks its term and its enrollment (last time's, to confirm); a job rushed last time asks
    whether to rush it again (unticked unless chosen now). Nothing else is asked: the rest is the same job again.

    `terms` are those open for ordering, the current one first (catalog.rules.course_pack_terms). The term suggested
    is the coming term on the shop's calendar (`next_term`) for a pack of an earlier term ("Reprint for next term");
    without one, the same term while it is current or coming, else the next of its season."""
    terms = tuple(terms) if course_pack else ()
    suggested = reorder_term(last_term, terms) if course_pack else None
    if course_pack and next_term in terms and _before(last_term, next_term, terms):
        suggested = next_term
    asks_rush = last_rushed and rush_surcharge_percent > 0
    text = " ".join((enrollment or "").split()) if course_pack else ""
    return ReorderQuestions(terms=terms, term=term if term in terms else suggested, last_term=last_term,
                            rush_percent=rush_surcharge_percent if asks_rush else 0, rush=rush and asks_rush,
                            last_enrollment=last_enrollment if course_pack else None, enrollment_text=text,
                            enrollment_problem=enrollment_problem(text) if text else None,
                            next_term=next_term if course_pack and next_term in terms else None)


def _before(last_term: str | None, next_term: str, terms: tuple[str, ...]) -> bool:
    """`last_term` comes before `next_term`: earlier in the list of coming terms, or not in it at all (past)."""
    return last_term not in terms or terms.index(last_term) < terms.index(next_term)


def enrollment_problem(text: str) -> str | None:
    """An enrollment as typed: a whole number of students, 1 to 5,000 (as the configurator takes it)."""
    digits = text.replace(",", "")
    if not digits.isdigit() or not 1 <= int(digits) <= 5000:
        return "Enter the number of students, 1 to 5,000."
    return None


def bundles(copies: int, per_bundle: int | None) -> tuple[int, int]:
    """How the packing slip counts copies for the bookstore: full bundles of `per_bundle`, and the copies left
    over in one more (0 when they divide evenly); (0, 0) without a bundle size."""
    if not per_bundle or per_bundle < 1:
        return 0, 0
    return copies // per_bundle, copies % per_bundle


DEFAULT_BUNDLE = 25  # copies in a bookstore bundle, as checkout suggests it
PRICE = re.compile(r"\$?\s*(\d{1,4})(?:\.(\d{1,2}))?")


def student_price_cents(text: str) -> tuple[int | None, str | None]:
    """The bookstore's price to a student as typed ("24.50", "$24", "24.5"): (cents, None) or (None, problem)."""
    match = PRICE.fullmatch((text or "").strip())
    if not match:
        return None, ("Enter what a student pays for a copy at the bookstore, like 24.50." if not (text or "").strip()
                      else "Write the price in dollars and cents, like 24.50.")
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0")), None


def copies_per_bundle(text: str, copies: int | None = None) -> tuple[int | None, str | None]:
    """Copies in a bookstore bundle as typed: a whole number from 1 to 500 (and no more than the copies)."""
    digits = (text or "").replace(",", "").strip()
    if not digits.isdigit() or not 1 <= int(digits) <= 500:
        return None, "Enter how many copies go in a bundle, 1 to 500."
    if copies is not None and int(digits) > copies:
        return None, f"A bundle cannot hold more than the {copies} copies ordered."
    return int(digits), None
