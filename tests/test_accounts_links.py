"""Invitations and password resets: the link goes out through the outbox to a real SMTP server (aiosmtpd on
loopback), and the person follows it over HTTP."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from portal.accounts.models import AccountLink, Membership, MemberRole, User
from portal.database import utcnow
from portal.extensions import db
from portal.notices import delivery
from tests.factories import PASSWORD

LINK = re.compile(r"http://portal\.test(/welcome/[A-Za-z0-9_-]+)")
NEW_PASSWORD = "a brand new passphrase"


def delivered(smtp_server, app) -> list:
    """Runs the worker's sweep and returns the messages the mail server has received so far."""
    with app.app_context():
        delivery.sweep(now=utcnow())
    return smtp_server.received


def link_in(message) -> str:
    [path] = set(LINK.findall(message.part("plain")))
    assert path in message.part("html")
    return path


def test_staff_invite_someone_who_sets_a_password_from_the_emailed_link_and_lands_signed_in(
        app, staff_client, make, smtp_server, ctx):
    english = make.department("English")
    form = staff_client.get("/people/invite").get_data(as_text=True)
    assert "English" in form
    response = staff_client.post("/people/invite", data={"email": "Retired.Prof@Gmail.com", "name": "Ruth Okafor",
                                                         "department": str(english.id)})
    assert response.status_code == 303
    [mail] = delivered(smtp_server, app)
    assert mail.rcpt_tos == ["retired.prof@gmail.com"]
    assert mail.message["Subject"] == "You are invited to order from Campus Print & Mail"
    assert "English" in mail.part("plain") and "List-Unsubscribe" not in mail.message
    path = link_in(mail)

    invited = app.test_client()
    page = invited.get(path)
    assert page.status_code == 200 and "Welcome, Ruth" in page.get_data(as_text=True)
    short = invited.post(path, data={"password": "short"})
    assert short.status_code == 422 and "Use at least 10 characters." in short.get_data(as_text=True)
    done = invited.post(path, data={"password": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"] == "/"
    assert "Hello, Ruth" in invited.get("/").get_data(as_text=True)

    person = db.session.scalar(select(User).where(User.email == "retired.prof@gmail.com"))
    assert [(m.department_id, m.role) for m in person.memberships] == [(english.id, MemberRole.MEMBER)]
    assert person.signs_in_with == "With email and password"
    again = app.test_client().get(path)
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)
    assert app.test_client().post("/sign-in", data={"email": person.email, "password": NEW_PASSWORD}).status_code == 302


def test_an_invitation_keeps_what_was_typed_when_refused_and_makes_nobody(staff_client, customer, ctx):
    response = staff_client.post("/people/invite", data={"email": customer.email, "name": "Someone Else",
                                                         "department": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "already has an account" in page and 'value="Someone Else"' in page
    response = staff_client.post("/people/invite", data={"email": "not-an-email", "name": ""})
    assert "Enter an email address like" in response.get_data(as_text=True)
    assert "Enter the person&#39;s name." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AccountLink)) == 0


def test_a_department_administrator_invites_only_into_their_departments(app, make, ctx):
    law, other = make.department("School of Law"), make.department("Biology")
    admin = make.customer(department=law)
    db.session.get(Membership, admin.memberships[0].id).role = MemberRole.ADMINISTRATOR
    db.session.commit()
    client = app.test_client()
    client.sign_in(admin)
    form = client.get("/people/invite").get_data(as_text=True)
    assert "School of Law" in form and "Biology" not in form and "No department" not in form
    refused = client.post("/people/invite", data={"email": "partner@firm.com", "name": "Pat", "department": str(other.id)})
    assert refused.status_code == 422 and "Choose one of the listed departments." in refused.get_data(as_text=True)
    assert client.post("/people/invite", data={"email": "partner@firm.com", "name": "Pat",
                                               "department": str(law.id)}).status_code == 303

    plain = make.customer()
    member_client = app.test_client()
    member_client.sign_in(plain)
    assert member_client.get("/people/invite").status_code == 404
    assert member_client.post("/people/invite", data={"email": "x@y.edu", "name": "X"}).status_code == 404


def test_inviting_again_sends_a_fresh_link_and_the_old_one_stops_working(app, staff_client, smtp_server, ctx):
    for _ in range(2):
        staff_client.post("/people/invite", data={"email": "late@firm.com", "name": "Lee Late", "department": ""})
    first, second = delivered(smtp_server, app)
    invited = db.session.scalar(select(User).where(User.email == "late@firm.com"))
    assert invited.signs_in_with == "Not yet: invited, no password chosen"
    assert app.test_client().get(link_in(first)).status_code == 410
    assert app.test_client().get(link_in(second)).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "late@firm.com")) == 1


def test_a_reset_never_says_whether_the_email_has_an_account(app, client, customer, smtp_server):
    known = client.post("/sign-in/forgot", data={"email": customer.email}).get_data(as_text=True)
    unknown = client.post("/sign-in/forgot", data={"email": "nobody@example.edu"}).get_data(as_text=True)
    assert known.replace(customer.email, "EMAIL") == unknown.replace("nobody@example.edu", "EMAIL")
    assert [mail.rcpt_tos for mail in delivered(smtp_server, app)] == [[customer.email]]


def test_a_reset_link_works_once_and_signs_out_every_other_browser(app, customer, customer_client, smtp_server):
    assert customer_client.get("/account").status_code == 200
    app.test_client().post("/sign-in/forgot", data={"email": customer.email})
    [mail] = delivered(smtp_server, app)
    assert mail.message["Subject"] == "Reset your Campus Print & Mail password"
    path = link_in(mail)
    browser = app.test_client()
    assert browser.post(path, data={"password": NEW_PASSWORD}).status_code == 303
    assert browser.get("/account").status_code == 200                   # signed in here
    assert customer_client.get("/account").status_code == 302           # the other browser is signed out
    assert app.test_client().post(path, data={"password": "yet another passphrase"}).status_code == 410
    assert app.test_client().post("/sign-in", data={"email": customer.email, "password": PASSWORD}).status_code == 200
    assert app.test_client().post("/sign-in", data={"email": customer.email,
                                                    "password": NEW_PASSWORD}).status_code == 302


def test_a_reset_link_expires_after_an_hour(app, client, customer, smtp_server, shop_clock):
    client.post("/sign-in/forgot", data={"email": customer.email})
    [mail] = delivered(smtp_server, app)
    shop_clock.shift(timedelta(hours=1, minutes=1))
    response = app.test_client().get(link_in(mail))
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert "Get a new link by email" in response.get_data(as_text=True)


def test_nobody_is_mail_bombed_with_resets(app, client, customer, smtp_server):
    for _ in range(6):
        assert client.post("/sign-in/forgot", data={"email": customer.email}).status_code == 200
    assert len(delivered(smtp_server, app)) == 3


def test_a_made_up_link_is_not_found(client):
    assert client.get("/welcome/not-a-real-secret").status_code == 404
    assert client.post("/welcome/not-a-real-secret", data={"password": NEW_PASSWORD}).status_code == 404


def test_the_command_line_invites_into_a_department_by_name_or_code(app, make, smtp_server, ctx):
    history = make.department("History")
    history.code = "HIST"
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["users", "invite", "guest@museum.org", "--name", "Guest Curator",
                                                "--department", "HIST"])
    assert result.exit_code == 0, result.output
    assert "Invitation emailed to guest@museum.org" in result.output
    [mail] = delivered(smtp_server, app)
    assert mail.rcpt_tos == ["guest@museum.org"] and "History" in mail.part("plain")
    bad = app.test_cli_runner().invoke(args=["users", "invite", "x@museum.org", "--name", "X", "--department", "Nope"])
    assert bad.exit_code == 1 and "No department is named 'Nope'." in bad.output
