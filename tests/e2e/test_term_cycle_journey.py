"""The term cycle in a real browser, at a phone's width (390 px) and a desktop's (1,280 px): last term's course
pack reprinted for next term in one step from its order page, the deadline to order for the first day of classes
on the course-pack configurator, and the manager's Terms and Term start pages; axe-core finds no serious problem
and nothing scrolls sideways."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.extensions import db
from portal.orders.models import Order
from tests.e2e.conftest import serious_accessibility_problems, sign_in
from tests.terms_support import PUBLIC_DOMAIN, add_terms, last_terms_pack


def _fits(page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [390, 1280])
def test_last_terms_pack_is_reprinted_for_next_term_and_the_deadline_shows(app, page, live_server, make, customer,
                                                                           width):
    make.catalog()
    add_terms()
    source = last_terms_pack(make, customer)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, customer)

    page.goto(f"{live_server}/orders/{source.number}")
    panel = page.locator(f"#reorder-{source.number}")
    assert panel.get_by_label("Reprint for the term").input_value() == "Spring 2027"
    assert panel.get_by_label("Enrollment (copies)").input_value() == "40"
    assert serious_accessibility_problems(page) == [] and _fits(page, width)
    panel.get_by_label("Enrollment (copies)").fill("48")
    panel.get_by_role("button", name=re.compile("^Reprint for Spring 2027")).click()
    placed = page.locator(f"#reorder-{source.number}.notice-ok")
    placed.wait_for()
    assert "Reordered as order" in placed.inner_text()
    with app.app_context():
        reprint = db.session.scalar(select(Order).where(Order.source_order_id == source.id))
        assert (reprint.term, reprint.enrollment, reprint.quantity) == ("Spring 2027", 48, 48)
        assert len(reprint.files) == len(db.session.get(Order, source.id).files)
    assert reprint.number in placed.inner_text()

    page.goto(f"{live_server}/products/course-pack")
    deadline = page.locator("[data-term-deadline]").first
    deadline.wait_for()
    assert "Spring 2027 classes start Tuesday, January 19, 2027" in deadline.inner_text()
    assert "order by Thursday, December 24, 2026" in deadline.inner_text()
    assert serious_accessibility_problems(page) == [] and _fits(page, width)
    assert page.js_errors == [], "\n".join(page.js_errors)


@pytest.mark.parametrize("width", [390, 1280])
def test_the_managers_terms_and_term_start_pages_fit_and_pass_axe(browser, live_server, make, width):
    make.catalog()
    add_terms()
    make.order(make.customer(), **PUBLIC_DOMAIN)  # a Spring 2027 pack, so the view has a row and a load
    manager = make.user(role=Role.ADMIN, name="Rosa Alvarez")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US",
                                  timezone_id="America/New_York")
    page = context.new_page()
    try:
        sign_in(page, live_server, manager)
        for path in ("/staff/terms", "/staff/term-start"):
            page.goto(f"{live_server}{path}")
            assert serious_accessibility_problems(page) == [], path
            assert _fits(page, width), path
        page.get_by_text("Show the load as a table").click()
        assert page.locator("#term-load-table").is_visible()
    finally:
        context.close()
