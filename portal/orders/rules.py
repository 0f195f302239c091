"""Order numbers and what the customer sees of an order's state. Pure."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

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
