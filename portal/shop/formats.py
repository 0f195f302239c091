"""How the shop writes money, days, moments and counts: in pages, emails and PDFs alike."""
from __future__ import annotations

from datetime import date, datetime, timezone

from portal.shop.clock import shop_zone


def money(cents: int | None) -> str:
    """$1,234.50 (and "—" for no amount)."""
    if cents is None:
        return "—"
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(int(cents)), 100)
    return f"{sign}${dollars:,}.{rest:02d}"


def day(value: date | None) -> str:
    """Tue, Nov 24"""
    return value.strftime("%a, %b %-d") if value else "—"


def long_day(value: date | None) -> str:
    """Tuesday, November 24, 2026"""
    return value.strftime("%A, %B %-d, %Y") if value else "—"


def moment(value: datetime | None) -> str:
    """Nov 24, 2026, 3:05 PM in the shop's time zone."""
    if value is None:
        return "—"
    local = value.astimezone(shop_zone())
    return local.strftime("%b %-d, %Y, %-I:%M %p")


def machine_time(value: datetime) -> str:
    """2026-11-24T20:05:00Z: a moment for <time datetime>, to the second, in UTC."""
    return value.astimezone(timezone.utc).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def plural(count: int, noun: str) -> str:
    """1 copy, 45 copies, 1,200 postcards."""
    if count == 1:
        return f"1 {noun}"
    irregular = {"copy": "copies", "box": "boxes"}
    return f"{count:,} {irregular.get(noun, noun + 's')}"


def counted(count: int, noun: str) -> str:
    """plural() for templates, which may pass the count as a string."""
    return plural(int(count), noun)
