"""The shop's paperwork, read back out of the real PDFs: tickets (with the QR code), packing slips, run sheet."""
from io import BytesIO

import pytest
import segno
import time_machine
from pypdf import PdfReader

from portal.orders.models import OrderStatus as S
from tests.factories import NOW
from tests.queue_support import job_at


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def read(response) -> PdfReader:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return PdfReader(BytesIO(response.data))


def text_of(page) -> str:
    return " ".join(page.extract_text().split())


def links_of(page) -> list[str]:
    return [a.get_object()["/A"]["/URI"] for a in page.get("/Annots", []) if "/A" in a.get_object()]


def qr_modules(page) -> list[list[bool]]:
    """The QR code image on the page, read back module by module (two pixels a module, a 4-module border)."""
    image = next(img.image for img in page.images).convert("L")
    size = image.width // 2 - 8
    return [[image.getpixel(((col + 4) * 2, (row + 4) * 2)) < 128 for col in range(size)] for row in range(size)]


def test_a_job_ticket_has_everything_the_floor_needs_and_a_qr_code_to_the_job(make, customer, staff_client):
    make.catalog()
    order = job_at(make, customer, rush="y", opt_color="color")
    pdf = read(staff_client.get(f"/staff/jobs/{order.number}/ticket.pdf"))
    assert len(pdf.pages) == 1
    text = text_of(pdf.pages[0])
    assert order.number in text and customer.name in text and order.department.name in text
    for option_label, choice_label in order.option_labels:
        assert option_label in text and choice_label in text, (option_label, choice_label)
    assert "Full colour" in text and "40 copies" in text and "RUSH" in text
    assert "Reading 1" in text and "12" in text  # the file and its page count
    assert order.promise_date.strftime("%A, %B %-d, %Y") in text
    for stage in ["Received", "Prepress", "Printing", "Finishing", "Out for delivery", "Delivered"]:
        assert stage in text
    job_page = f"http://localhost/staff/jobs/{order.number}"
    assert job_page in links_of(pdf.pages[0])
    expected = segno.make(job_page, error="m").matrix
    assert qr_modules(pdf.pages[0]) == [[bool(module) for module in row] for row in expected]


def test_tickets_for_a_selection_print_one_page_each_in_order(make, customer, staff_client):
    make.catalog()
    first, second = job_at(make, customer), job_at(make, customer, product="poster", quantity=2)
    pdf = read(staff_client.get(f"/staff/tickets.pdf?job={second.number}&job={first.number}&job=26-99999"))
    assert len(pdf.pages) == 2
    assert second.number in text_of(pdf.pages[0]) and "Wide-format printer" in text_of(pdf.pages[0])
    assert first.number in text_of(pdf.pages[1])
    assert staff_client.get("/staff/tickets.pdf").status_code == 303


def test_markup_in_a_job_is_printed_as_text(make, customer, staff_client):
    make.catalog()
    order = job_at(make, customer, title="<b>Bold</b> & <script>x</script>")
    text = text_of(read(staff_client.get(f"/staff/jobs/{order.number}/ticket.pdf")).pages[0])
    assert "<b>Bold</b> & <script>x</script>" in text


def test_the_packing_slip_says_where_it_goes_and_what_is_in_the_box(make, customer, staff_client):
    make.catalog()
    order = job_at(make, customer, S.READY)
    text = text_of(read(staff_client.get(f"/staff/jobs/{order.number}/packing-slip.pdf")).pages[0])
    assert order.number in text and "Myron Taylor Hall" in text and "40 copies" in text
    assert order.billing["code"] in text and "Received by" in text


def test_the_run_sheet_lists_the_days_deliveries_by_building(make, staff_client, staff):
    make.catalog()
    numbers = {}
    for building in ["Uris Hall", "Day Hall"]:
        customer = make.customer()
        order = job_at(make, customer, S.READY)
        order.ship_to = {**order.ship_to, "building": building}
        from portal.extensions import db
        db.session.commit()
        staff_client.post(f"/staff/jobs/{order.number}/move", data={"to": "shipped", "seen": "ready"})
        numbers[building] = order.number
    text = text_of(read(staff_client.get("/staff/campus-run.pdf")).pages[0])
    assert "Monday, November 23, 2026" in text and "2 deliveries to 2 buildings" in text
    assert text.index("Day Hall") < text.index(numbers["Day Hall"]) < text.index("Uris Hall") < \
        text.index(numbers["Uris Hall"])
    empty = text_of(read(staff_client.get("/staff/campus-run.pdf?day=2026-11-24")).pages[0])
    assert "No campus deliveries" in empty
    assert staff_client.get("/staff/campus-run.pdf?day=not-a-day").status_code == 404
