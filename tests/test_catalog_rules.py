"""Pricing and quantity rules, table-driven, with plain values."""
from datetime import date
from decimal import Decimal as D

import pytest

from portal.catalog import rules
from portal.catalog.rules import ChoiceRules, ProductRules

COURSE_PACK = ProductRules(min_quantity=1, max_quantity=2000, setup_cents=1500, per_copy_cents=D(75),
                           volume_breaks=((100, 5), (250, 10)), rush_surcharge_percent=50)
BW = ChoiceRules("Black and white", per_page_cents=D("4.5"))
DOUBLE = ChoiceRules("Double-sided", pages_per_sheet=2)
SINGLE = ChoiceRules("Single-sided", pages_per_sheet=1)
BOND = ChoiceRules("20 lb white bond", per_sheet_cents=D("1.0"))
COIL = ChoiceRules("Coil bound", per_copy_cents=D(225), extra_days=1)


def test_course_pack_price_adds_up_line_by_line():
    quote = rules.price(COURSE_PACK, {"color": BW, "sides": DOUBLE, "stock": BOND, "binding": COIL},
                        quantity=30, pages=120)
    assert [(line.label, line.cents) for line in quote.lines] == [
        ("Setup", 1500),
        ("Printing, 30 copies × 120 pages", 2250),
        ("Black and white", 16200),      # 30 × 120 × 4.5¢
        ("20 lb white bond", 1800),      # 30 copies × 60 sheets × 1¢
        ("Coil bound", 6750),            # 30 × $2.25
    ]
    assert quote.total_cents == 28500
    assert quote.sheets_per_copy == 60
    assert quote.per_copy_cents == 950


@pytest.mark.parametrize("pages, sides, sheets", [(1, DOUBLE, 1), (2, DOUBLE, 1), (3, DOUBLE, 2), (3, SINGLE, 3)])
def test_sheets_follow_the_sides(pages, sides, sheets):
    assert rules.sheets_per_copy(pages, {"sides": sides}) == sheets


@pytest.mark.parametrize("quantity, percent", [(99, 0), (100, 5), (249, 5), (250, 10), (2000, 10)])
def test_volume_discount_by_quantity(quantity, percent):
    assert rules.volume_discount_percent(COURSE_PACK, quantity) == percent


def test_volume_discount_leaves_setup_alone_and_rush_applies_to_everything():
    chosen = {"color": BW}
    plain = rules.price(COURSE_PACK, chosen, quantity=100, pages=10)
    # setup 1500 + base 100 × 75 = 7500 + paper 100 × 10 × 4.5 = 4500 → 12000 discounted 5% = -600
    assert plain.lines[-1] == rules.PriceLine("Volume discount, 5%", -600)
    assert plain.total_cents == 1500 + 7500 + 4500 - 600
    rushed = rules.price(COURSE_PACK, chosen, quantity=100, pages=10, rush=True)
    assert rushed.lines[-1] == rules.PriceLine("Rush, +50%", (1500 + 7500 + 4500 - 600) // 2)
    assert rushed.total_cents == plain.total_cents * 3 // 2


def test_rush_is_ignored_where_the_product_offers_none():
    no_rush = ProductRules(per_copy_cents=D(100), rush_surcharge_percent=0)
    assert rules.price(no_rush, {}, quantity=2, pages=1, rush=True).total_cents == 200


def test_fractional_cents_round_half_up_per_line():
    half = ChoiceRules("Half a cent", per_copy_cents=D("0.5"))
    assert rules.price(ProductRules(), {"x": half}, quantity=1, pages=1).total_cents == 1
    assert rules.price(ProductRules(), {"x": half}, quantity=3, pages=1).total_cents == 2


POSTCARDS = ProductRules(min_quantity=100, max_quantity=50000, quantity_step=50, unit_name="postcard")


@pytest.mark.parametrize("quantity, problem", [
    (None, "Enter how many postcards you need."),
    (50, "The minimum is 100 postcards."),
    (100, None),
    (125, "Order in multiples of 50: for example 100 or 150."),
    (50000, None),
    (50001, "The most we take online is 50,000 postcards; call the shop for larger runs."),
])
def test_quantity_rules(quantity, problem):
    assert rules.quantity_problem(POSTCARDS, quantity) == problem


def test_copies_plural():
    assert rules.quantity_problem(ProductRules(min_quantity=2), 1) == "The minimum is 2 copies."


@pytest.mark.parametrize("typed, clean", [("law501", "LAW 501"), ("LAW  501", "LAW 501"), ("hist 2100a", "HIST 2100A"),
                                          ("  Law 501 ", "LAW 501"), ("not a course", "not a course")])
def test_course_codes_are_normalised(typed, clean):
    assert rules.clean_course_code(typed) == clean


@pytest.mark.parametrize("code, problem", [("LAW 501", None), ("", "Enter the course code, like LAW 501."),
                                           ("501", "Course codes look like LAW 501 or HIST 2100: letters, then the course number.")])
def test_course_code_problems(code, problem):
    assert rules.course_code_problem(code) == problem


@pytest.mark.parametrize("today, terms", [
    (date(2026, 11, 23), ["Fall 2026", "Spring 2027", "Summer 2027", "Fall 2027"]),
    (date(2027, 1, 5), ["Spring 2027", "Summer 2027", "Fall 2027", "Spring 2028"]),
    (date(2027, 6, 1), ["Summer 2027", "Fall 2027", "Spring 2028", "Summer 2028"]),
])
def test_upcoming_terms(today, terms):
    assert rules.upcoming_terms(today) == terms


FALL_26, SPRING_27 = ("Fall 2026", date(2026, 8, 31)), ("Spring 2027", date(2027, 1, 19))
INTERSESSION = ("Winter Intersession 2027", date(2027, 1, 4))
SUMMER_27, FALL_27 = ("Summer 2027", date(2027, 6, 7)), ("Fall 2027", date(2027, 8, 30))


@pytest.mark.parametrize("calendar, today, terms", [
    # the current term and the coming ones, by first day, as the manager named them (in any order on the page)
    ([SPRING_27, FALL_26, INTERSESSION], date(2026, 11, 23), ["Fall 2026", "Winter Intersession 2027", "Spring 2027"]),
    ([FALL_26, INTERSESSION, SPRING_27], date(2027, 1, 4), ["Winter Intersession 2027", "Spring 2027"]),  # began today
    ([FALL_26, INTERSESSION, SPRING_27, SUMMER_27, FALL_27], date(2026, 9, 1),
     ["Fall 2026", "Winter Intersession 2027", "Spring 2027", "Summer 2027"]),  # four at most
    ([SPRING_27], date(2026, 11, 23), ["Spring 2027"]),  # nothing has begun: only the coming term
    # no coming term on the Terms page: the generated names stand in
    ([], date(2026, 11, 23), ["Fall 2026", "Spring 2027", "Summer 2027", "Fall 2027"]),
    ([FALL_26, INTERSESSION, SPRING_27], date(2027, 1, 19), ["Spring 2027", "Summer 2027", "Fall 2027", "Spring 2028"]),
])
def test_course_pack_terms_come_from_the_terms_page(calendar, today, terms):
    assert rules.course_pack_terms(calendar, today) == terms


@pytest.mark.parametrize("term, season", [("Fall 2026", "Fall"), ("Winter Intersession 2027", "Winter Intersession"),
                                          ("2027 Summer Session II", "Summer Session II"), ("", ""), (None, "")])
def test_a_terms_season_is_its_name_without_the_year(term, season):
    assert rules.season(term) == season


@pytest.mark.parametrize("minimum, step, smallest", [(1, 1, 1), (100, 50, 100), (120, 50, 150), (10, 1, 10)])
def test_the_smallest_quantity_is_the_minimum_rounded_up_to_the_step(minimum, step, smallest):
    assert rules.smallest_quantity(ProductRules(min_quantity=minimum, quantity_step=step)) == smallest


def test_the_starting_price_is_the_smallest_run_with_the_cheapest_choices_tried_together():
    flyer = ProductRules(min_quantity=10, default_pages=2, setup_cents=500)
    colour = ChoiceRules("Full colour", per_page_cents=D(22))
    heavy = ChoiceRules("80 lb gloss", per_sheet_cents=D(6))
    # Single-sided costs nothing itself but doubles the sheets the paper is charged for: double-sided is cheaper.
    double = ChoiceRules("Double", pages_per_sheet=2, per_copy_cents=D("0.5"))
    starting = rules.starting_quote(flyer, {"color": [BW, colour], "sides": [SINGLE, double], "stock": [heavy, BOND]})
    assert starting.quantity == 10
    assert [line.label for line in starting.lines] == ["Setup", "Black and white", "Double", "20 lb white bond"]
    assert starting.total_cents == 500 + 90 + 5 + 10   # 10 × 2 pages × 4.5¢, 10 × 0.5¢, 10 × 1 sheet × 1¢


def test_a_product_without_options_starts_at_its_own_rates():
    cards = ProductRules(min_quantity=1, per_copy_cents=D(1800))
    assert rules.starting_quote(cards, {}).total_cents == 1800


def test_a_job_below_the_minimum_charge_is_brought_up_to_it_before_rush():
    small = ProductRules(per_copy_cents=D(50), minimum_cents=2500, rush_surcharge_percent=50)
    quote = rules.price(small, {}, quantity=10, pages=1)
    assert quote.lines[-1] == rules.PriceLine("Minimum charge ($25.00 a job)", 2000)
    assert quote.total_cents == 2500
    assert rules.price(small, {}, quantity=10, pages=1, rush=True).total_cents == 3750  # rush on the minimum
    assert rules.price(small, {}, quantity=100, pages=1).lines == (rules.PriceLine("Printing, 100 copies × 1 page", 5000),)
