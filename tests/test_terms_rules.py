"""Terms and the deadline to order for the first day of classes, and the course-pack reprint's questions:
plain function calls over the shop calendar."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from portal.orders import rules as order_rules
from portal.promises.rules import ready_by
from portal.shop.calendar import build_calendar, calendar_around
from portal.terms import rules

CALENDAR = calendar_around(date(2026, 11, 23), closures=[date(2026, 12, 28)])  # federal holidays and one closure


@pytest.mark.parametrize("first_day, days, order_by", [
    (date(2027, 1, 25), 1, date(2027, 1, 22)),    # Monday classes: the Friday before
    (date(2027, 1, 25), 5, date(2027, 1, 15)),    # a full week back, over a weekend
    (date(2027, 1, 19), 1, date(2027, 1, 15)),    # Tuesday after Martin Luther King Jr. Day: Friday
    # 15 business days before Tuesday, January 19: Christmas (Friday), New Year's Day (Friday), MLK Day
    # and the shop's own closure on December 28 are skipped.
    (date(2027, 1, 19), 15, date(2026, 12, 23)),
    (date(2026, 8, 31), 15, date(2026, 8, 10)),   # Fall: plain weeks
    (date(2026, 9, 8), 1, date(2026, 9, 4)),      # after Labor Day
    (date(2027, 1, 25), 0, date(2027, 1, 25)),
])
def test_the_deadline_counts_business_days_back_from_the_first_day(first_day, days, order_by):
    assert rules.order_deadline(first_day, calendar=CALENDAR, business_days=days) == order_by
    assert CALENDAR.is_business_day(order_by) or days == 0
    assert CALENDAR.business_days_between(order_by, first_day) == days


def test_the_deadline_says_how_many_business_days_are_left():
    due = rules.deadline("Spring 2027", date(2027, 1, 25), today=date(2026, 11, 23), calendar=build_calendar([], []),
                         business_days=15)
    assert due.order_by == date(2027, 1, 4)
    assert due.business_days_left == build_calendar([], []).business_days_between(date(2026, 11, 23), date(2027, 1, 4))
    assert not due.passed
    on_the_day = rules.deadline("Spring 2027", date(2027, 1, 25), today=date(2027, 1, 4),
                                calendar=build_calendar([], []), business_days=15)
    assert on_the_day.business_days_left == 0 and not on_the_day.passed
    after = rules.deadline("Spring 2027", date(2027, 1, 25), today=date(2027, 1, 5), calendar=build_calendar([], []),
                           business_days=15)
    assert after.passed


@dataclass
class T:
    name: str
    first_day: date


FALL, SPRING, SUMMER = T("Fall 2026", date(2026, 8, 31)), T("Spring 2027", date(2027, 1, 25)), T("Summer 2027", date(2027, 6, 1))


def test_the_coming_term_is_the_next_whose_classes_have_not_started():
    terms = [SUMMER, FALL, SPRING]
    assert rules.coming_term(terms, date(2026, 11, 23)) is SPRING
    assert rules.coming_term(terms, date(2027, 1, 25)) is SUMMER  # classes began today
    assert rules.coming_term(terms, date(2027, 7, 1)) is None
    assert rules.term_before(terms, SPRING) is FALL and rules.term_before(terms, FALL) is None


def test_the_reminder_goes_out_in_the_window_before_the_deadline_and_never_after():
    due = lambda left: rules.Deadline("Spring 2027", date(2027, 1, 25), date(2027, 1, 4), left)  # noqa: E731
    assert [rules.reminder_due(due(left), lead_days=10) for left in (11, 10, 3, 0, -1)] == [False, True, True, True, False]


@pytest.mark.parametrize("typed, name, problem", [
    ("spring  2027", "Spring 2027", None), ("Fall 2026", "Fall 2026", None),
    ("winter intersession  2027", "Winter Intersession 2027", None), ("MBA Fall 2027", "MBA Fall 2027", None),
    ("", "", "Enter the term"), ("Spring 27", "Spring 27", "its year"), ("Winter Intersession", "Winter Intersession", "its year"),
    ("The Very Long Winter Intersession Term 2027", "The Very Long Winter Intersession Term 2027", "at most 40"),
])
def test_terms_are_named_as_the_configurator_lists_them(typed, name, problem):
    assert rules.clean_name(typed) == name
    found = rules.name_problem(rules.clean_name(typed))
    assert (found is None) if problem is None else problem in found


def test_work_counts_on_the_day_it_must_leave_the_stations():
    days = [date(2026, 12, 14), date(2026, 12, 15), date(2026, 12, 16)]
    assert ready_by(date(2026, 12, 14), transit_days=1, calendar=CALENDAR) == date(2026, 12, 11)  # Friday
    assert ready_by(date(2026, 12, 16), transit_days=0, calendar=CALENDAR) == date(2026, 12, 16)
    load = rules.load_by_day([("bindery", date(2026, 12, 15), 30.0), ("bindery", date(2026, 12, 15), 12.5),
                              ("press", date(2026, 12, 11), 20.0),  # already due before the first day
                              ("press", date(2026, 12, 30), 99.0)], days)  # after the last: left out
    assert load == {"bindery": [0.0, 42.5, 0.0], "press": [20.0, 0.0, 0.0]}
    assert rules.business_days(date(2026, 12, 24), date(2026, 12, 29), CALENDAR) == [date(2026, 12, 24), date(2026, 12, 29)]


OFFERED = ("Fall 2026", "Spring 2027", "Summer 2027", "Fall 2027")  # open for ordering on November 23, 2026


def test_a_past_pack_is_suggested_for_the_coming_term_with_its_enrollment_to_confirm():
    asked = order_rules.reorder_questions(course_pack=True, last_term="Fall 2025", last_rushed=False,
                                          rush_surcharge_percent=50, terms=OFFERED, last_enrollment=40,
                                          next_term="Spring 2027")
    assert asked.term == "Spring 2027" and asked.reprint and asked.enrollment == 40
    current = order_rules.reorder_questions(course_pack=True, last_term="Fall 2026", last_rushed=False,
                                            rush_surcharge_percent=50, terms=OFFERED, next_term="Spring 2027")
    assert current.term == "Spring 2027" and current.reprint
    coming = order_rules.reorder_questions(course_pack=True, last_term="Spring 2027", last_rushed=False,
                                           rush_surcharge_percent=50, terms=OFFERED, next_term="Spring 2027")
    assert coming.term == "Spring 2027" and not coming.reprint  # the same term again: a plain reorder
    without = order_rules.reorder_questions(course_pack=True, last_term="Fall 2025", last_rushed=False,
                                            rush_surcharge_percent=50, terms=OFFERED)
    assert without.term == "Fall 2026" and not without.reprint  # no terms on the calendar: the season's rule


@pytest.mark.parametrize("typed, enrollment, problem", [
    ("", 40, None), ("55", 55, None), ("1,200", 1200, None), ("0", 40, "1 to 5,000"), ("lots", 40, "1 to 5,000"),
    ("6000", 40, "1 to 5,000"),
])
def test_the_enrollment_typed_is_checked_and_kept(typed, enrollment, problem):
    asked = order_rules.reorder_questions(course_pack=True, last_term="Fall 2025", last_rushed=False,
                                          rush_surcharge_percent=0, terms=OFFERED, last_enrollment=40,
                                          enrollment=typed)
    assert asked.enrollment == enrollment and asked.enrollment_text == typed
    assert (asked.enrollment_problem is None) if problem is None else problem in asked.enrollment_problem


@pytest.mark.parametrize("typed, cents, problem", [
    ("24.50", 2450, None), ("$24", 2400, None), ("24.5", 2450, None), (" 7.05 ", 705, None),
    ("", None, "Enter what a student pays"), ("24,50", None, "dollars and cents"), ("-3", None, "dollars and cents"),
    ("12.345", None, "dollars and cents"),
])
def test_the_bookstore_price_to_students_is_read_in_cents(typed, cents, problem):
    found, message = order_rules.student_price_cents(typed)
    assert found == cents
    assert (message is None) if problem is None else problem in message


def test_the_packing_count_makes_full_bundles_and_one_more_for_the_rest():
    assert order_rules.bundles(120, 25) == (4, 20)
    assert order_rules.bundles(100, 25) == (4, 0)
    assert order_rules.bundles(100, None) == (0, 0)
    assert order_rules.copies_per_bundle("25", 120) == (25, None)
    assert order_rules.copies_per_bundle("200", 120)[1] == "A bundle cannot hold more than the 120 copies ordered."
    assert order_rules.copies_per_bundle("0")[1] and order_rules.copies_per_bundle("ten")[1]
