"""Report a problem (from the order page or its tracking link), the case page for the customer (signed in or
from the case link), and the staff's cases: their list, the case with its order, and every action on it."""
from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from portal.care import blueprint, services, watching
from portal.care.forms import (CreditForm, DutyForm, HandoffForm, MadeRightForm, MessageForm, NoteForm, OwnerForm,
                               ReportForm, ResolveForm)
from portal.database import utcnow
from portal.documents import services as documents, storage
from portal.extensions import db
from portal.failures import Conflict, ValidationFailed
from portal.notices.events import satisfaction_answered
from portal.notices.links import LinkExpired
from portal.notices.rules import SATISFACTION_ANSWERS
from portal.orders import services as orders
from portal.web import admin_required, refused, render, staff_required
from portal.web.navigation import redirect_to

PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


def init_app(app) -> None:
    """What care listens for: a dissatisfied answer to the satisfaction check opens a case."""
    satisfaction_answered.connect(services.on_satisfaction)


@blueprint.app_context_processor
def care_helpers():
    """order_cases(order): the cases about an order, for its page."""
    return {"order_cases": services.cases_of_order}


def _attachment():
    upload = request.files.get("attachment")
    if not upload or not upload.filename:
        return None
    return documents.read_limited(upload.stream, field="attachment"), upload.filename


def _report(order, *, action: str, done, reporter=None):
    form = ReportForm(request.form if request.method == "POST" else None)
    if request.method == "GET":
        return render("care/report.html", order=order, form=form, problems={}, action=action, headers=PRIVATE)
    try:
        case = services.report(order=order, cause=form.cause.data, problem=form.problem.data, wanted=form.wanted.data,
                               attachment=_attachment(), now=utcnow(), reporter=reporter)
        db.session.commit()
    except ValidationFailed as refusal:
        problems = dict(refusal.errors)
        if request.files.get("attachment") and request.files["attachment"].filename and "attachment" not in problems:
            problems["attachment"] = "Choose the file again: browsers do not keep a file after a refused form."
        return refused("care/report.html", order=order, form=form, problems=problems, action=action, headers=PRIVATE)
    flash(f"Case {case.number} is open: {case.owner.name} owns it.", "placed")
    return redirect_to(done(case))


@blueprint.route("/orders/<number>/problem", methods=["GET", "POST"])
@login_required
def report(number: str):
    """Report a problem with an order (its customer, or staff taking it on the phone): the form, then the case."""
    order = orders.order_for(current_user, number)
    done = (lambda case: url_for("care.staff_case", number=case.number)) if current_user.is_staff else (
        lambda case: url_for("care.case", number=case.number))
    return _report(order, action=url_for("care.report", number=number), done=done, reporter=current_user)


@blueprint.route("/track/<token>/problem", methods=["GET", "POST"])
def report_from_link(token: str):
    """Report a problem from the tracking link (emails carry it): the link proves the order; no sign-in."""
    order = services.order_for_tracking(token, now=utcnow())
    return _report(order, action=url_for("care.report_from_link", token=token),
                   done=lambda case: url_for("care.case_link", token=services.link_token(case, now=utcnow())))


def _customer_page(case, token: str, *, problems=None, status: int = 200, message=None, forms=None):
    forms = forms or {}
    return render("care/case.html", case=case, token=token, problems=problems or {}, status=status, message=message,
                  message_form=forms.get("message") or MessageForm(version=case.version),
                  answer_form=forms.get("answer") or MadeRightForm(), headers=PRIVATE,
                  acts=current_user.is_authenticated is False or current_user.id == case.customer_id)


@blueprint.get("/cases/<number>")
@login_required
def case(number: str):
    """A case as its customer sees it (and its department's administrators, read only): owner, thread, forms."""
    found = services.case_for(current_user, number)
    return _customer_page(found, services.link_token(found, now=utcnow()))


@blueprint.get("/case/<token>")
def case_link(token: str):
    """A case from the customer's emailed link, without signing in: reply, accept a reprint, answer. An expired
    link says how to reach the case now (sign in, or its owner) instead of a bare 404."""
    try:
        found = services.case_for_link(token, now=utcnow())
    except LinkExpired as expired:
        return _link_closed(expired)
    return _customer_page(found, token)


def _link_closed(expired: LinkExpired):
    return render("care/link_closed.html", case=services.case_of_expired_link(expired), status=410, headers=PRIVATE)


def _attachment_of(case):
    if case.file is None:
        abort(404)
    return storage.download(case.file.storage_key, media_type=case.file.media_type, filename=case.file.original_name)


@blueprint.get("/cases/<number>/attachment")
@login_required
def case_attachment(number: str):
    """The photo or PDF reported with a case, for whoever reads the case: its customer, its department's
    administrators, staff."""
    return _attachment_of(services.case_for(current_user, number))


@blueprint.get("/case/<token>/attachment")
def case_link_attachment(token: str):
    """The case's attachment from the customer's link, without signing in."""
    return _attachment_of(services.case_for_link(token, now=utcnow()))


CUSTOMER_ACTIONS = {
    "message": (MessageForm, lambda case, form, now: services.write(
        case, author=case.customer, body=form.body.data, now=now, version=form.version.data)),
    "reprint": (MessageForm, lambda case, form, now: services.accept_reprint(case, now=now)),
    "answer": (MadeRightForm, lambda case, form, now: services.answer_made_right(case, answer=form.answer.data, now=now)),
}


@blueprint.post("/case/<token>/<action>")
def customer_action(token: str, action: str):
    """The customer writes, accepts the reprint, or answers "did this make it right?"; then the case again."""
    if action not in CUSTOMER_ACTIONS:
        abort(404)
    try:
        found = services.case_for_link(token, now=utcnow())
    except LinkExpired as expired:
        return _link_closed(expired)
    if current_user.is_authenticated and current_user.id != found.customer_id:
        abort(404)  # a department administrator or staff member reads the customer's page; they do not act on it
    form_class, act = CUSTOMER_ACTIONS[action]
    form = form_class(request.form)
    try:
        act(found, form, utcnow())
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_customer_page, services.case_for_link(token, now=utcnow()), token,
                       problems=refusal.errors, forms={"message" if form_class is MessageForm else "answer": form})
    except (Conflict, IntegrityError) as conflict:  # a second click raced the first: show what is stored
        db.session.rollback()
        return _customer_page(services.case_for_link(token, now=utcnow()), token, status=409,
                              message=getattr(conflict, "message", "That was done already."))
    back = url_for("care.case", number=found.number) if current_user.is_authenticated else url_for(
        "care.case_link", token=token)
    return redirect_to(back + "#thread")


@blueprint.get("/staff/cases")
@staff_required
def staff_cases():
    """The staff's open cases, theirs (or everyone's), soonest due first, flagged when nearly or over due."""
    everyone = request.args.get("who") == "all"
    page = services.staff_cases(current_user, everyone=everyone, page=request.args.get("page", 1, type=int),
                                now=utcnow())
    return render("care/staff_cases.html", page=page, everyone=everyone, now=utcnow(), flag=services.flag)


def _staff_page(case, *, problems=None, status: int = 200, forms=None, message=None):
    forms = forms or {}
    handoff = forms.get("handoff") or HandoffForm(version=case.version)
    handoff.owner.choices = [(str(person.id), person.name) for person in services.staff_members()
                             if person.id != case.owner_id]
    return render("care/staff_case.html", case=case, order=case.order, problems=problems or {}, status=status,
                  message=message, flag=services.flag(case, now=utcnow()),
                  message_form=forms.get("message") or MessageForm(version=case.version), handoff_form=handoff,
                  credit_form=forms.get("credit") or CreditForm(), note_form=forms.get("note") or NoteForm(),
                  resolve_form=forms.get("resolve") or ResolveForm(version=case.version))


@blueprint.get("/staff/cases/<number>")
@staff_required
def staff_case(number: str):
    """A case for the shop: the customer's words, the order, its timeline and files, the thread, every action."""
    return _staff_page(services.case_for(current_user, number))


STAFF_ACTIONS = {
    "message": (MessageForm, lambda case, form, now: services.write(
        case, author=current_user, body=form.body.data, now=now, version=form.version.data)),
    "handoff": (HandoffForm, lambda case, form, now: services.hand_off(
        case, to_staff_id=form.owner.data, reason=form.reason.data, actor=current_user, now=now,
        version=form.version.data)),
    "reprint": (MessageForm, lambda case, form, now: services.offer_reprint(
        case, actor=current_user, now=now, version=form.version.data)),
    "credit": (CreditForm, lambda case, form, now: services.credit(
        case, amount=form.amount.data, reason=form.reason.data, actor=current_user, now=now)),
    "note": (NoteForm, lambda case, form, now: services.production_note(
        case, body=form.note.data, actor=current_user, now=now)),
    "resolve": (ResolveForm, lambda case, form, now: services.resolve(
        case, summary=form.summary.data, actor=current_user, now=now, version=form.version.data)),
}


@blueprint.post("/staff/cases/<number>/<action>")
@staff_required
def staff_action(number: str, action: str):
    """One action on a case (write, hand off, offer a reprint, credit, production note, resolve); then the case."""
    if action not in STAFF_ACTIONS:
        abort(404)
    found = services.case_for(current_user, number)
    form_class, act = STAFF_ACTIONS[action]
    form = form_class(request.form)
    try:
        act(found, form, utcnow())
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_staff_page, services.case_for(current_user, number), problems=refusal.errors,
                       forms={action: form})
    except Conflict as conflict:
        db.session.rollback()
        return _staff_page(services.case_for(current_user, number), status=409, message=conflict.message)
    return redirect_to(url_for("care.staff_case", number=number) + "#thread")


def _owners_page(*, problems=None, status: int = 200, duty_form=None):
    departments, turns = services.owners_view()
    staff = [("", "Nobody: the person on duty")] + [(str(p.id), p.name) for p in services.staff_members()]
    duty_form = duty_form or DutyForm()
    duty_form.staff.choices = staff[1:]
    return render("care/owners.html", departments=departments, turns=turns, staff=staff, duty_form=duty_form,
                  problems=problems or {}, status=status)


@blueprint.get("/staff/care/owners")
@admin_required
def owners():
    """Who owns each department's cases, and who is on duty (the manager's page)."""
    return _owners_page()


@blueprint.post("/staff/care/owners")
@admin_required
def set_owner():
    """Sets one department's owner, or adds a turn on duty; then the page again."""
    try:
        if request.form.get("what") == "duty":
            form = DutyForm(request.form)
            form.validate()
            services.add_duty_turn(staff_id=form.staff.data, starts_on=form.starts_on.data, actor=current_user)
        else:
            form = OwnerForm(request.form)
            services.set_department_owner(department_id=form.department.data, staff_id=form.staff.data,
                                          actor=current_user)
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_owners_page, problems=refusal.errors,
                       duty_form=form if request.form.get("what") == "duty" else None)
    flash("Saved.", "success")
    return redirect_to(url_for("care.owners"))


@blueprint.get("/staff/care")
@staff_required
def staff_care():
    """The Care page: satisfaction over time and by product, station, department; comments; open cases by age;
    response promises kept; repeat problems by cause."""
    view = watching.overview(now=utcnow(), comments_page=request.args.get("page", 1, type=int))
    return render("care/staff_care.html", view=view, answers=SATISFACTION_ANSWERS)
