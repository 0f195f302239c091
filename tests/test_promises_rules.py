"""The shop calendar and the delivery estimate, with fixed dates."""
from datetime import date, datetime, time

import pytest

from portal.catalog.rules import ChoiceRules, ProductRules
from portal.promises import rules
from portal.promises.rules import Alternative, ShopCalendar

THANKSGIVING = date(2026, 11, 26)
WINTER_BREAK = date(2026, 12, 28)
CALENDAR = ShopCalendar(closed=frozenset({THANKSGIVING, date(2026, 12, 25), WINTER_BREAK}))
CUTOFF = time(14, 0)


@pytest.mark.parametrize("day, open_", [
    (date(2026, 11, 23), True),    # Monday
    (date(2026, 11, 28), False),   # Saturday
    (date(2026, 11, 29), False),   # Sunday
    (THANKSGIVING, False),         # federal holiday
    (WINTER_BREAK, False),         # shop closure
])
def test_business_days(day, open_):
    assert CALENDAR.is_business_day(day) is open_


@pytest.mark.parametrize("start, count, expected", [
    (date(2026, 11, 23), 0, date(2026, 11, 23)),
    (date(2026, 11, 23), 1, date(2026, 11, 24)),
    (date(2026, 11, 24), 2, date(2026, 11, 27)),   # skips Thanksgiving
    (date(2026, 11, 27), 1, date(2026, 11, 30)),   # skips the weekend
    (date(2026, 11, 28), 0, date(2026, 11, 30)),   # a Saturday start rolls to Monday
    (date(2026, 12, 24), 1, date(2026, 12, 29)),   # Christmas, weekend and a closure
])
def test_add_business_days(start, count, expected):
    assert CALENDAR.add_business_days(start, count) == expected


@pytest.mark.parametrize("ordered_at, start", [
    (datetime(2026, 11, 23, 9, 0), date(2026, 11, 23)),    # before the cut-off: today
    (datetime(2026, 11, 23, 13, 59), date(2026, 11, 23)),
    (datetime(2026, 11, 23, 14, 0), date(2026, 11, 24)),   # at the cut-off: next business day
    (datetime(2026, 11, 25, 16, 0), date(2026, 11, 27)),   # after the cut-off before Thanksgiving
    (datetime(2026, 11, 28, 10, 0), date(2026, 11, 30)),   # Saturday: Monday
    (datetime(2026, 11, 26, 10, 0), date(2026, 11, 27)),   # on the holiday itself
])
def test_clock_starts_on_the_start_day(ordered_at, start):
    assert rules.start_day(ordered_at, cutoff=CUTOFF, calendar=CALENDAR) == start


PACK = ProductRules(base_days=3, pages_per_day=60000, rush_surcharge_percent=50)
COIL = {"binding": ChoiceRules("Coil", extra_days=1)}


@pytest.mark.parametrize("product, chosen, quantity, pages, rush, days", [
    (PACK, {}, 30, 120, False, 3),                       # 3,600 pages fit in a day
    (PACK, COIL, 30, 120, False, 4),                     # binding adds a day
    (PACK, {}, 600, 200, False, 4),                      # 120,000 pages: two days of printing
    (PACK, COIL, 30, 120, True, 2),                      # rush halves 4, rounding up
    (PACK, {}, 30, 120, True, 2),                        # rush halves 3 to 2
    (ProductRules(base_days=1), {}, 1, 1, True, 1),      # never below one day
    (ProductRules(base_days=3, needs_proof=True, rush_surcharge_percent=50), {}, 10, 1, True, 4),  # proof not rushed
    (ProductRules(base_days=2, rush_surcharge_percent=0), {}, 10, 1, True, 2),   # no rush offered
])
def test_production_days(product, chosen, quantity, pages, rush, days):
    assert rules.production_days(product, chosen, quantity=quantity, pages=pages, rush=rush) == days


@pytest.mark.parametrize("ordered_at, production, method, delivery", [
    (datetime(2026, 11, 23, 10, 0), 3, "pickup", date(2026, 11, 25)),    # Mon, Tue, Wed
    (datetime(2026, 11, 23, 10, 0), 3, "campus", date(2026, 11, 27)),    # next business day skips Thanksgiving
    (datetime(2026, 11, 23, 15, 0), 3, "campus", date(2026, 11, 30)),    # after cut-off: starts Tuesday
    (datetime(2026, 11, 23, 10, 0), 3, "carrier", date(2026, 12, 1)),    # three business days in transit
    (datetime(2026, 12, 22, 10, 0), 3, "campus", date(2026, 12, 29)),    # through Christmas and a closure
])
def test_estimate(ordered_at, production, method, delivery):
    estimate = rules.estimate(ordered_at=ordered_at, cutoff=CUTOFF, calendar=CALENDAR, production=production,
                              delivery_method=method)
    assert estimate.delivery == delivery
    assert estimate.transit_days == rules.TRANSIT_DAYS[method]


def test_ways_to_meet_keeps_those_in_time_earliest_first():
    ways = [Alternative("Rush", True, "campus", date(2026, 12, 3)),
            Alternative("Pickup", False, "pickup", date(2026, 12, 2)),
            Alternative("Rush and pickup", True, "pickup", date(2026, 11, 30))]
    met = rules.ways_to_meet(date(2026, 12, 2), ways)
    assert [w.label for w in met] == ["Rush and pickup", "Pickup"]
    assert [w.code for w in met] == ["rush+pickup", "pickup"]


def test_business_days_between_counts_forward_and_back():
    assert CALENDAR.business_days_between(date(2026, 11, 23), date(2026, 11, 30)) == 4
    assert CALENDAR.business_days_between(date(2026, 11, 30), date(2026, 11, 23)) == -4
    assert CALENDAR.business_days_between(date(2026, 11, 23), date(2026, 11, 23)) == 0
