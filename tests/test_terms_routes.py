"""The term cycle over HTTP: the manager's Terms page, the deadline on the course-pack configurator, the reprint
for next term from the order page, delivery to the campus bookstore at checkout and on the paperwork, and the
term-start view. Strangers get 404."""
from __future__ import annotations

import re
from io import BytesIO
from urllib.parse import urlencode

import pytest
import time_machine
from pypdf import PdfReader
from sqlalchemy import select

from portal.accounts.models import Role
from portal.addresses.models import Address
from portal.extensions import db
from portal.orders.models import Order
from portal.shop.delivery import DeliveryMethod
from portal.terms.models import Term
from tests.factories import NOW, job_values
from tests.terms_support import PUBLIC_DOMAIN, add_terms, last_terms_pack

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def manager_client(app, make):
    client = app.test_client()
    client.sign_in(make.user(role=Role.ADMIN, name="Rosa Alvarez"))
    return client


@pytest.fixture
def spring(make):
    make.catalog()
    return add_terms()[1]


def test_only_the_manager_sees_the_terms_page(manager_client, customer_client, staff_client, spring):
    page = manager_client.get("/staff/terms").get_data(as_text=True)
    assert "Spring 2027" in page and "Tuesday, January 19, 2027" in page and "Thursday, December 24, 2026" in page
    assert 'href="/staff/manage" aria-current="page">Manage' in page  # the manager's pages, in the navigation
    assert 'href="/staff/terms"' in manager_client.get("/staff/manage").get_data(as_text=True)
    for client in (customer_client, staff_client):
        assert client.get("/staff/terms").status_code == 404
        assert client.post("/staff/terms", data={"name": "Summer 2027", "first_day": "2027-06-01"}).status_code == 404
    with customer_client.application.app_context():
        assert db.session.scalar(select(Term).where(Term.name == "Summer 2027")) is None


def test_adding_a_term_keeps_what_was_typed_next_to_its_error(app, manager_client, spring):
    refused = manager_client.post("/staff/terms", data={"name": "Winter", "first_day": "2027-13-01"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'value="Winter"' in page and "its year" in page and "Enter a date like" in page
    fragment = manager_client.post("/staff/terms", data={"name": "", "first_day": "2027-06-01"}, headers=HTMX)
    assert fragment.status_code == 200 and '<div id="terms">' in fragment.get_data(as_text=True)[:200]
    assert "<html" not in fragment.get_data(as_text=True) and "Enter the term" in fragment.get_data(as_text=True)
    added = manager_client.post("/staff/terms", data={"name": "summer 2027", "first_day": "2027-06-01"})
    assert added.status_code == 303 and added.headers["Location"] == "/staff/terms"
    with app.app_context():
        summer = db.session.scalar(select(Term).where(Term.name == "Summer 2027"))
        assert summer.first_day.isoformat() == "2027-06-01"
    assert 'value="Summer 2027"' in manager_client.get(f"/staff/terms/{summer.id}").get_data(as_text=True)
    assert manager_client.post(f"/staff/terms/{summer.id}", data={"name": "Summer 2027",
                                                                   "first_day": "2027-06-07"}).status_code == 303
    assert manager_client.post(f"/staff/terms/{summer.id}/remove").status_code == 303
    assert manager_client.get(f"/staff/terms/{summer.id}").status_code == 404
    with app.app_context():
        assert db.session.get(Term, summer.id) is None


def test_the_course_pack_configurator_shows_the_deadline_for_the_term(customer_client, spring):
    page = customer_client.get("/products/course-pack").get_data(as_text=True)
    assert "data-term-deadline" in page and "Spring 2027</strong> classes start Tuesday, January 19, 2027" in page
    assert "Thursday, December 24, 2026" in page
    fragment = customer_client.get("/products/course-pack?" + urlencode({"term": "Fall 2026", "enrollment": "40"}),
                                   headers=HTMX).get_data(as_text=True)
    assert "Fall 2026</strong> classes start Monday, August 31, 2026" in fragment and "That day has passed" in fragment
    other = customer_client.get("/products/flyer").get_data(as_text=True)
    assert "data-term-deadline" not in other


def test_a_term_the_manager_adds_is_listed_by_its_name_and_accepted_at_checkout(app, make, customer, customer_client,
                                                                                 manager_client, spring):
    added = manager_client.post("/staff/terms", data={"name": "winter intersession 2027", "first_day": "2027-01-04"})
    assert added.status_code == 303
    page = customer_client.get("/products/course-pack").get_data(as_text=True)
    listed = re.findall(r'<option[^>]*value="([^"]*)"', page.split('name="term"')[1].split("</select>")[0])
    assert listed == ["", "Fall 2026", "Winter Intersession 2027", "Spring 2027"]  # by first day of classes
    job = job_values("course-pack", [make.stored_file(customer, pages=12)], term="Winter Intersession 2027",
                     **PUBLIC_DOMAIN)
    fragment = customer_client.get("/products/course-pack?" + urlencode(list(job.items(multi=True))),
                                   headers=HTMX).get_data(as_text=True)
    assert "Winter Intersession 2027</strong> classes start Monday, January 4, 2027" in fragment
    with app.app_context():
        address_id = db.session.scalar(select(Address.id).where(Address.user_id == customer.id))
    placed = customer_client.post("/checkout", data={**_checkout_values(customer_client, job, address_id),
                                                     "action": "place"})
    assert placed.status_code == 303
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == placed.headers["Location"].rsplit("/", 1)[1]))
        assert (order.term, order.title) == ("Winter Intersession 2027", "LAW 501 course pack, Winter Intersession 2027")
    unknown = job_values("course-pack", [make.stored_file(customer, pages=12)], term="Winter 2027", **PUBLIC_DOMAIN)
    refused = customer_client.get("/products/course-pack?" + urlencode(list(unknown.items(multi=True))) + "&_validate=term",
                                  headers=HTMX).get_data(as_text=True)
    assert "Winter 2027 is not open for ordering" in refused


def test_last_terms_pack_is_reprinted_for_next_term_from_its_order_page(app, make, customer, customer_client, spring):
    source = last_terms_pack(make, customer)
    page = customer_client.get(f"/orders/{source.number}").get_data(as_text=True)
    assert "Reprint for Spring 2027" in page and 'name="enrollment"' in page and 'value="40"' in page
    preview = customer_client.get(f"/orders/{source.number}/reorder?term=Spring+2027&enrollment=0", headers=HTMX)
    assert "Enter the number of students, 1 to 5,000." in preview.get_data(as_text=True)
    response = customer_client.post(f"/orders/{source.number}/reorder",
                                    data={"term": "Spring 2027", "enrollment": "52", "idempotency_key": "reprint-route"})
    assert response.status_code == 303
    with app.app_context():
        placed = db.session.scalar(select(Order).where(Order.idempotency_key == "reprint-route"))
        assert (placed.term, placed.enrollment, placed.quantity, placed.source_order_id) == ("Spring 2027", 52, 52, source.id)
        assert [f.file_id for f in placed.files] == [f.file_id for f in db.session.get(Order, source.id).files]


def test_a_stranger_cannot_reprint_or_preview_someone_elses_pack(app, make, customer_client, spring):
    other = make.customer()
    source = last_terms_pack(make, other)
    assert customer_client.get(f"/orders/{source.number}").status_code == 404
    assert customer_client.get(f"/orders/{source.number}/reorder?term=Spring+2027").status_code == 404
    assert customer_client.post(f"/orders/{source.number}/reorder",
                                data={"term": "Spring 2027", "enrollment": "52"}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Order).where(Order.term == "Spring 2027")) is None


def _checkout_values(client, job, address_id: int) -> dict:
    page = client.get("/checkout?" + urlencode(list(job.items(multi=True)))).get_data(as_text=True)
    values = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    values.update(re.findall(r'<input id="(idempotency_key)" name="idempotency_key" type="hidden" value="([^"]+)"', page))
    values["billing_account"] = re.search(r'name="billing_account" value="(\d+)" checked', page).group(1)
    values["address"] = str(address_id)
    values.pop("csrf_token", None)
    return values


def test_delivery_to_the_bookstore_takes_the_student_price_and_packing_count(app, make, customer, customer_client,
                                                                             staff_client, spring):
    job = job_values("course-pack", [make.stored_file(customer, pages=12)], enrollment="120", **PUBLIC_DOMAIN)
    offered = customer_client.get("/checkout?" + urlencode(list(job.items(multi=True)))).get_data(as_text=True)
    assert "Deliver to the campus bookstore instead" in offered
    added = customer_client.post("/checkout", data={**_checkout_values(customer_client, job, 0),
                                                    "action": "use:bookstore"})
    assert "Sold at the campus bookstore" in added.get_data(as_text=True)
    with app.app_context():
        bookstore = db.session.scalar(select(Address).where(Address.user_id == customer.id,
                                                            Address.kind == DeliveryMethod.BOOKSTORE))
    values = _checkout_values(customer_client, job, bookstore.id)
    missing = customer_client.post("/checkout", data={**values, "action": "place", "student_price": "",
                                                      "copies_per_bundle": "25"})
    assert missing.status_code == 422
    assert "Enter what a student pays for a copy at the bookstore" in missing.get_data(as_text=True)
    kept = customer_client.post("/checkout", data={**values, "action": "place", "student_price": "24,50",
                                                   "copies_per_bundle": "25"}).get_data(as_text=True)
    assert 'value="24,50"' in kept and "dollars and cents" in kept
    placed = customer_client.post("/checkout", data={**values, "action": "place", "student_price": "24.50",
                                                     "copies_per_bundle": "25"})
    assert placed.status_code == 303
    number = placed.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        assert (order.delivery_method, order.student_price_cents, order.copies_per_bundle) == \
            (DeliveryMethod.BOOKSTORE, 2450, 25)
    page = customer_client.get(f"/orders/{number}").get_data(as_text=True)
    assert "Students pay <strong>$24.50</strong> a copy at the bookstore; packed in bundles of 25." in page
    slip = PdfReader(BytesIO(staff_client.get(f"/staff/jobs/{number}/packing-slip.pdf").data))
    text = " ".join(slip.pages[0].extract_text().split())
    assert "campus bookstore" in text.lower() and "4 bundles of 25 and 1 of 20 (5 in all)" in text
    assert "$24.50 a copy" in text


def test_the_term_start_view_shows_packs_due_and_their_load_to_staff_only(make, customer, customer_client,
                                                                          staff_client, manager_client, spring):
    pack = make.order(customer, **PUBLIC_DOMAIN)
    page = staff_client.get("/staff/term-start").get_data(as_text=True)
    assert "Term start: Spring 2027" in page and pack.number in page and "All cleared" in page
    assert 'id="term-load-table"' in page and "<svg" in page
    assert 'href="/staff/term-start"' in manager_client.get("/staff/manage").get_data(as_text=True)
    assert 'href="/staff/term-start"' in staff_client.get("/staff/promises").get_data(as_text=True)  # for all staff
    assert staff_client.get(f"/staff/term-start?term={spring.id}").status_code == 200
    assert staff_client.get(f"/staff/term-start?term={spring.id + 99}").status_code == 404
    assert customer_client.get("/staff/term-start").status_code == 404
