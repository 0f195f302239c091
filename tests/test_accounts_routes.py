"""Signing in and out; the controls every response carries."""
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from portal.accounts.models import SignInFailure
from tests.factories import PASSWORD


def test_sign_in_page_renders_with_the_shop_on_it(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert "<h1>Sign in</h1>" in page
    assert "(555) 013-4400" in page and "Mon–Fri" in page


def test_pages_need_sign_in_and_come_back_after_it(client, customer):
    response = client.get("/orders")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=/orders")
    response = client.post("/sign-in?next=/orders", data={"email": customer.email, "password": PASSWORD,
                                                          "next": "/orders"})
    assert response.headers["Location"] == "/orders"
    assert client.get("/orders").status_code == 200


def test_the_icon_browsers_ask_for_is_there(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_staff_land_on_the_queue_and_customers_on_home(client, staff, customer):
    assert client.post("/sign-in", data={"email": staff.email, "password": PASSWORD}).headers["Location"] == "/staff/queue"
    other = client.application.test_client()
    assert other.post("/sign-in", data={"email": customer.email, "password": PASSWORD}).headers["Location"] == "/"


def test_htmx_requests_without_a_session_are_sent_to_sign_in_not_given_a_form(client):
    response = client.get("/orders?q=law", headers={"HX-Request": "true", "HX-Target": "history-results"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/sign-in?next=")


def test_wrong_password_and_unknown_email_get_the_same_message(client, customer):
    wrong = client.post("/sign-in", data={"email": customer.email, "password": "nope nope nope"})
    unknown = client.post("/sign-in", data={"email": "nobody@example.edu", "password": "nope nope nope"})
    assert wrong.status_code == unknown.status_code == 200
    message = "That email and password do not match an account."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert f'value="{customer.email}"' in wrong.get_data(as_text=True)  # what was typed stays


def test_sign_in_is_throttled_after_repeated_failures_even_with_the_right_password(app, client, customer):
    for _ in range(app.config["SIGN_IN_MAX_FAILURES"]):
        client.post("/sign-in", data={"email": customer.email, "password": "wrong password"})
    response = client.post("/sign-in", data={"email": customer.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many attempts" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(SignInFailure).count() == app.config["SIGN_IN_MAX_FAILURES"]


def _from(app, address: str):
    """A browser at another network address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _sign_in(client, email: str, password: str):
    return client.post("/sign-in", data={"email": email, "password": password})


def test_wrong_passwords_typed_elsewhere_never_hold_back_the_owner(app, customer):
    attacker = _from(app, "192.0.2.66")
    for _ in range(3 * app.config["SIGN_IN_MAX_FAILURES"]):
        _sign_in(attacker, customer.email, "a guess at it")
    assert "Too many attempts from here" in _sign_in(attacker, customer.email, PASSWORD).get_data(as_text=True)
    owner = _from(app, "198.51.100.7")
    assert _sign_in(owner, customer.email, PASSWORD).status_code == 302
    assert owner.get("/orders").status_code == 200


def test_made_up_emails_from_one_address_slow_that_address_only(app, customer):
    stuffer = _from(app, "192.0.2.99")
    for n in range(4 * app.config["SIGN_IN_MAX_FAILURES"]):
        _sign_in(stuffer, f"someone{n}@example.edu", "password123")
    refused = _sign_in(stuffer, customer.email, PASSWORD).get_data(as_text=True)
    assert "Too many attempts from here. Wait 30 seconds" in refused
    assert _sign_in(_from(app, "203.0.113.5"), customer.email, PASSWORD).status_code == 302


def test_the_wait_grows_with_each_failure_and_ends(app, customer, shop_clock):
    client = _from(app, "192.0.2.10")
    for _ in range(app.config["SIGN_IN_MAX_FAILURES"]):
        _sign_in(client, customer.email, "not it at all")
    assert "Wait 30 seconds" in _sign_in(client, customer.email, "still not it").get_data(as_text=True)
    shop_clock.shift(31)
    _sign_in(client, customer.email, "one more wrong")           # the sixth failure: the wait doubles
    assert "Wait 60 seconds" in _sign_in(client, customer.email, PASSWORD).get_data(as_text=True)
    shop_clock.shift(61)
    assert _sign_in(client, customer.email, PASSWORD).status_code == 302


def test_the_client_address_comes_only_through_the_configured_proxies(app, customer):
    forwarded = {"X-Forwarded-For": "198.51.100.23"}
    direct = _from(app, "10.0.0.1")  # PORTAL_PROXY_HOPS=0 (the default): X-Forwarded-For is not believed
    direct.post("/sign-in", data={"email": customer.email, "password": "wrong wrong"}, headers=forwarded)
    proxied_app = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                              "UPLOAD_DIR": app.config["UPLOAD_DIR"], "PROXY_HOPS": 1, "SERVER_NAME": None})
    proxied_app.test_client_class = app.test_client_class  # posts carry the CSRF token
    proxied = _from(proxied_app, "10.0.0.1")                 # behind one proxy: it names the client
    proxied.post("/sign-in", data={"email": customer.email, "password": "wrong wrong"}, headers=forwarded)
    with app.app_context():
        addresses = sorted(db.session.scalars(select(SignInFailure.address)))
    assert addresses == ["10.0.0.1", "198.51.100.23"]
    with proxied_app.app_context():
        db.engine.dispose()


def test_the_session_is_rotated_at_sign_in_and_dead_after_sign_out(app, client, customer):
    client.get("/sign-in")
    before = client.get_cookie("session")
    client.sign_in(customer)
    after = client.get_cookie("session")
    assert before is None or before.value != after.value
    stolen = after.value
    assert client.post("/sign-out").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/orders").status_code == 302  # the copied cookie no longer signs anyone in


def test_unsafe_requests_without_a_csrf_token_are_refused(customer_client):
    response = customer_client.post("/sign-out", csrf=False)
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_security_headers_on_every_response(client):
    for path in ("/sign-in", "/healthz", "/no-such-page"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "unsafe-eval" not in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_secure_httponly_and_lax(client, customer):
    client.sign_in(customer)
    cookie = client.get_cookie("session")
    assert cookie.secure and cookie.http_only and cookie.same_site == "Lax"


def test_unknown_pages_get_a_generic_404_with_the_phone_number(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert "(555) 013-4400" in response.get_data(as_text=True)
