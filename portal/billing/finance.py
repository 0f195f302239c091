"""Departments and budget accounts from the finance office's file: a preview of what it adds, changes and
withdraws, with every row's problems by line; then applying it, all in one transaction or not at all.
Read like mailing lists (portal.spreadsheets: CSV in any of Excel's encodings, or a workbook).
Services flush and never commit."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import spreadsheets
from portal.accounts.models import Department, DepartmentKind, User
from portal.accounts.services import department_names
from portal.billing import rules
from portal.billing.models import BillingAccount
from portal.extensions import db
from portal.failures import Conflict, ValidationFailed

MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024
WITHDRAWN_REASON = "Not in the finance office's file of {day}."


@dataclass
class FinancePreview:
    plan: rules.FinancePlan
    problems: list[tuple[int, str]]   # (line, message); line 0: the whole file
    rows: int
    digest: str                       # what was previewed: applying checks nothing changed since

    @property
    def can_apply(self) -> bool:
        return not self.problems and not self.plan.empty


def preview(data: bytes) -> FinancePreview:
    """What the file would change. Raises ValidationFailed on `file` when it cannot be read at all."""
    try:
        table = spreadsheets.read_table(data, max_rows=MAX_ROWS, max_bytes=MAX_BYTES)
    except spreadsheets.BadFile as refused:
        raise ValidationFailed({"file": str(refused)}) from None
    columns, missing = rules.finance_columns(table.headers)
    if missing:
        raise ValidationFailed({"file": " ".join(missing) + " The first row should name the columns: "
                                "Account code, Account name, Department, Active until, Approver."})
    config = current_app.config
    rows, problems = rules.finance_rows(table.rows, columns, pattern=config["BUDGET_CODE_PATTERN"],
                                        example=config["BUDGET_CODE_EXAMPLE"])
    approvers = {row.approver for row in rows if row.approver}
    known = set(db.session.scalars(select(User.email).where(User.email.in_(approvers)))) if approvers else set()
    for row in rows:
        if row.approver and row.approver not in known:
            problems.append((row.line, f"Nobody in the portal has the email {row.approver}: they sign in once "
                                       "with their campus account (or are invited) before they can approve."))
    problems.sort()
    bad_lines = {line for line, _ in problems}
    rows = [row for row in rows if row.line not in bad_lines]
    plan = rules.finance_plan(rows, _on_file(), department_names())
    digest = hashlib.sha256(json.dumps(_plan_facts(plan), sort_keys=True, default=str).encode()).hexdigest()
    return FinancePreview(plan, problems, len(table.rows), digest)


def _on_file() -> dict[str, rules.OnFile]:
    accounts = db.session.scalars(select(BillingAccount).options(joinedload(BillingAccount.department),
                                                                 joinedload(BillingAccount.approver)))
    return {account.code: rules.OnFile(account.code, account.name, account.department.name, account.active_until,
                                       account.approver.email if account.approver else "",
                                       account.withdrawn_at is not None) for account in accounts}


def _plan_facts(plan: rules.FinancePlan) -> dict:
    return {"added": [vars(row) for row in plan.added], "changed": [[vars(row), c] for row, c in plan.changed],
            "withdrawn": [vars(account) for account in plan.withdrawn], "departments": plan.new_departments}


def apply(data: bytes, *, digest: str, now: datetime) -> rules.FinancePlan:
    """Applies the file as previewed: new departments, accounts added and changed, accounts no longer in
    the file withdrawn (orders placed keep theirs). Raises ValidationFailed while the file has problems,
    Conflict when the accounts changed since the preview (look again)."""
    checked = preview(data)
    if checked.problems:
        raise ValidationFailed({"file": "Fix the rows with problems first; nothing was changed."})
    if checked.digest != digest:
        raise Conflict("The accounts changed since this preview (someone edited them, or another file was "
                       "applied). Here is what the file would do now; look it over again.", current=checked)
    plan = checked.plan
    departments = {department.name: department for department in db.session.scalars(select(Department))}
    for name in plan.new_departments:
        departments[name] = Department(name=name[:120], kind=DepartmentKind.ADMINISTRATIVE)
        db.session.add(departments[name])
    db.session.flush()
    names = department_names()
    accounts = {account.code: account for account in db.session.scalars(select(BillingAccount))}
    approvers = {user.email: user for user in db.session.scalars(select(User).where(User.email.in_(
        {row.approver for row in plan.added + [row for row, _ in plan.changed] if row.approver})))}
    for row in plan.added + [row for row, _ in plan.changed]:
        account = accounts.get(row.code)
        if account is None:
            account = BillingAccount(code=row.code, created_at=now)
            db.session.add(account)
        account.name, account.active_until = row.name, row.active_until
        account.department_id = departments[names.get(row.department.casefold(), row.department)].id
        if row.approver:
            account.approver_id = approvers[row.approver].id
        account.withdrawn_at, account.withdrawn_reason = None, ""
    for gone in plan.withdrawn:
        account = accounts[gone.code]
        account.withdrawn_at = now
        account.withdrawn_reason = WITHDRAWN_REASON.format(day=now.date().isoformat())
    db.session.flush()
    return plan
