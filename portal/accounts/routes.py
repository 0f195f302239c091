"""Sign-in and sign-out; the customer's own account: settings, email and password. (Preferences are
the catalog's page; a customer's orders and notes, for staff, the orders'.)"""
from __future__ import annotations

from flask import flash, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from portal.accounts import blueprint, services, sso
from portal.accounts.forms import ConfirmPasswordForm, EmailForm, PasswordForm, SignInForm
from portal.database import utcnow
from portal.extensions import db, login_manager
from portal.failures import ValidationFailed
from portal.web import refused, render
from portal.accounts.access import recent_sign_in_required
from portal.web.navigation import invalid_status, redirect_to, safe_next


def load_user(token: str):
    return services.load_session(token, now=utcnow())


def unauthorized():
    target = url_for("accounts.sign_in", next=request.full_path.rstrip("?"))
    if getattr(request, "htmx", None):
        return "", 204, {"HX-Redirect": target}
    flash("Sign in to continue.", "info")
    return redirect(target)


def init_app(app) -> None:
    """Called by create_app: how Flask-Login finds the signed-in person, and what it does without one."""
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)
    sso.init_app(app)


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """The sign-in page; on success a fresh session and a redirect to where the user was going."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), current_user))
    form = SignInForm(request.form if request.method == "POST" else None, next=request.args.get("next", ""))
    if request.method == "POST" and form.validate():
        try:
            user = services.authenticate(email=form.email.data, password=form.password.data,
                                         address=request.remote_addr or "", now=utcnow())
        except ValidationFailed as refusal:
            db.session.commit()  # keep the recorded failure
            form.password.errors.append(refusal.errors[""])
        else:
            session.clear()  # rotate: nothing from before sign-in survives
            services.start_session(user, now=utcnow())
            db.session.commit()
            login_user(user)
            return redirect(safe_next(form.next.data, user))
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


@blueprint.route("/confirm-password", methods=["GET", "POST"])
@login_required
def confirm_password():
    """Asks for the password again before a sensitive change; then goes back to it."""
    form = ConfirmPasswordForm(request.form if request.method == "POST" else None, next=request.args.get("next", ""))
    problems = {}
    if request.method == "POST":
        try:
            services.confirm_password(current_user, form.password.data, now=utcnow())
            db.session.commit()
            return redirect_to(safe_next(form.next.data, current_user))
        except ValidationFailed as refusal:
            problems = refusal.errors
    return render("accounts/confirm_password.html", form=form, problems=problems,
                  status=invalid_status() if problems else 200)


@blueprint.get("/account")
@login_required
def settings():
    """The customer's account: email, password, and links to everything kept on file."""
    return render("accounts/settings.html", email_form=EmailForm(data={"email": current_user.email}),
                  password_form=PasswordForm(), problems={})


@blueprint.post("/account/email")
@recent_sign_in_required
def change_email():
    """Changes the sign-in email (needs a recent sign-in)."""
    form = EmailForm(request.form)
    try:
        services.change_email(current_user, email=form.email.data, now=utcnow())
        db.session.commit()
    except ValidationFailed as refusal:
        return refused("accounts/settings.html", email_form=form, password_form=PasswordForm(),
                       problems=refusal.errors)
    flash("Your email is changed.", "success")
    return redirect_to(url_for("accounts.settings"))


@blueprint.post("/account/password")
@recent_sign_in_required
def change_password():
    """Changes the password (needs a recent sign-in); other browsers are signed out."""
    form = PasswordForm(request.form)
    try:
        services.change_password(current_user, current=form.current.data, new=form.new.data, now=utcnow())
        db.session.commit()
        login_user(current_user._get_current_object())  # the cookie carries the new session token
    except ValidationFailed as refusal:
        return refused("accounts/settings.html", email_form=EmailForm(data={"email": current_user.email}),
                       password_form=form, problems=refusal.errors)
    flash("Your password is changed. Other browsers signed in as you are signed out.", "success")
    return redirect_to(url_for("accounts.settings"))
