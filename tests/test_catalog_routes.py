"""The catalog and the configurator: page, price fragment, uploads, and on to checkout."""
from io import BytesIO

import pytest

from portal.documents.models import StoredFile
from portal.extensions import db
from tests.factories import job_values, pdf_bytes

HTMX = {"HX-Request": "true", "HX-Target": "quote"}


@pytest.fixture
def products(make):
    return make.catalog()


def test_catalog_lists_every_product(customer_client, products):
    page = customer_client.get("/products").get_data(as_text=True)
    for name in ("Course pack", "Postcard mailer", "Letter mailer", "Flyer", "Poster", "Booklet", "Business cards"):
        assert name in page


def test_catalog_cards_show_a_starting_price_and_the_usual_turnaround_here_and_on_home(customer_client, products):
    for path in ("/products", "/"):
        page = customer_client.get(path).get_data(as_text=True)
        flyer = page[page.index(">Flyer</a>"):]
        assert "From $5.55" in flyer[:flyer.index("</li>")] and "Usually 2 business days" in flyer[:flyer.index("</li>")]
        assert "From $52.00 plus postage" in page and "Usually mailed in 3 business days" in page


def test_configurator_page_shows_options_defaults_and_no_errors_before_anything_is_typed(customer_client, products):
    response = customer_client.get("/products/course-pack")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="opt_binding"' in page and "Coil bound with clear cover" in page
    assert 'class="error"' not in page
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]


def test_a_course_pack_starts_with_the_faculty_member_as_instructor_and_keeps_what_they_type(
        make, customer_client, products):
    customer = make.customer(name="Prof. Maya Okafor")
    client = customer_client.application.test_client()
    client.sign_in(customer)
    assert 'value="Prof. Maya Okafor"' in client.get("/products/course-pack").get_data(as_text=True)
    typed = client.get("/products/course-pack?instructor=Dr.+Lee&course_code=LAW+501").get_data(as_text=True)
    assert 'value="Dr. Lee"' in typed


def test_changing_an_option_returns_only_the_price_fragment(customer_client, products):
    response = customer_client.get("/products/flyer?quantity=100&opt_color=bw&opt_sides=single&opt_size=letter"
                                   "&opt_stock=bond20", headers=HTMX)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert fragment.lstrip().startswith('<section id="quote"')
    assert "<html" not in fragment
    # setup $5 + 100 × 4.5¢ + 100 sheets × 1¢
    assert "$10.50" in fragment
    colour = customer_client.get("/products/flyer?quantity=100&opt_color=color&opt_sides=single&opt_size=letter"
                                 "&opt_stock=bond20", headers=HTMX).get_data(as_text=True)
    assert "$28.00" in colour  # 100 × 22¢ instead of 4.5¢
    assert "Arrives by" in colour


def test_the_price_fragment_carries_the_phone_bar_with_the_same_price_and_date(make, customer, customer_client,
                                                                               products):
    """On a phone the summary card is below the options; the bar fixed to the screen shows its price and date
    and is refreshed with it (tests/e2e/test_widths.py checks it stays in view)."""
    fragment = customer_client.get("/products/flyer?quantity=100&opt_color=color&opt_sides=single&opt_size=letter"
                                   "&opt_stock=bond20", headers=HTMX).get_data(as_text=True)
    bar = fragment[fragment.index("data-quote-bar"):]
    assert "<strong data-bar-price>$28.00</strong>" in bar
    assert "Arrives by" in bar and "data-bar-date" in bar
    assert 'href="#quote-heading">1 to finish' in bar  # the artwork: the card above says what is missing
    artwork = make.stored_file(customer, pages=1)
    finished = customer_client.get(f"/products/flyer?quantity=100&files-0-file_id={artwork.id}", headers=HTMX
                                   ).get_data(as_text=True)
    assert 'href="#quote-heading">Details' in finished[finished.index("data-quote-bar"):]
    mailing = make.mailing_list(customer)
    mailer = customer_client.get(f"/products/postcard-mailer?mailing_list={mailing.id}", headers=HTMX
                                 ).get_data(as_text=True)
    assert "Mailed on" in mailer[mailer.index("data-quote-bar"):]


def test_history_restore_gets_the_whole_page(customer_client, products):
    response = customer_client.get("/products/flyer?quantity=100", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in response.get_data(as_text=True)


def test_quantity_outside_the_rules_is_explained_next_to_the_field(customer_client, products):
    response = customer_client.post("/products/postcard-mailer", data={"quantity": "125", "action": "checkout"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="quantity-error"' in page and "Order in multiples of 50" in page
    assert 'value="125"' in page  # what was typed stays


def test_text_in_a_number_field_gets_a_plain_message_and_is_kept(customer_client, products):
    page = customer_client.post("/products/course-pack", data={"enrollment": "forty", "action": "checkout"}
                                ).get_data(as_text=True)
    assert "Enter a whole number, like 120." in page
    assert 'value="forty"' in page


def test_upload_a_reading_counts_its_pages_and_prices_them(app, customer_client, products, customer):
    data = {**job_values("course-pack"), "upload": (BytesIO(pdf_bytes(9)), "Week_1_Marbury.pdf"), "action": "upload"}
    response = customer_client.post("/products/course-pack", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Week_1_Marbury.pdf" in page and "9 pages" in page
    assert 'value="Week 1 Marbury"' in page  # the title defaults to the file name
    with app.app_context():
        stored = db.session.query(StoredFile).one()
        assert stored.page_count == 9 and stored.owner_id == customer.id
        assert stored.storage_key != "Week_1_Marbury.pdf"


def test_a_fake_pdf_is_refused_next_to_the_upload_and_the_form_keeps_everything(app, customer_client, products):
    data = {**job_values("course-pack", course_code="HIST 2100"), "action": "upload",
            "upload": (BytesIO(b"just some text, not a PDF"), "syllabus.pdf")}
    response = customer_client.post("/products/course-pack", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="upload-error"' in page and "syllabus.pdf: This file is not a PDF." in page
    assert 'value="HIST 2100"' in page
    with app.app_context():
        assert db.session.query(StoredFile).count() == 0


def test_readings_can_be_reordered_and_removed(make, customer, customer_client, products):
    first, second = make.stored_file(customer, pages=2), make.stored_file(customer, pages=5)
    values = job_values("course-pack", [first, second])
    page = customer_client.post("/products/course-pack", data={**values, "action": "up-1"}).get_data(as_text=True)
    assert page.index('value="Reading 2"') < page.index('value="Reading 1"')
    page = customer_client.post("/products/course-pack", data={**values, "action": "remove-0"}).get_data(as_text=True)
    assert 'value="Reading 1"' not in page and "5 pages" in page


def test_continue_goes_to_checkout_with_the_job(make, customer, customer_client, products):
    reading = make.stored_file(customer, pages=12)
    response = customer_client.post("/products/course-pack", data={**job_values("course-pack", [reading]),
                                                                   "action": "checkout"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/checkout?product=course-pack&")
    htmx = customer_client.post("/products/course-pack", data={**job_values("course-pack", [reading]),
                                                               "action": "checkout"}, headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"].startswith("/checkout?product=course-pack&")


def test_another_customers_file_in_the_form_is_refused(make, customer_client, products):
    stranger = make.customer()
    theirs = make.stored_file(stranger)
    response = customer_client.get(f"/products/course-pack?files-0-file_id={theirs.id}")
    assert response.status_code == 404


def test_unknown_or_retired_products_are_not_found(customer_client, products):
    assert customer_client.get("/products/space-shuttle").status_code == 404
