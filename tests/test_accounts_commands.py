"""flask users create | promote | deactivate: a fresh installation's first admin, and people managed
from the command line, checked by signing in over HTTP."""
from __future__ import annotations

from portal.accounts.models import Role, User
from portal.extensions import db
from tests.factories import PASSWORD


def _users(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["users", *args], input=input)


def test_a_fresh_installation_makes_its_first_admin_and_they_sign_in(app, client):
    result = _users(app, "create", "--email", "Manager@Example.edu", "--name", "Rosa Diaz",
                    input="a long enough secret\na long enough secret\n")
    assert result.exit_code == 0, result.output
    assert "manager@example.edu can sign in now, as admin." in result.output
    response = client.post("/sign-in", data={"email": "manager@example.edu", "password": "a long enough secret"})
    assert response.status_code == 302
    assert client.get("/staff/queue").status_code == 200  # an admin is staff too


def test_bad_input_says_what_is_wrong_and_creates_nobody(app, customer):
    result = _users(app, "create", "--email", customer.email, "--name", " ", "--password", "short")
    assert result.exit_code == 1
    assert "email: Someone already has that email." in result.output
    assert "name: Enter the person's name." in result.output
    assert "password: Use at least 10 characters." in result.output
    with app.app_context():
        assert db.session.query(User).count() == 1


def test_promote_makes_staff_and_a_customer_again_loses_the_queue(app, make, customer):
    assert _users(app, "promote", customer.email).exit_code == 0
    with app.app_context():
        assert db.session.get(User, customer.id).role == Role.STAFF
    staff_client = app.test_client()
    staff_client.sign_in(customer)
    assert staff_client.get("/staff/queue").status_code == 200
    assert _users(app, "promote", customer.email, "--role", "customer").exit_code == 0
    assert staff_client.get("/staff/queue").status_code == 404
    unknown = _users(app, "promote", "nobody@example.edu")
    assert unknown.exit_code == 1 and "email: Nobody has that email." in unknown.output


def test_a_deactivated_person_is_signed_out_on_the_next_request_and_cannot_sign_in(app, customer, customer_client):
    assert customer_client.get("/orders").status_code == 200
    assert _users(app, "deactivate", customer.email).exit_code == 0
    assert customer_client.get("/orders").status_code == 302  # the open session stopped working
    again = app.test_client().post("/sign-in", data={"email": customer.email, "password": PASSWORD})
    assert again.status_code == 200 and "do not match an account" in again.get_data(as_text=True)
