"""Every main page at a phone's width (390 px) and a desktop's (1,280 px): nothing scrolls sideways
(wide tables scroll inside their own region, the board's stages stack on a phone), and axe-core finds
no serious problem at either width."""
from __future__ import annotations

import pytest

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
