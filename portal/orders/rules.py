"""Order numbers and what the customer sees of an order's state. Pure."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from portal.catalog.rules import reorder_term, upcoming_terms  # pure rules; import nothing of the portal

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

    @property
    def asked(self) -> bool:
        return bool(self.terms or self.rush_percent)


def reorder_questions(*, course_pack: bool, last_term: str | None, last_rushed: bool, rush_surcharge_percent: int,
                      today: date, term: str | None = None, rush: bool = False) -> ReorderQuestions:
    """A course pack asks its term (suggested: the same term while it is current or coming, else the next
    of its season); a job rushed last time asks whether to rush it again (unticked unless chosen now).
    Nothing else is asked: the rest is the same job again."""
    terms = tuple(upcoming_terms(today)) if course_pack else ()
    suggested = reorder_term(last_term, today) if course_pack else None
    asks_rush = last_rushed and rush_surcharge_percent > 0
    return ReorderQuestions(terms=terms, term=term if term in terms else suggested, last_term=last_term,
                            rush_percent=rush_surcharge_percent if asks_rush else 0, rush=rush and asks_rush)
