"""Template filters and globals: money, dates in the shop's time zone, the shop's contact details."""
from __future__ import annotations

import os
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from urllib.parse import quote

from flask import Flask, current_app, url_for

from portal.addresses.rules import one_line


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def shop_zone() -> ZoneInfo:
    return _zone(current_app.config["TIMEZONE"])


def money(cents: int | None) -> str:
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


def counted(count: int, noun: str) -> str:
    """1 copy, 45 copies, 1,200 postcards."""
    from portal.catalog.rules import plural

    return plural(int(count), noun)


def cancel_deadline(placed_at: datetime) -> datetime:
    from portal.orders.rules import cancel_deadline as deadline

    return deadline(placed_at)


def url_pattern(endpoint: str, param: str):
    """url_for once for a list page: a function giving the URL for each value of one parameter.

    A page of 25 rows would otherwise call url_for for every link of every row.
    """
    for marker in ("PARAM-VALUE-MARKER", "987654321987"):  # a word, or a number for <int:...> rules
        try:
            pattern = url_for(endpoint, **{param: marker})
            break
        except ValueError:
            continue
    return lambda value: pattern.replace(marker, quote(str(value), safe=""))


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_filter(money)
    app.add_template_filter(day)
    app.add_template_filter(long_day)
    app.add_template_filter(moment)
    app.add_template_filter(counted)
    app.add_template_filter(cancel_deadline)
    app.add_template_filter(one_line, "address_line")
    shop = {
        "name": app.config["SHOP_NAME"],
        "phone": app.config["SHOP_PHONE"],
        "hours": app.config["SHOP_HOURS"],
        "location": app.config["SHOP_LOCATION"],
        "email": app.config["SHOP_EMAIL"],
        "tel": "+1" + "".join(ch for ch in app.config["SHOP_PHONE"] if ch.isdigit())[-10:],
    }
    app.jinja_env.globals["shop"] = shop
    app.jinja_env.globals["url_pattern"] = url_pattern
    # A fresh key for each order or reorder form: a repeated submission of one form makes one order.
    app.jinja_env.globals["idempotency_key"] = lambda: os.urandom(16).hex()
