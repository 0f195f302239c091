"""The Care page (and the Relationships page) at a phone's width (390 px) and a desktop's (1,280 px): nothing
scrolls sideways (tables scroll inside their own region, charts shrink) and axe-core finds no serious problem."""
from __future__ import annotations

from datetime import timedelta

import pytest

from portal.accounts.models import Role
from portal.care import outside
from portal.database import utcnow
from portal.extensions import db
from portal.notices import tracking
from tests.e2e.conftest import serious_accessibility_problems, sign_in
from tests.factories import list_bytes

PATHS = ["/staff/care", "/staff/relationships", "/staff/relationships/outside"]


def _answers(make):
    """Answers with comments (one opens a case), so every section has rows; the browser keeps the real clock."""
    make.staff(name="Dana Reyes")
    history = make.department("Department of History and the Philosophy of Science")
    customer = make.customer(department=history, name="Prof. Maya Okafor")
    for score, comment in ((5, "Beautiful work, and a day early. Thank you to everyone in the bindery."),
                           (2, "The covers were scuffed on about a third of the copies."), (4, None)):
        tracking.record_satisfaction(make.order(customer, now=utcnow()), score, comment=comment, now=utcnow())
    db.session.commit()
    data = list_bytes([["Department", "Vendor", "Date", "Amount"],
                       [history.name, "Ithaca Print & Copy, a printer with a long name", (utcnow() - timedelta(days=2)).date().isoformat(),
                        "1250.00"]])
    checked = outside.preview(data, now=utcnow())
    outside.apply(data, digest=checked.digest, now=utcnow())
    db.session.commit()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_care_pages_fit_the_screen_and_pass_axe(browser, live_server, make, width):
    _answers(make)
    manager = make.user(role=Role.ADMIN, name="Rosa Alvarez")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US",
                                  timezone_id="America/New_York")
    page = context.new_page()
    sign_in(page, live_server, manager)
    problems = {}
    for path in PATHS:
        page.goto(f"{live_server}{path}")
        assert page.get_by_role("heading", level=1).count() == 1
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        serious = serious_accessibility_problems(page)
        if scroll_width > width or serious:
            problems[path] = {"page width": scroll_width, "axe": serious}
    context.close()
    assert problems == {}
