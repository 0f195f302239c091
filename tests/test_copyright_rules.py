"""Copyright clearance rules, as plain function calls: what a reading's declaration needs, telling works
apart, reusing a clearance, the clearance time the promise allows, fees and grants."""
from datetime import date

import pytest

from portal.catalog.models import CopyrightStatus as C
from portal.catalog.rules import reading_declaration, reorder_declaration
from portal.copyright import rules
from portal.copyright.rules import OnFile
from portal.promises.rules import CLEARANCE_BUSINESS_DAYS
from portal.shop.calendar import build_calendar

CALENDAR = build_calendar([], [])
WORK = {"work_title": "Contracts: Cases and Materials", "work_author": "E. Farnsworth", "work_publisher": "Aspen",
        "pages_used": "30", "total_pages": "900"}


@pytest.mark.parametrize("status, values, problems", [
    ("", {}, {"copyright"}),
    ("pending", {}, {"copyright"}),  # the old default is no longer something an instructor declares
    ("public_domain", {}, set()),
    ("permission_obtained", {}, {"granted_by"}),
    ("permission_obtained", {"granted_by": "  Aspen Publishing "}, set()),
    ("fair_use", {"granted_by": "nobody"}, {"justification"}),
    ("fair_use", {"justification": "Two pages of a 900-page treatise, for criticism."}, set()),
    ("awaiting_clearance", {}, {"work_title", "work_author", "work_publisher", "pages_used", "total_pages"}),
    ("awaiting_clearance", WORK, set()),
    ("awaiting_clearance", dict(WORK, pages_used="thirty"), {"pages_used"}),
    ("awaiting_clearance", dict(WORK, pages_used="950"), {"pages_used"}),
    ("permission_obtained", {"granted_by": "x" * 161}, {"granted_by"}),
])
def test_each_status_asks_for_what_it_needs_and_nothing_is_assumed(status, values, problems):
    details, found = reading_declaration(status, values)
    assert set(found) == problems
    assert all(message.endswith(".") for message in found.values())


def test_a_declaration_keeps_only_what_its_status_needs_tidied():
    details, found = reading_declaration("permission_obtained", {"granted_by": "  Aspen \n Publishing ",
                                                                 "justification": "ignored"})
    assert found == {} and details == {"granted_by": "Aspen Publishing"}
    details, _ = reading_declaration("awaiting_clearance", dict(WORK, pages_used="1,000", total_pages="1,200"))
    assert details["pages_used"] == 1000 and details["total_pages"] == 1200


@pytest.mark.parametrize("status, details, expected", [
    ("cleared_by_shop", {"work_title": "T", "work_author": "A", "work_publisher": "P", "pages_used": 3,
                         "total_pages": 30},
     {"copyright": "awaiting_clearance", "work_title": "T", "work_author": "A", "work_publisher": "P",
      "pages_used": "3", "total_pages": "30"}),
    ("permission_obtained", {"granted_by": "Aspen"}, {"copyright": "permission_obtained", "granted_by": "Aspen"}),
    ("public_domain", None, {"copyright": "public_domain"}),
    ("pending", None, {"copyright": ""}),
    ("removed", None, None), ("linked_in_lms", None, None), ("refused", None, None),
])
def test_a_reorder_declares_again_asks_the_shop_again_or_leaves_a_reading_out(status, details, expected):
    assert reorder_declaration(status, details) == expected


def test_printing_waits_for_every_reading_not_cleared():
    assert {s for s in C if s.blocks_printing} == {C.PENDING, C.AWAITING_CLEARANCE, C.REFUSED}
    assert {s for s in C if not s.printed} == {C.REMOVED, C.LINKED}


def test_the_same_work_is_the_same_key_however_it_is_typed():
    assert rules.work_key("Contracts: Cases & Materials", "E. Farnsworth") == \
        rules.work_key("  contracts cases materials", "e farnsworth")
    assert rules.work_key("Contracts", "Farnsworth") != rules.work_key("Contracts", "Williston")
    assert len(rules.work_key("x" * 500, "y")) == 64


def test_a_clearance_is_reused_until_its_expiry_and_the_longest_wins():
    spring, fall = OnFile(1, "Spring 2027", date(2027, 5, 31)), OnFile(2, "2027", date(2027, 12, 31))
    assert rules.reuse([spring, fall], on=date(2027, 5, 31)) == (fall, None)
    assert rules.reuse([spring], on=date(2027, 5, 31)) == (spring, None)  # good through its expiry day
    assert rules.reuse([spring], on=date(2027, 6, 1)) == (None, spring)  # expired: named, back to the queue
    assert rules.reuse([], on=date(2027, 6, 1)) == (None, None)


@pytest.mark.parametrize("usual", [CLEARANCE_BUSINESS_DAYS, 3, 8])  # the stated figure, or a calibrated one
def test_the_promise_allows_the_usual_clearance_time_and_a_day_more_while_unanswered(usual):
    monday = date(2026, 11, 23)
    assert rules.days_left(monday, today=monday, calendar=CALENDAR, usual_days=usual) == usual
    assert rules.days_left(monday, today=date(2026, 11, 25), calendar=CALENDAR, usual_days=usual) == max(1, usual - 2)
    assert rules.days_left(monday, today=date(2026, 12, 21), calendar=CALENDAR, usual_days=usual) == 1


@pytest.mark.parametrize("asked, answered, days", [
    (date(2026, 11, 23), date(2026, 11, 23), 0),  # answered the day it was asked
    (date(2026, 11, 23), date(2026, 11, 25), 2),
    (date(2026, 11, 20), date(2026, 11, 23), 1),  # Friday to Monday: one business day
    (date(2026, 11, 25), date(2026, 11, 30), 3),  # Thursday, Friday, Monday: the weekend does not count
    (date(2026, 11, 25), date(2026, 11, 24), 0),  # a clock out of step never counts backwards
])
def test_a_request_took_the_business_days_from_its_asking_to_its_answer(asked, answered, days):
    assert rules.answer_days(asked, answered, calendar=CALENDAR) == days


@pytest.mark.parametrize("typed, cents, problem", [
    ("", None, False), ("45", 4500, False), ("$1,250.5", 125050, False), ("0", 0, False),
    ("4.555", None, True), ("-3", None, True), ("ten", None, True), ("20000", None, True),
])
def test_a_fee_is_read_as_integer_cents(typed, cents, problem):
    amount, found = rules.read_fee(typed)
    assert amount == cents and bool(found) == problem


def test_a_grant_says_what_it_covers_and_when_it_expires():
    today = date(2026, 11, 23)
    assert set(rules.grant_problems(period="", expires_on=None, today=today)) == {"period", "expires_on"}
    assert "passed" in rules.grant_problems(period="Spring 2027", expires_on=date(2026, 11, 22), today=today)["expires_on"]
    assert rules.grant_problems(period="Spring 2027", expires_on=today, today=today) == {}
    assert rules.read_day("2027-13-01")[1] and rules.read_day("2027-06-30") == (date(2027, 6, 30), None)
    assert rules.sent_problem(date(2026, 11, 24), today=today) and rules.sent_problem(today, today=today) is None
    assert rules.fee_label("Hadley v Baxendale") == "Copyright permission: Hadley v Baxendale"
