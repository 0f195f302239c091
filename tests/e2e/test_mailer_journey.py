"""A department administrator's mailer, in a real browser: upload a spreadsheet with a few bad rows,
leave them out, write the postcard, make and approve the proof, and place the order. Accessibility
checked on every mailer page."""
import re

from tests.e2e.conftest import serious_accessibility_problems, sign_in
from tests.factories import list_bytes

ROWS = [["First Name", "Last Name", "Address", "City", "State", "Zip", "Class Year"],
        ["Ana", "Lima", "12 Elm Street", "Ithaca", "NY", "14850", "2004"],
        ["Marcus", "Ohene", "480 Lake Shore Drive", "Chicago", "IL", "60611", "1998"],
        ["Dana", "Kim", "", "Boston", "MA", "02110", "2015"],
        ["Eli", "Park", "9 Oak Lane", "Austin", "TX", "7870", "2001"],
        ["ana", "LIMA", "12 Elm St.", "Ithaca", "ny", "14850", "2004"],
        ["Grace", "Chen", "3 College Avenue", "Ithaca", "New York", "14850", "2020"]]


def test_a_department_sends_a_postcard_to_its_list(page, live_server, make, customer, tmp_path):
    make.catalog()
    spreadsheet = tmp_path / "alumni.csv"
    spreadsheet.write_bytes(list_bytes(ROWS, encoding="cp1252"))
    problems = {}

    sign_in(page, live_server, customer)
    page.goto(f"{live_server}/products/postcard-mailer")
    page.get_by_label("6 × 9 in").check()
    page.get_by_role("button", name="Upload your mailing list").click()
    page.wait_for_url(re.compile(r"/mailers/new"))
    problems["upload"] = serious_accessibility_problems(page)

    page.locator("#list_file").set_input_files(str(spreadsheet))
    page.get_by_role("button", name="Upload and check the list").click()
    page.wait_for_url(re.compile(r"/check"))
    assert page.locator("[data-good-count]").inner_text() == "3"
    assert page.locator("[data-problem-count]").inner_text() == "3"
    assert page.get_by_text("Same person at the same address as row 2.").is_visible()
    problems["check"] = serious_accessibility_problems(page)

    page.get_by_role("link", name="Match columns").click()
    page.wait_for_url(re.compile(r"/columns"))
    page.get_by_label("City").select_option(label="State")  # the preview follows the choice in place
    page.locator("#mapping-preview").get_by_text("NY NY 14850").first.wait_for()
    page.get_by_label("City").select_option(label="City")
    page.locator("#mapping-preview").get_by_text("Ithaca NY 14850").first.wait_for()
    problems["columns"] = serious_accessibility_problems(page)
    page.get_by_role("button", name="Save and check every row").click()
    page.wait_for_url(re.compile(r"/check"))

    page.get_by_role("button", name="Leave out the 3 rows with problems").click()
    page.get_by_text("All 3 addresses are ready to mail.").wait_for()
    page.get_by_role("link", name="Continue: write the piece").click()
    page.wait_for_url(re.compile(r"/design"))
    problems["design"] = serious_accessibility_problems(page)
    page.get_by_label("Headline").fill("Come home for Reunion, {first_name}!")
    page.get_by_label("Message").fill("Dear {first_name},\n\nThe class of {class_year} meets on campus June 4.")
    page.get_by_role("button", name="Save and see the proof").click()
    page.wait_for_url(re.compile(r"/proof"))
    problems["proof"] = serious_accessibility_problems(page)

    page.get_by_role("button", name="Make the proof").click()
    page.locator("[data-proof-link]").wait_for()  # built in place, with a progress indicator meanwhile
    with page.expect_download() as download:
        page.locator("[data-proof-link]").click()
    assert download.value.suggested_filename.endswith(".pdf")
    problems["proof made"] = serious_accessibility_problems(page)
    page.get_by_label(re.compile("I checked the names")).check()
    page.get_by_role("button", name="Approve this proof").click()
    page.wait_for_url(re.compile(r"/products/postcard-mailer\?"))
    assert page.get_by_text("Approved", exact=True).is_visible()
    assert page.locator("[data-piece-count]").inner_text().startswith("3")
    assert page.get_by_label("6 × 9 in").is_checked()  # the job came back as it was left
    problems["configurator with the list"] = serious_accessibility_problems(page)

    page.get_by_role("button", name="Continue to checkout").click()
    page.wait_for_url(re.compile(r"/checkout\?"))
    problems["checkout"] = serious_accessibility_problems(page)
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(re.compile(r"/orders/\d\d-\d{5}$"))
    assert page.get_by_text("is placed").is_visible()
    assert page.get_by_text("First-Class Mail").is_visible()
    assert page.get_by_role("link", name="Download the approved proof (PDF)").is_visible()
    problems["order"] = serious_accessibility_problems(page)
    assert {name: found for name, found in problems.items() if found} == {}
    assert page.js_errors == [], "\n".join(page.js_errors)
