"""The queue (list and board), the job page, moves, notes, proofs and the shop's paperwork (staff only)."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from portal.database import utcnow
from portal.documents import services as documents
from portal.extensions import db
from portal.failures import Conflict, ValidationFailed
from portal.orders.models import OrderStatus
from portal.shop.clock import shop_today
from portal.queue import blueprint, forms, paperwork, rules, services
from portal.web import kept, refused, render, staff_required
from portal.web.navigation import redirect_to
from portal.web.rendering import wants_fragment

PARTIALS = {"row": "queue/_job_row.html", "card": "queue/_job_card.html"}


@blueprint.app_template_global()
def job_facts(order):
    return services.facts(order)


@blueprint.app_template_global()
def job_flags(order, today: date):
    return rules.flags(status=order.status, promise_date=order.promise_date, expected_date=order.expected_date,
                       today=today)


@blueprint.app_template_global()
def stage_of(order) -> str:
    return rules.stage_label(order.status, order.delivery_method)


# What templates ask the rules about a job's moves (the facts come from job_facts(order)).
for name, function in {"next_stage_of": rules.next_stage, "move_refusal": rules.refusal,
                       "move_details": rules.needs_details, "move_label": rules.action_label,
                       "allowed_moves": rules.allowed_moves, "stage_label": rules.stage_label}.items():
    blueprint.add_app_template_global(function, name)


def _queue_context():
    today = shop_today(utcnow())
    form = forms.filter_form(request.args, services.filter_choices(), current_user_id=current_user.id)
    filters = forms.filters_from(form)
    return dict(form=form, filters=filters, today=today, counts=services.stage_counts(filters, today=today),
                stages=rules.STAGES)


@blueprint.get("/queue")
@staff_required
@kept
def index():
    """The queue as a list in the order of work (rush first, then the day to be ready by); a targeted htmx request
    (filters) gets the results."""
    context = _queue_context()
    page = services.queue_page(context["filters"], today=context["today"], page=request.args.get("page", 1, type=int))
    return render("queue/index.html", "queue/_list.html", page=page, **context)


@blueprint.get("/queue/counts")
@staff_required
def counts():
    """The stage counts under the filters (refreshed after a move); the list page without htmx."""
    context = _queue_context()
    page = None if wants_fragment() else services.queue_page(context["filters"], today=context["today"])
    return render("queue/index.html", "queue/_stage_counts.html", page=page, view=request.args.get("view", "list"),
                  **context)


@blueprint.get("/queue/board")
@staff_required
@kept
def board():
    """The board: a column per stage with its count and first jobs; htmx (filters, moves) gets the board."""
    context = _queue_context()
    columns = services.board(context["filters"], today=context["today"])
    return render("queue/board.html", "queue/_board.html", columns=columns, **context)


def _job_page(number: str, *, status: int = 200, problems: dict | None = None, values: MultiDict | None = None):
    order = services.job(number)
    values = values or MultiDict()
    assign_form = forms.AssignForm(assigned_to=str(order.assigned_to_id or ""))
    assign_form.assigned_to.choices = forms.choices(
        [("", "Nobody")] + [(u.id, u.name) for u in services.staff_members()])
    return render("queue/job.html", status=status, order=order, today=shop_today(utcnow()), now=utcnow(),
                  notes=services.notes(order), previous=services.previous_orders(order),
                  problems=problems or {}, assign_form=assign_form,
                  hold_form=forms.HoldForm(values), ship_form=forms.ShipForm(values),
                  deliver_form=forms.DeliverForm(values), note_form=forms.NoteForm(values),
                  proof_form=forms.ProofForm(values))


@blueprint.get("/jobs/<number>")
@staff_required
def job(number: str):
    """The job page: specs, files, customer, dates, proofs, shipping, timeline and internal notes."""
    return _job_page(number)


def _back_to(number: str) -> str:
    target = request.form.get("next", "")
    return target if target.startswith("/staff/") and "//" not in target else url_for("queue.job", number=number)


@blueprint.post("/jobs/<number>/move")
@staff_required
def move(number: str):
    """Moves a job; htmx gets its row or card back (and a job-moved event), a form post a redirect."""
    shown_as = request.form.get("shown_as", "page")
    order = services.job(number)
    try:
        to, seen = OrderStatus(request.form.get("to", "")), OrderStatus(request.form.get("seen", ""))
    except ValueError:
        abort(404)
    message = error = None
    try:
        services.move_job(order, to=to, seen=seen, actor=current_user, now=utcnow(), details=request.form)
        db.session.commit()
        message = f"{order.number} is now in {rules.stage_label(to, order.delivery_method)}."
    except Conflict:
        db.session.rollback()
        error = services.what_changed(number, now=utcnow())
    except ValidationFailed as refusal:
        if shown_as == "page" and "move" not in refusal.errors:
            return refused(_job_page, number, problems=refusal.errors, values=request.form)
        db.session.rollback()  # the row or card shows the job as stored
        error = " ".join(refusal.errors.values())
    return _after_move(number, shown_as, message=message, error=error)


def _after_move(number: str, shown_as: str, *, message: str | None, error: str | None):
    """The moved row or card for htmx (with the job-moved event when it moved); a redirect for a form."""
    if request.htmx and shown_as in PARTIALS:
        return render(PARTIALS[shown_as], PARTIALS[shown_as], order=services.job(number), today=shop_today(utcnow()),
                      message=message, error=error, trigger={"job-moved": {"number": number}} if message else None)
    flash(message or error, "success" if message else "error")
    return redirect_to(_back_to(number))


@blueprint.post("/jobs/<number>/notes")
@staff_required
def add_note(number: str):
    """Adds an internal note; the job page again (errors next to the note field)."""
    try:
        services.add_note(services.job(number), text=request.form.get("text", ""), author=current_user, now=utcnow())
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_job_page, number, problems=refusal.errors, values=request.form)
    flash("Note added.", "success")
    return redirect_to(url_for("queue.job", number=number) + "#notes-heading")


@blueprint.post("/jobs/<number>/assign")
@staff_required
def assign(number: str):
    """Gives the job to a staff member, or to nobody."""
    value = request.form.get("assigned_to", "")
    try:
        services.assign(services.job(number), staff_id=int(value) if value.isdigit() else None,
                        actor=current_user, now=utcnow())
        db.session.commit()
    except ValidationFailed as refusal:
        db.session.rollback()
        flash(refusal.errors.get("assigned_to", str(refusal)), "error")
    except Conflict:
        db.session.rollback()
        flash(services.what_changed(number, now=utcnow()), "error")
    return redirect_to(url_for("queue.job", number=number))


@blueprint.post("/jobs/<number>/proofs")
@staff_required
def send_proof(number: str):
    """Uploads a proof PDF and sends it to the customer; errors next to the file field."""
    upload = request.files.get("proof")
    try:
        order = services.job(number)
        if not upload or not upload.filename:
            raise ValidationFailed({"proof": "Choose the proof PDF to upload."})
        services.send_proof(order, data=documents.read_limited(upload.stream, "proof"), filename=upload.filename,
                            message=request.form.get("message", ""), actor=current_user, now=utcnow())
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_job_page, number, problems=refusal.errors, values=request.form)
    except Conflict:
        db.session.rollback()
        flash(services.what_changed(number, now=utcnow()), "error")
        return redirect_to(url_for("queue.job", number=number))
    flash("Proof sent to the customer.", "success")
    return redirect_to(url_for("queue.job", number=number) + "#proofs-heading")


@blueprint.get("/jobs/<number>/ticket.pdf")
@staff_required
def ticket(number: str):
    """One job's ticket as a PDF."""
    return paperwork.job_tickets([number])


@blueprint.get("/tickets.pdf")
@staff_required
def tickets():
    """The tickets of the jobs ticked in the queue, one page each."""
    numbers = [n for n in request.args.getlist("job") if n][:200]
    if not numbers:
        flash("Tick the jobs whose tickets you want to print.", "error")
        return redirect_to(url_for("queue.index"))
    return paperwork.job_tickets(numbers)


@blueprint.get("/jobs/<number>/packing-slip.pdf")
@staff_required
def packing_slip(number: str):
    """The packing slip that goes in the box."""
    return paperwork.packing_slip(number)


@blueprint.get("/campus-run.pdf")
@staff_required
def campus_run():
    """The day's campus delivery run sheet, by building (today unless ?day=YYYY-MM-DD)."""
    try:
        day = date.fromisoformat(request.args["day"]) if request.args.get("day") else shop_today(utcnow())
    except ValueError:
        abort(404)
    return paperwork.run_sheet(day)
