"""Care in a real browser, at a phone's width and a desktop's: a customer reports a problem from an order page
and sees a case number and a person's name; that person finds it first in their cases, answers, offers a
reprint; the customer accepts it from the case link without signing in; the owner resolves it. Every page fits
the screen and passes axe."""
import re

import pytest
from playwright.sync_api import expect

from portal.care.models import Case
from portal.care import services
from portal.database import utcnow
from portal.extensions import db
from tests.e2e.conftest import serious_accessibility_problems, sign_in


def _fits(page, width: int, problems: dict, name: str) -> None:
    page.wait_for_load_state()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    serious = serious_accessibility_problems(page)
    if scroll_width > width or serious:
        problems[name] = {"page width": scroll_width, "axe": serious}


@pytest.mark.parametrize("width", [390, 1280])
def test_a_problem_reported_is_owned_answered_and_put_right(browser, live_server, make, customer, width):
    owner = make.staff(name="Dana Reyes")
    order = make.order(customer, title="LAW 501 course pack, Fall 2026")
    problems: dict = {}
    viewport = {"width": width, "height": 900}

    customer_tab = browser.new_context(viewport=viewport, locale="en-US", timezone_id="America/New_York").new_page()
    sign_in(customer_tab, live_server, customer)
    customer_tab.goto(f"{live_server}/orders/{order.number}")
    customer_tab.get_by_role("link", name="Report a problem").click()
    expect(customer_tab.get_by_role("button", name="Send the report")).to_be_visible()  # the form has come
    _fits(customer_tab, width, problems, "report form")
    customer_tab.get_by_role("button", name="Send the report").click()  # empty: told what is missing
    expect(customer_tab.get_by_text("Choose what went wrong.")).to_be_visible()
    customer_tab.get_by_label("It arrived damaged").check()
    customer_tab.get_by_label("Tell us what happened").fill("Two boxes arrived soaked through.")
    customer_tab.get_by_role("button", name="Send the report").click()
    expect(customer_tab.get_by_role("heading", name=re.compile(r"Thank you: case C-\d+ is open"))).to_be_visible()
    expect(customer_tab.locator("aside").get_by_text("Dana Reyes")).to_be_visible()
    _fits(customer_tab, width, problems, "case page")
    customer_tab.context.close()

    db.session.expire_all()
    case = db.session.scalar(db.select(Case))
    staff_tab = browser.new_context(viewport=viewport, locale="en-US", timezone_id="America/New_York").new_page()
    sign_in(staff_tab, live_server, owner)
    staff_tab.goto(f"{live_server}/staff/cases")
    expect(staff_tab.get_by_role("row").nth(1)).to_contain_text(case.number)
    _fits(staff_tab, width, problems, "my cases")
    staff_tab.get_by_role("link", name=case.number).click()
    expect(staff_tab.get_by_label("Your message")).to_be_visible()
    _fits(staff_tab, width, problems, "staff case")
    staff_tab.get_by_label("Your message").fill("So sorry. We will reprint the two boxes.")
    staff_tab.get_by_role("button", name="Send", exact=True).click()
    expect(staff_tab.get_by_text("So sorry. We will reprint the two boxes.")).to_be_visible()
    staff_tab.get_by_role("button", name="Offer a reprint at no charge").click()
    expect(staff_tab.get_by_text("the customer has not accepted it yet")).to_be_visible()

    link_tab = browser.new_context(viewport=viewport, locale="en-US", timezone_id="America/New_York").new_page()
    db.session.expire_all()
    link_tab.goto(live_server + services.link_token(db.session.get(Case, case.id), now=utcnow()).join(["/case/", ""]))
    expect(link_tab.get_by_text("So sorry. We will reprint the two boxes.")).to_be_visible()
    _fits(link_tab, width, problems, "case link")
    link_tab.get_by_role("button", name="Accept the reprint").click()
    expect(link_tab.get_by_text(re.compile(r"Reprint: order \d\d-\d+"))).to_be_visible()

    staff_tab.reload()
    staff_tab.get_by_label("What was done").fill("Reprinted the two boxes at no charge.")
    staff_tab.get_by_role("button", name="Resolve").click()
    expect(staff_tab.get_by_text("Reprinted the two boxes at no charge.")).to_be_visible()
    link_tab.reload()
    link_tab.get_by_role("radio", name="Yes").check()
    link_tab.get_by_role("button", name="Send my answer").click()
    expect(link_tab.get_by_text("Yes, this made it right.")).to_be_visible()
    _fits(link_tab, width, problems, "case answered")
    staff_tab.context.close()
    link_tab.context.close()
    assert problems == {}
