"""The first whole journey, in a real browser: sign in, configure a course pack, upload a reading,
check out with what is on file, and see the promised date. Accessibility checked on every page."""
import re

from tests.e2e.conftest import serious_accessibility_problems, sign_in
from tests.factories import pdf_bytes


def test_faculty_orders_a_course_pack_with_an_uploaded_reading(page, live_server, make, customer, tmp_path):
    make.catalog()
    reading = tmp_path / "Week_1_Marbury_v_Madison.pdf"
    reading.write_bytes(pdf_bytes(14))
    problems = {}

    sign_in(page, live_server, customer)
    problems["home"] = serious_accessibility_problems(page)
    page.get_by_role("link", name="Course pack").first.click()
    page.wait_for_url(re.compile(r"/products/course-pack"))
    problems["configurator"] = serious_accessibility_problems(page)

    page.get_by_label("Course code").fill("law501")
    page.get_by_label("Term").select_option(index=2)
    page.get_by_label("Instructor").fill("Maya Okafor")
    page.get_by_label("Enrollment").fill("45")
    page.get_by_label("Full colour").check()
    page.get_by_label("Black and white").check()
    # The price updates in place (a fragment, not the page) as options change.
    page.locator("[data-price]").wait_for()

    page.locator("#upload").set_input_files(str(reading))
    page.get_by_text("1. Week_1_Marbury_v_Madison.pdf").wait_for()
    assert page.get_by_text("14 pages").first.is_visible()
    page.get_by_label("Copyright", exact=True).select_option("public_domain")  # chosen: nothing is assumed
    price = page.locator("[data-price]").inner_text()
    assert re.fullmatch(r"\$[\d,]+\.\d\d", price)
    shown_date = page.locator("[data-estimate]").inner_text()
    problems["configurator with a reading"] = serious_accessibility_problems(page)

    page.get_by_role("button", name="Continue to checkout").click()
    page.wait_for_url(re.compile(r"/checkout\?"))
    problems["checkout"] = serious_accessibility_problems(page)
    assert page.locator("input[name=address]:checked").count() == 1      # on file, prefilled
    assert page.locator("input[name=billing_account]:checked").count() == 1
    promised = page.locator("[data-promise]").inner_text()
    assert promised == shown_date                                          # the same date as shown before

    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(re.compile(r"/orders/\d\d-\d{5}$"))
    assert page.get_by_text("is placed").is_visible()
    assert page.get_by_text(promised).first.is_visible()
    assert page.get_by_text("LAW 501").first.is_visible()
    problems["order page"] = serious_accessibility_problems(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My orders").click()
    page.wait_for_url(re.compile(r"/orders$"))
    problems["history"] = serious_accessibility_problems(page)
    assert {name: found for name, found in problems.items() if found} == {}
    assert page.js_errors == [], "\n".join(page.js_errors)


def test_the_journey_works_without_javascript(browser, live_server, make, customer, tmp_path):
    """Every htmx control has a real href or action: the same journey with JavaScript off."""
    make.catalog()
    reading = tmp_path / "reading.pdf"
    reading.write_bytes(pdf_bytes(6))
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, customer)
    page.goto(f"{live_server}/products/course-pack")
    page.get_by_label("Course code").fill("HIST 2100")
    page.get_by_label("Term").select_option(index=1)
    page.get_by_label("Instructor").fill("Omar Farouk")
    page.get_by_label("Enrollment").fill("20")
    page.locator("#upload").set_input_files(str(reading))
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("1. reading.pdf").wait_for()
    page.get_by_label("Copyright", exact=True).select_option("public_domain")
    page.get_by_role("button", name="Continue to checkout").click()
    page.wait_for_url(re.compile(r"/checkout\?"))
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(re.compile(r"/orders/\d\d-\d{5}$"))
    assert page.get_by_text("is placed").is_visible()
    context.close()
