"""The staff's Copyright queue and a request's page (record, grant, refuse), and the instructor's choice for a
refused reading (signed in, from the order page)."""
from __future__ import annotations

from flask import flash, request, url_for
from flask_login import current_user, login_required

from portal.copyright import blueprint, rules, services
from portal.copyright.forms import ChoiceForm, work_form
from portal.database import utcnow
from portal.documents import services as documents
from portal.extensions import db
from portal.failures import Conflict, ValidationFailed
from portal.orders.events import order_placed
from portal.shop.clock import shop_today
from portal.web import refused, render, staff_required
from portal.web.navigation import redirect_to


def init_app(app) -> None:
    """What copyright listens for: a pack placed opens a request for each reading the shop is asked to clear."""
    order_placed.connect(services.on_order_placed)


@blueprint.app_context_processor
def copyright_helpers():
    """refused_readings(order): the readings awaiting the instructor's choice; clearance_requests(order): all of them."""
    return {"refused_readings": services.refused_readings, "clearance_requests": services.requests_of}


def _upload(name: str):
    upload = request.files.get(name)
    if not upload or not upload.filename:
        return None
    return documents.read_limited(upload.stream, field=name), upload.filename


@blueprint.get("/staff/copyright")
@staff_required
def queue():
    """The Copyright queue: readings awaiting clearance (or granted, refused: ?state=), soonest promise first."""
    state = request.args.get("state", "awaiting")
    page = services.queue(state=state, page=request.args.get("page", 1, type=int))
    return render("copyright/queue.html", "copyright/_queue.html", page=page, state=state,
                  states=list(rules.ClearanceState))


def _request_page(request_id: int, *, status: int = 200, problems: dict | None = None, formdata=None):
    found = services.request_for(request_id)
    form = work_form(found, formdata, usual_expiry=rules.usual_expiry(shop_today(utcnow())))
    return render("copyright/request.html", status=status, clearance=found, form=form, problems=problems or {})


@blueprint.get("/staff/copyright/<int:request_id>")
@staff_required
def request_page(request_id: int):
    """One reading awaiting clearance: the work, the pack and its promise, and the shop's record of it."""
    return _request_page(request_id)


@blueprint.post("/staff/copyright/<int:request_id>")
@staff_required
def work(request_id: int):
    """Saves the shop's record (sent on, fee, notes, document), or grants or refuses; errors next to the fields."""
    action = request.form.get("action", "save")
    try:
        found = services.request_for(request_id)
        services.work_on(found, action=action, sent_on=request.form.get("sent_on", ""),
                         fee=request.form.get("fee", ""), notes=request.form.get("notes", ""),
                         period=request.form.get("period", ""), expires_on=request.form.get("expires_on", ""),
                         document=_upload("document"), now=utcnow(), actor=current_user)
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_request_page, request_id, problems=refusal.errors, formdata=request.form)
    except Conflict as conflict:
        db.session.rollback()
        flash(conflict.message, "error")
        return redirect_to(url_for("copyright.request_page", request_id=request_id))
    flash({"grant": "Permission granted: the reading is cleared.", "refuse": "Refused: the instructor is told.",
           }.get(action, "Saved."), "success")
    return redirect_to(url_for("copyright.queue") if action in ("grant", "refuse")
                       else url_for("copyright.request_page", request_id=request_id))


def _choice_page(number: str, request_id: int, *, status: int = 200, problems: dict | None = None, formdata=None):
    found = services.refused_request(current_user, number, request_id)
    return render("copyright/choose.html", status=status, clearance=found, order=found.order,
                  form=ChoiceForm(formdata), problems=problems or {})


@blueprint.get("/orders/<number>/readings/<int:request_id>")
@login_required
def choice(number: str, request_id: int):
    """A refused reading of the customer's own pack: remove it, replace it, or link it in the learning system."""
    return _choice_page(number, request_id)


@blueprint.post("/orders/<number>/readings/<int:request_id>")
@login_required
def choose(number: str, request_id: int):
    """The instructor's choice for a refused reading; the order page after, or the form again with its errors."""
    try:
        services.choose(current_user, number, request_id, choice=request.form.get("choice", ""),
                        declaration=request.form.to_dict(), replacement=_upload("upload"), now=utcnow())
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_choice_page, number, request_id, problems=refusal.errors, formdata=request.form)
    except Conflict as conflict:
        db.session.rollback()
        flash(conflict.message, "error")
    else:
        flash("Thank you: the pack goes on.", "success")
    return redirect_to(url_for("orders.order", number=number) + "#files-heading")
