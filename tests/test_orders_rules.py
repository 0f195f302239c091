"""What a reorder asks before it repeats a past job, with plain values."""
from datetime import date

import pytest

from portal.orders import rules

JANUARY = date(2027, 1, 22)  # Spring 2027 has begun
OFFERED = ("Spring 2027", "Summer 2027", "Fall 2027", "Spring 2028")  # the terms open for ordering then


@pytest.mark.parametrize("last_term, chosen, term", [
    ("Spring 2027", None, "Spring 2027"),       # still current: suggested again
    ("Fall 2025", None, "Fall 2027"),           # over: the next term of its season
    ("Fall 2025", "Summer 2027", "Summer 2027"),  # the customer's choice among the coming terms
    ("Fall 2025", "Fall 2026", "Fall 2027"),    # a past term cannot be chosen: the suggestion stands
])
def test_a_course_pack_asks_its_term_among_the_coming_ones(last_term, chosen, term):
    asked = rules.reorder_questions(course_pack=True, last_term=last_term, last_rushed=False,
                                    rush_surcharge_percent=50, terms=OFFERED, term=chosen)
    assert asked.terms == ("Spring 2027", "Summer 2027", "Fall 2027", "Spring 2028")
    assert asked.term == term and asked.last_term == last_term
    assert asked.asked and asked.rush_percent == 0  # not rushed last time: nothing asked about rush


@pytest.mark.parametrize("last_rushed, percent, chosen, asks, rush", [
    (True, 50, False, 50, False),   # asked, and not repeated unless ticked again
    (True, 50, True, 50, True),
    (True, 0, True, 0, False),      # the product no longer offers rush
    (False, 50, True, 0, False),    # never rushed: not asked, and cannot be slipped in
])
def test_a_job_rushed_last_time_asks_whether_to_rush_it_again(last_rushed, percent, chosen, asks, rush):
    asked = rules.reorder_questions(course_pack=False, last_term=None, last_rushed=last_rushed,
                                    rush_surcharge_percent=percent, terms=OFFERED, rush=chosen)
    assert (asked.rush_percent, asked.rush, asked.terms, asked.term) == (asks, rush, (), None)
    assert asked.asked is bool(asks)
