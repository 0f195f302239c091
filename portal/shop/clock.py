"""The shop's clock: moments are kept in UTC and read in the shop's time zone; the daily cut-off."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def shop_zone() -> ZoneInfo:
    """The shop's time zone (PORTAL_TIMEZONE)."""
    return _zone(current_app.config["TIMEZONE"])


def shop_time(moment: datetime) -> datetime:
    return moment.astimezone(shop_zone())


def shop_today(now: datetime) -> date:
    """The day it is in the shop at `now`."""
    return shop_time(now).date()


def closing() -> time:
    """When the shop's working day ends: the last time of day in PORTAL_SHOP_HOURS ("Mon–Fri 8:00–17:00"
    closes at 17:00); 17:00 when the hours name no time."""
    times = re.findall(r"(\d{1,2}):(\d{2})", current_app.config["SHOP_HOURS"])
    hours, minutes = times[-1] if times else ("17", "00")
    return time(int(hours), int(minutes))


def cutoff() -> time:
    """The time of day after which an order starts on the next business day (PORTAL_ORDER_CUTOFF)."""
    hours, minutes = current_app.config["ORDER_CUTOFF"].split(":")
    return time(int(hours), int(minutes))
