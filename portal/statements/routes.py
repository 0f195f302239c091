"""Statements pages and files (staff and department administrators), the month close (the manager), and the
staff's credit form on a job."""
from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from portal.database import utcnow
from portal.extensions import db
from portal.failures import ValidationFailed
from portal.shop.clock import shop_today
from portal.statements import blueprint, documents, forms, services
from portal.statements.rules import Month
from portal.web import refused, render, staff_required
from portal.web.navigation import redirect_to


@blueprint.app_template_global()
def sees_statements() -> bool:
    return current_user.is_authenticated and services.sees_statements(current_user)


@blueprint.app_template_global()
def order_adjustments(order):
    """The credits on an order, for the customer's order page and the staff's job page."""
    return services.adjustments_of(order)


def _month(key: str) -> Month:
    try:
        return Month.parse(key)
    except ValueError:
        abort(404)


def _may_close() -> bool:
    return current_user.is_admin


@blueprint.get("/statements")
@login_required
def index():
    """The months, newest first, each open or closed with its net charge (a chart and the table), and a
    link to its statements."""
    return render("statements/index.html", months=services.recent_months(now=utcnow(), viewer=current_user),
                  today=shop_today(utcnow()))


@blueprint.get("/statements/<month>")
@login_required
def month(month: str):
    """A month's statements: each department with its accounts and totals, and the files to download."""
    view = services.month_view(_month(month), viewer=current_user)
    return render("statements/month.html", view=view, may_close=_may_close(), today=shop_today(utcnow()))


@blueprint.get("/statements/<month>/departments/<int:department_id>")
@login_required
def department(month: str, department_id: int):
    """A department's statement of the month: its accounts, every order charged and every credit."""
    view, statement = services.department_statement(_month(month), department_id, viewer=current_user)
    return render("statements/statement.html", view=view, title=statement.name, accounts=statement.accounts,
                  totals=statement.totals, files=_files("department", month, department_id=department_id),
                  today=shop_today(utcnow()))


@blueprint.get("/statements/<month>/departments/<int:department_id>/statement.pdf")
@login_required
def department_pdf(month: str, department_id: int):
    """The department's statement as a PDF."""
    view, statement = services.department_statement(_month(month), department_id, viewer=current_user)
    return documents.statement_pdf(view, title=statement.name, accounts=statement.accounts, totals=statement.totals,
                                   name=statement.name)


@blueprint.get("/statements/<month>/departments/<int:department_id>/statement.csv")
@login_required
def department_csv(month: str, department_id: int):
    """The department's statement as CSV."""
    view, statement = services.department_statement(_month(month), department_id, viewer=current_user)
    return documents.statement_csv(view, accounts=statement.accounts, name=statement.name)


@blueprint.get("/statements/<month>/accounts/<int:account_id>")
@login_required
def account(month: str, account_id: int):
    """A budget account's statement of the month."""
    view, statement = services.account_statement(_month(month), account_id, viewer=current_user)
    return render("statements/statement.html", view=view, title=f"{statement.code} {statement.name}",
                  accounts=(statement,), totals=statement.totals, files=_files("account", month, account_id=account_id),
                  today=shop_today(utcnow()))


@blueprint.get("/statements/<month>/accounts/<int:account_id>/statement.pdf")
@login_required
def account_pdf(month: str, account_id: int):
    """The budget account's statement as a PDF."""
    view, statement = services.account_statement(_month(month), account_id, viewer=current_user)
    return documents.statement_pdf(view, title=f"{statement.code} {statement.name}", accounts=(statement,),
                                   totals=statement.totals, name=statement.code)


@blueprint.get("/statements/<month>/accounts/<int:account_id>/statement.csv")
@login_required
def account_csv(month: str, account_id: int):
    """The budget account's statement as CSV."""
    view, statement = services.account_statement(_month(month), account_id, viewer=current_user)
    return documents.statement_csv(view, accounts=(statement,), name=statement.code)


def _files(kind: str, month: str, **ids) -> dict:
    return {"pdf": url_for(f"statements.{kind}_pdf", month=month, **ids),
            "csv": url_for(f"statements.{kind}_csv", month=month, **ids)}


@blueprint.get("/statements/<month>/journal.csv")
@staff_required
def journal(month: str):
    """The month's chargeback file for the finance system (one journal entry per budget account)."""
    found = _month(month)
    return documents.journal_csv(found, services.journal(found))


def _close_page(month: Month, *, status: int = 200, problems: dict | None = None):
    view = services.month_view(month, viewer=current_user)
    return render("statements/close.html", status=status, view=view, problems=problems or {},
                  today=shop_today(utcnow()))


@blueprint.get("/statements/<month>/close")
@staff_required
def close_confirm(month: str):
    """Asks the manager to confirm closing the month, with its totals and what closing means."""
    if not _may_close():
        abort(404)
    return _close_page(_month(month))


@blueprint.post("/statements/<month>/close")
@staff_required
def close(month: str):
    """Closes the month (the manager only); its statements are final and department administrators are told."""
    found = _month(month)
    try:
        services.close_month(found, actor=current_user, now=utcnow())
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_close_page, found, problems=refusal.errors)
    flash(f"{found.label} is closed. Department administrators are being emailed their statements.", "success")
    return redirect_to(url_for("statements.month", month=found.key))


def _credit_page(number: str, *, status: int = 200, problems: dict | None = None, values: MultiDict | None = None):
    order = services.order_for_credit(number)
    return render("statements/credit.html", status=status, order=order, form=forms.CreditForm(values or MultiDict()),
                  problems=problems or {}, credited=services.credited_cents(order),
                  adjustments=services.adjustments_of(order))


@blueprint.get("/staff/jobs/<number>/credit")
@staff_required
def credit_form(number: str):
    """The form to credit a job: what for, how much, why; with the credits it already has."""
    return _credit_page(number)


@blueprint.post("/staff/jobs/<number>/credit")
@staff_required
def credit(number: str):
    """Credits the job; errors next to the fields, with what was typed kept."""
    try:
        adjustment = services.credit_order(services.order_for_credit(number), amount=request.form.get("amount"),
                                           kind=request.form.get("kind"), reason=request.form.get("reason"),
                                           actor=current_user, now=utcnow())
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_credit_page, number, problems=refusal.errors, values=request.form)
    flash(f"{number} credited. The credit is on the {Month.parse(adjustment.month).label} statement.", "success")
    return redirect_to(url_for("queue.job", number=number))
