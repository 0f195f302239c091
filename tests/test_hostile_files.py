"""Hostile and broken files, each with its expected answer, through the pages people upload them on:
a clear message next to the field, nothing stored, never a 500, and an answer within seconds."""
from __future__ import annotations

import time
from io import BytesIO

import pytest
from sqlalchemy import func, select

from portal.documents import rules
from portal.documents.models import StoredFile
from portal.extensions import db
from portal.mailers.models import MailingList
from tests import hostile_files as hostile
from tests.factories import job_values

PDFS = [  # (name, file, accepted as a reading?, what the refusal says)
    ("AES-256, a password to open", lambda: hostile.encrypted(user_password="u", algorithm="AES-256"), False,
     "needs a password to open"),
    ("AES-128, a password to open", lambda: hostile.encrypted(user_password="u", algorithm="AES-128"), False,
     "needs a password to open"),
    ("RC4, a password to open", lambda: hostile.encrypted(user_password="u", algorithm="RC4-128"), False,
     "needs a password to open"),
    ("AES-256, owner password only", lambda: hostile.encrypted(user_password="", algorithm="AES-256"), True, ""),
    ("RC4-40, owner password only", lambda: hostile.encrypted(user_password="", algorithm="RC4-40"), True, ""),
    ("cut short", hostile.truncated, False, "the file was cut short"),
    ("absurd cross-reference offset", hostile.absurd_startxref, False, "damaged and cannot be read"),
    ("object-stream bomb", hostile.object_stream_bomb, False, "unpacks to far more than its size"),
    ("too many pages", lambda: hostile.many_pages(rules.MAX_PAGES + 1), False, "more than 3,000 pages"),
    ("not a PDF", hostile.binary_noise, False, "This file is not a PDF"),
]


@pytest.fixture
def products(make):
    return make.catalog()


@pytest.mark.parametrize("name, make_file, accepted, message", PDFS, ids=[case[0] for case in PDFS])
def test_a_hostile_reading_gets_a_clear_answer_and_stores_nothing(customer_client, products, ctx, name, make_file,
                                                                 accepted, message):
    data = {**job_values("course-pack"), "action": "upload", "upload": (BytesIO(make_file()), "reading.pdf")}
    started = time.monotonic()
    response = customer_client.post("/products/course-pack", data=data, content_type="multipart/form-data")
    assert time.monotonic() - started < 10
    stored = db.session.scalar(select(func.count()).select_from(StoredFile))
    if accepted:
        assert response.status_code == 200 and stored == 1
    else:
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and 'id="upload-error"' in page and message in page
        assert stored == 0


def test_a_content_bomb_is_a_reading_we_only_count_but_artwork_we_refuse(customer_client, customer, make, ctx):
    bomb = hostile.content_stream_bomb()
    assert rules.inspect_pdf(bomb) == 1  # a reading's pages are counted, its content never unpacked here
    card = make.mailing_list(customer, approved=False)
    response = customer_client.post(f"/mailers/lists/{card.id}/design", data={
        "headline": "Reunion", "message": "Dear {first_name}", "return_address": "Alumni House",
        "artwork": (BytesIO(bomb), "front.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 422 and "unpacks to far more than its size" in response.get_data(as_text=True)
    assert db.session.get(MailingList, card.id).artwork_file_id is None


def test_owner_password_artwork_lands_on_the_proof(customer_client, customer, make):
    card = make.mailing_list(customer, approved=False)
    saved = customer_client.post(f"/mailers/lists/{card.id}/design", data={
        "headline": "Reunion", "message": "Dear {first_name}", "return_address": "Alumni House",
        "artwork": (BytesIO(hostile.encrypted(user_password="", algorithm="AES-256")), "front.pdf")},
        content_type="multipart/form-data")
    assert saved.status_code == 303
    assert customer_client.post(f"/mailers/lists/{card.id}/proof", data={}).status_code in (200, 303)
    assert customer_client.get(f"/mailers/lists/{card.id}/proof.pdf").status_code == 200


LISTS = [
    ("400,000 columns", lambda: hostile.csv_with_columns(400_000), "more than 100 columns"),
    ("a 200 KB cell", hostile.csv_with_a_huge_field, "longer than 1,000 characters"),
    ("binary noise", hostile.binary_noise, "not a spreadsheet or a CSV file"),
    ("NUL bytes", hostile.with_nuls, "not a spreadsheet or a CSV file"),
]


@pytest.mark.parametrize("name, make_file, message", LISTS, ids=[case[0] for case in LISTS])
def test_a_hostile_mailing_list_is_refused_quickly_with_what_to_do(customer_client, products, ctx, name,
                                                                  make_file, message):
    started = time.monotonic()
    response = customer_client.post("/mailers/lists", data={"product": "postcard-mailer",
                                                            "list_file": (BytesIO(make_file()), "list.csv")},
                                    content_type="multipart/form-data")
    assert time.monotonic() - started < 5
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(MailingList)) == 0


def test_a_utf16_list_without_a_byte_order_mark_is_read(customer_client, products):
    response = customer_client.post("/mailers/lists", data={"product": "postcard-mailer",
                                                            "list_file": (BytesIO(hostile.utf16_without_bom()), "l.txt")},
                                    content_type="multipart/form-data")
    assert response.status_code == 303
