"""The statements pages and the credit form at a phone's width (390 px) and a desktop's (1,280 px): nothing
scrolls sideways (statement tables scroll inside their own region) and axe-core finds no serious problem."""
from __future__ import annotations

from datetime import date

import pytest

from portal.accounts.models import Role
from tests.e2e.conftest import serious_accessibility_problems, sign_in
from tests.statements_support import charged


def _month_key() -> str:
    today = date.today()  # the browser tests keep the real clock: the month before today's
    last = today.replace(day=1).toordinal() - 1
    return date.fromordinal(last).strftime("%Y-%m")


@pytest.mark.parametrize("width", [390, 1280])
def test_statements_pages_fit_the_screen_and_pass_axe(browser, live_server, make, width):
    law = make.department("School of Law")
    customer = make.customer(department=law, name="Prof. Maya Okafor")
    account = make.account(customer, department=law, code="10-4410-7200", name="Law course materials")
    template = make.order(customer, account=account)
    month = _month_key()
    day = date.fromisoformat(f"{month}-03")
    order = charged(template, account=account, price_cents=123456, delivered_on=day,
                    title="LAW 501 course pack with a long title for a narrow column, Fall term")
    administrator = make.user(name="Daniel Reyes", administers=[law])
    manager = make.user(role=Role.ADMIN, name="Rosa Alvarez")
    pages = {administrator: ["/statements", f"/statements/{month}", f"/statements/{month}/departments/{law.id}",
                             f"/statements/{month}/accounts/{account.id}"],
             manager: [f"/statements/{month}", f"/statements/{month}/close", f"/staff/jobs/{order.number}/credit"]}
    problems = {}
    for person, paths in pages.items():
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US",
                                      timezone_id="America/New_York")
        page = context.new_page()
        sign_in(page, live_server, person)
        for path in paths:
            page.goto(f"{live_server}{path}")
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            serious = serious_accessibility_problems(page)
            if scroll_width > width or serious:
                problems[path] = {"page width": scroll_width, "axe": serious}
        context.close()
    assert problems == {}
