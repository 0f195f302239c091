"""Addresses and budget accounts on file: what each needs, and when an account can be charged."""
from datetime import date, datetime, timezone

import pytest

from portal.addresses import rules as address_rules
from portal.billing import rules as billing_rules

CAMPUS = {"kind": "campus", "label": "Law mailroom", "recipient": "Maya Okafor", "building": "Myron Taylor Hall",
          "room": "120"}
CARRIER = {"kind": "carrier", "label": "Home", "recipient": "Maya Okafor", "street1": "12 Elm Street",
           "city": "Ithaca", "state": "NY", "postal_code": "14850"}


@pytest.mark.parametrize("values, problems", [
    (CAMPUS, {}),
    ({"kind": "pickup", "label": "Pickup at the shop"}, {}),
    (CARRIER, {}),
    ({**CAMPUS, "room": ""}, {"room": "Enter the room or mail stop."}),
    ({**CARRIER, "state": "New York"}, {"state": "Use at most 2 characters."}),
    ({**CARRIER, "state": "ZZ"}, {"state": "Use the two-letter state code, like NY."}),
    ({**CARRIER, "postal_code": "1485"}, {"postal_code": "Use a 5-digit ZIP code, like 14850, or ZIP+4, like 14850-2201."}),
    ({**CARRIER, "postal_code": "14850-2201"}, {}),
    ({"kind": "moon"}, {"kind": "Choose campus delivery, pickup at the shop, shipping, or the campus bookstore."}),
])
def test_address_problems_by_kind(values, problems):
    assert address_rules.address_problems(address_rules.clean(values)) == problems


def test_cleaning_flattens_line_breaks_and_upper_cases_the_state():
    cleaned = address_rules.clean({**CARRIER, "recipient": "Maya\r\nBcc: x@evil", "state": "ny"})
    assert cleaned["recipient"] == "Maya Bcc: x@evil"
    assert cleaned["state"] == "NY"


@pytest.mark.parametrize("values, line", [
    (CAMPUS, "Maya Okafor, Myron Taylor Hall, 120"),
    (CARRIER, "Maya Okafor, 12 Elm Street, Ithaca, NY 14850"),
    ({"kind": "pickup"}, "Pickup at the shop"),
])
def test_one_line(values, line):
    assert address_rules.one_line(values) == line


PATTERN, EXAMPLE = r"\d{2}-\d{4}-\d{4}", "10-4410-7200"


@pytest.mark.parametrize("code, problem", [
    ("10-4410-7200", None),
    ("", "Enter the budget code, like 10-4410-7200."),
    ("1044107200", "Budget codes look like 10-4410-7200: check the digits and dashes."),
    ("10-4410-720", "Budget codes look like 10-4410-7200: check the digits and dashes."),
])
def test_budget_code_format(code, problem):
    assert billing_rules.code_problem(code, pattern=PATTERN, example=EXAMPLE) == problem


TODAY = date(2026, 11, 23)


@pytest.mark.parametrize("active_until, withdrawn_at, reason, expected", [
    (None, None, "", None),
    (TODAY, None, "", None),                                           # usable through its last day
    (date(2026, 8, 31), None, "", "This account expired on August 31, 2026."),
    (None, datetime(2026, 11, 1, tzinfo=timezone.utc), "budget closed", "This account was withdrawn by its department: budget closed."),
])
def test_unusable_accounts_say_why(active_until, withdrawn_at, reason, expected):
    message = billing_rules.unusable_reason(active_until=active_until, withdrawn_at=withdrawn_at,
                                            withdrawn_reason=reason, today=TODAY)
    assert (message is None) if expected is None else message.startswith(expected)


@pytest.mark.parametrize("department, administrator, ask", [
    ("School of Law", "Dana Reyes (dana@example.edu)", "ask Dana Reyes (dana@example.edu), the School of Law administrator,"),
    ("School of Law", "", "ask the School of Law administrator"),
    ("", "", "ask its department's administrator"),
])
def test_an_expired_account_is_the_customers_to_fix_and_says_who_renews_it(department, administrator, ask):
    message = billing_rules.unusable_reason(active_until=date(2026, 8, 31), withdrawn_at=None, withdrawn_reason="",
                                            today=TODAY, department=department, administrator=administrator)
    assert message == f"This account expired on August 31, 2026. Choose another or {ask} to renew it."


@pytest.mark.parametrize("threshold, price, waits", [(None, 10**9, False), (250000, 250000, False), (250000, 250001, True)])
def test_approval_threshold(threshold, price, waits):
    assert billing_rules.needs_approval(threshold_cents=threshold, price_cents=price) is waits
