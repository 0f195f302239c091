"""The shop's shared ways of writing things and counting days (portal.shop), as plain function calls."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from portal.shop.calendar import ShopCalendar, calendar_around
from portal.shop.formats import machine_time, money, plural

EASTERN = timezone(timedelta(hours=-5))


@pytest.mark.parametrize(("cents", "written"), [(None, "—"), (0, "$0.00"), (123456, "$1,234.56"), (-250, "-$2.50")])
def test_money(cents, written):
    assert money(cents) == written


@pytest.mark.parametrize(("count", "noun", "written"), [(1, "copy", "1 copy"), (45, "copy", "45 copies"),
                                                        (1200, "postcard", "1,200 postcards")])
def test_counts(count, noun, written):
    assert plural(count, noun) == written


@pytest.mark.parametrize(("moment", "written"), [
    (datetime(2026, 11, 24, 20, 5, 7, 123456, tzinfo=timezone.utc), "2026-11-24T20:05:07Z"),  # no microseconds
    (datetime(2026, 11, 24, 15, 5, 7, tzinfo=EASTERN), "2026-11-24T20:05:07Z"),               # always UTC
])
def test_a_moment_for_a_time_element(moment, written):
    assert machine_time(moment) == written


def test_business_days_skip_weekends_holidays_and_closures():
    calendar = calendar_around(date(2026, 11, 23), closures=[date(2026, 11, 27)])
    assert isinstance(calendar, ShopCalendar)
    assert not calendar.is_business_day(date(2026, 11, 26))          # Thanksgiving
    assert calendar.next_business_day(date(2026, 11, 25)) == date(2026, 11, 30)  # closed Friday, then the weekend
    assert calendar.business_days_between(date(2026, 11, 23), date(2026, 11, 30)) == 3
