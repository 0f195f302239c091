"""The catalog's checks, one rule each, shared by the catalog file and the manager's forms; the history's words."""
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from portal.catalog import forms, history, rules
from portal.catalog.files import ProductEntry, RouteEntry
from portal.catalog.models import ProductKind


@pytest.mark.parametrize(("written", "whole_cents", "expected"), [
    ("0.045", False, (Decimal("4.5"), None)),
    ("15", True, (Decimal("1500"), None)),
    ("-1.00", True, (None, "-1.00 is negative")),
    ("0.001", True, (None, "0.001 has more than 2 decimals")),
    ("a dollar", False, (None, 'expected dollars like "0.75", found "a dollar"')),
    ("100000", False, (None, "100000 is too large (below 100,000 please)")),
])
def test_dollars_are_read_from_their_characters_as_cents(written, whole_cents, expected):
    assert rules.read_dollars(written, whole_cents=whole_cents) == expected


@pytest.mark.parametrize(("low", "high", "step", "usual", "expected"), [
    (10, 500, 1, 100, {}),
    (10, 5, 1, 10, {"max": "the maximum (5) is below the minimum (10)"}),
    (10, 500, 1, 600, {"default": "the usual quantity (600) is not between the minimum (10) and the maximum (500)"}),
    (10, 500, 10, 15, {"default": "the usual quantity (15) is not a multiple of the step (10)"}),
])
def test_quantity_rules_are_checked_together(low, high, step, usual, expected):
    assert rules.quantity_rule_problems(low=low, high=high, step=step, usual=usual) == expected


@pytest.mark.parametrize(("start", "previous", "expected"), [
    (100, None, None),
    (5, None, "a break from 5 is below the minimum quantity (10)"),
    (900, None, "a break from 900 is above the maximum quantity (500)"),
    (100, 250, "list the breaks from the smallest quantity up (100 comes after 250)"),
])
def test_a_quantity_break_lies_within_the_quantities_and_above_the_one_before(start, previous, expected):
    assert rules.volume_break_problem(start, low=10, high=500, previous=previous) == expected


def test_routing_checks_name_stations_stages_options_and_choices():
    assert rules.station_problem("press", {"press"}) is None
    assert rules.station_problem("laminator", {"press"}) == 'there is no station "laminator" in stations'
    assert rules.stage_problem("binding") == 'stage "binding" is not one of prepress, printing, finishing'
    options = {"color": {"bw", "color"}}
    assert rules.when_option_problem("sides", options) == 'the product has no option "sides"'
    assert rules.when_choice_problem("color", "sepia", options) == 'option "color" has no choice "sepia"'


@pytest.mark.parametrize(("problem", "shown"), [
    ("-1.00 is negative", "-1.00 is negative."),
    ("a break from 5 is below the minimum quantity (10)", "A break from 5 is below the minimum quantity (10)."),
    ("Enter a number.", "Enter a number."),
])
def test_a_problem_is_shown_in_a_form_as_a_sentence(problem, shown):
    assert rules.sentence(problem) == shown


def test_the_product_form_reads_an_entry_and_names_each_problem_by_field():
    typed = MultiDict({"name": "Poster", "slug": "poster", "kind": "print", "unit_name": "poster", "min_quantity": "1",
                       "max_quantity": "1,000", "default_quantity": "10", "setup": "$8.00", "per_copy": "4",
                       "steps-0-station": "wide_format", "steps-0-stage": "printing", "steps-0-per_copy": "6"})
    entry, problems = forms.product_entry(forms.product_form(typed), slug=None, active=True, stations={"wide_format"})
    assert problems == {}
    assert (entry.max_quantity, entry.setup_cents, entry.per_copy_cents) == (1000, 800, Decimal(400))
    assert entry.route == (RouteEntry(station="wide_format", stage="printing", per_copy=Decimal(6)),)
    typed.setlist("setup", ["-8"])
    typed.setlist("steps-0-station", ["laminator"])
    typed.setlist("options-0-code", ["Size!"])
    typed.setlist("options-0-label", ["Size"])
    entry, problems = forms.product_entry(forms.product_form(typed), slug=None, active=True, stations={"wide_format"})
    assert entry is None
    assert problems == {"setup": "-8 is negative.",
                        "steps-0-station": 'There is no station "laminator" in stations.',
                        "options-0-code": '"Size!" may hold only lowercase letters, digits, _ and -.',
                        "options-0-label": "An option needs at least one choice."}


def test_the_history_names_each_changed_field_with_its_values_before_and_after():
    before = ProductEntry(slug="flyer", name="Flyer", kind=ProductKind.PRINT, setup_cents=500,
                          volume_breaks=((1000, 10),))
    after = ProductEntry(slug="flyer", name="Flyer", kind=ProductKind.PRINT, setup_cents=600,
                         volume_breaks=((1000, 10), (5000, 15)),
                         route=(RouteEntry(station="press", stage="printing", per_impression=Decimal("0.0083")),))
    assert history.changes(history.product_fields(before), history.product_fields(after)) == [
        history.Change("Setup", "$5.00", "$6.00"),
        history.Change("Quantity breaks", "from 1,000: 10% off", "from 1,000: 10% off; from 5,000: 15% off"),
        history.Change("Routing step 1", "—", "press (printing): setup 0 min, 0.0083 min a printed page"),
    ]
    assert history.changes(history.product_fields(after), history.product_fields(before))[-1] == history.Change(
        "Routing step 1", "press (printing): setup 0 min, 0.0083 min a printed page", "—")
