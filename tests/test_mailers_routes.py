"""The mailer flow over HTTP: upload, columns, check, design, proof and approval, then checkout,
the order page and sending it again. Other customers' lists answer 404; refused files leave nothing."""
import csv
import io
import os
import re
from io import BytesIO
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import time_machine
from pypdf import PdfReader
from sqlalchemy import event, func, select

from portal.extensions import db
from portal.mailers.models import ColumnMapping, MailingList
from portal.orders.models import Order
from tests.factories import MAILING_ROWS, NOW, list_bytes

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def products(make):
    return make.catalog()


def upload(client, data: bytes, name: str = "alumni.csv", product: str = "postcard-mailer", **fields):
    return client.post("/mailers/lists", data={"product": product, "list_file": (BytesIO(data), name), **fields},
                       content_type="multipart/form-data")


def list_id_from(response) -> int:
    return int(re.search(r"/mailers/lists/(\d+)/", response.headers["Location"]).group(1))


def uploaded_files(app) -> list[str]:
    root = app.config["UPLOAD_DIR"]
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files]


def the_list(app, list_id) -> MailingList:
    with app.app_context():
        return db.session.get(MailingList, list_id)


ROWS_WITH_PROBLEMS = MAILING_ROWS + [
    ["Dana", "", "", "Boston", "MA", "02110"],                          # row 5: no address
    ["Eli", "Park", "9 Oak Lane", "Austin", "TX", "7870"],              # row 6: ZIP with 4 digits
    ["ana", "LIMA", "12 Elm St.", "Ithaca", "ny", "14850-2201"],        # row 7: duplicate of row 2
    ["Kai", "Moreau", "1 " + "Very Long Avenue Name " * 3, "Denver", "CO", "80202"],  # row 8: too long
]


def test_the_upload_page_states_formats_and_limits_up_front(customer_client, products):
    page = customer_client.get("/mailers/new?product=postcard-mailer").get_data(as_text=True)
    assert "up to 10 MB and 50,000 addresses" in page
    assert "CSV UTF-8" in page and ".xlsx" in page
    assert customer_client.get("/mailers/new?product=flyer").status_code == 404  # not a mailer


def test_a_list_is_uploaded_mapped_by_its_headings_and_checked(app, customer_client, products):
    response = upload(customer_client, list_bytes(ROWS_WITH_PROBLEMS))
    assert response.status_code == 303
    assert "/check" in response.headers["Location"]  # the headings were clear: straight to the check
    page = customer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"data-good-count>3<", page) and re.search(r"data-problem-count>4<", page)
    for row, text in [(5, "Missing address"), (6, "ZIP code 7870 has 4 digits"),
                      (7, "Same person at the same address as row 2"), (8, "an address line may have at most 40")]:
        assert re.search(rf'<td class="num">{row}</td>.*?{re.escape(text)}', page, re.S), (row, text)
    assert "Download the problem report" in page


def test_dropping_the_bad_rows_leaves_the_good_ones(app, customer_client, products):
    list_id = list_id_from(upload(customer_client, list_bytes(ROWS_WITH_PROBLEMS)))
    response = customer_client.post(f"/mailers/lists/{list_id}/drop", data={})
    assert response.status_code == 303
    page = customer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "All 3 addresses are ready to mail" in page and "4 addresses with problems are left out" in page
    mailing = the_list(app, list_id)
    assert mailing.dropped_rows == [5, 6, 7, 8] and mailing.good_count == 3


def test_a_fixed_file_replaces_the_list_and_keeps_the_design(app, customer_client, customer, make):
    mailing = make.mailing_list(customer, rows=ROWS_WITH_PROBLEMS, headline="Hello {first_name}")
    old_key = mailing.storage_key
    fixed = list_bytes(MAILING_ROWS)
    response = customer_client.post(f"/mailers/lists/{mailing.id}/replace",
                                    data={"list_file": (BytesIO(fixed), "alumni-fixed.csv")},
                                    content_type="multipart/form-data")
    assert response.status_code == 303
    fresh = the_list(app, mailing.id)
    assert fresh.original_name == "alumni-fixed.csv" and fresh.good_count == 3 and fresh.problem_total == 0
    assert fresh.headline == "Hello {first_name}" and fresh.approved_at is None
    assert not any(path.endswith(old_key) for path in uploaded_files(app))  # the old file is gone


def test_the_mapping_is_guessed_then_remembered_for_the_same_columns(app, customer_client, customer, products):
    odd = [["Recipient", "Street", "Town", "Province", "Post code", "Reunion"],
           ["Ana Lima", "12 Elm Street", "Ithaca", "NY", "14850", "20th"]]
    # "Province" and "Post code" are guessed; pretend the customer picks columns by hand instead.
    first = list_id_from(upload(customer_client, list_bytes([["Who", "Where", "C", "S", "Z"], ["Ana Lima", "12 Elm Street", "Ithaca", "NY", "14850"]])))
    page = customer_client.get(f"/mailers/lists/{first}/columns").get_data(as_text=True)
    assert "Match your columns" in page
    chosen = {"full_name": "0", "address1": "1", "city": "2", "state": "3", "zip": "4"}
    assert customer_client.post(f"/mailers/lists/{first}/columns", data=chosen).status_code == 303
    second = upload(customer_client, list_bytes([["who", "WHERE", "c", "s", "z"], ["Bo Chen", "3 Main St", "Troy", "NY", "12180"]]))
    assert "/check" in second.headers["Location"]  # same columns (case aside): mapped as last time
    assert the_list(app, list_id_from(second)).mapping_remembered
    guessed = list_id_from(upload(customer_client, list_bytes(odd)))
    mailing = the_list(app, guessed)
    assert mailing.mapping == {"full_name": 0, "address1": 1, "city": 2, "state": 3, "zip": 4}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ColumnMapping)) == 1


def test_a_mapping_without_required_fields_is_refused_next_to_the_field(customer_client, products):
    list_id = list_id_from(upload(customer_client, list_bytes([["Who", "Where"], ["Ana", "12 Elm"]])))
    response = customer_client.post(f"/mailers/lists/{list_id}/columns", data={"full_name": "0", "address1": "0"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="address1-error"' in page and "already used for Full name" in page
    assert 'id="city-error"' in page
    preview = customer_client.get(f"/mailers/lists/{list_id}/columns?full_name=0&address1=1", headers=HTMX)
    assert preview.get_data(as_text=True).startswith('\n<section id="mapping-preview"') or \
        'id="mapping-preview"' in preview.get_data(as_text=True)[:200]


@pytest.mark.parametrize("data, name, message", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "photo.csv", "not a spreadsheet or a CSV"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "list.xls", "old Excel workbook"),
    (b"", "empty.csv", "This file is empty"),
    (b"Name,Address\r\n\x81\x8d\x8f\x90\x9d,12 Elm\r\n", "odd.csv", "could not read the characters"),
])
def test_a_refused_file_says_how_to_save_it_and_leaves_nothing_on_disk(app, customer_client, products, data, name,
                                                                        message):
    response = upload(customer_client, data, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and 'id="list-error"' in page
    assert uploaded_files(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MailingList)) == 0


def test_limits_on_size_and_rows_refuse_the_file_and_leave_nothing(app, customer_client, products):
    app.config.update(MAILING_LIST_MAX_BYTES=2000, MAILING_LIST_MAX_ROWS=20)
    try:
        big = list_bytes(MAILING_ROWS[:1] + [["Ana", "Lima", f"{n} Elm Street", "Ithaca", "NY", "14850"]
                                            for n in range(200)])
        too_big = upload(customer_client, big)
        assert too_big.status_code == 422 and "This file is larger than 1 KB" in too_big.get_data(as_text=True)
        many = list_bytes(MAILING_ROWS[:1] + [["A", "B", f"{n} Elm", "Ithaca", "NY", "14850"] for n in range(25)])
        assert len(many) < 2000
        page = upload(customer_client, many).get_data(as_text=True)
        assert "one file may have at most 20" in page
        assert "up to 1 KB and 20 addresses" in page  # the limits, stated up front
        assert uploaded_files(app) == []
    finally:
        app.config.pop("MAILING_LIST_MAX_BYTES")
        app.config.pop("MAILING_LIST_MAX_ROWS")


def test_every_mailer_route_answers_404_for_another_customers_list(app, client, customer_client, make, customer):
    stranger = make.customer()
    theirs = make.mailing_list(stranger).id
    for path in ("columns", "check", "design", "proof", "proof.pdf", "report.csv", "pieces.csv"):
        assert customer_client.get(f"/mailers/lists/{theirs}/{path}").status_code == 404, path
    for path in ("columns", "drop", "restore", "design", "proof", "approve", "replace"):
        assert customer_client.post(f"/mailers/lists/{theirs}/{path}", data={"checked": "y"}).status_code == 404, path
    # ... and inside the configurator's and checkout's values.
    assert customer_client.get(f"/products/postcard-mailer?mailing_list={theirs}").status_code == 404
    assert customer_client.get(f"/checkout?product=postcard-mailer&mailing_list={theirs}").status_code == 404
    assert customer_client.get("/products/postcard-mailer?mailing_list=nonsense").status_code == 404


def test_staff_may_download_a_customers_proof_and_pieces(app, staff_client, make, customer):
    mailing = make.mailing_list(customer)
    pieces = staff_client.get(f"/mailers/lists/{mailing.id}/pieces.csv")
    assert pieces.status_code == 200 and "Ana Lima" in pieces.get_data(as_text=True)
    assert staff_client.get(f"/mailers/lists/{mailing.id}/check").status_code == 404  # the flow is the owner's


FORMULAS = [["Name", "Address", "City", "State", "ZIP"],
            ["=HYPERLINK(\"http://evil.example\",\"click\")", "", "Ithaca", "NY", "14850"],
            ["+1+2", "@SUM(A1)", "-3+4", "NY", "bad"],
            ["\tTabbed", "12 Elm", "\rCity", "NY", "1"]]


def test_the_problem_report_escapes_every_cell_that_would_run_as_a_formula(customer_client, products):
    list_id = list_id_from(upload(customer_client, list_bytes(FORMULAS)))
    response = customer_client.get(f"/mailers/lists/{list_id}/report.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:2] == ["Row", "Problems"]
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in cells and "'@SUM(A1)" in cells and "'+1+2" in cells


XSS = '<script>alert("x")</script>'
IMG = '<img src="file:///etc/passwd" onerror="alert(1)">'


def test_markup_in_list_cells_is_shown_as_text_in_pages_and_in_the_proof(app, customer_client, customer, make):
    rows = [["First name", "Last name", "Address", "City", "State", "ZIP", "Note"],
            [XSS, "Lima", IMG[:38], "Ithaca", "NY", "14850", XSS],
            ["Bo", XSS, "9 Oak Lane", "Austin", "TX", "78701", "x"],
            ["Cy", XSS, "", "Troy", "NY", "12180", IMG]]  # a row with a problem, shown on the check page
    mailing = make.mailing_list(customer, rows=rows, approved=False, message="Hi {first_name}, {note}")
    for path in ("columns", "check", "drop", "proof"):
        if path == "drop":
            customer_client.post(f"/mailers/lists/{mailing.id}/drop", data={})
            continue
        page = customer_client.get(f"/mailers/lists/{mailing.id}/{path}").get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=\"file" not in page, path
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page, path
    fragment = customer_client.get(f"/mailers/lists/{mailing.id}/columns?full_name=0&address1=2&city=3&state=4&zip=5",
                                   headers=HTMX).get_data(as_text=True)
    assert 'id="mapping-preview"' in fragment and "<script>alert" not in fragment and "&lt;script&gt;" in fragment
    built = customer_client.post(f"/mailers/lists/{mailing.id}/proof", data={})
    assert built.status_code == 303
    pdf = PdfReader(BytesIO(customer_client.get(f"/mailers/lists/{mailing.id}/proof.pdf").data))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert XSS in text  # drawn as the characters typed, not run as markup


def test_the_proof_shows_real_names_on_the_right_pages(app, customer_client, customer, make):
    rows = MAILING_ROWS[:1] + [[f"Person{n}", f"Family{n}", f"{n} Elm Street", "Ithaca", "NY", "14850"]
                               for n in range(1, 8)]
    mailing = make.mailing_list(customer, rows=rows, approved=False, headline="Hello {first_name}")
    response = customer_client.post(f"/mailers/lists/{mailing.id}/proof", data={}, headers=HTMX)
    assert response.status_code == 200 and 'id="proof-panel"' in response.get_data(as_text=True)
    assert "proof-built" in response.headers["HX-Trigger"]
    download = customer_client.get(f"/mailers/lists/{mailing.id}/proof.pdf")
    assert download.mimetype == "application/pdf" and "attachment" in download.headers["Content-Disposition"]
    pages = [page.extract_text() for page in PdfReader(BytesIO(download.data)).pages]
    assert len(pages) == 1 + 2 * 5  # the cover, then a front and a back for each of the first five pieces
    assert "Proof: Postcard mailer" in pages[0] and "7 addresses" in pages[0]
    for index in range(5):
        n = index + 1
        front, back = pages[1 + 2 * index], pages[2 + 2 * index]
        assert f"Hello Person{n}" in front and f"row {n + 1} of your list" in front
        assert f"Person{n} Family{n}" in back and f"{n} Elm Street" in back
        assert "Person" + str(n + 1) + " Family" not in back
    assert "Person6" not in "".join(pages)  # only the first five


def test_a_letter_proof_has_one_page_per_letter_and_postcard_artwork_lands_on_the_front(app, customer_client,
                                                                                       customer, make):
    letter = make.mailing_list(customer, "letter-mailer", approved=False)
    customer_client.post(f"/mailers/lists/{letter.id}/proof", data={})
    pages = PdfReader(BytesIO(customer_client.get(f"/mailers/lists/{letter.id}/proof.pdf").data)).pages
    assert len(pages) == 1 + 3 and "Ana Lima" in pages[1].extract_text() and "Sofia Brandt" in pages[3].extract_text()

    from portal.demo.sample_pdfs import artwork_pdf

    card = make.mailing_list(customer, approved=False)
    saved = customer_client.post(f"/mailers/lists/{card.id}/design", data={
        "headline": "Reunion", "message": "Dear {first_name}", "return_address": "Alumni House",
        "artwork": (BytesIO(artwork_pdf("ARTWORK FRONT", 1)), "front.pdf")}, content_type="multipart/form-data")
    assert saved.status_code == 303
    customer_client.post(f"/mailers/lists/{card.id}/proof", data={})
    pages = PdfReader(BytesIO(customer_client.get(f"/mailers/lists/{card.id}/proof.pdf").data)).pages
    assert "ARTWORK FRONT" in pages[1].extract_text() and "ARTWORK FRONT" not in pages[2].extract_text()


def test_the_design_refuses_a_merge_field_the_list_does_not_have(customer_client, customer, make):
    mailing = make.mailing_list(customer)
    response = customer_client.post(f"/mailers/lists/{mailing.id}/design", data={
        "headline": "Hi {frist_name}", "message": "Text", "return_address": "Alumni House"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Your list has no field {frist_name}" in page and 'value="Hi {frist_name}"' in page


def approve(client, list_id, job=""):
    client.post(f"/mailers/lists/{list_id}/proof", data={"job": job})
    return client.post(f"/mailers/lists/{list_id}/approve", data={"checked": "y", "job": job})


def test_approving_records_who_and_when_and_a_change_needs_a_new_approval(app, customer_client, customer, make):
    mailing = make.mailing_list(customer, approved=False)
    refused = customer_client.post(f"/mailers/lists/{mailing.id}/approve", data={"checked": "y"})
    assert refused.status_code == 422  # no proof seen yet
    response = approve(customer_client, mailing.id, job="opt_size=6x9&mail_class=first_class")
    assert response.status_code == 303
    target = urlsplit(response.headers["Location"])
    assert target.path == "/products/postcard-mailer"
    assert dict(parse_qsl(target.query)) == {"opt_size": "6x9", "mail_class": "first_class",
                                             "mailing_list": str(mailing.id)}
    fresh = the_list(app, mailing.id)
    assert fresh.approved_by_id == customer.id and fresh.approved_at == NOW
    page = customer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Approved" in page and "Before checkout" not in page
    # Another size changes how the piece looks: the approval no longer covers it.
    page = customer_client.get(f"/products/postcard-mailer?opt_size=4x6&mailing_list={mailing.id}").get_data(as_text=True)
    assert "changed since you approved the proof" in page
    # So does a change of wording.
    customer_client.post(f"/mailers/lists/{mailing.id}/design", data={
        "headline": "New words", "message": "Dear {first_name}", "return_address": "Alumni House"})
    page = customer_client.get(f"/products/postcard-mailer?opt_size=6x9&mailing_list={mailing.id}").get_data(as_text=True)
    assert "changed since you approved the proof" in page


def mailer_checkout_values(client, mailing_id, **extra) -> dict:
    args = urlencode({"product": "postcard-mailer", "mailing_list": mailing_id, **extra})
    response = client.get("/checkout?" + args)
    assert response.status_code == 200, response.headers.get("Location")
    page = response.get_data(as_text=True)
    values = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    values.update(re.findall(r'<input id="(idempotency_key)" name="idempotency_key" type="hidden" value="([^"]+)"', page))
    values["address"] = re.search(r'name="address" value="(\d+)" checked', page).group(1)
    values["billing_account"] = re.search(r'name="billing_account" value="(\d+)" checked', page).group(1)
    values.pop("csrf_token", None)
    return values


def test_checkout_without_an_approved_proof_says_so_and_places_nothing(app, customer_client, customer, make):
    mailing = make.mailing_list(customer, approved=False)
    response = customer_client.get(f"/checkout?product=postcard-mailer&mailing_list={mailing.id}")
    assert response.status_code == 303 and "/products/postcard-mailer" in response.headers["Location"]
    page = customer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Approve the proof of your pieces before ordering." in page
    approved = make.mailing_list(customer)
    values = mailer_checkout_values(customer_client, approved.id)
    with app.app_context():  # the list changes after the checkout page was shown
        fresh = db.session.get(MailingList, approved.id)
        fresh.headline = "Changed"
        db.session.commit()
    response = customer_client.post("/checkout", data={**values, "mailing_list": str(mailing.id), "action": "place"})
    assert response.status_code == 422
    assert "Approve the proof of your pieces before ordering. Edit the job to finish." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_the_order_keeps_list_mail_class_date_pieces_and_postage(app, customer_client, customer, make):
    mailing = make.mailing_list(customer, rows=MAILING_ROWS + [[f"P{n}", "Q", f"{n} Main St", "Troy", "NY", "12180"]
                                                                for n in range(230)], approved=False)
    assert approve(customer_client, mailing.id).status_code == 303
    # Monday Nov 23, 10:00, an empty shop: prepress today, the proof round trip to Wednesday, printed and
    # prepared that day, and a day's margin: ready to mail Friday Nov 27 (Thanksgiving is skipped).
    too_early = customer_client.get(f"/products/postcard-mailer?mailing_list={mailing.id}&mail_date=2026-11-25"
                                    "&mail_class=marketing").get_data(as_text=True)
    assert "can be ready to mail on Friday, November 27 at the earliest" in too_early
    values = mailer_checkout_values(customer_client, mailing.id, mail_date="2026-12-03", mail_class="marketing")
    page = customer_client.get("/checkout?" + urlencode({"product": "postcard-mailer", "mailing_list": mailing.id,
                                                         "mail_date": "2026-12-03", "mail_class": "marketing"})
                               ).get_data(as_text=True)
    assert "Thursday, December 3, 2026" in page and "$93.20" in page  # 233 × 40¢
    response = customer_client.post("/checkout", data={**values, "action": "place"})
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert (order.mailing_list_id, order.mail_class.value, order.mail_date.isoformat(), order.piece_count,
                order.postage_cents, order.quantity) == (mailing.id, "marketing", "2026-12-03", 233, 9320, 250)
        assert order.promise_date.isoformat() == "2026-12-03"
        assert db.session.get(MailingList, mailing.id).ordered_at is not None
    page = customer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "USPS Marketing Mail" in page and "Thursday, December 3, 2026" in page and "$93.20" in page
    assert f"/mailers/lists/{mailing.id}/proof.pdf" in page
    assert "Send again with a new list" in page
    # The ordered list stays as ordered.
    changed = customer_client.post(f"/mailers/lists/{mailing.id}/drop", data={})
    assert changed.status_code == 303 and "/proof" in changed.headers["Location"]


def test_a_list_of_120_good_addresses_says_why_150_are_printed_and_charged_everywhere(app, customer_client, customer,
                                                                                      make):
    rows = MAILING_ROWS[:1] + [[f"P{n}", "Q", f"{n} Main St", "Troy", "NY", "12180"] for n in range(120)]
    mailing = make.mailing_list(customer, rows=rows)
    why = ("150 postcards for your 120 addresses: we print in multiples of 50. The 30 spares come back to you with "
           "the order. To mail them instead, add up to 30 addresses to your list")
    check = customer_client.get(f"/mailers/lists/{mailing.id}/check").get_data(as_text=True)
    assert "Printed and charged: 150 postcards." in check and why in check
    configurator = customer_client.get(f"/products/postcard-mailer?mailing_list={mailing.id}").get_data(as_text=True)
    assert why in configurator
    values = mailer_checkout_values(customer_client, mailing.id)
    summary = customer_client.get("/checkout?" + urlencode({"product": "postcard-mailer", "mailing_list": mailing.id})
                                  ).get_data(as_text=True)
    assert "<dt>Pieces mailed</dt><dd>120</dd>" in summary and "<dt>Pieces printed</dt><dd>150" in summary
    assert why in summary
    placed = customer_client.post("/checkout", data={**values, "action": "place"})
    order_page = customer_client.get(placed.headers["Location"]).get_data(as_text=True)
    assert "<dt>Pieces printed</dt><dd>150 postcards: the 30 spares come back to you with the order</dd>" in order_page


def test_send_again_starts_a_new_list_with_the_previous_design(app, customer_client, customer, make):
    order = make.order(customer, "postcard-mailer")
    with app.app_context():
        designed = db.session.get(MailingList, order.mailing_list_id)
        designed.headline = "Reunion 2027, {first_name}!"
        db.session.commit()
    page = customer_client.get(f"/orders/{order.number}").get_data(as_text=True)
    link = re.search(r'href="([^"]*/mailers/new[^"]*)"', page).group(1).replace("&amp;", "&")
    assert f"design_from={order.number}" in link and "opt_size%3D4x6" in link
    form = customer_client.get(link).get_data(as_text=True)
    assert "its design is kept" in form
    query = dict(parse_qsl(urlsplit(link).query))
    response = upload(customer_client, list_bytes(MAILING_ROWS[:2]), design_from=order.number, job=query["job"])
    new_list = the_list(app, list_id_from(response))
    assert new_list.id != order.mailing_list_id and new_list.headline == "Reunion 2027, {first_name}!"
    stranger = make.customer()
    theirs = make.order(stranger, "postcard-mailer")
    assert customer_client.get(f"/mailers/new?product=postcard-mailer&design_from={theirs.number}").status_code == 404


def test_the_check_page_issues_the_same_queries_for_a_small_and_a_large_list(app, customer_client, customer, make):
    small = make.mailing_list(customer, rows=ROWS_WITH_PROBLEMS)
    large = make.mailing_list(customer, rows=ROWS_WITH_PROBLEMS + [[f"P{n}", "Q", "", "Troy", "NY", "12180"]
                                                                    for n in range(1500)])
    counts = []
    for mailing in (small, large):
        statements = []

        def count(*args, **kwargs):
            statements.append(args[2])

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", count)
            try:
                response = customer_client.get(f"/mailers/lists/{mailing.id}/check?page=2")
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
