"""Campus sign-in in Chromium: a faculty member never seen before clicks the campus button, signs in at
the (real, loopback) OpenID Connect provider, and lands on the home page greeted, ready to order."""
from __future__ import annotations

import pytest
import requests

from tests.e2e.conftest import serious_accessibility_problems, serve


@pytest.fixture(scope="module")
def campus_server(campus_app):
    with serve(campus_app) as url:
        yield url


@pytest.mark.parametrize("width", [390, 1280])
def test_a_new_faculty_member_signs_in_with_the_campus_account_and_lands_ready_to_order(
        browser, campus_server, oidc_provider, make, width):
    make.department("History")
    subject = f"nkim-{width}"
    requests.put(f"{oidc_provider}/users/{subject}", json={"email": f"nora.kim.{width}@campus.edu",
                                                          "name": "Nora Kim", "department": "History"}, timeout=10)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US",
                                  timezone_id="America/New_York")
    page = context.new_page()
    page.goto(f"{campus_server}/sign-in")
    assert serious_accessibility_problems(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("link", name="Sign in with your campus account").click()

    page.wait_for_url(f"{oidc_provider}/**")  # the campus's own sign-in page
    page.locator("input[name=sub]").fill(subject)
    page.get_by_role("button", name="Authorize").click()

    page.wait_for_url(f"{campus_server}/")
    assert page.get_by_role("heading", name="Hello, Nora").is_visible()
    assert "Ordering for History." in page.inner_text("main")
    page.get_by_role("link", name="Start a new order").click()
    page.wait_for_url(f"{campus_server}/products")
    assert serious_accessibility_problems(page) == []
    context.close()
