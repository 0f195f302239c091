"""Budget accounts: the customer's own list, and managing a department's accounts."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import request, url_for
from flask_login import current_user, login_required

from portal.accounts.services import departments_of
from portal.billing import blueprint, services
from portal.billing.forms import AccountForm, HolderForm, ManageForm, WithdrawForm
from portal.database import utcnow
from portal.extensions import db
from portal.failures import ValidationFailed
from portal.shop.clock import shop_today
from portal.web import answer, refused, render
from portal.accounts.access import recent_sign_in_required
from portal.web.forms import choices
from portal.web.navigation import redirect_to


def _accounts_page(form=None, problems=None, status: int = 200):
    form = form or AccountForm()
    form.department.choices = choices((d.id, d.name) for d in departments_of(current_user))
    holdings = services.holdings_of(current_user)
    today = shop_today(utcnow())
    return render("billing/accounts.html", "billing/_holdings.html", holdings=holdings, form=form,
                  problems=problems or {}, status=status, managed=services.administered_accounts(current_user),
                  unusable=services.unusable_reasons([h.account for h in holdings], today))


@blueprint.get("/billing")
@login_required
def accounts():
    """The budget accounts the customer may charge, and those they manage."""
    return _accounts_page()


@blueprint.post("/billing")
@recent_sign_in_required
def add():
    """Adds a budget account to the customer's list (needs a recent sign-in)."""
    form = AccountForm(request.form)
    try:
        services.add_account(current_user, code=form.code.data, name=form.name.data,
                             department_id=form.department.data)
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_accounts_page, form, refusal.errors)
    return answer(url_for("billing.accounts"), _accounts_page)


@blueprint.post("/billing/<int:account_id>/default")
@login_required
def make_default(account_id: int):
    """Makes this the account checkout and reorders start from."""
    services.set_default(current_user, services.held_account(current_user, account_id))
    db.session.commit()
    return answer(url_for("billing.accounts"), _accounts_page)


@blueprint.post("/billing/<int:account_id>/remove")
@recent_sign_in_required
def remove(account_id: int):
    """Takes the account off the customer's list (needs a recent sign-in)."""
    services.remove_holding(current_user, services.held_account(current_user, account_id))
    db.session.commit()
    return answer(url_for("billing.accounts"), _accounts_page)


def _manage_page(account, form=None, problems=None, status: int = 200):
    threshold = account.approval_threshold_cents
    form = form or ManageForm(data={
        "name": account.name, "active_until": account.active_until,
        "threshold": f"{threshold / 100:.2f}" if threshold is not None else "",
        "approver": account.approver.email if account.approver else ""})
    return render("billing/manage.html", account=account, form=form, holder_form=HolderForm(),
                  withdraw_form=WithdrawForm(), holders=services.holders_of([account])[account.id],
                  problems=problems or {}, status=status)


@blueprint.get("/billing/<int:account_id>/manage")
@login_required
def manage(account_id: int):
    """A department administrator's page for one account: details, who may charge it, withdrawal."""
    return _manage_page(services.administered_account(current_user, account_id))


@blueprint.post("/billing/<int:account_id>/manage")
@recent_sign_in_required
def update(account_id: int):
    """Saves the account's name, end date, approval threshold and approver."""
    account = services.administered_account(current_user, account_id)
    form = ManageForm(request.form)
    try:
        threshold = _cents(form.threshold.data)
        services.update_account(current_user, account, name=form.name.data, active_until=form.active_until.data,
                                threshold_cents=threshold, approver_email=form.approver.data or "")
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_manage_page, account, form, refusal.errors)
    return redirect_to(url_for("billing.manage", account_id=account_id))


def _cents(text: str | None) -> int | None:
    text = (text or "").replace("$", "").replace(",", "").strip()
    if not text:
        return None
    try:
        return int((Decimal(text) * 100).to_integral_value())
    except InvalidOperation:
        raise ValidationFailed({"threshold": "Enter an amount in dollars, like 2500."}) from None


@blueprint.post("/billing/<int:account_id>/holders")
@recent_sign_in_required
def add_holder(account_id: int):
    """Lets one more person charge the account."""
    account = services.administered_account(current_user, account_id)
    form = HolderForm(request.form)
    try:
        services.allow_to_charge(current_user, account, email=form.email.data or "")
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_manage_page, account, problems=refusal.errors)
    return redirect_to(url_for("billing.manage", account_id=account_id))


@blueprint.post("/billing/<int:account_id>/holders/<int:user_id>/remove")
@recent_sign_in_required
def remove_holder(account_id: int, user_id: int):
    """Stops someone charging the account."""
    services.stop_charging(current_user, services.administered_account(current_user, account_id), user_id=user_id)
    db.session.commit()
    return redirect_to(url_for("billing.manage", account_id=account_id))


@blueprint.post("/billing/<int:account_id>/withdraw")
@recent_sign_in_required
def withdraw(account_id: int):
    """Withdraws the account: no one can charge it any more; past orders keep it."""
    account = services.administered_account(current_user, account_id)
    services.withdraw_account(current_user, account, reason=WithdrawForm(request.form).reason.data, now=utcnow())
    db.session.commit()
    return redirect_to(url_for("billing.manage", account_id=account_id))


@blueprint.post("/billing/<int:account_id>/reinstate")
@recent_sign_in_required
def reinstate(account_id: int):
    """Makes a withdrawn account chargeable again."""
    services.reinstate_account(current_user, services.administered_account(current_user, account_id))
    db.session.commit()
    return redirect_to(url_for("billing.manage", account_id=account_id))
