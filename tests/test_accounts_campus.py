"""Campus sign-in over HTTP against a real OpenID Connect provider on loopback: the portal's test client
on one side, the provider (oidc-provider-mock) answering real HTTP on the other."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from portal import create_app
from portal.accounts.models import CampusIdentity, Membership, SignInSession, User
from portal.extensions import db
from tests.conftest import PortalClient, campus_settings


def campus_person(issuer: str, subject: str, **claims) -> None:
    """Tells the provider who `subject` is (their claims in every token it issues for them)."""
    response = requests.put(f"{issuer}/users/{subject}", json=claims, timeout=10)
    assert response.status_code == 204, response.text


def start(client) -> str:
    """Clicks the campus button: the portal sends the browser to the provider. Returns that URL."""
    response = client.get("/sign-in/campus?next=/orders")
    assert response.status_code == 302
    return response.headers["Location"]


def at_provider(authorize_url: str, subject: str | None, *, deny: bool = False) -> str:
    """Signs in at the provider as `subject` (or denies); returns where it sends the browser back (a path)."""
    data = {"action": "deny"} if deny else {"sub": subject}
    response = requests.post(authorize_url, data=data, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    back = urlsplit(response.headers["Location"])
    assert back.path == "/sign-in/campus/return"
    return f"{back.path}?{back.query}"


def sign_in_at_campus(client, issuer: str, subject: str):
    return client.get(at_provider(start(client), subject))


@pytest.fixture
def campus_client(campus_app) -> PortalClient:
    return campus_app.test_client()


def test_the_sign_in_page_offers_the_campus_account_first(campus_client, client):
    page = campus_client.get("/sign-in").get_data(as_text=True)
    assert page.index("Sign in with your campus account") < page.index('name="password"')
    assert "Sign in with your campus account" not in client.get("/sign-in").get_data(as_text=True)


def test_the_campus_button_asks_for_a_code_with_pkce_state_and_nonce(campus_client, oidc_provider):
    url = urlsplit(start(campus_client))
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}" == oidc_provider
    assert query["response_type"] == ["code"] and query["client_id"] == ["print-portal"]
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}


def test_a_person_never_seen_before_signs_in_and_lands_home_greeted_in_their_department_ready_to_order(
        campus_client, oidc_provider, make, ctx):
    history = make.department("History")
    campus_person(oidc_provider, "mokafor-1", email="maya.okafor@campus.edu", name="Maya Okafor",
                  department="History")
    response = sign_in_at_campus(campus_client, oidc_provider, "mokafor-1")
    assert response.status_code == 302 and response.headers["Location"] == "/orders"

    home = campus_client.get("/").get_data(as_text=True)
    assert "Hello, Maya" in home and "History" in home
    person = db.session.scalar(select(User).where(User.email == "maya.okafor@campus.edu"))
    assert person.name == "Maya Okafor" and person.password_hash == ""
    assert [m.department_id for m in person.memberships] == [history.id]
    identity = db.session.scalar(select(CampusIdentity).where(CampusIdentity.user_id == person.id))
    assert (identity.issuer, identity.subject) == (oidc_provider, "mokafor-1")
    assert campus_client.get("/products").status_code == 200  # able to order, no form on the way


def test_a_department_sent_as_its_code_is_matched(campus_client, oidc_provider, make, ctx):
    biology = make.department("Biology")
    biology.code = "BIO"
    db.session.commit()
    campus_person(oidc_provider, "code-1", email="lee@campus.edu", name="Jo Lee", department=["bio"])
    sign_in_at_campus(campus_client, oidc_provider, "code-1")
    person = db.session.scalar(select(User).where(User.email == "lee@campus.edu"))
    assert [m.department_id for m in person.memberships] == [biology.id]


def test_an_email_changed_at_the_campus_is_the_same_person(campus_client, campus_app, oidc_provider, make, ctx):
    make.department("History")
    campus_person(oidc_provider, "same-1", email="old@campus.edu", name="Ann Old", department="History")
    sign_in_at_campus(campus_client, oidc_provider, "same-1")
    campus_person(oidc_provider, "same-1", email="new@campus.edu", name="Ann New", department="History")
    again = campus_app.test_client()
    assert sign_in_at_campus(again, oidc_provider, "same-1").status_code == 302
    people = list(db.session.scalars(select(User).where(User.email.in_(["old@campus.edu", "new@campus.edu"]))))
    assert [(p.email, p.name) for p in people] == [("new@campus.edu", "Ann New")]
    assert db.session.scalar(select(func.count()).select_from(CampusIdentity)) == 1


def test_someone_the_shop_already_knows_by_email_becomes_that_person(campus_client, oidc_provider, make, ctx):
    known = make.customer(email="known@campus.edu")
    campus_person(oidc_provider, "known-1", email="Known@Campus.edu", name="Known Person")
    sign_in_at_campus(campus_client, oidc_provider, "known-1")
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert db.session.scalar(select(CampusIdentity.user_id)) == known.id


def test_an_unknown_department_is_asked_once_in_one_field(campus_client, campus_app, oidc_provider, make, ctx):
    law = make.department("School of Law")
    campus_person(oidc_provider, "astro-1", email="star@campus.edu", name="Vera Star", department="Astrophysics")
    response = sign_in_at_campus(campus_client, oidc_provider, "astro-1")
    assert response.headers["Location"].startswith("/welcome/department")
    question = campus_client.get(response.headers["Location"])
    assert question.get_data(as_text=True).count("<select") == 1

    refused = campus_client.post(response.headers["Location"], data={"department": "999999"})
    assert refused.status_code == 422 and "Choose your department from the list." in refused.get_data(as_text=True)
    answered = campus_client.post(response.headers["Location"], data={"department": str(law.id)})
    assert answered.status_code == 303 and answered.headers["Location"] == "/orders"
    person = db.session.scalar(select(User).where(User.email == "star@campus.edu"))
    assert [m.department_id for m in person.memberships] == [law.id]

    again = campus_app.test_client()
    assert sign_in_at_campus(again, oidc_provider, "astro-1").headers["Location"] == "/orders"  # not asked again


def _nobody_made(ctx) -> None:
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert db.session.scalar(select(func.count()).select_from(SignInSession)) == 0


def test_a_forged_or_missing_state_is_a_400_page_with_a_way_back(campus_client, oidc_provider, ctx):
    campus_person(oidc_provider, "forge-1", email="forge@campus.edu", name="F")
    back = at_provider(start(campus_client), "forge-1")
    forged = back.replace("state=", "state=x")
    for path in (forged, "/sign-in/campus/return?code=abc"):
        response = campus_client.get(path)
        assert response.status_code == 400
        assert "did not go through" in response.get_data(as_text=True)
        assert 'href="/sign-in"' in response.get_data(as_text=True)
    # Another browser, without the state in its session, cannot finish someone else's sign-in.
    assert campus_client.application.test_client().get(back).status_code == 400
    _nobody_made(ctx)


def test_a_reused_code_is_refused(campus_client, campus_app, oidc_provider, make, ctx):
    campus_person(oidc_provider, "reuse-1", email="reuse@campus.edu", name="Re Use")
    back = at_provider(start(campus_client), "reuse-1")
    assert campus_client.get(back).status_code == 302
    assert campus_client.get(back).status_code == 400  # the same answer again: its state is spent

    other = campus_app.test_client()
    fresh_state = parse_qs(urlsplit(start(other)).query)["state"][0]
    old_code = parse_qs(urlsplit(back).query)["code"][0]
    replay = other.get(f"/sign-in/campus/return?code={old_code}&state={fresh_state}")
    assert replay.status_code == 400  # the provider will not trade a code twice
    assert db.session.scalar(select(func.count()).select_from(SignInSession)) == 1


def test_denied_consent_is_a_400_page(campus_client, oidc_provider, ctx):
    back = at_provider(start(campus_client), None, deny=True)
    assert "error=access_denied" in back
    response = campus_client.get(back)
    assert response.status_code == 400
    assert "did not allow the print portal" in response.get_data(as_text=True)
    _nobody_made(ctx)


def test_an_issuer_that_is_down_is_a_502_page(app, ctx):
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SERVER_NAME": None,
                       **campus_settings(f"http://127.0.0.1:{port}", OIDC_TIMEOUT=2)})
    down.test_client_class = PortalClient
    response = down.test_client().get("/sign-in/campus")
    assert response.status_code == 502
    assert "not answering" in response.get_data(as_text=True)
    _nobody_made(ctx)


def test_a_code_issued_to_another_client_is_refused(campus_client, oidc_provider, ctx):
    campus_person(oidc_provider, "aud-1", email="aud@campus.edu", name="A")
    ours = urlsplit(start(campus_client))
    query = {key: values[0] for key, values in parse_qs(ours.query).items()}
    theirs = requests.Request("GET", f"{oidc_provider}{ours.path}", params={**query, "client_id": "another-app"}).prepare()
    back = at_provider(theirs.url, "aud-1")
    assert campus_client.get(back).status_code == 400
    _nobody_made(ctx)


def test_an_id_token_for_another_audience_fails_verification(campus_app, oidc_provider):
    """A token the provider really signed, but for another client: the portal's client refuses it."""
    from authlib.common.errors import AuthlibBaseError
    from joserfc.errors import JoseError

    campus_person(oidc_provider, "aud-2", email="aud2@campus.edu", name="B")
    authorize = requests.Request("GET", f"{oidc_provider}/oauth2/authorize", params={
        "response_type": "code", "client_id": "another-app", "redirect_uri": "http://localhost/cb",
        "scope": "openid email", "nonce": "n-1", "state": "s-1"}).prepare()
    code = parse_qs(urlsplit(requests.post(authorize.url, data={"sub": "aud-2"}, allow_redirects=False,
                                           timeout=10).headers["Location"]).query)["code"][0]
    token = requests.post(f"{oidc_provider}/oauth2/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": "http://localhost/cb",
        "client_id": "another-app", "client_secret": "x"}, timeout=10).json()
    assert token["id_token"]
    with campus_app.app_context():
        client = campus_app.extensions["campus_sign_in"]
        with pytest.raises((AuthlibBaseError, JoseError)):
            client.parse_id_token(token, nonce="n-1")


def test_a_deactivated_person_is_refused_and_gets_no_session(campus_client, oidc_provider, make, ctx):
    person = make.customer(email="gone@campus.edu")
    person.active = False
    db.session.commit()
    campus_person(oidc_provider, "gone-1", email="gone@campus.edu", name="Gone")
    response = sign_in_at_campus(campus_client, oidc_provider, "gone-1")
    assert response.status_code == 403 and "removed" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SignInSession)) == 0
    assert db.session.scalar(select(func.count()).select_from(CampusIdentity)) == 0


def test_a_campus_sign_in_without_an_email_makes_nobody(campus_client, oidc_provider, ctx):
    campus_person(oidc_provider, "noemail-1", name="No Mail")
    response = sign_in_at_campus(campus_client, oidc_provider, "noemail-1")
    assert response.status_code == 400 and "email address" in response.get_data(as_text=True)
    _nobody_made(ctx)
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 0
