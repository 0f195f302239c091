"""Budget accounts on file: the ones a customer may charge, adding one. Flush, never commit."""
from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from portal.accounts.models import Department, Membership, MemberRole, User
from portal.billing import rules
from portal.billing.models import AccountHolder, BillingAccount
from portal.extensions import db
from portal.failures import NotAllowed, ValidationFailed


def holdings_of(user: User) -> list[AccountHolder]:
    """The accounts this customer may charge, the default first, each with its department."""
    return list(db.session.scalars(
        select(AccountHolder).where(AccountHolder.user_id == user.id)
        .options(joinedload(AccountHolder.account).joinedload(BillingAccount.department))
        .join(AccountHolder.account)
        .order_by(AccountHolder.is_default.desc(), BillingAccount.name)))


def unusable_reason(account: BillingAccount, today: date) -> str | None:
    return rules.unusable_reason(active_until=account.active_until, withdrawn_at=account.withdrawn_at,
                                 withdrawn_reason=account.withdrawn_reason, today=today)


def chargeable_account(user: User, account_id: int | str | None, *, today: date) -> BillingAccount:
    """An account the customer may charge today.

    Raises NotAllowed when it is not theirs to charge, ValidationFailed (on `billing_account`)
    when it is theirs but expired or withdrawn.
    """
    try:
        holder = db.session.scalar(select(AccountHolder).where(
            AccountHolder.account_id == int(account_id), AccountHolder.user_id == user.id))
    except (TypeError, ValueError):
        holder = None
    if holder is None:
        raise NotAllowed("billing account")
    reason = unusable_reason(holder.account, today)
    if reason:
        raise ValidationFailed({"billing_account": reason})
    return holder.account


def add_account(user: User, *, code: str, name: str, department_id: int | str | None) -> BillingAccount:
    """Puts a budget account on file for the customer, in one of their departments.

    A new code creates the account with the customer allowed to charge it. A code already on file
    for someone else is refused: its department administrator adds people to it.
    Raises ValidationFailed with messages on `code`, `name` and `department`.
    """
    code = rules.clean_code(code)
    name = " ".join((name or "").split())
    problems: dict[str, str] = {}
    problem = rules.code_problem(code, pattern=current_app.config["BUDGET_CODE_PATTERN"],
                                 example=current_app.config["BUDGET_CODE_EXAMPLE"])
    if problem:
        problems["code"] = problem
    if not name:
        problems["name"] = "Name the account, like “Law School course materials”."
    elif len(name) > 120:
        problems["name"] = "Use at most 120 characters."
    department = _department_of(user, department_id)
    if department is None:
        problems["department"] = "Choose one of your departments."
    if problems:
        raise ValidationFailed(problems)
    existing = db.session.scalar(select(BillingAccount).where(BillingAccount.code == code))
    if existing is not None:
        if any(h.account_id == existing.id for h in holdings_of(user)):
            return existing
        admin = _administrator_of(existing.department_id)
        who = f" ({admin.name}, {admin.email})" if admin else ""
        raise ValidationFailed({"code": "This account is already on file for its department. "
                                        f"Ask the department's administrator{who} to add you to it."})
    account = BillingAccount(code=code, name=name, department_id=department.id)
    db.session.add(account)
    db.session.flush()
    first = not holdings_of(user)
    db.session.add(AccountHolder(account_id=account.id, user_id=user.id, is_default=first))
    db.session.flush()
    return account


def set_default(user: User, account: BillingAccount) -> None:
    db.session.execute(update(AccountHolder).where(AccountHolder.user_id == user.id)
                       .values(is_default=False))
    db.session.execute(update(AccountHolder).where(AccountHolder.user_id == user.id,
                                                   AccountHolder.account_id == account.id)
                       .values(is_default=True))


def _department_of(user: User, department_id) -> Department | None:
    try:
        department_id = int(department_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(select(Department).join(Membership).where(
        Membership.user_id == user.id, Department.id == department_id))


def _administrator_of(department_id: int) -> User | None:
    return db.session.scalar(select(User).join(Membership).where(
        Membership.department_id == department_id, Membership.role == MemberRole.ADMINISTRATOR))
