"""The manager's Terms page (/staff/terms): each term's first day of classes, and the deadline it makes."""
from __future__ import annotations

from flask import request, url_for

from portal.database import utcnow
from portal.extensions import db
from portal.failures import ValidationFailed
from portal.terms import blueprint, services
from portal.terms.forms import TermForm
from portal.web import admin_required, refused, render
from portal.web.rendering import answer

PAGE = "terms/index.html"


def _page(form: TermForm | None = None, *, editing=None, problems: dict | None = None, status: int = 200):
    now = utcnow()
    listed = [(term, services.deadline(term, now=now)) for term in services.terms()]
    return render(PAGE, "terms/_terms.html", status=status, terms=listed, form=form or TermForm(),
                  editing=editing, problems=problems or {}, order_days=services.order_days(),
                  coming=services.coming_term(now=now))


@blueprint.get("/staff/terms")
@admin_required
def index():
    """Every term with its first day of classes and its order deadline, and the form to add one."""
    return _page()


@blueprint.post("/staff/terms")
@admin_required
def add():
    """Adds a term; errors next to the fields, with what was typed kept (fragment: the terms section)."""
    form = TermForm(request.form)
    form.validate()
    try:
        term = services.save_term(None, name=form.name.data or "", first_day=form.first_day.data)
        db.session.commit()
    except ValidationFailed as failure:
        return refused(_page, form, problems=_with_form_errors(form, failure.errors))
    return answer(url_for("terms.index"), _page, flashed=(f"{term.name} is added.", "ok"))


@blueprint.get("/staff/terms/<int:term_id>")
@admin_required
def edit(term_id: int):
    """The terms page with one term's form open to change it."""
    term = services.term_by_id(term_id)
    return _page(TermForm(obj=term), editing=term)


@blueprint.post("/staff/terms/<int:term_id>")
@admin_required
def update(term_id: int):
    """Changes a term's name or first day; errors beside the fields."""
    term = services.term_by_id(term_id)
    form = TermForm(request.form)
    form.validate()
    try:
        services.save_term(term, name=form.name.data or "", first_day=form.first_day.data)
        db.session.commit()
    except ValidationFailed as failure:
        return refused(_page, form, editing=services.term_by_id(term_id),
                       problems=_with_form_errors(form, failure.errors))
    return answer(url_for("terms.index"), _page, flashed=(f"{term.name} is saved.", "ok"))


@blueprint.post("/staff/terms/<int:term_id>/remove")
@admin_required
def remove(term_id: int):
    """Takes a term off the list."""
    term = services.term_by_id(term_id)
    name = term.name
    services.remove_term(term)
    db.session.commit()
    return answer(url_for("terms.index"), _page, flashed=(f"{name} is removed.", "ok"))


def _with_form_errors(form: TermForm, problems: dict) -> dict:
    """A date the browser sent that is not a date says so, not "enter the first day"."""
    if form.first_day.errors:
        problems = {**problems, "first_day": form.first_day.errors[0]}
    return problems
