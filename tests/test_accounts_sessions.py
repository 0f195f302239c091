"""Session rotation asserted as rotation: a session (its cookie, its server-side token and its CSRF token) from
before a sign-in, a password change or a sign-out no longer works after it; the cookie changing is not enough."""
from __future__ import annotations

import re

from sqlalchemy import select

from portal.accounts.models import SignInSession
from portal.extensions import db
from tests.factories import PASSWORD

NEW_PASSWORD = "a much longer passphrase"


def _csrf_in(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _session_of(app, cookie: str) -> dict:
    return app.session_interface.get_signing_serializer(app).loads(cookie)


def _with_cookie(app, cookie: str):
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def _signed_in(client) -> bool:
    return client.get("/orders").status_code == 200


def _tokens(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(SignInSession.token)))


def test_a_session_planted_before_sign_in_is_not_signed_in_after_it(app, client, customer):
    page = client.get("/sign-in").get_data(as_text=True)
    planted, planted_csrf = _cookie(client), _csrf_in(page)  # what an attacker could give the victim's browser
    response = client.post("/sign-in", data={"email": customer.email, "password": PASSWORD, "csrf_token": planted_csrf},
                           csrf=False)
    assert response.status_code == 302 and _signed_in(client)
    attacker = _with_cookie(app, planted)
    assert not _signed_in(attacker)                   # the planted cookie did not become the signed-in session
    assert "_user_id" not in _session_of(app, planted)
    # Nothing from before sign-in survives in the new session: the old form token is refused there.
    refused = client.post("/sign-out", data={"csrf_token": planted_csrf}, csrf=False)
    assert refused.status_code == 400 and _signed_in(client)
    token = _session_of(app, _cookie(client))["_user_id"]
    assert _tokens(app) == {token}                    # a new random server-side token, made at sign-in


def test_signing_in_again_makes_a_new_token_and_the_old_one_ends_at_sign_out(app, customer):
    first, second = app.test_client(), app.test_client()
    first.sign_in(customer)
    second.sign_in(customer)
    one, two = (_session_of(app, _cookie(c))["_user_id"] for c in (first, second))
    assert one != two and _tokens(app) == {one, two}
    stolen = _cookie(first)
    assert first.post("/sign-out").status_code == 302
    assert _tokens(app) == {two}                      # deleted on the server, not just forgotten by the browser
    assert not _signed_in(_with_cookie(app, stolen))  # a copy of the signed-out cookie is dead
    assert _signed_in(second)


def test_a_password_change_rotates_this_browsers_session_and_ends_every_other(app, customer):
    browser, elsewhere = app.test_client(), app.test_client()
    browser.sign_in(customer)
    elsewhere.sign_in(customer)
    before = _cookie(browser)
    old_token = _session_of(app, before)["_user_id"]
    response = browser.post("/account/password", data={"current": PASSWORD, "new": NEW_PASSWORD})
    assert response.status_code == 303
    new_token = _session_of(app, _cookie(browser))["_user_id"]
    assert new_token != old_token and _tokens(app) == {new_token}
    assert _signed_in(browser)                        # this browser goes on, with its new session
    assert not _signed_in(_with_cookie(app, before))  # a copy of its cookie from before the change does not
    assert not _signed_in(elsewhere)
