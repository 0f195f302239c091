"""The catalog and each product's configurator."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import flash, request, url_for
from flask_login import current_user, login_required

from portal.accounts import services as accounts
from portal.accounts.forms import preferences_form
from portal.catalog import blueprint, forms, on_file, services
from portal.catalog.forms import DefaultsForm
from portal.database import utcnow
from portal.documents import services as documents
from portal.extensions import db
from portal.failures import ValidationFailed
from portal.catalog.services import checkout_defaults
from portal.shop.clock import shop_today
from portal.terms import services as terms
from portal.web import refused, render
from portal.web.forms import choices
from portal.web.navigation import invalid_status, redirect_to


@blueprint.get("/products")
@login_required
def index():
    """The catalog: every product the shop takes online, with its starting price and usual turnaround."""
    return render("catalog/index.html", cards=services.product_cards(now=utcnow()))


def _configuration(product, formdata):
    now = utcnow()
    today = shop_today(now)
    form = forms.configurator_form(product, formdata, today=today,
                                   defaults=accounts.preferences_of(current_user).options, instructor=current_user.name)
    if formdata is not None:
        form.validate()
    return form, services.configure(product, form, current_user, today=today, now=now)


def _page(product, formdata, *, status: int = 200, partial: str | None = None, upload_error: str = ""):
    form, config = _configuration(product, formdata)
    defaults = checkout_defaults(current_user)
    now = utcnow()
    estimate = config.estimate(delivery_method=defaults.delivery_method, now=now)
    return render("catalog/configure.html", partial, status=status, product=product, form=form,
                  job=config, quote=config.quote(), estimate=estimate, defaults=defaults,
                  deadline=_term_deadline(config, now=now) if product.is_course_pack else None,
                  problems=config.problems if formdata else {}, upload_error=upload_error)


def _term_deadline(config, *, now):
    """The chosen term's deadline to order for its first day of classes; before a term is chosen, the coming term's."""
    if config.term:
        return terms.deadline_for(config.term, now=now)
    coming = terms.coming_term(now=now)
    return terms.deadline(coming, now=now) if coming else None


@blueprint.get("/products/<slug>")
@login_required
def configure(slug: str):
    """The configurator page; a targeted htmx request gets the price-and-date fragment."""
    product = services.product_to_configure(slug)
    return _page(product, request.args if request.args else None, partial="catalog/_quote.html")


@blueprint.post("/products/<slug>")
@login_required
def configure_post(slug: str):
    """Uploads, reorders or removes files; continues to checkout when the job is complete."""
    product = services.product_by_slug(slug)
    action = request.form.get("action", "update")
    entries = forms.move_entry(forms.file_entries(request.form), action)
    upload_error = ""
    for upload in (u for u in request.files.getlist("upload") if u and u.filename):
        try:
            stored = documents.store_pdf(current_user, data=documents.read_limited(upload.stream),
                                         filename=upload.filename)
            db.session.commit()
        except ValidationFailed as refused:
            db.session.rollback()
            upload_error = f"{documents.rules.display_name(upload.filename)}: {refused.errors['upload']}"
            continue
        entries.append(forms.entry_for(stored))
    formdata = forms.with_entries(request.form, entries)
    if action == "checkout" and not upload_error:
        config = _configuration(product, formdata)[1]
        if config.is_complete:
            return redirect_to(url_for("orders.checkout") + "?" + urlencode(forms.config_args(product, formdata)))
    status = invalid_status() if action == "checkout" or upload_error else 200
    return _page(product, formdata, status=status, partial="catalog/_configurator.html",
                 upload_error=upload_error)


@blueprint.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    """What the configurator and checkout start from: preferred paper, colour, sides and binding, and how
    orders are delivered and which account pays (the address book's and the accounts' defaults)."""
    offered, kept = services.preferable_choices(), on_file.on_file(current_user)
    formdata = request.form if request.method == "POST" else None
    form = preferences_form(offered, formdata, accounts.preferences_of(current_user).options)
    defaults = DefaultsForm(formdata, address=kept.default_address_id, account=kept.default_account_id)
    defaults.address.choices = choices(kept.address_choices())
    defaults.account.choices = choices(kept.account_choices())
    if request.method == "POST":
        try:
            on_file.save_defaults(current_user, address_id=defaults.address.data, account_id=defaults.account.data)
            accounts.save_preferences(current_user, options=form.data,
                                      offered={code: {c for c, _ in pairs} for code, pairs in offered.items()})
            db.session.commit()
            flash("Your preferences are saved. New orders start from them.", "success")
            return redirect_to(url_for("catalog.preferences"))
        except ValidationFailed as refusal:
            return refused("catalog/preferences.html", form=form, defaults=defaults, kept=kept, problems=refusal.errors)
    return render("catalog/preferences.html", form=form, defaults=defaults, kept=kept, problems={})
