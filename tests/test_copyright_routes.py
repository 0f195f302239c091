"""Copyright over HTTP: each reading's status chosen in the configurator (errors next to the reading, what was
typed kept), checkout saying what clearance means for the date, the staff's Copyright queue (staff only), a
grant whose fee the customer sees on the order, and the instructor's choice after a refusal (theirs only)."""
import re
from io import BytesIO
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from portal.catalog.models import CopyrightStatus as C
from portal.copyright.models import ClearanceRequest
from portal.extensions import db
from tests.factories import job_values, pdf_bytes, to_clear

HTMX = {"HX-Request": "true"}


@pytest.fixture
def products(make):
    return make.catalog()


@pytest.fixture
def to_clear_order(make, customer, products):
    order = make.order(customer, files=[make.stored_file(customer, pages=12)], **to_clear(0))
    return order, db.session.scalar(select(ClearanceRequest).where(ClearanceRequest.order_id == order.id))


def test_a_reading_without_a_chosen_status_cannot_go_to_checkout_and_keeps_what_was_typed(make, customer,
                                                                                         customer_client, products):
    reading = make.stored_file(customer, pages=12)
    values = job_values("course-pack", [reading], **{"files-0-copyright": "", "files-0-title": "Hadley v Baxendale"})
    response = customer_client.post("/products/course-pack", data={**values, "action": "checkout"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="files-0-copyright-error">Choose this reading&#39;s copyright status.', page)
    assert 'value="Hadley v Baxendale"' in page and 'aria-invalid="true"' in page
    assert '<option selected value="permission_obtained">' not in page  # nothing is chosen for them
    fair = job_values("course-pack", [reading], **{"files-0-copyright": "fair_use", "files-0-granted_by": "Aspen"})
    page = customer_client.post("/products/course-pack", data={**fair, "action": "checkout"}).get_data(as_text=True)
    assert 'id="files-0-justification-error">Give a short reason this use is fair use.' in page
    assert 'value="Aspen"' in page
    assert 'class="field needs-permission_obtained' in page and 'class="subsection needs-awaiting_clearance"' in page


def test_configurator_and_checkout_say_the_date_depends_on_permission(make, customer, customer_client, products):
    values = job_values("course-pack", [make.stored_file(customer, pages=12)], **to_clear(0))
    fragment = customer_client.get("/products/course-pack?" + urlencode(list(values.items(multi=True))),
                                   headers={**HTMX, "HX-Target": "quote"}).get_data(as_text=True)
    assert "Date depends on permission" in fragment and "Reading 1 (Contracts: Cases and Materials)" in fragment
    checkout = customer_client.get("/checkout?" + urlencode(list(values.items(multi=True)))).get_data(as_text=True)
    assert "Date depends on permission" in checkout and "usual 5 business days" in checkout
    declared = job_values("course-pack", [make.stored_file(customer, pages=4)])
    plain = customer_client.get("/checkout?" + urlencode(list(declared.items(multi=True)))).get_data(as_text=True)
    assert "Date depends on permission" not in plain


def test_the_copyright_queue_is_for_staff_and_lists_the_work_the_pack_and_its_promise(
        client, make, customer, customer_client, staff_client, to_clear_order):
    order, request = to_clear_order
    page = staff_client.get("/staff/copyright").get_data(as_text=True)
    assert 'href="/staff/copyright"' in page and ">Copyright</a>" in page
    assert "Contracts: Cases and Materials" in page and "E. Farnsworth" in page and "30 of 900 pages" in page
    assert order.number in page and "Not yet" in page
    fragment = staff_client.get("/staff/copyright?state=awaiting", headers={**HTMX, "HX-Target": "copyright-queue"})
    assert fragment.get_data(as_text=True).lstrip().startswith('<section id="copyright-queue"')
    assert customer_client.get("/staff/copyright").status_code == 404
    assert customer_client.get(f"/staff/copyright/{request.id}").status_code == 404
    assert client.get("/staff/copyright").status_code in (302, 303)
    assert ">Copyright</a>" not in customer_client.get("/").get_data(as_text=True)


def test_staff_grant_with_a_fee_the_customer_sees_on_the_order(make, customer, customer_client, staff_client,
                                                               to_clear_order):
    order, request = to_clear_order
    before = order.price_cents
    wrong = staff_client.post(f"/staff/copyright/{request.id}", data={
        "action": "grant", "fee": "forty", "period": "", "expires_on": "2027-06-30", "notes": "Asked Aspen"})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "Enter the fee in dollars" in page and "Say which term" in page
    assert 'value="forty"' in page and "Asked Aspen" in page
    granted = staff_client.post(f"/staff/copyright/{request.id}", data={
        "action": "grant", "fee": "45", "period": "Spring 2027", "expires_on": "2027-06-30", "sent_on": "2026-11-23"},
        content_type="multipart/form-data")
    assert granted.status_code == 303 and granted.headers["Location"] == "/staff/copyright"
    mine = customer_client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Copyright permission: Reading 1" in mine and "$45.00" in mine
    db.session.expire_all()
    assert db.session.get(type(order), order.id).price_cents == before + 4500
    assert "Cleared by the shop" in mine
    again = staff_client.post(f"/staff/copyright/{request.id}", data={"action": "refuse", "notes": "late"})
    assert again.status_code == 303  # already granted: refused with what changed, nothing else
    db.session.expire_all()
    assert db.session.get(ClearanceRequest, request.id).state.value == "granted"


def test_a_permission_document_is_attached_through_the_documents_store(staff_client, to_clear_order):
    order, request = to_clear_order
    saved = staff_client.post(f"/staff/copyright/{request.id}", data={
        "action": "save", "notes": "Letter attached", "document": (BytesIO(pdf_bytes(1)), "permission.pdf")},
        content_type="multipart/form-data")
    assert saved.status_code == 303
    page = staff_client.get(f"/staff/copyright/{request.id}").get_data(as_text=True)
    link = re.search(r'href="(/files/\d+)">permission.pdf', page).group(1)
    download = staff_client.get(link)
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    fake = staff_client.post(f"/staff/copyright/{request.id}", data={
        "action": "save", "document": (BytesIO(b"not a pdf"), "letter.pdf")}, content_type="multipart/form-data")
    assert fake.status_code == 422 and 'id="document-error"' in fake.get_data(as_text=True)


def test_the_instructor_chooses_for_a_refused_reading_and_nobody_else_can(make, customer, customer_client,
                                                                          staff_client, app, to_clear_order):
    order, request = to_clear_order
    refused = staff_client.post(f"/staff/copyright/{request.id}", data={"action": "refuse",
                                                                        "notes": "No excerpts licensed."})
    assert refused.status_code == 303
    mine = customer_client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert 'id="refused-readings"' in mine and f"/orders/{order.number}/readings/{request.id}" in mine
    stranger = app.test_client()
    stranger.sign_in(make.customer())
    assert stranger.get(f"/orders/{order.number}/readings/{request.id}").status_code == 404
    assert stranger.post(f"/orders/{order.number}/readings/{request.id}", data={"choice": "remove"}).status_code == 404
    unchosen = customer_client.post(f"/orders/{order.number}/readings/{request.id}", data={"choice": ""})
    assert unchosen.status_code == 422 and "Choose what becomes of this reading." in unchosen.get_data(as_text=True)
    page = customer_client.get(f"/orders/{order.number}/readings/{request.id}").get_data(as_text=True)
    assert "No excerpts licensed." in page and "Link it in the learning system instead" in page
    chosen = customer_client.post(f"/orders/{order.number}/readings/{request.id}", data={"choice": "link"})
    assert chosen.status_code == 303
    after = customer_client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Linked in the learning system instead" in after and 'id="refused-readings"' not in after
    db.session.expire_all()
    assert db.session.get(type(order), order.id).files[0].copyright_status == C.LINKED
    assert customer_client.get(f"/orders/{order.number}/readings/{request.id}").status_code == 404


def test_the_staff_job_page_links_each_reading_to_its_clearance(staff_client, to_clear_order):
    order, request = to_clear_order
    page = staff_client.get(f"/staff/jobs/{order.number}").get_data(as_text=True)
    assert f'href="/staff/copyright/{request.id}">Contracts: Cases and Materials (awaiting)' in page
    assert "Awaiting clearance by the shop" in page
