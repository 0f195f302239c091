"""The catalog against the database: each card's starting price and usual turnaround."""
from datetime import date

import pytest

from sqlalchemy.exc import InvalidRequestError

from portal.extensions import db
from portal.failures import NotAllowed
from portal.catalog import services
from portal.promises import services as promises
from portal.orders.models import Order
from portal.promises.models import Calibration
from tests.factories import NOW  # Monday, November 23, 2026: Thanksgiving is that Thursday


def test_each_card_says_what_the_product_costs_at_least_and_how_long_it_usually_takes(ctx, make):
    make.catalog()
    cards = {card.product.slug: card for card in services.product_cards(now=NOW)}
    assert list(cards) == ["course-pack", "postcard-mailer", "letter-mailer", "flyer", "poster", "booklet",
                           "business-cards"]
    flyer = cards["flyer"]
    assert flyer.from_cents == 500 + 10 * (450 + 100) // 100  # setup, then 10 (the minimum) × black and white on bond
    assert (flyer.starting_price, flyer.turnaround) == ("From $5.55", "Usually 2 business days")  # ready Monday
    assert cards["booklet"].usual_days == 4  # the proof's round trip, then Thanksgiving
    postcards = cards["postcard-mailer"]  # 100 postcards, 4 × 6 on gloss, colour front and black back
    assert postcards.starting_price == "From $52.00 plus postage"
    assert postcards.turnaround == "Usually mailed in 3 business days"  # counted to the mail date, not a delivery


def test_the_usual_turnaround_leaves_out_the_days_queue_and_follows_the_calibrated_buffer(ctx, make, customer):
    make.catalog()
    for _ in range(25):  # a term-start rush of big course packs at the bindery
        make.order(customer, quantity="60", enrollment="60")
    course_pack = services.product_cards(now=NOW)[0]
    assert course_pack.usual_days == 2
    today = make.configuration(customer).estimate(delivery_method="campus", now=NOW)
    assert today.delivery > date(2026, 11, 25)  # the estimate at ordering waits behind the queue; the usual does not
    db.session.add(Calibration(product_id=course_pack.product.id, buffer_days=3, samples=40, percentile=0.95))
    db.session.commit()
    promises.forget_state()
    assert services.product_cards(now=NOW)[0].turnaround == "Usually 4 business days"


def test_the_configurator_finds_its_product_kept_and_never_older_than_the_last_write(app, ctx, make):
    from tests.queue_support import counting_queries

    make.catalog()
    db.session.commit()
    first = services.product_to_configure("flyer")
    db.session.remove()
    with counting_queries(app) as statements:
        again = services.product_to_configure("flyer")
    assert again is first and again not in db.session  # the kept one itself, in no session
    assert not any("FROM products" in statement for statement in statements)  # read without a query
    assert [option.code for option in again.options] and again.route[0].station.code
    with pytest.raises(InvalidRequestError, match="shared read-only copy"):  # nobody changes what all requests read
        db.session.add(Order(product=again))
    db.session.rollback()
    editable = services.product_by_slug("flyer")
    editable.name = "Flyers, folded"
    db.session.commit()  # the catalog changed: the version moved on
    db.session.remove()
    assert services.product_to_configure("flyer").name == "Flyers, folded"
    renamed = services.product_by_slug("flyer")
    renamed.active = False
    db.session.commit()
    db.session.remove()
    with pytest.raises(NotAllowed):
        services.product_to_configure("flyer")  # retired: not on sale
    with pytest.raises(NotAllowed):
        services.product_to_configure("no-such-product")
