"""The address book: add, edit in place, delete with undo, choose the default."""
from __future__ import annotations

from flask import request, url_for
from flask_login import current_user, login_required

from portal.addresses import blueprint, services
from portal.addresses.forms import AddressForm
from portal.database import utcnow
from portal.extensions import db
from portal.failures import ValidationFailed
from portal.web import answer, kept, refused, render


def _book(status=200, undo=None, trigger=None, headers=None):
    """The address book page, or its body (undo banner and list) for a targeted htmx request."""
    return render("addresses/book.html", "addresses/_book_body.html", addresses=services.addresses_of(current_user),
                  status=status, undo=undo, trigger=trigger, headers=headers)


@blueprint.get("/addresses")
@login_required
@kept
def book():
    """The address book page (with an Undo banner after a delete without JavaScript)."""
    return _book(undo=services.restorable(current_user, request.args.get("undo"), now=utcnow()))


@blueprint.get("/addresses/new")
@login_required
def new():
    """The new-address form: its own page, or swapped into the address book by htmx."""
    return render("addresses/new.html", "addresses/_new.html", form=AddressForm(), problems={})


@blueprint.post("/addresses")
@login_required
def add():
    """Adds an address; errors come back next to the fields with what was typed; success shows the book."""
    form = AddressForm(request.form)
    try:
        services.add_address(current_user, form.data, make_default=bool(request.form.get("make_default")))
        db.session.commit()
    except ValidationFailed as refusal:
        return refused("addresses/new.html", "addresses/_new.html", form=form, problems=refusal.errors)
    return answer(url_for("addresses.book"), _book, trigger={"address-added": {}},
                  headers={"HX-Retarget": "#address-book", "HX-Reswap": "outerHTML"})


@blueprint.get("/addresses/<int:address_id>")
@login_required
def show(address_id: int):
    """One address; a targeted htmx request gets its row (used by Cancel in the inline editor)."""
    address = services.address_for(current_user, address_id)
    return render("addresses/edit.html", "addresses/_address.html", address=address, editing=False,
                  form=AddressForm(data=address.snapshot()), problems={})


@blueprint.get("/addresses/<int:address_id>/edit")
@login_required
def edit(address_id: int):
    """The address's row as an edit form (a page of its own without JavaScript)."""
    address = services.address_for(current_user, address_id)
    return render("addresses/edit.html", "addresses/_address.html", address=address, editing=True,
                  form=AddressForm(data=address.snapshot()), problems={})


@blueprint.post("/addresses/<int:address_id>")
@login_required
def update(address_id: int):
    """Saves an edited address; orders already placed keep the address they were placed with."""
    address = services.address_for(current_user, address_id)
    form = AddressForm(request.form)
    try:
        services.update_address(current_user, address, form.data)
        db.session.commit()
    except ValidationFailed as refusal:
        return refused("addresses/edit.html", "addresses/_address.html", address=address, editing=True,
                       form=form, problems=refusal.errors)
    return answer(url_for("addresses.book"), "addresses/edit.html", "addresses/_address.html", address=address,
                  editing=False, form=form, problems={}, trigger={"address-saved": {"id": address.id}})


@blueprint.post("/addresses/<int:address_id>/delete")
@login_required
def delete(address_id: int):
    """Deletes an address, with an Undo for a few minutes."""
    address = services.address_for(current_user, address_id)
    services.delete_address(current_user, address, now=utcnow())
    db.session.commit()
    return answer(url_for("addresses.book", undo=address.id), _book, undo=address)


@blueprint.post("/addresses/<int:address_id>/restore")
@login_required
def restore(address_id: int):
    """Undo of a delete."""
    services.restore_address(current_user, address_id, now=utcnow())
    db.session.commit()
    return answer(url_for("addresses.book"), _book)


@blueprint.post("/addresses/<int:address_id>/default")
@login_required
def make_default(address_id: int):
    """Makes this the default address for checkout and reorders."""
    services.set_default(current_user, services.address_for(current_user, address_id))
    db.session.commit()
    return answer(url_for("addresses.book"), _book)
