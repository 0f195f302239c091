"""Campus single sign-on: the OpenID Connect conversation with the campus's sign-in server (Authlib).

Authorization code flow with PKCE (S256), state and nonce kept in the session, and the ID token verified
against the issuer's published keys (signature, issuer, audience, expiry, nonce) by Authlib. On when
OIDC_ISSUER is set; the sign-in page then shows the campus button first. Every failure is a page with a
way back, and nothing is made for a sign-in that failed (campus.sign_in runs only with verified claims).
"""
from __future__ import annotations

import logging

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import current_app, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user
from joserfc.errors import JoseError

from portal.accounts import blueprint, campus, services
from portal.accounts.forms import DepartmentForm
from portal.database import utcnow
from portal.extensions import db
from portal.failures import ValidationFailed
from portal.web import refused, render
from portal.web.forms import choices
from portal.web.navigation import redirect_to, safe_next

log = logging.getLogger("portal.accounts")

EXTENSION = "campus_sign_in"
NEXT = "campus_next"


def init_app(app) -> None:
    """Registers the campus as an OpenID Connect client of this app, when OIDC_ISSUER is set. One client
    per app (Authlib's registry is per OAuth object), so apps with different campuses do not mix."""
    issuer = app.config.get("OIDC_ISSUER")
    app.jinja_env.globals["campus_sign_in"] = app.config["SSO_NAME"] if issuer else None
    if not issuer:
        return
    oauth = OAuth(app)
    oauth.register(
        "campus", client_id=app.config["OIDC_CLIENT_ID"], client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": app.config["OIDC_SCOPES"], "code_challenge_method": "S256",
                       "default_timeout": app.config["OIDC_TIMEOUT"]})
    app.extensions[EXTENSION] = oauth.create_client("campus")


def _client():
    return current_app.extensions.get(EXTENSION)


def _failed(message: str, status: int):
    db.session.rollback()
    return render("accounts/campus_failed.html", message=message, status=status)


UNREACHABLE = ("The campus sign-in is not answering right now. Try again in a few minutes, or sign in with "
               "your email and password if you have one.")
REFUSED = "The campus sign-in did not go through, so you are not signed in. Start again from the sign-in page."
DENIED = ("You did not allow the print portal to use your campus account, so you are not signed in. "
          "Start again if you change your mind.")


@blueprint.get("/sign-in/campus")
def campus_start():
    """Sends the browser to the campus's sign-in page; it comes back to campus_return."""
    client = _client()
    if client is None:
        return redirect(url_for("accounts.sign_in"))
    session[NEXT] = request.args.get("next", "")
    try:
        return client.authorize_redirect(url_for("accounts.campus_return", _external=True))
    except (requests.RequestException, ValueError, AuthlibBaseError) as error:
        log.warning("Campus sign-in unreachable: %s", error)
        return _failed(UNREACHABLE, 502)


@blueprint.get("/sign-in/campus/return")
def campus_return():
    """Where the campus sends the browser back: verify, find or make the person, sign them in."""
    client = _client()
    if client is None:
        return redirect(url_for("accounts.sign_in"))
    if request.args.get("error") == "access_denied":
        return _failed(DENIED, 400)
    try:
        token = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if not claims:
            raise AuthlibBaseError(description="no ID token")
        if not claims.get(current_app.config["OIDC_EMAIL_CLAIM"]):
            claims = {**client.userinfo(token=token), **claims}
    except requests.RequestException as error:
        log.warning("Campus sign-in unreachable: %s", error)
        return _failed(UNREACHABLE, 502)
    except (AuthlibBaseError, JoseError, ValueError, KeyError) as error:
        log.warning("Campus sign-in refused: %r", error)
        return _failed(REFUSED, 400)
    names = campus.ClaimNames(name=current_app.config["OIDC_NAME_CLAIM"], email=current_app.config["OIDC_EMAIL_CLAIM"],
                              department=current_app.config["OIDC_DEPARTMENT_CLAIM"])
    try:
        result = campus.sign_in(issuer=current_app.config["OIDC_ISSUER"], claims=claims, names=names, now=utcnow())
    except campus.Deactivated:
        return _failed("Your access to the print portal has been removed. If that is a mistake, call the shop.", 403)
    except ValidationFailed as refusal:
        return _failed(refusal.errors[""], 400)
    target = session.pop(NEXT, "")
    session.clear()
    services.start_session(result.person, now=utcnow())
    db.session.commit()
    login_user(result.person)
    if result.needs_department:
        return redirect(url_for("accounts.campus_department", next=target))
    return redirect(safe_next(target, result.person))


@blueprint.route("/welcome/department", methods=["GET", "POST"])
@login_required
def campus_department():
    """The one question campus sign-in may leave: which department you order for."""
    form = DepartmentForm(request.form if request.method == "POST" else None)
    form.department.choices = choices([("", "Choose your department")]
                                      + [(d.id, d.name) for d in campus.all_departments()])
    if request.method == "POST":
        try:
            campus.join_department(current_user, form.department.data)
            db.session.commit()
        except ValidationFailed as refusal:
            return refused("accounts/department.html", form=form, problems=refusal.errors)
        return redirect_to(safe_next(request.args.get("next"), current_user))
    return render("accounts/department.html", form=form, problems={})
