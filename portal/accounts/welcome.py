"""Setting a password from an emailed link: a forgotten password, and invitations for people without a
campus account (staff or a department administrator invites them)."""
from __future__ import annotations

from flask import abort, flash, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user

from portal.accounts import blueprint, links, services
from portal.accounts.forms import ForgotForm, InviteForm, NewPasswordForm
from portal.accounts.models import LinkPurpose
from portal.database import utcnow
from portal.extensions import db
from portal.failures import ValidationFailed
from portal.web import refused, render
from portal.web.forms import choices
from portal.web.navigation import redirect_to

SENT = ("If an account uses {email}, we have emailed it a link to choose a new password. The link works once, "
        "within an hour. Nothing arrived? Check the address, look in junk mail, or call the shop.")


@blueprint.route("/sign-in/forgot", methods=["GET", "POST"])
def forgot():
    """Asks for a reset link; says the same whether or not the email has an account."""
    form = ForgotForm(request.form if request.method == "POST" else None, email=request.args.get("email", ""))
    if request.method == "POST":
        email = (form.email.data or "").strip()
        if not email:
            return refused("accounts/forgot.html", form=form, problems={"email": "Enter your email address."})
        links.request_reset(email, now=utcnow())
        db.session.commit()
        return render("accounts/forgot.html", form=form, problems={}, sent=SENT.format(email=email))
    return render("accounts/forgot.html", form=form, problems={}, sent=None)


@blueprint.route("/welcome/<secret>", methods=["GET", "POST"])
def welcome(secret: str):
    """The emailed link: choose a password, and be signed in. A used or expired link says so, with a way on."""
    form = NewPasswordForm(request.form if request.method == "POST" else None)
    try:
        link = links.open_link(secret, now=utcnow())
        if request.method == "POST":
            person = links.set_password(secret, password=form.password.data, now=utcnow())
            session.clear()
            services.start_session(person, now=utcnow())
            db.session.commit()
            login_user(person)
            flash(f"Welcome, {person.first_name}. Your password is set." if link.purpose == LinkPurpose.INVITATION
                  else "Your new password is set. Other browsers signed in as you are signed out.", "success")
            return redirect_to(url_for("queue.index") if person.is_staff else url_for("home.index"))
    except links.LinkClosed as closed:
        db.session.rollback()
        return render("accounts/link_closed.html", problem=closed.problem, link=closed.link, status=410)
    except ValidationFailed as refusal:
        return refused("accounts/welcome.html", form=form, link=links.open_link(secret, now=utcnow()),
                       problems=refusal.errors)
    return render("accounts/welcome.html", form=form, link=link, problems={})


def _invite_form(formdata=None):
    form = InviteForm(formdata, email=request.args.get("email", ""),
                      department=request.args.get("department", ""))
    departments = links.invitable_departments(current_user)
    form.department.choices = choices(([("", "No department")] if current_user.is_staff else [])
                                      + [(d.id, d.name) for d in departments])
    return form


@blueprint.route("/people/invite", methods=["GET", "POST"])
@login_required
def invite():
    """Staff or a department administrator invites someone who has no campus account."""
    if not links.may_invite(current_user):
        abort(404)
    form = _invite_form(request.form if request.method == "POST" else None)
    if request.method == "POST":
        try:
            person = links.invite(inviter=current_user, email=form.email.data, name=form.name.data,
                                  department_id=form.department.data, now=utcnow())
            db.session.commit()
        except ValidationFailed as refusal:
            return refused("accounts/invite.html", form=form, problems=refusal.errors)
        flash(f"We emailed {person.name} ({person.email}) a link to choose a password. It works for 7 days.",
              "success")
        return redirect(url_for("accounts.invite"), code=303)
    return render("accounts/invite.html", form=form, problems={})
