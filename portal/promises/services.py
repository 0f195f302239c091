"""The shop calendar from the database, and estimates for configured jobs."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Mapping

import holidays
from flask import current_app
from sqlalchemy import select

from portal.catalog.rules import ChoiceRules, ProductRules
from portal.extensions import db
from portal.promises import rules
from portal.promises.models import Closure
from portal.web.filters import shop_zone


@lru_cache(maxsize=64)
def federal_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("US", years=year, observed=True).keys())


def shop_calendar(around: date) -> rules.ShopCalendar:
    """Weekends, US federal holidays and the shop's closures, from a year before to two after."""
    years = range(around.year - 1, around.year + 3)
    closed = frozenset().union(*(federal_holidays(year) for year in years))
    closures = db.session.scalars(select(Closure.day).where(
        Closure.day >= date(years[0], 1, 1), Closure.day <= date(years[-1], 12, 31)))
    return rules.build_calendar(closed, closures)


def cutoff() -> time:
    hours, minutes = current_app.config["ORDER_CUTOFF"].split(":")
    return time(int(hours), int(minutes))


def shop_time(moment: datetime) -> datetime:
    return moment.astimezone(shop_zone())


def shop_today(now: datetime) -> date:
    return shop_time(now).date()


def estimate_for(product: ProductRules, chosen: Mapping[str, ChoiceRules], *, quantity: int,
                 pages: int, rush: bool, delivery_method: str, now: datetime,
                 calendar: rules.ShopCalendar | None = None) -> rules.Estimate:
    """The delivery date for this job if it were ordered at `now`."""
    local = shop_time(now)
    calendar = calendar or shop_calendar(local.date())
    production = rules.production_days(product, chosen, quantity=quantity, pages=pages, rush=rush)
    return rules.estimate(ordered_at=local, cutoff=cutoff(), calendar=calendar,
                          production=production, delivery_method=delivery_method)


def ways_to_meet(product: ProductRules, chosen: Mapping[str, ChoiceRules], *, quantity: int,
                 pages: int, rush: bool, delivery_method: str, need_by: date,
                 now: datetime) -> list[rules.Alternative]:
    """What would arrive by the need-by date instead: rush, pickup at the shop, or both."""
    calendar = shop_calendar(shop_today(now))
    surcharge = product.rush_surcharge_percent
    variants = []
    if surcharge and not rush:
        variants.append((f"Rush (+{surcharge}%)", True, delivery_method))
    if delivery_method != "pickup":
        variants.append(("Pickup at the shop", rush, "pickup"))
        if surcharge and not rush:
            variants.append((f"Rush (+{surcharge}%) and pickup at the shop", True, "pickup"))
    alternatives = []
    for label, with_rush, method in variants:
        estimate = estimate_for(product, chosen, quantity=quantity, pages=pages, rush=with_rush,
                                delivery_method=method, now=now, calendar=calendar)
        alternatives.append(rules.Alternative(label, with_rush, method, estimate.delivery))
    return rules.ways_to_meet(need_by, alternatives)


def earliest_need_by(now: datetime) -> date:
    return shop_today(now) + timedelta(days=1)
