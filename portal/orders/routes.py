"""Checkout, the order page and order history."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, flash, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from portal.addresses import services as addresses
from portal.billing import services as billing
from portal.database import utcnow
from portal.extensions import db
from portal.failures import NotAllowed, ValidationFailed
from portal.orders import blueprint, checkout as checkout_page, services
from portal.web import render
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
        order = services.place_order(customer=current_user, config=state.config, address=state.address,
                                     account=account, need_by=state.form.need_by.data,
                                     instructions=state.form.instructions.data or "", idempotency_key=key,
                                     now=state.now)
        db.session.commit()
    except NotAllowed:
        abort(404)
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
    """"rush", "pickup" or "rush+pickup": the way to meet the need-by date the customer picked."""
    if "rush" in which.split("+"):
        values["rush"] = "y"
    if "pickup" in which.split("+"):
        values["address"] = str(addresses.pickup_address(current_user).id)
        db.session.commit()
    return values


@blueprint.get("/orders")
@login_required
def history():
    """Order history, newest first; a targeted htmx request (live search) gets the results fragment."""
    search = request.args.get("q", "")[:100]
    page = services.history(current_user, search=search, page=request.args.get("page", 1, type=int))
    return render("orders/history.html", "orders/_history_results.html", page=page, search=search)


@blueprint.get("/orders/<number>")
@login_required
def order(number: str):
    """The order page: what was ordered, price, where it goes, who pays, dates and timeline."""
    try:
        found = services.order_for(current_user, number)
    except NotAllowed:
        abort(404)
    return render("orders/order.html", order=found)
