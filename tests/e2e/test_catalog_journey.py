"""The shop manager changes a price and adds a product with two options and a routing in a real Chromium (at a
phone's width and a desktop's), checked as typed and previewed as the customer will see it; then a customer
configures the new product at its price with a date from its routing, while last month's order is unchanged.
Every page fits the screen (no sideways scroll) and axe-core finds no serious problem."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from portal.accounts.models import Role
from portal.extensions import db
from portal.orders.models import Order
from tests.e2e.conftest import serious_accessibility_problems, sign_in


def _context(browser, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US",
                                  timezone_id="America/New_York")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return context, tab, errors


def _check(tab, width: int, problems: dict) -> None:
    """The page as it is now fits `width` and has no serious accessibility problem (noted by path)."""
    scroll_width = tab.evaluate("document.documentElement.scrollWidth")
    serious = serious_accessibility_problems(tab)
    if scroll_width > width or serious:
        problems[tab.url] = {"page width": scroll_width, "axe": serious}


def _dollars(text: str) -> float:
    return float(text.strip().lstrip("$").replace(",", ""))


@pytest.mark.parametrize("width", [390, 1280])
def test_a_manager_changes_a_price_and_adds_a_product_that_a_customer_then_configures(
        app, browser, live_server, make, width):
    make.catalog()
    customer = make.customer(name="Prof. Maya Okafor")
    last_month = make.order(customer, "flyer", now=datetime.now(timezone.utc) - timedelta(days=30))
    before = (last_month.price_cents, last_month.price_lines, last_month.option_labels, last_month.promise_date)
    manager = make.user(role=Role.ADMIN, name="Rosa Alvarez")
    problems: dict = {}

    context, tab, errors = _context(browser, width)
    sign_in(tab, live_server, manager)
    tab.goto(f"{live_server}/staff/catalog")
    expect(tab.get_by_role("heading", name="Catalog", exact=True)).to_be_visible()
    _check(tab, width, problems)

    # A price change, checked as it is typed and previewed before it is saved.
    tab.get_by_role("link", name="Flyer", exact=True).click()
    expect(tab.locator("#setup")).to_have_value("5.00")
    _check(tab, width, problems)
    price = tab.locator("#catalog-preview [data-price]")
    shown = _dollars(price.inner_text())
    tab.locator("#setup").fill("-1")
    expect(tab.locator("#setup-problem")).to_contain_text("-1 is negative.")
    tab.locator("#setup").fill("6.00")
    expect(tab.locator("#setup-problem")).to_have_text("")
    expect(price).not_to_have_text(f"${shown:,.2f}")
    assert _dollars(price.inner_text()) == pytest.approx(shown + 1)
    tab.locator("#breaks-0-start").fill("5")
    expect(tab.locator("#breaks-0-start-problem")).to_contain_text("A break from 5 is below the minimum quantity")
    tab.locator("#breaks-0-start").fill("1000")
    expect(tab.locator("#breaks-0-start-problem")).to_have_text("")
    tab.get_by_role("button", name="Save changes").click()
    expect(tab.get_by_text("Flyer is saved.")).to_be_visible()
    tab.get_by_role("link", name="History of changes").click()
    expect(tab.get_by_role("cell", name="Setup", exact=True)).to_be_visible()
    expect(tab.get_by_role("cell", name="$6.00", exact=True)).to_be_visible()
    _check(tab, width, problems)

    # A new product with two options and a two-step routing, built row by row (each "Add" posts the form).
    tab.goto(f"{live_server}/staff/catalog/products/new")
    _check(tab, width, problems)
    for field, value in (("name", "Laminated poster"), ("slug", "laminated-poster"), ("unit_name", "poster"),
                         ("min_quantity", "1"), ("max_quantity", "200"), ("default_quantity", "10"),
                         ("setup", "8.00"), ("per_copy", "4.00")):
        tab.locator(f"#{field}").fill(value)
    tab.get_by_role("button", name="Add an option").click()
    for field, value in (("options-0-code", "size"), ("options-0-label", "Size"), ("options-0-choices-0-code", "a2"),
                         ("options-0-choices-0-label", "A2")):
        tab.locator(f"#{field}").fill(value)
    tab.locator("#options-0-choices-0-is_default").check()
    tab.get_by_role("button", name="Add a choice to option 1").click()
    for field, value in (("options-0-choices-1-code", "a1"), ("options-0-choices-1-label", "A1"),
                         ("options-0-choices-1-per_copy", "3.00")):
        tab.locator(f"#{field}").fill(value)
    tab.get_by_role("button", name="Add an option").click()
    for field, value in (("options-1-code", "finish"), ("options-1-label", "Finish"),
                         ("options-1-choices-0-code", "gloss"), ("options-1-choices-0-label", "Gloss laminate")):
        tab.locator(f"#{field}").fill(value)
    tab.get_by_role("button", name="Add a choice to option 2").click()
    for field, value in (("options-1-choices-1-code", "matte"), ("options-1-choices-1-label", "Matte laminate"),
                         ("options-1-choices-1-per_copy", "0.50")):
        tab.locator(f"#{field}").fill(value)
    tab.get_by_role("button", name="Add a step").click()
    tab.locator("#steps-0-station").select_option("wide_format")
    tab.locator("#steps-0-stage").select_option("printing")
    tab.locator("#steps-0-setup_minutes").fill("15")
    tab.locator("#steps-0-per_copy").fill("6")
    tab.get_by_role("button", name="Add a step").click()
    tab.locator("#steps-1-station").select_option("bindery")
    tab.locator("#steps-1-stage").select_option("finishing")
    tab.locator("#steps-1-setup_minutes").fill("10")
    tab.locator("#steps-1-per_copy").fill("4")
    expect(tab.locator("#catalog-preview")).to_contain_text("Laminated poster")
    expect(tab.locator("#catalog-preview [data-price]")).to_have_text("$48.00")  # 10 × $4 + $8 setup
    expect(tab.locator("#catalog-preview [data-estimate]")).not_to_be_empty()
    _check(tab, width, problems)
    tab.get_by_role("button", name="Add to the catalog").click()
    expect(tab.get_by_text("Laminated poster is saved.")).to_be_visible()
    assert tab.url.endswith("/staff/catalog/products/laminated-poster")
    _check(tab, width, problems)
    assert errors == [], errors
    context.close()

    # The customer orders it at its price, with a date from its routing.
    context, tab, errors = _context(browser, width)
    sign_in(tab, live_server, customer)
    tab.goto(f"{live_server}/products")
    tab.get_by_role("link", name="Laminated poster").click()
    customer_price = tab.locator("#quote [data-price]")
    expect(customer_price).to_have_text("$48.00")  # the usual 10 at A2, gloss
    tab.get_by_label("Quantity").fill("20")
    tab.get_by_label("Quantity").blur()  # its change is answered before a choice is clicked
    expect(customer_price).to_have_text("$88.00")
    tab.wait_for_load_state("networkidle")
    tab.get_by_label("A1").check()
    expect(customer_price).to_have_text("$148.00")
    tab.get_by_label("Matte laminate").check()
    expect(customer_price).to_have_text("$158.00")  # $8 + 20 × ($4 + $3 + $0.50)
    assert re.fullmatch(r"\w+day, \w+ \d+(, \d{4})?", tab.locator("#quote [data-estimate]").inner_text().strip())
    _check(tab, width, problems)
    tab.goto(f"{live_server}/products/flyer?quantity=100&opt_color=bw&opt_sides=single&opt_size=letter&opt_stock=bond20")
    expect(tab.locator("#quote [data-price]")).to_have_text("$11.50")  # the new $6 setup
    tab.goto(f"{live_server}/orders/{last_month.number}")
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Flyer")
    assert errors == []
    context.close()

    with app.app_context():
        kept = db.session.get(Order, last_month.id)
        assert (kept.price_cents, kept.price_lines, kept.option_labels, kept.promise_date) == before
    assert problems == {}
