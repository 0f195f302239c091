"""Care's rules with plain function calls: who owns a case, when its first answer is due, how it moves."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.care import rules
from portal.care.rules import CaseState
from portal.shop.calendar import ShopCalendar

ZONE = ZoneInfo("America/New_York")
THANKSGIVING = date(2026, 11, 26)
CALENDAR = ShopCalendar(closed=frozenset({THANKSGIVING}))
DAY = dict(calendar=CALENDAR, day_start=time(8), day_end=time(17))


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE)


@pytest.mark.parametrize("department_owner, on_duty, open_cases, owner", [
    (7, 3, {7: 9, 3: 0, 5: 0}, 7),          # the department's owner, however busy
    (None, 3, {7: 9, 3: 4, 5: 0}, 3),       # no department owner: the person on duty
    (8, 3, {7: 9, 3: 4}, 3),                # an owner no longer on staff is passed over
    (None, None, {7: 2, 3: 1, 5: 1}, 3),    # nobody on duty: the fewest open cases, lowest id among equals
    (None, 11, {7: 0}, 7),                  # on duty but no longer staff
])
def test_one_owner_is_chosen(department_owner, on_duty, open_cases, owner):
    assert rules.choose_owner(department_owner=department_owner, on_duty=on_duty, open_cases=open_cases) == owner


def test_no_staff_at_all_means_no_owner():
    with pytest.raises(rules.NoOwner):
        rules.choose_owner(department_owner=None, on_duty=None, open_cases={})


@pytest.mark.parametrize("today, on_duty", [
    (date(2026, 11, 1), None), (date(2026, 11, 2), 4), (date(2026, 11, 15), 4), (date(2026, 11, 16), 9),
    (date(2027, 1, 1), 9),
])
def test_the_person_on_duty_is_the_latest_turn_started(today, on_duty):
    turns = [(date(2026, 11, 16), 9), (date(2026, 11, 2), 4)]
    assert rules.on_duty(turns, today) == on_duty


@pytest.mark.parametrize("opened, due", [
    (at(23, 10), at(23, 14)),                # Monday morning: four working hours later
    (at(23, 15), at(24, 10)),                # two hours today, two tomorrow
    (at(23, 19), at(24, 12)),                # the evening counts from the next opening
    (at(23, 6), at(23, 12)),                 # before opening, from the opening
    (at(25, 16), at(27, 11)),                # Wednesday 16:00: one hour, Thanksgiving closed, three on Friday
    (at(27, 17), at(30, 12)),                # Friday at closing: Monday
    (at(28, 11), at(30, 12)),                # Saturday: Monday
])
def test_the_first_answer_is_due_in_business_hours(opened, due):
    assert rules.response_due(opened, hours=4, **DAY) == due


def test_a_longer_promise_spans_days():
    assert rules.response_due(at(23, 9), hours=18, **DAY) == at(25, 9)


NOW = at(23, 12)


@pytest.mark.parametrize("state, responded_at, due, flag", [
    (CaseState.OPEN, None, NOW + timedelta(hours=2), None),
    (CaseState.OPEN, None, NOW + timedelta(minutes=59), "due_soon"),
    (CaseState.OPEN, None, NOW, "late"),
    (CaseState.OPEN, None, NOW - timedelta(hours=1), "late"),
    (CaseState.WAITING, NOW - timedelta(hours=1), NOW - timedelta(minutes=1), None),  # answered
    (CaseState.RESOLVED, None, NOW - timedelta(hours=1), None),
])
def test_a_case_near_or_past_its_response_time_is_flagged(state, responded_at, due, flag):
    assert rules.response_flag(state=state, responded_at=responded_at, due=due, now=NOW) == flag


def test_a_response_is_kept_when_it_comes_in_time():
    assert rules.kept_response(due=NOW, responded_at=NOW)
    assert not rules.kept_response(due=NOW, responded_at=NOW + timedelta(seconds=1))
    assert not rules.kept_response(due=NOW, responded_at=None)


@pytest.mark.parametrize("state, from_customer, after", [
    (CaseState.OPEN, False, CaseState.WAITING), (CaseState.WAITING, True, CaseState.OPEN),
    (CaseState.RESOLVED, True, CaseState.OPEN), (CaseState.OPEN, True, CaseState.OPEN),
])
def test_a_message_moves_the_turn(state, from_customer, after):
    assert rules.after_message(state, from_customer=from_customer) == after


def test_a_no_reopens_and_a_yes_stays_resolved():
    assert rules.after_answer(False) == CaseState.OPEN
    assert rules.after_answer(True) == CaseState.RESOLVED


@pytest.mark.parametrize("answer, opens", [(1, True), (2, True), (3, False), (4, False), (5, False), (None, False)])
def test_dissatisfied_answers_open_a_case(answer, opens):
    assert rules.opens_case(answer) is opens


@pytest.mark.parametrize("data, media_type", [
    (b"%PDF-1.7\n...", "application/pdf"), (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"), (b"GIF89a", None), (b"<svg onload=alert(1)>", None),
    (b"MZ\x90\x00", None), (b"", None),
])
def test_attachments_are_known_by_their_first_bytes(data, media_type):
    assert rules.attachment_type(data) == media_type


def test_a_case_number_is_short_to_say():
    assert rules.case_number(42) == "C-00042"


def test_customers_choose_among_causes_but_not_the_satisfaction_one():
    assert rules.Cause.DISSATISFIED not in rules.REPORTED_CAUSES
    assert {cause.label for cause in rules.Cause} >= {"Wrong quantity", "Billing"}


@pytest.mark.parametrize("scores, counted, hits, rate", [
    ([], 0, 0, None),
    ([5, 4, 3, 2, 1], 5, 2, 0.4),
    ([4, 4], 2, 2, 1.0),
])
def test_satisfied_means_satisfied_or_very_satisfied(scores, counted, hits, rate):
    share = rules.satisfaction_share(scores)
    assert (share.counted, share.hits, share.rate) == (counted, hits, rate)


def test_the_months_back_end_with_this_month_and_cross_the_year():
    assert rules.months_back(date(2026, 2, 17), 4) == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1),
                                                        date(2026, 2, 1)]
    assert rules.next_month(date(2026, 12, 1)) == date(2027, 1, 1)


def test_the_least_satisfied_come_first_and_those_without_answers_last():
    shares = {"Posters": rules.Share(4, 4), "Flyers": rules.Share(4, 1), "Cards": rules.Share(0, 0),
              "Booklets": rules.Share(2, 2)}
    assert [name for name, _ in rules.worst_first(shares)] == ["Flyers", "Booklets", "Posters", "Cards"]


def test_open_cases_are_counted_by_age_in_every_band():
    now = at(30, 12)
    opened = [now - timedelta(hours=2), now - timedelta(days=1), now - timedelta(days=2, hours=23),
              now - timedelta(days=6), now - timedelta(days=40)]
    assert rules.cases_by_age(opened, now) == [("Under a day", 1), ("1 to 3 days", 2), ("3 to 7 days", 1),
                                               ("1 to 4 weeks", 0), ("Over 4 weeks", 1)]


def test_the_response_promise_kept_counts_answered_and_overdue_cases_only():
    now = at(25, 12)
    cases = [(at(24, 12), at(24, 11)),    # answered in time
             (at(24, 12), at(24, 13)),    # answered late
             (at(25, 11), None),          # overdue, not answered: missed
             (at(25, 15), None)]          # still within its time: not judged yet
    share = rules.response_kept_share(cases, now)
    assert (share.counted, share.hits) == (3, 1)


def test_repeat_problems_are_counted_by_cause_and_customer():
    cases = [(rules.Cause.LATE, 1), (rules.Cause.LATE, 1), (rules.Cause.LATE, 1), (rules.Cause.LATE, 2),
             (rules.Cause.QUALITY, 3), (rules.Cause.QUALITY, 4), (rules.Cause.BILLING, 5)]
    late, quality, billing = rules.repeats_by_cause(cases)
    assert (late.cause, late.cases, late.repeats, late.customers) == (rules.Cause.LATE, 4, 2, 1)
    assert (quality.cases, quality.repeats, quality.customers) == (2, 0, 0)
    assert billing.cause == rules.Cause.BILLING


NOV, OCT, SEP, AUG, JUL, JUN = (date(2026, m, 1) for m in (11, 10, 9, 8, 7, 6))
HALF_YEAR = [JUN, JUL, AUG, SEP, OCT, NOV]


@pytest.mark.parametrize("shop, outside, share", [(0, 0, None), (300, 100, 0.75), (500, 0, 1.0), (0, 80, 0.0)])
def test_the_share_with_the_shop_is_of_all_print_spend(shop, outside, share):
    assert rules.share_with_shop(shop, outside) == share


@pytest.mark.parametrize("shop, outside, months, full", [
    ({NOV: 100, OCT: 200}, {}, [SEP, OCT, NOV], True),
    ({NOV: 100}, {JUN: 50}, [SEP, OCT, NOV], True),          # outside work before the window does not count
    ({NOV: 100}, {JUN: 50}, HALF_YEAR, False),
    ({}, {}, [SEP, OCT, NOV], False),                         # nothing ordered is not 100 %
    ({NOV: 100}, {SEP: 1}, [SEP, OCT, NOV], False),
])
def test_a_department_at_100_percent_sent_the_shop_everything(shop, outside, months, full):
    assert rules.at_full_share(shop, outside, months) is full


@pytest.mark.parametrize("shop, outside, trend", [
    ({m: 100 for m in HALF_YEAR}, {SEP: 100, OCT: 100, NOV: 100}, "drifting"),
    ({m: 100 for m in HALF_YEAR}, {JUN: 100}, "growing"),
    ({m: 100 for m in HALF_YEAR}, {JUN: 10, NOV: 10}, "steady"),
    ({SEP: 100}, {}, None),                                   # nothing in the three months before
])
def test_the_trend_compares_the_last_three_months_with_the_three_before(shop, outside, trend):
    assert rules.share_trend(shop, outside, HALF_YEAR)[2] == trend


def test_the_repeat_rate_is_the_share_of_people_who_came_back():
    share = rules.repeat_rate([1, 3, 2, 1])
    assert (share.counted, share.hits, share.rate) == (4, 2, 0.5)


@pytest.mark.parametrize("days, gap", [
    ([date(2026, 9, 1)], None),
    ([date(2026, 9, 1), date(2026, 9, 22)], None),                           # one gap is not a habit yet
    ([date(2026, 9, 1), date(2026, 9, 22), date(2026, 10, 13)], 21),
    ([date(2026, 9, 1), date(2026, 9, 1), date(2026, 9, 8), date(2026, 9, 29), date(2026, 10, 6)], 7),
    ([date(2026, 9, 1), date(2026, 9, 11), date(2026, 9, 15), date(2026, 10, 15)], 10),
    ([date(2026, 9, 1), date(2026, 9, 8), date(2026, 9, 22), date(2026, 10, 6), date(2026, 10, 30)], 14),
])
def test_the_usual_gap_is_the_median_between_days_with_orders(days, gap):
    assert rules.usual_gap(days) == gap


@pytest.mark.parametrize("last, gap, overdue", [
    (date(2026, 9, 21), 21, True),     # 9 weeks against 3
    (date(2026, 10, 26), 21, False),   # 4 weeks against 3
    (date(2026, 11, 13), 2, False),    # 10 days against 2: under two weeks is never overdue
    (date(2026, 11, 6), 2, True),
    (None, 21, False),
    (date(2026, 1, 5), None, False),
])
def test_overdue_is_more_than_twice_the_usual_gap_and_two_weeks(last, gap, overdue):
    assert rules.overdue(last=last, gap=gap, today=date(2026, 11, 23)) is overdue


def test_overdue_in_words():
    assert rules.overdue_words("History", last=date(2026, 9, 21), gap=21, today=date(2026, 11, 23)) == (
        "History hasn't ordered in 9 weeks; they usually order every 3 weeks.")
    assert rules.in_weeks_or_days(5) == "5 days" and rules.in_weeks_or_days(8) == "1 week"


COLUMNS, _ = rules.outside_columns(["Dept", "Supplier", "Invoice date", "Amount (USD)"])


def parse(text):
    return date.fromisoformat(text) if text else None


def test_the_outside_file_names_its_columns_loosely():
    assert COLUMNS == {"department": 0, "vendor": 1, "day": 2, "amount": 3}
    assert rules.outside_columns(["Department", "Amount"])[1] == ["The file has no “Vendor” column.",
                                                                   "The file has no “Date” column."]


@pytest.mark.parametrize("text, cents", [("412.50", 41250), ("$1,280", 128000), ("80.5", 8050), (" 7 ", 700)])
def test_amounts_are_read_as_dollars(text, cents):
    assert rules.parse_amount(text) == cents


@pytest.mark.parametrize("cells, problem", [
    (("", "Ithaca Print", "2026-10-01", "10"), "The row names no department."),
    (("Physics", "Ithaca Print", "2026-10-01", "10"), "No department in the portal is called “Physics”"),
    (("HIST", "", "2026-10-01", "10"), "The row names no vendor."),
    (("HIST", "Ithaca Print", "someday", "10"), "“someday” is not a date"),
    (("HIST", "Ithaca Print", "2026-12-01", "10"), "2026-12-01 is in the future."),
    (("HIST", "Ithaca Print", "2026-10-01", "-10"), "“-10” is not an amount in dollars"),
    (("HIST", "Ithaca Print", "2026-10-01", "0"), "“0” is not an amount the shop could have been paid."),
    (("HIST", "Ithaca Print", "2026-10-01", "1.234"), "“1.234” is not an amount in dollars"),
])
def test_each_outside_row_problem_is_told_by_line(cells, problem):
    rows, problems = rules.outside_rows([(7, cells)], COLUMNS, departments={"hist": "History"}, parse_day=parse,
                                        today=date(2026, 11, 23))
    assert rows == [] and problems[0][0] == 7 and problems[0][1].startswith(problem)


def test_good_outside_rows_name_the_department_as_the_portal_does():
    rows, problems = rules.outside_rows([(2, ("hist", "Ithaca Print", "2026-10-01", "$99.99"))], COLUMNS,
                                        departments={"hist": "History"}, parse_day=parse, today=date(2026, 11, 23))
    assert problems == [] and rows == [rules.OutsideRow(2, "History", "Ithaca Print", date(2026, 10, 1), 9999)]
