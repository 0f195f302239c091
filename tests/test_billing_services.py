"""Budget accounts against the database: why an account cannot be charged, and who can renew it."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import event

from portal.billing import services
from portal.extensions import db
from portal.failures import ValidationFailed
from tests.factories import NOW

TODAY = NOW.date()


def test_an_expired_account_names_its_departments_administrator_to_renew_it(ctx, make):
    law = make.department("School of Law")
    make.user(name="Dana Reyes", email="dana@example.edu", administers=[law])
    customer = make.customer(department=law)
    expired = make.account(customer, department=law, active_until=date(2026, 8, 31))
    assert services.unusable_reason(expired, TODAY) == (
        "This account expired on August 31, 2026. Choose another or ask Dana Reyes (dana@example.edu), "
        "the School of Law administrator, to renew it.")
    with pytest.raises(ValidationFailed) as refused:
        services.chargeable_account(customer, expired.id, today=TODAY)
    assert "ask Dana Reyes" in refused.value.errors["billing_account"]


def test_a_department_without_an_administrator_is_named_and_a_usable_account_has_no_reason(ctx, make, customer):
    history = make.department("History")
    withdrawn = make.account(customer, department=history, withdrawn_at=datetime(2026, 11, 1, tzinfo=timezone.utc),
                             withdrawn_reason="Budget closed")
    usable = make.account(customer, department=history, active_until=TODAY)
    reasons = services.unusable_reasons([withdrawn, usable], TODAY)
    assert reasons == {withdrawn.id: "This account was withdrawn by its department: Budget closed. "
                                     "Choose another or ask the History administrator about it."}


def test_the_administrators_of_many_accounts_are_found_in_one_query(ctx, make, customer):
    for _ in range(4):
        department = make.department()
        make.user(administers=[department])
        make.account(customer, department=department, active_until=date(2026, 1, 31))
    accounts = [holding.account for holding in services.holdings_of(customer)]  # with their departments
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        reasons = services.unusable_reasons(accounts, TODAY)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert len(reasons) == 4 and all("administrator, to renew it." in reason for reason in reasons.values())
    assert len(statements) == 1
