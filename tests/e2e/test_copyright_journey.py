"""Copyright cleared by the shop, in a real browser: the instructor asks the shop to clear a reading, staff
grant it with a fee from the Copyright queue, the fee is on the order's price and the job moves to printing;
a refused reading is removed by the instructor and the pack goes on. Accessibility checked on the new pages."""
import re

from sqlalchemy import select

from portal.extensions import db
from portal.orders.models import Order, OrderStatus
from tests.e2e.conftest import serious_accessibility_problems, sign_in
from tests.factories import pdf_bytes, to_clear


def staff_page(browser, live_server, staff):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US",
                                  timezone_id="America/New_York")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    sign_in(tab, live_server, staff)
    return tab


def test_a_reading_cleared_by_the_shop_with_a_fee_reaches_the_price_and_the_job_prints(
        page, browser, live_server, make, customer, tmp_path):
    make.catalog()
    staff = make.staff(name="Priya Natarajan")
    reading = tmp_path / "Holmes_The_Path_of_the_Law.pdf"
    reading.write_bytes(pdf_bytes(10))
    problems = {}

    sign_in(page, live_server, customer)
    page.goto(f"{live_server}/products/course-pack")
    page.get_by_label("Course code").fill("LAW 501")
    page.get_by_label("Term").select_option(index=2)
    page.get_by_label("Instructor").fill("Maya Okafor")
    page.get_by_label("Enrollment").fill("30")
    page.locator("#upload").set_input_files(str(reading))
    page.get_by_text("1. Holmes_The_Path_of_the_Law.pdf").wait_for()
    page.get_by_label("Copyright", exact=True).select_option("awaiting_clearance")
    page.get_by_label("Title of the work").fill("The Path of the Law")
    page.get_by_label("Author or editor").fill("Oliver Wendell Holmes Jr.")
    page.get_by_label("Publisher").fill("Harvard Law Review")
    page.get_by_label("Pages used").fill("10")
    page.get_by_label("of total pages").fill("30")
    page.locator("[data-clearance]").wait_for()  # the date now depends on permission
    problems["configurator"] = serious_accessibility_problems(page)
    page.get_by_role("button", name="Continue to checkout").click()
    page.wait_for_url(re.compile(r"/checkout\?"))
    assert page.get_by_text("Date depends on permission").is_visible()
    price = page.locator("[data-price]").inner_text()
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(re.compile(r"/orders/\d\d-\d{5}$"))
    number = page.url.rsplit("/", 1)[1]
    assert page.get_by_text("Awaiting clearance by the shop").is_visible()

    shop = staff_page(browser, live_server, staff)
    shop.get_by_role("navigation", name="Main").get_by_role("link", name="Copyright").click()
    shop.wait_for_url(re.compile(r"/staff/copyright$"))
    assert shop.get_by_text("The Path of the Law").first.is_visible()
    problems["copyright queue"] = serious_accessibility_problems(shop)
    shop.locator("#copyright-queue tbody a").first.click()
    shop.wait_for_url(re.compile(r"/staff/copyright/\d+$"))
    problems["clearance request"] = serious_accessibility_problems(shop)
    shop.get_by_label("Permission fee quoted ($)").fill("45")
    shop.get_by_role("button", name="Grant").click()
    shop.wait_for_url(re.compile(r"/staff/copyright$"))
    assert shop.get_by_text("No readings here.").is_visible()

    page.reload()
    assert page.get_by_text(re.compile(r"^Copyright permission: Holmes")).is_visible()
    assert page.get_by_text("$45.00").first.is_visible()
    cents = lambda text: int(re.sub(r"[^\d]", "", text))  # noqa: E731
    total = page.locator("tr.total .amount").first.inner_text()
    assert cents(total) == cents(price) + 4500

    shop.goto(f"{live_server}/staff/jobs/{number}")
    shop.get_by_role("button", name="Move to Prepress").first.click()
    shop.get_by_role("button", name="Move to Printing").first.click()
    shop.get_by_role("button", name="Move to Finishing").first.wait_for()  # printing now: finishing is next
    db.session.expire_all()
    assert db.session.scalar(select(Order.status).where(Order.number == number)) == OrderStatus.PRINTING
    assert {name: found for name, found in problems.items() if found} == {}
    assert page.js_errors == [], "\n".join(page.js_errors)
    shop.context.close()


def test_a_refused_reading_is_removed_by_the_instructor_and_the_pack_goes_on(page, browser, live_server, make,
                                                                             customer):
    make.catalog()
    staff = make.staff()
    order = make.order(customer, files=[make.stored_file(customer, pages=6), make.stored_file(customer, pages=9)],
                       **to_clear(1, work="A Treatise on Contracts"))

    shop = staff_page(browser, live_server, staff)
    shop.goto(f"{live_server}/staff/copyright")
    shop.get_by_role("link", name="Reading 2").click()
    shop.get_by_label("Notes").fill("The publisher does not license excerpts.")
    shop.get_by_role("button", name="Refuse").click()
    shop.wait_for_url(re.compile(r"/staff/copyright$"))
    shop.context.close()

    sign_in(page, live_server, customer)
    page.goto(f"{live_server}/orders/{order.number}")
    assert page.get_by_text("Permission was refused for 1 reading").is_visible()
    page.get_by_role("link", name="Choose for “Reading 2”").click()
    page.wait_for_url(re.compile(r"/readings/\d+$"))
    problems = serious_accessibility_problems(page)
    page.get_by_label("Remove it from the pack").check()
    page.get_by_role("button", name="Choose").click()
    page.wait_for_url(re.compile(rf"/orders/{order.number}"))
    assert page.locator(".file-meta", has_text="Removed from the pack").is_visible()
    assert page.get_by_text("is removed from the pack").first.is_visible()
    assert page.locator("#refused-readings").count() == 0
    assert problems == []
