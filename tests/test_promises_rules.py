"""The shop calendar and the delivery estimate, with fixed dates."""
from datetime import date, datetime, time

import pytest

from portal.promises import rules
from portal.promises.rules import Alternative
from portal.shop.calendar import ShopCalendar
from portal.shop.delivery import DeliveryMethod

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


ROUTE = (
    rules.RouteStep("prepress", "prepress", setup_minutes=25),
    rules.RouteStep("bw_press", "printing", setup_minutes=10, per_impression=0.01, when_option="color", when_choices=("bw",)),
    rules.RouteStep("color_press", "printing", setup_minutes=15, per_impression=0.02, when_option="color",
                    when_choices=("color",)),
    rules.RouteStep("bindery", "finishing", setup_minutes=15, per_copy=1.5, when_option="binding", when_choices=("coil",)),
)
CAPACITY = rules.Capacity(CALENDAR, {"prepress": 480, "bw_press": 480, "color_press": 480, "bindery": 480})
MONDAY = datetime(2026, 11, 23, 10, 0)


def test_work_follows_the_routing_and_the_options():
    work = rules.work_for(ROUTE, {"color": "bw", "binding": "coil"}, quantity=40, pages=100, sheets=50)
    assert work == [rules.Work("prepress", "prepress", 25), rules.Work("bw_press", "printing", 50),
                    rules.Work("bindery", "finishing", 75)]
    colour_no_binding = rules.work_for(ROUTE, {"color": "color", "binding": "staple"}, quantity=40, pages=100, sheets=50)
    assert [w.station for w in colour_no_binding] == ["prepress", "color_press"]


@pytest.mark.parametrize("cursor, minutes, after", [
    (rules.Cursor(date(2026, 11, 23)), 100, rules.Cursor(date(2026, 11, 23), 100)),
    (rules.Cursor(date(2026, 11, 23), 400), 100, rules.Cursor(date(2026, 11, 24), 20)),       # spills into Tuesday
    (rules.Cursor(date(2026, 11, 25), 400), 200, rules.Cursor(date(2026, 11, 27), 120)),      # past Thanksgiving
    (rules.Cursor(date(2026, 11, 23)), 480 * 3 + 1, rules.Cursor(date(2026, 11, 27), 1)),     # three full days
])
def test_a_station_works_its_minutes_on_business_days(cursor, minutes, after):
    assert rules.advance(CAPACITY, "bindery", cursor, minutes) == after


def test_a_station_down_for_a_day_does_no_work_that_day():
    down = rules.Capacity(CALENDAR, CAPACITY.minutes_per_day, {"bindery": frozenset({date(2026, 11, 24)})})
    assert rules.advance(down, "bindery", rules.Cursor(date(2026, 11, 23), 400), 100) == rules.Cursor(date(2026, 11, 25), 20)


SMALL = [rules.Work("prepress", "prepress", 25), rules.Work("bw_press", "printing", 50),
         rules.Work("bindery", "finishing", 75)]


def estimate(work=SMALL, *, ordered_at=MONDAY, backlog=None, proof_days=0, buffer_days=0, method="campus",
             capacity=CAPACITY):
    return rules.estimate(ordered_at=ordered_at, cutoff=CUTOFF, capacity=capacity, work=work, backlog=backlog or {},
                          proof_days=proof_days, buffer_days=buffer_days, delivery_method=method)


@pytest.mark.parametrize("kwargs, ready, delivery", [
    ({}, date(2026, 11, 23), date(2026, 11, 24)),                                   # an empty shop: done today
    ({"method": "pickup"}, date(2026, 11, 23), date(2026, 11, 23)),
    ({"method": "carrier"}, date(2026, 11, 23), date(2026, 11, 27)),                # three days, Thanksgiving skipped
    ({"ordered_at": datetime(2026, 11, 23, 15, 0)}, date(2026, 11, 24), date(2026, 11, 25)),   # after the cut-off
    ({"ordered_at": datetime(2026, 11, 28, 9, 0)}, date(2026, 11, 30), date(2026, 12, 1)),     # a Saturday
    ({"backlog": {"bindery": 480 * 2}}, date(2026, 11, 25), date(2026, 11, 27)),    # a full bindery: two days later
    ({"backlog": {"bw_press": 470}}, date(2026, 11, 24), date(2026, 11, 25)),       # the press is full today
    ({"proof_days": 2}, date(2026, 11, 25), date(2026, 11, 27)),                    # waits for the proof
    ({"buffer_days": 1}, date(2026, 11, 23), date(2026, 11, 25)),                   # the calibrated margin
])
def test_estimate(kwargs, ready, delivery):
    found = estimate(**kwargs)
    assert (found.ready, found.delivery) == (ready, delivery)


@pytest.mark.parametrize("bindery_days, buffer_days, ready, margin", [
    (3, 1, date(2026, 11, 27), 1),  # a plan of 3 business days (Thanksgiving between): the calibrated buffer
    (4, 1, date(2026, 11, 30), 2),  # 4: a day more
    (5, 1, date(2026, 12, 1), 2),   # 5: still one more
    (10, 1, date(2026, 12, 8), 3),  # 10: two more (one for every four)
    (5, 4, date(2026, 12, 1), 4),   # a calibrated buffer already longer stands
])
def test_a_long_plan_is_promised_with_more_margin(bindery_days, buffer_days, ready, margin):
    found = estimate(backlog={"bindery": 480 * bindery_days}, buffer_days=buffer_days)
    assert (found.ready, found.buffer_days) == (ready, margin)
    assert found.delivery == CALENDAR.add_business_days(ready, margin + 1)  # then the campus run
    assert rules.margin_days(buffer_days, plan_days=CALENDAR.business_days_between(found.start, ready)) == margin


def test_the_plan_without_the_buffer_is_kept_for_calibration():
    found = estimate(buffer_days=2)
    assert found.planned_delivery == date(2026, 11, 24) and found.delivery == date(2026, 11, 27)


def job(order_id, *, rush=False, promise=date(2026, 12, 4), work=SMALL, held=False):
    return rules.OpenJob(order_id, rush, promise, date(2026, 11, 20), tuple(work), "campus", held=held)


def test_replan_works_rush_first_then_earliest_promise():
    big = [rules.Work("bindery", "finishing", 480)]
    plans = rules.replan([job(1, promise=date(2026, 12, 10), work=big), job(2, promise=date(2026, 12, 1), work=big),
                          job(3, rush=True, promise=date(2026, 12, 20), work=big)],
                         capacity=CAPACITY, today=date(2026, 11, 23))
    assert plans[3].ready == date(2026, 11, 23)
    assert plans[2].ready == date(2026, 11, 24)
    assert plans[1].ready == date(2026, 11, 25) and plans[1].bottleneck == "bindery"


@pytest.mark.parametrize("promise, transit, ready_by", [
    (date(2026, 11, 25), 0, date(2026, 11, 25)),   # a pickup: on the shelf by the promised day itself
    (date(2026, 11, 25), 1, date(2026, 11, 24)),   # campus delivery: the run the next business day
    (date(2026, 11, 30), 3, date(2026, 11, 24)),   # carrier: Friday, Wednesday, Tuesday (not Thanksgiving, not the weekend)
])
def test_a_job_must_be_ready_its_transit_before_its_promise(promise, transit, ready_by):
    assert rules.ready_by(promise, transit_days=transit, calendar=CALENDAR) == ready_by


def test_replan_works_jobs_by_the_day_they_must_be_ready_so_a_carrier_job_is_not_overtaken():
    big = [rules.Work("bindery", "finishing", 480)]
    campus = rules.OpenJob(1, False, date(2026, 12, 2), date(2026, 11, 20), tuple(big), "campus",
                           ready_by=date(2026, 12, 1))
    carrier = rules.OpenJob(2, False, date(2026, 12, 3), date(2026, 11, 20), tuple(big), "carrier",
                            ready_by=date(2026, 11, 27))
    plans = rules.replan([campus, carrier], capacity=CAPACITY, today=date(2026, 11, 23))
    assert plans[2].ready == date(2026, 11, 23) and plans[1].ready == date(2026, 11, 24)
    assert rules.priority(carrier) < rules.priority(campus)


@pytest.mark.parametrize("method, ready_on, delivered_on, judged", [
    (DeliveryMethod.PICKUP, date(2026, 11, 25), date(2026, 11, 27), date(2026, 11, 25)),  # on the shelf, came later
    (DeliveryMethod.PICKUP, None, date(2026, 11, 27), date(2026, 11, 27)),  # never marked ready: when it was collected
    (DeliveryMethod.CAMPUS, date(2026, 11, 25), date(2026, 11, 27), date(2026, 11, 27)),
    (DeliveryMethod.CARRIER, date(2026, 11, 20), None, None),  # on its way: not judged yet
])
def test_a_pickup_is_judged_by_the_day_it_was_ready_on_the_shelf(method, ready_on, delivered_on, judged):
    found = rules.judged_on(method, ready_on=ready_on, delivered_on=delivered_on)
    assert found == judged
    assert rules.kept(date(2026, 11, 25), found) is (judged is not None and judged <= date(2026, 11, 25))


def test_a_promise_without_transit_is_judged_and_forecast_by_the_day_the_job_is_ready():
    # a mailer's promise is its mail date ("Mailed on"), whatever the address on its order
    assert rules.judged_on(DeliveryMethod.CARRIER, ready_on=date(2026, 11, 24), delivered_on=date(2026, 11, 27),
                           transit_days=0) == date(2026, 11, 24)
    mailer = rules.OpenJob(1, False, date(2026, 11, 24), date(2026, 11, 20), tuple(SMALL), "carrier",
                           ready_by=date(2026, 11, 24), transit_days=0)
    forecast = rules.replan([mailer], capacity=CAPACITY, today=date(2026, 11, 23))[1]
    assert forecast.expected == forecast.ready == date(2026, 11, 23)
    assert rules.risk_reason(mailer, forecast, station_names={}) is None


def test_a_queue_change_flips_an_order_to_at_risk_with_the_reason():
    mine = job(1, promise=date(2026, 11, 25))
    calm = rules.replan([mine], capacity=CAPACITY, today=date(2026, 11, 23))[1]
    assert rules.risk_reason(mine, calm, station_names={}) is None
    rush = job(2, rush=True, work=[rules.Work("bindery", "finishing", 480 * 3)])
    busy = rules.replan([mine, rush], capacity=CAPACITY, today=date(2026, 11, 23))[1]
    assert busy.expected > mine.promise
    assert rules.risk_reason(mine, busy, station_names={"bindery": "Bindery"}).startswith("Queued behind")
    held = rules.replan([job(1, promise=date(2026, 11, 23), held=True)], capacity=CAPACITY, today=date(2026, 11, 23))[1]
    assert rules.risk_reason(job(1, promise=date(2026, 11, 23), held=True), held, station_names={},
                             hold_reason="paper on order") == "On hold: paper on order."


def test_after_closing_work_left_resumes_the_next_business_day_and_finished_work_is_ready_today():
    monday, tuesday = date(2026, 11, 23), date(2026, 11, 24)
    left, done = job(1, work=[rules.Work("bindery", "finishing", 60)]), job(2, work=[])
    morning = rules.replan([left, done], capacity=CAPACITY, today=monday)
    evening = rules.replan([left, done], capacity=CAPACITY, today=monday, resumes=tuesday)
    assert (morning[1].ready, evening[1].ready) == (monday, tuesday)  # today's minutes are spent by the evening
    assert morning[2].ready == evening[2].ready == monday  # on the shelf already: it goes out on the next run
    assert evening[2].expected == tuesday


def test_load_by_day_spreads_planned_minutes_over_the_days_they_run():
    load = rules.load_by_day([job(1, work=[rules.Work("bindery", "finishing", 600)])], capacity=CAPACITY,
                             today=date(2026, 11, 23), days=3)
    assert load["bindery"] == [480, 120, 0]


@pytest.mark.parametrize("lateness, percentile, buffer", [
    ([0] * 30, 0.98, 1),                       # all on plan: still a business day to tell a slip ahead
    ([0] * 29 + [3], 0.98, 3),                 # one job in 30 three days late: covered at the 98th percentile
    ([0] * 97 + [2, 2, 5], 0.98, 2),
    ([0] * 99 + [5], 0.98, 1),                 # one in a hundred is allowed to slip
    ([-2, -1, 0, 1, 2] * 10, 0.5, 1),          # early jobs count as on time
    ([1, 2], 0.98, 1),                          # too little history: the default
])
def test_buffer_days_from_history(lateness, percentile, buffer):
    assert rules.buffer_days(lateness, percentile=percentile) == buffer


@pytest.mark.parametrize("durations, days", [
    ([], rules.CLEARANCE_BUSINESS_DAYS),                     # no history: the shop's stated figure
    ([2] * 9, rules.CLEARANCE_BUSINESS_DAYS),                # fewer than ten answered: still the stated figure
    ([2] * 10, 2),                                           # ten answered in two business days: two
    ([3] * 18 + [9, 12], 3),                                 # 90th percentile of twenty: two slow answers do not count
    ([3] * 17 + [7, 9, 12], 7),                              # three slow ones in twenty: the 18th fastest
    ([0] * 10, 1),                                           # answered the same day: still a business day
    ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 9),
    ([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 9),                    # in any order
])
def test_the_clearance_time_is_calibrated_from_the_answered_requests(durations, days):
    assert rules.clearance_business_days(durations) == days


def test_the_clearance_time_takes_its_percentile_and_minimum():
    assert rules.clearance_business_days([1, 2, 3, 4], percentile=0.5, minimum_samples=4) == 2
    assert rules.clearance_business_days([1, 2, 3, 4], minimum_samples=5, default=6) == 6


def test_a_promise_keeps_at_least_a_business_day_beyond_the_plan_unless_the_shop_says_otherwise():
    assert rules.buffer_days([0] * 50, percentile=0.98) == rules.MINIMUM_BUFFER_DAYS == 1
    assert rules.buffer_days([0] * 50, percentile=0.98, minimum=0) == 0


def test_kept_means_delivered_on_or_before_the_promise():
    assert rules.kept(date(2026, 11, 24), date(2026, 11, 24)) and not rules.kept(date(2026, 11, 24), date(2026, 11, 25))
    assert not rules.kept(date(2026, 11, 24), None)


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


def test_weekly_kept_sums_days_into_monday_weeks_oldest_first_with_empty_weeks_kept():
    today = date(2026, 11, 25)  # a Wednesday
    days = [(date(2026, 11, 23), 3, 3), (date(2026, 11, 24), 1, 0),  # this week so far
            (date(2026, 11, 13), 2, 2),                                # two weeks back (a Friday)
            (date(2026, 10, 1), 9, 9)]                                 # before the window
    weeks = rules.weekly_kept(days, today=today, weeks=3)
    assert [(w.start, w.delivered, w.kept) for w in weeks] == [
        (date(2026, 11, 9), 2, 2), (date(2026, 11, 16), 0, 0), (date(2026, 11, 23), 4, 3)]
    assert [w.rate for w in weeks] == [1.0, None, 0.75]


WORK = rules.work_for(ROUTE, {"color": "bw", "binding": "coil"}, quantity=40, pages=100, sheets=50)  # 25, 50, 75 minutes


@pytest.mark.parametrize("start, proof_days, buffer_days, method, days", [
    (date(2026, 11, 23), 0, 1, DeliveryMethod.CAMPUS, 2),   # ready Monday, a day's margin, campus the next
    (date(2026, 11, 23), 0, 0, DeliveryMethod.PICKUP, 0),   # ready for pickup the day it starts
    (date(2026, 11, 23), 0, 1, DeliveryMethod.CARRIER, 4),
    (date(2026, 11, 23), 2, 1, DeliveryMethod.CAMPUS, 4),   # the proof's round trip
    (date(2026, 11, 25), 0, 1, DeliveryMethod.CAMPUS, 2),   # over Thanksgiving: still business days
    (date(2026, 11, 28), 0, 1, DeliveryMethod.CAMPUS, 2),   # a Saturday counts from Monday
])
def test_usual_business_days_count_from_the_first_production_day_to_the_promise(start, proof_days, buffer_days,
                                                                                method, days):
    assert rules.usual_business_days(start=start, capacity=CAPACITY, work=WORK, proof_days=proof_days,
                                     buffer_days=buffer_days, delivery_method=method) == days


def test_usual_business_days_ignore_a_station_down_today_but_not_the_work_itself():
    down = rules.Capacity(CALENDAR, CAPACITY.minutes_per_day, {"bindery": frozenset({date(2026, 11, 23)})})
    assert rules.usual_business_days(start=date(2026, 11, 23), capacity=down, work=WORK, proof_days=0, buffer_days=1,
                                     delivery_method=DeliveryMethod.CAMPUS) == 2
    long_run = rules.work_for(ROUTE, {"color": "bw", "binding": "coil"}, quantity=600, pages=100, sheets=50)
    # 610 press minutes end Tuesday; 915 bindery minutes run Tuesday, Wednesday and, after Thanksgiving, Friday:
    # ready Friday, a day's margin Monday, campus delivery Tuesday: 5 business days after Monday
    assert rules.usual_business_days(start=date(2026, 11, 23), capacity=CAPACITY, work=long_run, proof_days=0,
                                     buffer_days=1, delivery_method=DeliveryMethod.CAMPUS) == 5


def test_a_station_works_the_minutes_of_the_weekday_where_its_hours_differ():
    short_fridays = rules.Capacity(CALENDAR, CAPACITY.minutes_per_day, weekday_minutes={"bindery": {"fri": 120}})
    friday, monday = date(2026, 12, 4), date(2026, 12, 7)
    assert short_fridays.minutes_on("bindery", friday) == 120
    assert short_fridays.minutes_on("bindery", monday) == 480 and short_fridays.minutes_on("prepress", friday) == 480
    # 200 minutes from Friday morning: 120 on Friday, the other 80 on Monday
    assert rules.advance(short_fridays, "bindery", rules.Cursor(friday), 200) == rules.Cursor(monday, 80)
    assert rules.advance(CAPACITY, "bindery", rules.Cursor(friday), 200) == rules.Cursor(friday, 200)
