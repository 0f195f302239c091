"""Order numbers and what the customer sees of an order's state. Pure."""
from __future__ import annotations

import re
from datetime import date

NUMBER = re.compile(r"(\d{2})-(\d{5,})")


def order_number(order_id: int, placed_on: date) -> str:
    """26-00042: the year placed, then the order's sequence number."""
    return f"{placed_on:%y}-{order_id:05d}"


def looks_like_number(text: str) -> bool:
    return bool(NUMBER.fullmatch(text.strip()))


def need_by_problem(need_by: date | None, today: date) -> str | None:
    if need_by is not None and need_by <= today:
        return "Choose a date after today."
    return None


def misses_need_by(need_by: date | None, delivery: date | None) -> bool:
    return need_by is not None and delivery is not None and delivery > need_by
