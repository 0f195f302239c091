"""Kept pages (portal/web/page_cache.py) and the data version under them (portal/database.py): a page served
kept is the page the person would have been rendered, never older than the last committed write or the minute,
never anyone else's, with this session's own form token."""
from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from sqlalchemy import select, text, update

from portal.accounts import services as accounts
from portal.addresses.models import Address
from portal.database import data_version
from portal.extensions import db
from portal.web.page_cache import page_cache
from tests.factories import NOW
from tests.queue_support import counting_queries

HTMX = {"HX-Request": "true"}


def version(app) -> int:
    with app.app_context():
        return data_version(db.session)


def token_in(page: str) -> str:
    return re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)


def test_every_committed_write_moves_the_version_on_and_nothing_else_does(app, ctx, make):
    customer = make.customer()
    before = version(app)
    db.session.scalars(select(Address)).all()
    db.session.commit()  # a read, committed
    assert version(app) == before
    db.session.execute(update(Address).where(Address.user_id == customer.id).values(label="Bulk"))
    db.session.rollback()  # a write undone
    assert version(app) == before
    make.address(customer, label="Lab")  # an ORM write, committed
    after_orm = version(app)
    assert after_orm == before + 1
    db.session.execute(update(Address).where(Address.user_id == customer.id).values(label="Bulk"))
    db.session.commit()  # a bulk UPDATE, committed
    assert version(app) == after_orm + 1
    with db.engine.begin() as connection:  # a write on a connection of its own
        connection.execute(text("UPDATE addresses SET label = 'Raw' WHERE user_id = :id"), {"id": customer.id})
    assert version(app) == after_orm + 2


def test_a_kept_page_is_served_again_without_rendering_and_says_the_same(app, customer_client, customer, make):
    make.address(customer, label="Physics Annex")
    customer_client.get("/")  # the session gets its form secret (a page that changes the session is not kept)
    first = customer_client.get("/addresses")
    with counting_queries(app) as statements:
        again = customer_client.get("/addresses")
    # Nothing through SQLAlchemy: the data version is read on a raw pooled connection, the session's holder
    # is remembered for that version.
    assert again.status_code == 200 and statements == []
    strip = re.compile(r'"X-CSRFToken": "[^"]+"|name="csrf_token" value="[^"]+"')
    assert strip.sub("", again.get_data(as_text=True)) == strip.sub("", first.get_data(as_text=True))
    assert again.headers["Cache-Control"] == "no-store" and "HX-Request" in again.headers["Vary"]


def test_a_write_shows_at_once(customer_client, customer, make):
    address = make.address(customer, label="Physics Annex")
    assert "Physics Annex" in customer_client.get("/addresses").get_data(as_text=True)
    values = {**address.snapshot(), "label": "Chemistry Wing"}
    customer_client.post(f"/addresses/{address.id}", data={k: v or "" for k, v in values.items()})
    page = customer_client.get("/addresses").get_data(as_text=True)
    assert "Chemistry Wing" in page and "Physics Annex" not in page


def test_nobody_is_served_another_persons_kept_page(app, make):
    alice, bob = make.customer(name="Alice Kept"), make.customer(name="Bob Kept")
    make.address(alice, label="Alice lab")
    make.address(bob, label="Bob office")
    alice_client, bob_client = app.test_client(), app.test_client()
    alice_client.sign_in(alice)
    bob_client.sign_in(bob)
    assert "Alice lab" in alice_client.get("/addresses").get_data(as_text=True)
    page = bob_client.get("/addresses").get_data(as_text=True)
    assert "Bob office" in page and "Alice" not in page


def test_the_page_and_its_fragment_are_kept_apart(customer_client, customer, make):
    make.order(customer)
    page = customer_client.get("/orders").get_data(as_text=True)
    fragment = customer_client.get("/orders", headers=HTMX).get_data(as_text=True)
    assert "<html" in page and "<html" not in fragment
    assert "<html" in customer_client.get("/orders").get_data(as_text=True)


def test_a_kept_page_carries_this_sessions_own_form_token(app, customer, make):
    address = make.address(customer, label="Physics Annex")
    first, second = app.test_client(), app.test_client()
    first.sign_in(customer)
    second.sign_in(customer)  # the same person in another browser
    first.get("/addresses")
    kept = second.get("/addresses").get_data(as_text=True)
    token = token_in(kept)
    assert token != token_in(first.get("/addresses").get_data(as_text=True))
    made_default = second.post(f"/addresses/{address.id}/default", headers={"X-CSRFToken": token}, csrf=False)
    assert made_default.status_code == 303  # the token the kept page carried is this session's


def test_a_session_ended_is_not_served_its_kept_page(app, customer_client, customer, make):
    make.address(customer, label="Physics Annex")
    customer_client.get("/addresses")
    customer_client.get("/addresses")
    with app.app_context():
        accounts.deactivate(db.session.get(type(customer), customer.id))
        db.session.commit()
    gone = customer_client.get("/addresses")
    assert gone.status_code == 302 and "/sign-in" in gone.headers["Location"]


def test_the_minute_turns_and_the_page_is_made_again(app, customer_client, customer, make):
    make.address(customer, label="Physics Annex")
    customer_client.get("/")
    with time_machine.travel(NOW, tick=False) as traveller:
        customer_client.get("/addresses")
        traveller.shift(timedelta(seconds=61))
        with counting_queries(app) as statements:
            customer_client.get("/addresses")
    assert statements  # rendered again


def test_a_message_waiting_to_be_flashed_is_shown_on_a_kept_page(app, customer_client, customer, make):
    address = make.address(customer, label="Physics Annex")
    customer_client.get("/addresses")
    with customer_client.session_transaction() as session:
        session["_flashes"] = [("info", "Saved for you.")]
    page = customer_client.get("/addresses").get_data(as_text=True)
    assert "Saved for you." in page and "Physics Annex" in page
    assert address.label in customer_client.get("/addresses").get_data(as_text=True)


def test_the_pages_kept_stay_within_their_count_and_their_bytes():
    cache = page_cache(entries=3, budget=10)
    for n in range(5):
        cache.put(("page", n), (200, [], b"1234", None))
    assert list(cache.things) == [("page", 3), ("page", 4)] and cache.used == 8  # 12 bytes would pass the budget
    cache.get(("page", 3))  # served again: the last to go
    cache.put(("page", 5), (200, [], b"12", None))
    assert list(cache.things) == [("page", 4), ("page", 3), ("page", 5)] and cache.used == 10
    cache.put(("page", 5), (200, [], b"123456", None))  # made again, larger: the least recently served goes
    assert list(cache.things) == [("page", 3), ("page", 5)] and cache.used == 10
