"""Sign-in and sign-out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal.accounts import blueprint, services
from portal.accounts.forms import SignInForm
from portal.database import utcnow
from portal.extensions import db, login_manager
from portal.failures import ValidationFailed
from portal.web import render


@login_manager.user_loader
def load_user(token: str):
    return services.load_session(token, now=utcnow())


@login_manager.unauthorized_handler
def unauthorized():
    target = url_for("accounts.sign_in", next=request.full_path.rstrip("?"))
    if getattr(request, "htmx", None):
        return "", 204, {"HX-Redirect": target}
    flash("Sign in to continue.", "info")
    return redirect(target)


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("home.index")


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """The sign-in page; on success a fresh session and a redirect to where the user was going."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.authenticate(email=form.email.data, password=form.password.data,
                                         address=request.remote_addr or "", now=utcnow())
        except ValidationFailed as refused:
            db.session.commit()  # keep the recorded failure
            form.password.errors.append(refused.errors[""])
        else:
            session.clear()  # rotate: nothing from before sign-in survives
            services.start_session(user, now=utcnow())
            db.session.commit()
            login_user(user)
            return redirect(_safe_next(form.next.data))
    return render("accounts/sign_in.html", form=form)


@blueprint.post("/sign-out")
def sign_out():
    """Ends this browser's session on the server and in the cookie."""
    if current_user.is_authenticated:
        services.end_session(current_user.get_id())
        db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("accounts.sign_in"))
