"""A returning customer: one-click reorder from the home page, an expired account fixed in place,
and the address book edited inline, in a real browser, with accessibility checked."""
import re
from datetime import date

from sqlalchemy import select

from portal.billing.models import BillingAccount
from portal.extensions import db
from tests.e2e.conftest import serious_accessibility_problems, sign_in


def test_reorder_from_home_in_one_click_then_fix_an_expired_account_inline(app, page, live_server, make, customer):
    past = make.order(customer)
    other = make.order(customer, "flyer")
    sign_in(page, live_server, customer)
    assert page.get_by_role("heading", name=f"Hello, {customer.first_name}").is_visible()
    buy_again = page.locator("ul.buy-again > li").filter(has_text=past.title)
    assert re.search(r"Today \$[\d,]+\.\d\d · arrives", buy_again.inner_text())
    assert serious_accessibility_problems(page) == []

    buy_again.get_by_role("button", name=re.compile("^Reorder")).click()
    placed = buy_again.locator(".notice-ok")
    placed.wait_for()
    assert "Reordered as order" in placed.inner_text()
    assert placed.locator("[data-promise]").inner_text()          # the new promised date, in place
    assert placed.get_by_role("button", name=re.compile("^Cancel order")).is_visible()

    with app.app_context():                                         # the flyer's account expires
        db.session.get(BillingAccount, other.billing_account_id).active_until = date(2020, 1, 1)
        db.session.commit()
    spare = make.account(customer, name="Teaching fund", department=customer.memberships[0].department)
    page.goto(f"{live_server}/orders/{other.number}")
    page.locator("details.order-reorder > summary").click()  # folded while the order is still on its way
    panel = page.locator(f"#reorder-{other.number}")
    panel.get_by_role("button", name=re.compile("^Reorder")).click()
    panel.get_by_text("This account expired on January 1, 2020.").wait_for()
    assert serious_accessibility_problems(page) == []
    panel.get_by_label(re.compile("Teaching fund")).check()
    panel.get_by_role("button", name="Place reorder").click()
    panel.get_by_text("Reordered as order").wait_for()
    with app.app_context():
        assert db.session.scalar(select(BillingAccount.name).where(BillingAccount.id == spare.id)) == "Teaching fund"
    assert page.js_errors == [], "\n".join(page.js_errors)


def test_address_book_edits_inline_and_undoes_a_delete(page, live_server, make, customer):
    make.address(customer, label="Home office", kind="carrier")
    sign_in(page, live_server, customer)
    page.goto(f"{live_server}/addresses")
    assert serious_accessibility_problems(page) == []
    row = page.locator("li.address-card").filter(has_text="Home office")
    row.get_by_role("link", name=re.compile("^Edit")).click()
    editor = page.locator("li.address-card form")
    editor.get_by_label("City").fill("Dryden")
    editor.get_by_label("ZIP code").fill("1305")
    editor.get_by_role("button", name="Save").click()
    page.get_by_text("Use a 5-digit ZIP code").wait_for()          # the error next to the field, still inline
    assert page.url.endswith("/addresses")
    page.get_by_label("ZIP code").fill("13053")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Dryden, NY 13053").wait_for()
    page.locator("li.address-card").filter(has_text="Dryden").get_by_role("button", name=re.compile("^Delete")).click()
    page.get_by_role("button", name="Undo").click()
    page.get_by_text("Dryden, NY 13053").wait_for()
    for path in ("/billing", "/preferences", "/account"):
        page.goto(f"{live_server}{path}")
        assert serious_accessibility_problems(page) == [], path
    assert page.js_errors == [], "\n".join(page.js_errors)
