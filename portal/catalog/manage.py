"""The shop manager's Catalog area: products (options, prices, quantity rules, proof, routing) and stations.

An edit page is one form. As the manager types, htmx asks the same page again (GET, nothing saved) with
what is typed: `_validate=<field>` answers that field's problem, any other targeted request the live
preview (the customer's price and date for the product as typed). "Add ..." and "Remove ..." buttons
post the form and show it again with one more or one less row, and "Save" saves it: all without JavaScript.
"""
from __future__ import annotations

from flask import flash, request, url_for
from flask_login import current_user

from portal.catalog import blueprint, forms, management, services, transfer
from portal.catalog.models import Product
from portal.database import utcnow
from portal.extensions import db
from portal.failures import Conflict, NotAllowed, ValidationFailed
from portal.shop.clock import shop_today
from portal.web import admin_required, refused, render
from portal.web.navigation import redirect_to
from portal.web.rendering import wants_fragment

PAGE = "catalog/manage/product.html"
LIST_ACTIONS = ("add-", "remove-")


@blueprint.get("/staff/catalog")
@admin_required
def manage():
    """The Catalog area: every product (on sale, then retired) and every station."""
    return render("catalog/manage/index.html", products=management.products(), stations=management.stations())


def _offered():
    stations = management.stations()
    return [(station.code, station.name) for station in stations], {station.code for station in stations}


def _preview(entry, product: Product | None):
    """The customer's configurator for the product as typed: its usual job's price and date (unsaved)."""
    if entry is None:
        return None
    draft = management.draft(entry, like=product)
    now = utcnow()
    today = shop_today(now)
    form = forms.configurator_form(draft, None, today=today)
    job = services.configure(draft, form, current_user, today=today, now=now)
    if job.quantity is None:  # a course pack's copies come from its enrollment: preview the usual quantity
        job.quantity = draft.default_quantity
    job.problems.pop("quantity", None)
    defaults = services.CheckoutDefaults(None, None)  # campus delivery, as the catalog's cards count it
    return dict(product=draft, form=form, job=job, quote=job.quote(),
                estimate=job.estimate(delivery_method=defaults.delivery_method, now=now), defaults=defaults)


def _editor(product: Product | None, formdata, *, action: str = "", problems: dict | None = None,
            status: int = 200, seen_change: int | None = None):
    """The product form as stored (no `formdata`) or as typed, its problems, and its preview."""
    offered, codes = _offered()
    form = forms.product_form(formdata, entry=management.stored_entry(product), stations=offered, action=action)
    entry, found = forms.product_entry(form, slug=product.slug if product else None,
                                       active=product.active if product else True, stations=codes)
    if formdata is not None and "_validate" in formdata:
        name = formdata["_validate"]
        page = {} if wants_fragment() else _context(product, form, found, entry, seen_change)  # htmx: the slot only
        return render(PAGE, "catalog/manage/_field_problem.html", field_id=name, message=found.get(name, ""), **page)
    shown = problems if problems is not None else (found if formdata is not None and not action else {})
    return render(PAGE, "catalog/manage/_preview.html", status=status,
                  **_context(product, form, shown, entry, seen_change))


def _context(product, form, problems, entry, seen_change):
    editor_url = (url_for("catalog.manage_product", slug=product.slug) if product
                  else url_for("catalog.manage_new_product"))
    return dict(product=product, form=form, problems=problems, preview=_preview(entry, product),
                editor_url=editor_url, seen_change=management.last_change_id(product) if seen_change is None
                else seen_change, on_sale=[p for p in management.products() if p.active and p != product])


@blueprint.get("/staff/catalog/products/new")
@admin_required
def manage_new_product():
    """A new product's form; with values typed, their problems and preview (a field's problem, or the
    preview fragment, for htmx)."""
    return _editor(None, request.args or None)


@blueprint.get("/staff/catalog/products/<slug>")
@admin_required
def manage_product(slug: str):
    """A product's form, as stored or as typed (a field's problem, or the preview fragment, for htmx)."""
    return _editor(management.product(slug), request.args or None)


def _save(product: Product | None):
    action = request.form.get("action", "save")
    if action.startswith(LIST_ACTIONS):
        return _editor(product, request.form, action=action)
    offered, codes = _offered()
    form = forms.product_form(request.form, stations=offered)
    entry, problems = forms.product_entry(form, slug=product.slug if product else None,
                                          active=product.active if product else True, stations=codes)
    seen = request.form.get("seen_change", type=int)
    try:
        if entry is None:
            raise ValidationFailed(problems)
        saved = management.save_product(product=product, entry=entry, actor=current_user, now=utcnow(),
                                        seen_change=seen)
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_editor, product, request.form, problems=refusal.errors, seen_change=seen)
    except Conflict as changed:
        db.session.rollback()
        flash(changed.message, "error")
        return _editor(management.product(product.slug), None, status=409)
    flash(f"{saved.name} is saved. New quotes use it now; placed orders keep what they were sold at.", "success")
    return redirect_to(url_for("catalog.manage_product", slug=saved.slug))


@blueprint.post("/staff/catalog/products/new")
@admin_required
def manage_add_product():
    """Adds the product (or adds or removes a row of the form and shows it again)."""
    return _save(None)


@blueprint.post("/staff/catalog/products/<slug>")
@admin_required
def manage_save_product(slug: str):
    """Saves the product's changes (or adds or removes a row of the form and shows it again)."""
    return _save(management.product(slug))


@blueprint.post("/staff/catalog/products/<slug>/retire")
@admin_required
def manage_retire_product(slug: str):
    """Retires the product, naming what replaces it (chosen from the products on sale)."""
    product = management.product(slug)
    chosen = request.form.get("replaced_by", "")
    try:
        replacement = management.product(chosen) if chosen else None
        management.retire(product=product, replaced_by=replacement, actor=current_user, now=utcnow())
        db.session.commit()
    except NotAllowed:
        return refused(_editor, product, None, problems={"replaced_by": "Choose a product from the list."})
    except ValidationFailed as refusal:
        return refused(_editor, product, None, problems=refusal.errors)
    flash(f"{product.name} is retired: it is off the catalog; its orders stay, and reorders point to "
          f"{replacement.name if replacement else 'the catalog'}.", "success")
    return redirect_to(url_for("catalog.manage_product", slug=slug))


@blueprint.post("/staff/catalog/products/<slug>/reinstate")
@admin_required
def manage_reinstate_product(slug: str):
    """Puts a retired product back on the catalog."""
    product = management.product(slug)
    try:
        management.reinstate(product=product, actor=current_user, now=utcnow())
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_editor, product, None, problems=refusal.errors)
    flash(f"{product.name} is on the catalog again.", "success")
    return redirect_to(url_for("catalog.manage_product", slug=slug))


@blueprint.get("/staff/catalog/products/<slug>/history")
@admin_required
def manage_product_history(slug: str):
    """Every recorded change of the product: who, when, which field, before and after; 50 a page."""
    product = management.product(slug)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    changes, older = management.product_history(product, page=page)
    return render("catalog/manage/history.html", product=product, changes=changes, page=page, older=older)


def _station_page(station, form, problems, *, status: int = 200):
    history = management.station_history(station) if station else []
    return render("catalog/manage/station.html", status=status, station=station, form=form, problems=problems,
                  history=history)


@blueprint.route("/staff/catalog/stations/new", methods=["GET", "POST"])
@admin_required
def manage_new_station():
    """A new station's form; posted, adds it."""
    return _station(None)


@blueprint.route("/staff/catalog/stations/<code>", methods=["GET", "POST"])
@admin_required
def manage_station(code: str):
    """A station's name and capacity, with its recorded changes; posted, saves them."""
    return _station(management.station_by_code(code))


def _station(station):
    posted = request.method == "POST"
    form = forms.StationForm(request.form if posted else None,
                             data=None if posted or station is None else
                             forms.station_values(transfer.station_entry(station)))
    if not posted:
        return _station_page(station, form, {})
    entry, problems = forms.station_entry(form, code=station.code if station else None)
    try:
        if entry is None:
            raise ValidationFailed(problems)
        saved = management.save_station(station=station, entry=entry, actor=current_user, now=utcnow())
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_station_page, station, form, refusal.errors)
    flash(f"{saved.name} is saved. Delivery dates use its capacity now.", "success")
    return redirect_to(url_for("catalog.manage"))
