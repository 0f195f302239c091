"""Budget accounts on file: the ones a customer may charge, adding one. Flush, never commit."""
from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from portal.accounts.models import Department, Membership, MemberRole, User
from portal.accounts.rules import normalize_email
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
    """Why the account cannot be charged today, naming its department's administrator; None if it can."""
    return unusable_reasons([account], today).get(account.id)


def unusable_reasons(accounts: list[BillingAccount], today: date) -> dict[int, str]:
    """Why each account that cannot be charged today cannot (rules.unusable_reason), by account id,
    naming who can renew it: its department's administrator (one query for them all)."""
    blocked = [a for a in accounts if rules.unusable_reason(active_until=a.active_until, withdrawn_at=a.withdrawn_at,
                                                            withdrawn_reason=a.withdrawn_reason, today=today)]
    admins = _administrators_of({a.department_id for a in blocked})
    return {a.id: rules.unusable_reason(
        active_until=a.active_until, withdrawn_at=a.withdrawn_at, withdrawn_reason=a.withdrawn_reason, today=today,
        department=a.department.name,
        administrator=f"{admin.name} ({admin.email})" if (admin := admins.get(a.department_id)) else "")
        for a in blocked}


def chargeable_account(user: User, account_id: int | str | None, *, today: date) -> BillingAccount:
    """An account the customer may charge today.

    Raises NotAllowed when it is not theirs to charge, ValidationFailed (on `billing_account`)
    when it is theirs but expired or withdrawn.
    """
    account = held_account(user, account_id)
    reason = unusable_reason(account, today)
    if reason:
        raise ValidationFailed({"billing_account": reason})
    return account


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
        if _department_of(user, existing.department_id) is None:  # not theirs: say nothing about it
            raise ValidationFailed({"code": "This budget code cannot be added here. If it is your department's, "
                                            "ask your department's administrator to add you to it."})
        admin = _administrator_of(existing.department_id)
        who = f" ({admin.name}, {admin.email})" if admin else ""
        raise ValidationFailed({"code": "This account is already on file for your department. "
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
    return _administrators_of({department_id}).get(department_id)


def _administrators_of(department_ids: set[int]) -> dict[int, User]:
    """Each department's administrator (the first named, when there are several)."""
    if not department_ids:
        return {}
    rows = db.session.execute(select(Membership.department_id, User).join(User, User.id == Membership.user_id).where(
        Membership.department_id.in_(department_ids), Membership.role == MemberRole.ADMINISTRATOR,
        User.active.is_(True)).order_by(Membership.id.desc()))
    return {department_id: user for department_id, user in rows}  # the last written wins: the first named


def remove_holding(user: User, account: BillingAccount) -> None:
    """Takes an account off the customer's list (they can no longer charge it)."""
    holding = db.session.scalar(select(AccountHolder).where(
        AccountHolder.user_id == user.id, AccountHolder.account_id == account.id))
    if holding is None:
        raise NotAllowed("billing account")
    was_default = holding.is_default
    db.session.delete(holding)
    db.session.flush()
    if was_default:
        successor = db.session.scalar(select(AccountHolder).where(AccountHolder.user_id == user.id)
                                      .order_by(AccountHolder.id))
        if successor is not None:
            successor.is_default = True
            db.session.flush()


def held_account(user: User, account_id) -> BillingAccount:
    """An account on the customer's list (usable or not); anyone else's raises NotAllowed."""
    try:
        holder = db.session.scalar(select(AccountHolder).where(
            AccountHolder.account_id == int(account_id), AccountHolder.user_id == user.id))
    except (TypeError, ValueError):
        holder = None
    if holder is None:
        raise NotAllowed("billing account")
    return holder.account


def administered_accounts(user: User) -> list[BillingAccount]:
    """The accounts of the departments this person administers, with who may charge each."""
    return list(db.session.scalars(
        select(BillingAccount).join(Membership, Membership.department_id == BillingAccount.department_id)
        .where(Membership.user_id == user.id, Membership.role == MemberRole.ADMINISTRATOR)
        .options(joinedload(BillingAccount.department), joinedload(BillingAccount.approver))
        .order_by(BillingAccount.name)))


def administered_account(user: User, account_id) -> BillingAccount:
    """An account of a department this person administers; raises NotAllowed otherwise."""
    try:
        account_id = int(account_id)
    except (TypeError, ValueError):
        raise NotAllowed("billing account") from None
    account = next((a for a in administered_accounts(user) if a.id == account_id), None)
    if account is None:
        raise NotAllowed("billing account")
    return account


def holders_of(accounts: list[BillingAccount]) -> dict[int, list[User]]:
    rows = db.session.execute(select(AccountHolder.account_id, User).join(User, User.id == AccountHolder.user_id)
                              .where(AccountHolder.account_id.in_([a.id for a in accounts])).order_by(User.name))
    holders: dict[int, list[User]] = {a.id: [] for a in accounts}
    for account_id, user in rows:
        holders[account_id].append(user)
    return holders


def allow_to_charge(admin: User, account: BillingAccount, *, email: str) -> User:
    """The department administrator lets someone charge the account. Raises ValidationFailed on `email`."""
    person = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if person is None:
        raise ValidationFailed({"email": "No one with that email has an account in the portal yet. "
                                         "They can sign in once first, or call the shop."})
    exists = db.session.scalar(select(AccountHolder).where(AccountHolder.account_id == account.id,
                                                           AccountHolder.user_id == person.id))
    if exists is None:
        has_default = db.session.scalar(select(AccountHolder.id).where(
            AccountHolder.user_id == person.id, AccountHolder.is_default.is_(True)))
        db.session.add(AccountHolder(account_id=account.id, user_id=person.id, is_default=has_default is None))
        db.session.flush()
    return person


def stop_charging(admin: User, account: BillingAccount, *, user_id) -> None:
    """The department administrator takes someone off the account."""
    person = db.session.get(User, int(user_id)) if str(user_id).isdigit() else None
    if person is None:
        raise NotAllowed("holder")
    remove_holding(person, account)


def update_account(admin: User, account: BillingAccount, *, name: str, active_until: date | None,
                   threshold_cents: int | None, approver_email: str) -> BillingAccount:
    """The department administrator changes an account's name, end date, approval threshold and approver.

    Raises ValidationFailed per field; nothing changes then.
    """

    name = " ".join((name or "").split())
    problems: dict[str, str] = {}
    if not name:
        problems["name"] = "Name the account."
    if threshold_cents is not None and threshold_cents < 0:
        problems["threshold"] = "Enter an amount of zero or more, or leave it empty for no approval."
    approver = None
    if approver_email:
        approver = db.session.scalar(select(User).where(User.email == normalize_email(approver_email)))
        if approver is None:
            problems["approver"] = "No one with that email has an account in the portal."
    if threshold_cents is not None and approver is None and "approver" not in problems:
        problems["approver"] = "Name the approver who approves orders above the threshold."
    if problems:
        raise ValidationFailed(problems)
    account.name, account.active_until = name, active_until
    account.approval_threshold_cents, account.approver_id = threshold_cents, approver.id if approver else None
    db.session.flush()
    return account


def withdraw_account(admin: User, account: BillingAccount, *, reason: str, now: datetime) -> None:
    """No one can charge a withdrawn account; orders already placed keep it."""
    account.withdrawn_at = now
    account.withdrawn_reason = " ".join((reason or "").split())[:500]
    db.session.flush()


def reinstate_account(admin: User, account: BillingAccount) -> None:
    account.withdrawn_at = None
    account.withdrawn_reason = ""
    db.session.flush()
