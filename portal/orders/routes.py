"""Checkout, the order page and order history."""
from __future__ import annotations

import uuid
from urllib.parse import urlencode

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from portal.addresses import services as addresses
from portal.billing import services as billing
from portal.database import utcnow
from portal.extensions import db
from portal.failures import ValidationFailed
from portal.accounts import services as accounts
from portal.accounts.forms import NoteForm
from portal.documents import services as documents
from portal.orders import blueprint, checkout as checkout_page, reorders, services
from portal.shop.clock import shop_today
from portal.web import answer, kept, render, staff_required
from portal.web.navigation import invalid_status, redirect_to


@blueprint.get("/checkout")
@login_required
def checkout():
    """Checkout prefilled from what is on file; a targeted htmx request gets the summary fragment."""
    state = checkout_page.build(current_user, request.args, now=utcnow())
    if state.config.problems and not request.htmx:
        return redirect_to(url_for("catalog.configure", slug=state.product.slug) + "?" + urlencode(state.edit_args()))
    return render("orders/checkout.html", "orders/_checkout_summary.html", checkout=state)


@blueprint.post("/checkout")
@login_required
def checkout_post():
    """Places the order, or adds an address or account inline, or applies a way to meet the date."""
    action = request.form.get("action", "place")
    if action == "place":
        return _place(checkout_page.build(current_user, request.form, now=utcnow()))
    values, problems = MultiDict(request.form), {}
    if action in ("add_address", "add_account"):
        values, problems = _add_on_file(action, values)
    elif action.startswith("use:"):
        values = _apply_alternative(action.removeprefix("use:"), values)
    state = checkout_page.build(current_user, values, now=utcnow())
    state.problems = problems
    return render("orders/checkout.html", "orders/_checkout_form.html", checkout=state,
                  status=invalid_status() if problems else 200)


def _place(state):
    state.problems = checkout_page.problems_before_placing(state)
    if state.problems:
        return render("orders/checkout.html", "orders/_checkout_form.html", checkout=state, status=invalid_status())
    key = state.form.idempotency_key.data
    try:
        account = billing.chargeable_account(current_user, state.form.billing_account.data, today=state.today)
        student_price, per_bundle, _ = state.bookstore_terms()
        order = services.place_order(customer=current_user, config=state.config, address=state.address,
                                     account=account, need_by=state.form.need_by.data,
                                     instructions=state.form.instructions.data or "", idempotency_key=key,
                                     now=state.now, student_price_cents=student_price, copies_per_bundle=per_bundle,
                                     source_order=services.own_order(current_user, state.config_values.get("from_order")))
        db.session.commit()
    except IntegrityError:  # the same key committed by a concurrent submission: show that order
        db.session.rollback()
        order = services.order_for_key(current_user, key)
        if order is None:
            raise
    flash(f"Order {order.number} is placed.", "placed")
    return redirect_to(url_for("orders.order", number=order.number))


def _add_on_file(action: str, values: MultiDict):
    """Saves the inline address or account; the new one becomes the choice, or its errors are kept."""
    prefix = "new_address-" if action == "add_address" else "new_account-"
    fields = {k.removeprefix(prefix): v for k, v in values.items() if k.startswith(prefix)}
    try:
        if action == "add_address":
            saved_id = addresses.add_address(current_user, fields).id
            choice = "address"
        else:
            saved_id = billing.add_account(current_user, code=fields.get("code", ""), name=fields.get("name", ""),
                                           department_id=fields.get("department")).id
            choice = "billing_account"
        db.session.commit()
    except ValidationFailed as refused:
        db.session.rollback()
        return values, {prefix + name: message for name, message in refused.errors.items()}
    kept = MultiDict([(k, v) for k, v in values.items(multi=True) if not k.startswith(prefix)])
    kept[choice] = str(saved_id)
    return kept, {}


def _apply_alternative(which: str, values: MultiDict) -> MultiDict:
    """"rush", "pickup" or "rush+pickup": the way to meet the need-by date the customer picked; "bookstore":
    delivery to the campus bookstore (added to the address book the first time)."""
    if which == "bookstore":
        values["address"] = str(addresses.bookstore_address(current_user).id)
        db.session.commit()
        return values
    if "rush" in which.split("+"):
        values["rush"] = "y"
    if "pickup" in which.split("+"):
        values["address"] = str(addresses.pickup_address(current_user).id)
        db.session.commit()
    return values


@blueprint.get("/orders")
@login_required
@kept
def history():
    """Order history, newest first; a targeted htmx request (live search) gets the results fragment."""
    search = request.args.get("q", "")[:100]
    page = services.history(current_user, search=search, page=request.args.get("page", 1, type=int))
    return render("orders/history.html", "orders/_history_results.html", page=page, search=search)


@blueprint.get("/orders/<number>")
@login_required
@kept
def order(number: str):
    """The order page: what was ordered, price, where it goes, who pays, dates and timeline; for
    staff, the customer's previous orders and the shop's notes about them."""
    return _order_page(services.order_for(current_user, number))


def _order_page(found, *, reorder_plan=None, status: int = 200):
    context = {}
    if current_user.is_staff and found.customer_id != current_user.id:
        context = {"previous": services.previous_orders(found), "customer_notes": accounts.notes_about(found.customer)}
    elif found.customer_id == current_user.id and reorder_plan is None:
        context = {"reorder_questions": reorders.questions_for(found, shop_today(utcnow()))}
    return render("orders/order.html", order=found, reorder_plan=reorder_plan, status=status, now=utcnow(),
                  **context)


def _own_order(number: str):
    """The signed-in customer's own order (staff do not reorder for customers); 404 otherwise."""
    found = services.own_order(current_user, number)
    if found is None:
        abort(404)
    return found


@blueprint.post("/orders/<number>/reorder")
@login_required
def reorder(number: str):
    """One-click reorder. A targeted htmx request gets the reorder panel: the new order with a
    Cancel, or exactly what to fix (expired account, missing file, approval) and one more click."""
    source = _own_order(number)
    now = utcnow()
    replacements, upload_problem = _replacement_files(source)
    plan = reorders.plan_reorder(current_user, source, now=now, address_id=request.form.get("address"),
                                 account_id=request.form.get("billing_account"),
                                 send_for_approval=bool(request.form.get("send_for_approval")),
                                 replacements=replacements, term=request.form.get("term"),
                                 rush=bool(request.form.get("rush")), enrollment=request.form.get("enrollment"))
    if upload_problem:
        plan.problems["files"] = upload_problem
    if not plan.ready:
        return _reorder_panel(source, plan=plan, status=invalid_status())
    key = request.form.get("idempotency_key") or uuid.uuid4().hex
    try:
        placed = reorders.place_reorder(current_user, plan, idempotency_key=key, now=now)
        db.session.commit()
    except IntegrityError:  # a concurrent click with the same key won: show its order
        db.session.rollback()
        placed = services.order_for_key(current_user, key)
    return answer(url_for("orders.order", number=placed.number), _reorder_panel, source, placed=placed,
                  trigger={"order-placed": {"number": placed.number}},
                  flashed=(f"Order {placed.number} is placed.", "placed"))


@blueprint.get("/orders/<number>/reorder")
@login_required
def reorder_preview(number: str):
    """The reorder panel priced and dated for the term, enrollment and rush chosen in it (a targeted htmx request gets
    the panel, otherwise the order page with it); nothing is placed."""
    source = _own_order(number)
    plan = reorders.plan_reorder(current_user, source, now=utcnow(), account_id=request.args.get("billing_account"),
                                 address_id=request.args.get("address"), term=request.args.get("term"),
                                 rush=bool(request.args.get("rush")), enrollment=request.args.get("enrollment"))
    return _reorder_panel(source, plan=plan)


def _replacement_files(source) -> tuple[dict[int, int], str]:
    """Files uploaded again in the reorder panel (fields `replace-<file id>`), stored and checked."""
    replacements, problem = {}, ""
    for item in source.files:
        upload = request.files.get(f"replace-{item.file_id}")
        if upload and upload.filename:
            try:
                stored = documents.store_pdf(current_user, data=documents.read_limited(upload.stream),
                                             filename=upload.filename)
                db.session.commit()
                replacements[item.file_id] = stored.id
            except ValidationFailed as refused:
                db.session.rollback()
                problem = f"{documents.rules.display_name(upload.filename)}: {refused.errors['upload']}"
    return replacements, problem


def _reorder_panel(source, *, plan=None, placed=None, cancelled=None, status: int = 200, trigger=None):
    if request.htmx:
        return render("orders/_reorder.html", status=status, trigger=trigger, source=source, plan=plan,
                      placed=placed, cancelled=cancelled, now=utcnow())
    return _order_page(source, reorder_plan=plan, status=status)


@blueprint.post("/orders/<number>/cancel")
@login_required
def cancel(number: str):
    """Cancels a just-placed order within the cancel window; the panel that placed it says so."""
    placed = _own_order(number)
    try:
        reorders.cancel_order(current_user, placed, now=utcnow())
        db.session.commit()
    except ValidationFailed as refused:
        db.session.rollback()
        flash(refused.errors[""], "error")
        return redirect_to(url_for("orders.order", number=number))
    panel_for = request.form.get("panel")
    if request.htmx and panel_for:
        return _reorder_panel(_own_order(panel_for), cancelled=placed)
    flash(f"Order {number} is cancelled. Nothing will be charged.", "success")
    return redirect_to(url_for("orders.order", number=number))


@blueprint.get("/orders/<number>/reorder-with-changes")
@login_required
def reorder_with_changes(number: str):
    """Opens the configurator prefilled from the past order (new quantity, need-by, term...)."""
    source = _own_order(number)
    args = reorders.job_values_from(source, today=shop_today(utcnow()))
    args["from_order"] = source.number
    return redirect(url_for("catalog.configure", slug=source.product.slug) + "?" + urlencode(list(args.items(multi=True))))


def _customer_page(customer_id: int, form=None, problems=None, status: int = 200):
    person = accounts.customer_for_staff(customer_id)
    return render("orders/customer.html", "accounts/_notes.html", person=person, status=status,
                  departments=accounts.departments_of(person), notes=accounts.notes_about(person),
                  orders=services.history(person, per_page=15).items, form=form or NoteForm(), problems=problems or {})


@blueprint.get("/staff/customers/<int:customer_id>")
@staff_required
def customer(customer_id: int):
    """Staff view of a customer: contact, departments, previous orders and the shop's notes."""
    return _customer_page(customer_id)


@blueprint.post("/staff/customers/<int:customer_id>/notes")
@staff_required
def add_note(customer_id: int):
    """Adds a note about the customer; a targeted htmx request gets the notes list."""
    person = accounts.customer_for_staff(customer_id)
    form = NoteForm(request.form)
    try:
        accounts.add_note(customer=person, author=current_user, body=form.body.data, now=utcnow())
        db.session.commit()
    except ValidationFailed as refusal:
        return _customer_page(customer_id, form, refusal.errors, status=invalid_status())
    return answer(url_for("orders.customer", customer_id=customer_id), _customer_page, customer_id)
