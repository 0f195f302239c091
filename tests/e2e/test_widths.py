"""Every main page at a phone's width (390 px) and a desktop's (1,280 px): nothing scrolls sideways
(wide tables scroll inside their own region, the board's stages stack on a phone), and axe-core finds
no serious problem at either width."""
from __future__ import annotations

from datetime import datetime
from io import BytesIO

import pytest
from pypdf import PdfReader

from portal.accounts.models import Role
from portal.shop.stages import OrderStatus
from tests.e2e.conftest import serious_accessibility_problems, sign_in
from tests.queue_support import job_at

CUSTOMER_PAGES = ["/", "/products", "/orders", "/addresses", "/billing", "/preferences", "/notices",
                  "/notices/preferences", "/account"]
STAFF_PAGES = ["/staff/queue", "/staff/queue/board", "/staff/promises", "/staff/notices/failed", "/people/invite"]
ADMIN_PAGES = ["/staff/people", "/staff/people?q=okafor", "/staff/finance-file"]
SIGNED_OUT_PAGES = ["/sign-in", "/sign-in/forgot"]


def _width_problems(page, live_server: str, paths: list[str], width: int) -> dict[str, object]:
    problems = {}
    for path in paths:
        page.goto(f"{live_server}{path}")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        serious = serious_accessibility_problems(page)
        if scroll_width > width or serious:
            problems[path] = {"page width": scroll_width, "axe": serious}
    return problems


@pytest.mark.parametrize("width", [390, 1280])
def test_customer_and_staff_pages_fit_the_screen_and_pass_axe(browser, live_server, make, customer, width):
    make.catalog()
    staff = make.staff(name="Priya Natarajan")
    for stage in (OrderStatus.RECEIVED, OrderStatus.PRINTING, OrderStatus.READY, OrderStatus.ON_HOLD):
        job_at(make, customer, stage, title="Alumni weekend program with a long title for a narrow column")
    order = make.order(customer, title="LAW 501 course pack, Fall 2026")
    law = make.department("School of Law and Graduate Legal Studies")
    admin = make.user(role=Role.ADMIN, name="Rosa Alvarez", email="manager@example.edu", administers=[law])
    make.user(name="Prof. Maya Okafor-Lindqvist", email="maya.okafor-lindqvist@law.example.edu", departments=[law])
    problems = {}
    for person, paths in ((None, SIGNED_OUT_PAGES), (customer, CUSTOMER_PAGES + [f"/orders/{order.number}"]),
                          (staff, STAFF_PAGES + [f"/staff/jobs/{order.number}", f"/staff/customers/{customer.id}"]),
                          (admin, ADMIN_PAGES + [f"/staff/people/{customer.id}", f"/staff/people/{admin.id}",
                                                 f"/departments/{law.id}/members", "/account", "/billing"])):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US",
                                      timezone_id="America/New_York")
        page = context.new_page()
        if person is not None:
            sign_in(page, live_server, person)
        problems.update(_width_problems(page, live_server, paths, width))
        context.close()
    assert problems == {}


def test_an_order_page_prints_its_content_without_the_navigation(page, live_server, make, customer):
    make.catalog()
    order = make.order(customer, title="LAW 501 course pack, Fall 2026")
    sign_in(page, live_server, customer)
    page.goto(f"{live_server}/orders/{order.number}")
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Main").is_visible()
    assert page.get_by_role("heading", name=order.title).first.is_visible()
    printed = PdfReader(BytesIO(page.pdf(format="Letter")))
    assert len(printed.pages) <= 2
    assert order.number in printed.pages[0].extract_text()


def _in_view(page, locator) -> bool:
    box, height = locator.bounding_box(), page.viewport_size["height"]
    return box is not None and box["height"] > 0 and 0 <= box["y"] and box["y"] + box["height"] <= height


def test_on_a_phone_the_configurators_price_and_date_stay_in_view_while_options_change(browser, live_server, make,
                                                                                        customer):
    make.catalog()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", timezone_id="America/New_York")
    page = context.new_page()
    sign_in(page, live_server, customer)
    page.goto(f"{live_server}/products/course-pack?enrollment=45&course_code=LAW+501")
    bar_price, bar_date = page.locator("[data-bar-price]"), page.locator("[data-bar-date]")
    colour = page.get_by_label("Full colour")
    colour.scroll_into_view_if_needed()
    assert _in_view(page, colour)
    assert not _in_view(page, page.locator("[data-price]"))  # the side card is far below the options on a phone
    assert _in_view(page, bar_price) and _in_view(page, bar_date)
    black_and_white = bar_price.inner_text()
    assert black_and_white == page.locator("[data-price]").inner_text()
    side_date = datetime.strptime(page.locator("[data-estimate]").inner_text(), "%A, %B %d, %Y")
    assert bar_date.inner_text() == f"{side_date:%a, %b} {side_date.day}"  # the same date, written short

    colour.check()
    page.wait_for_function("price => document.querySelector('[data-bar-price]').textContent !== price", arg=black_and_white)
    assert _in_view(page, colour)
    assert _in_view(page, page.locator("[data-bar-price]")) and _in_view(page, page.locator("[data-bar-date]"))
    assert page.locator("[data-bar-price]").inner_text() == page.locator("[data-price]").inner_text()
    page.get_by_label("Perfect bound (glued spine)").check()  # below the bar's place: the bar does not cover it
    assert page.get_by_label("Perfect bound (glued spine)").is_checked()
    assert serious_accessibility_problems(page) == []
    context.close()


def test_on_a_desktop_the_configurator_keeps_its_side_summary_and_no_bar(page, live_server, make, customer):
    make.catalog()
    sign_in(page, live_server, customer)
    page.goto(f"{live_server}/products/course-pack?enrollment=45&course_code=LAW+501")
    page.get_by_label("Full colour").scroll_into_view_if_needed()
    assert not page.locator("[data-quote-bar]").is_visible()
    assert _in_view(page, page.locator("[data-price]")) and _in_view(page, page.locator("[data-estimate]"))


@pytest.mark.parametrize("width", [390, 1280])
def test_an_order_page_shows_when_it_arrives_before_the_specifications_on_a_phone(browser, live_server, make,
                                                                                   customer, width):
    make.catalog()
    order = make.order(customer, title="LAW 501 course pack, Fall 2026")
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="en-US", timezone_id="America/New_York")
    page = context.new_page()
    sign_in(page, live_server, customer)
    page.goto(f"{live_server}/orders/{order.number}")
    promise = page.get_by_role("heading", name="When it arrives").bounding_box()
    specs = page.get_by_role("heading", name="What you ordered").bounding_box()
    promised_date = page.get_by_text(f"{order.promise_date:%A, %B} {order.promise_date.day}, {order.promise_date.year}",
                                     exact=True).first
    if width == 390:
        assert promise["y"] < specs["y"]  # first, above what was ordered
        assert promised_date.bounding_box()["y"] + 40 < 844  # the date is on the first screen
    else:
        assert promise["x"] > specs["x"] + specs["width"]  # beside the specifications, at the top
        assert abs(promise["y"] - specs["y"]) < 60
    delivery = page.get_by_role("heading", name="Delivery and billing").bounding_box()
    assert delivery["y"] > promise["y"]
    context.close()
