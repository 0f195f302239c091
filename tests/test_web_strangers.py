"""A stranger on every object route: the test walks the URL map and opens each route that names an object
with another customer's ids (GET, and the unsafe method with a valid token), as a signed-in customer who does
not own them. Every one answers 404, as if not there, and nothing changes."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select, text

from portal.billing.models import AccountHolder
from portal.copyright.models import ClearanceRequest
from portal.extensions import db
from tests.factories import to_clear

# Routes whose argument is not someone's object: public pages, and links whose token is the proof.
PUBLIC = {"static", "catalog.product", "catalog.validate_field", "mailers.new", "web.favicon"}


def _rows(app) -> dict[str, int]:
    with app.app_context():
        return {t.name: db.session.execute(text(f"SELECT count(*) FROM {t.name}")).scalar()
                for t in db.metadata.sorted_tables}


def test_a_stranger_gets_404_on_every_route_that_names_someone_elses_object(app, make, customer, ctx):
    victim = make.customer()
    order = make.order(victim, **to_clear(0))  # a reading the shop is asked to clear: its request is routed too
    mailing = make.mailing_list(victim, approved=False)
    values = {"number": order.number, "address_id": make.address(victim).id,
              "account_id": db.session.scalar(select(AccountHolder.account_id).where(AccountHolder.user_id == victim.id)),
              "file_id": make.stored_file(victim, pages=2).id,
              "list_id": mailing.id, "customer_id": victim.id, "person_id": victim.id, "user_id": victim.id,
              "department_id": victim.memberships[0].department_id, "proof_id": 1, "notice_id": 1,
              "request_id": db.session.scalar(select(ClearanceRequest.id).where(ClearanceRequest.order_id == order.id)),
              "month": "2026-11", "term_id": 1, "token": "not-a-real-token", "secret": "not-a-real-secret", "action": "message"}
    stranger = app.test_client()
    stranger.sign_in(customer)
    before = _rows(app)
    answered, walked = [], 0
    for rule in app.url_map.iter_rules():
        if not rule.arguments or rule.endpoint in PUBLIC or not set(rule.arguments) <= set(values):
            continue
        with app.test_request_context():
            path = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = stranger.open(path, method=method, data={})
            walked += 1
            if response.status_code != 404:
                answered.append((rule.endpoint, method, response.status_code))
    assert walked > 60 and answered == []
    after = _rows(app)
    assert after.pop("tracking_lookups") == 1  # the made-up tracking link counted against this client's limit
    before.pop("tracking_lookups")
    assert after == before
