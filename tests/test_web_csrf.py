"""CSRF on every unsafe route: the test walks the URL map and posts to each route without a token, with a
token from another person's session, and as htmx without the header; every one is refused, nothing changes."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import text

from portal.extensions import db

EXEMPT = {"notices.unsubscribe"}  # RFC 8058 one-click: mail programs post with no form; the signed link proves who


def _unsafe_routes(app):
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) - {"GET", "HEAD", "OPTIONS"}
        if methods and rule.endpoint not in EXEMPT:
            values = {name: 1 if type(rule._converters[name]).__name__ == "IntegerConverter" else "x"
                      for name in rule.arguments}
            yield rule, sorted(methods)[0], values


def _rows(app) -> int:
    with app.app_context():
        return sum(db.session.execute(text(f"SELECT count(*) FROM {table.name}")).scalar()
                   for table in db.metadata.sorted_tables)


def test_every_unsafe_route_refuses_a_post_without_a_valid_token(app, make, customer, customer_client):
    other = app.test_client()
    other.sign_in(make.customer())
    foreign_token = other.csrf_token()
    routes = list(_unsafe_routes(app))
    assert len(routes) > 50  # the walk found the portal's forms, not an empty map
    before = _rows(app)
    accepted = []
    for rule, method, values in routes:
        with app.test_request_context():
            path = url_for(rule.endpoint, **values)
        for kwargs in ({"data": {}}, {"data": {"csrf_token": foreign_token}},
                       {"data": {}, "headers": {"HX-Request": "true"}}):
            response = customer_client.open(path, method=method, csrf=False, **kwargs)
            if response.status_code != 400 or "This form has expired" not in response.get_data(as_text=True):
                accepted.append((rule.endpoint, method, response.status_code, kwargs))
    assert accepted == []
    assert _rows(app) == before
