"""A day at the shop in a real browser: a staff member takes a booklet from Received to Delivered,
with a proof the customer approves in a second browser; the customer's order page shows each step.
Accessibility checked on the queue list, the board, the job page and the customer's order page."""
import re

from tests.e2e.conftest import serious_accessibility_problems, sign_in
from tests.factories import pdf_bytes
from tests.queue_support import job_at


def test_staff_take_a_job_from_received_to_delivered_and_the_customer_sees_each_step(browser, page, live_server, make,
                                                                                    customer, tmp_path):
    make.catalog()
    staff = make.staff(name="Priya Natarajan")
    job = job_at(make, customer, product="booklet", title="Alumni weekend program")
    number = job.number
    proof_file = tmp_path / "program-proof.pdf"
    proof_file.write_bytes(pdf_bytes(4))
    problems = {}

    customer_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US",
                                           timezone_id="America/New_York")
    customer_page = customer_context.new_page()
    sign_in(customer_page, live_server, customer)

    def customer_sees(text: str) -> None:
        customer_page.goto(f"{live_server}/orders/{number}")
        assert customer_page.get_by_text(text).first.is_visible(), text

    # The queue: find the job, move it on in place; the stage counts follow.
    sign_in(page, live_server, staff)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Queue").click()
    page.wait_for_url(re.compile(r"/staff/queue$"))
    problems["queue list"] = serious_accessibility_problems(page)
    page.get_by_label("Search").fill(number)
    page.get_by_text(f"1 job matching “{number}”").wait_for()  # active search narrowed the list
    row = page.locator(f"#job-{number}")
    row.get_by_role("button", name=re.compile("Move to Prepress")).click()
    row.get_by_text(f"{number} is now in Prepress.").wait_for()
    page.locator('#stage-counts [data-count="prepress"]').filter(has_text="1").wait_for()
    assert row.get_by_text("This job needs a proof").is_visible()  # printing is blocked until approval
    customer_sees("Files checked; in prepress.")

    # The job page: send the proof.
    row.get_by_role("link", name=number).click()
    page.wait_for_url(re.compile(rf"/staff/jobs/{number}$"))
    problems["job page"] = serious_accessibility_problems(page)
    page.get_by_label("Proof PDF").set_input_files(str(proof_file))
    page.get_by_label("Message to the customer (optional)").fill("Please check the cover photo.")
    page.get_by_role("button", name="Send proof to the customer").click()
    page.get_by_text("Proof sent to the customer.").wait_for()

    # The customer approves it in their own browser.
    customer_sees("Your proof is ready to check")
    assert customer_page.get_by_text("Please check the cover photo.").is_visible()
    problems["customer order page with a proof"] = serious_accessibility_problems(customer_page)
    customer_page.get_by_label("Comments or changes").fill("Looks great, thank you")
    customer_page.get_by_role("button", name="Approve proof 1").click()
    customer_page.get_by_text("the proof is approved").wait_for()
    customer_sees("Proof approved: on the press.")

    # The board: the job is in Printing; one click moves it to Finishing and the board redraws.
    page.goto(f"{live_server}/staff/queue/board")
    problems["board"] = serious_accessibility_problems(page)
    printing = page.locator("section.board-column.stage-printing")
    printing.locator(f"#job-{number}").get_by_role("button", name=re.compile("Move to Finishing")).click()
    page.locator(f"section.board-column.stage-finishing #job-{number}").wait_for()
    customer_sees("Printed; in finishing.")

    # Back on the job page: ready, out on the campus run, delivered and signed for.
    page.goto(f"{live_server}/staff/jobs/{number}")
    page.get_by_role("button", name="Mark ready").click()
    page.get_by_text(f"{number} is now in Ready.").wait_for()
    customer_sees("Finished and packed, ready to go.")
    page.get_by_role("button", name="Send out on campus run").click()
    page.get_by_text(f"{number} is now in Out for delivery.").wait_for()
    customer_sees("Out for delivery on today's campus run.")
    page.get_by_label("Received by").fill("Front desk, J. Ortiz")
    page.get_by_role("button", name="Mark delivered").click()
    page.get_by_text(f"{number} is now in Delivered.").wait_for()
    customer_sees("Delivered; received by Front desk, J. Ortiz.")
    assert customer_page.get_by_text("Received by").first.is_visible()
    problems["customer order page, delivered"] = serious_accessibility_problems(customer_page)

    assert {name: found for name, found in problems.items() if found} == {}
    assert page.js_errors == [], "\n".join(page.js_errors)
    customer_context.close()
