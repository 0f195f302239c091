"""Every main page at a phone's width (390 px) and a desktop's (1,280 px): nothing scrolls sideways
(wide tables scroll inside their own region, the board's stages stack on a phone), and axe-core finds
no serious problem at either width."""
from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from portal.shop.stages import OrderStatus
from tests.e2e.conftest import serious_accessibility_problems, sign_in
from tests.queue_support import job_at

CUSTOMER_PAGES = ["/", "/products", "/orders", "/addresses", "/billing", "/preferences", "/notices",
                  "/notices/preferences", "/account"]
STAFF_PAGES = ["/staff/queue", "/staff/queue/board", "/staff/promises", "/staff/notices/failed"]


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
    problems = {}
    for person, paths in ((customer, CUSTOMER_PAGES + [f"/orders/{order.number}"]),
                          (staff, STAFF_PAGES + [f"/staff/jobs/{order.number}", f"/staff/customers/{customer.id}"])):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US",
                                      timezone_id="America/New_York")
        page = context.new_page()
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
