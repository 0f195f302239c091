"""Which budget accounts can be charged, when an order needs its approver, and what the finance office's
file of departments and budget accounts changes. Pure."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime


def code_problem(code: str, *, pattern: str, example: str) -> str | None:
    """Why a budget code is not in the university's format, or None."""
    if not code:
        return f"Enter the budget code, like {example}."
    if not re.fullmatch(pattern, code):
        return f"Budget codes look like {example}: check the digits and dashes."
    return None


def clean_code(code: str | None) -> str:
    return "".join((code or "").split())


def unusable_reason(*, active_until: date | None, withdrawn_at: datetime | None,
                    withdrawn_reason: str, today: date, department: str = "", administrator: str = "") -> str | None:
    """Why an account cannot be charged today, or None if it can: not a mistake of the customer's but
    something for them to fix, so it says what happened and what to do: choose another account, or ask
    the department's administrator (named, with how to reach them, when the department has one)."""
    role = f"the {department} administrator" if department else "its department's administrator"
    who = f"{administrator}, {role}," if administrator else role
    if withdrawn_at is not None:
        why = f": {withdrawn_reason}" if withdrawn_reason else ""
        return f"This account was withdrawn by its department{why}. Choose another or ask {who} about it."
    if active_until is not None and active_until < today:
        return f"This account expired on {active_until.strftime('%B %-d, %Y')}. Choose another or ask {who} to renew it."
    return None


def needs_approval(*, threshold_cents: int | None, price_cents: int) -> bool:
    """Orders above an account's approval threshold wait for its approver."""
    return threshold_cents is not None and price_cents > threshold_cents


# The finance office's file: one row per budget account, exported from the university's finance system.
FINANCE_COLUMNS = {
    "code": ("accountcode", "budgetcode", "account", "code", "accountnumber"),
    "name": ("accountname", "name", "description", "title"),
    "department": ("department", "departmentname", "dept", "departmentcode", "deptcode", "org", "organization"),
    "active_until": ("activeuntil", "expires", "expiry", "expirationdate", "enddate", "activethrough"),
    "approver": ("approver", "approveremail", "approvedby", "fiscalofficer"),
}
FINANCE_REQUIRED = ("code", "name", "department")
FINANCE_LABELS = {"code": "Account code", "name": "Account name", "department": "Department",
                  "active_until": "Active until", "approver": "Approver"}


def _key(heading: str) -> str:
    return re.sub(r"[^a-z]", "", unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode().lower())


def finance_columns(headers) -> tuple[dict[str, int], list[str]]:
    """Which column holds what (headings matched ignoring case, spaces and punctuation), and what is missing."""
    keys = [_key(heading) for heading in headers]
    found = {}
    for name, names in FINANCE_COLUMNS.items():
        index = next((keys.index(k) for k in names if k in keys), None)
        if index is not None:
            found[name] = index
    missing = [f"The file has no “{FINANCE_LABELS[name]}” column." for name in FINANCE_REQUIRED if name not in found]
    return found, missing


def parse_day(text: str) -> date | None:
    """2027-06-30, 6/30/2027 or 30-Jun-2027 (as finance systems write them); "" is no date. Raises ValueError."""
    text = (text or "").strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%d-%b-%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


@dataclass(frozen=True)
class FinanceRow:
    line: int
    code: str
    name: str
    department: str
    active_until: date | None
    approver: str  # an email, or ""


def finance_rows(rows, columns: dict[str, int], *, pattern: str, example: str
                 ) -> tuple[list[FinanceRow], list[tuple[int, str]]]:
    """The accounts in the file's rows, and every row's problems by line number."""
    def cell(cells, name):
        return cells[columns[name]].strip() if name in columns else ""

    found, problems, seen = [], [], {}
    for line, cells in rows:
        code = clean_code(cell(cells, "code"))
        name, department = " ".join(cell(cells, "name").split()), cell(cells, "department")
        row_problems = []
        problem = code_problem(code, pattern=pattern, example=example)
        if problem:
            row_problems.append(problem)
        elif code in seen:
            row_problems.append(f"Account {code} is also on line {seen[code]}: keep one of them.")
        if not name:
            row_problems.append("The account has no name.")
        elif len(name) > 120:
            row_problems.append("The account name is longer than 120 characters.")
        if not department:
            row_problems.append("The row names no department.")
        try:
            active_until = parse_day(cell(cells, "active_until"))
        except ValueError:
            active_until = None
            row_problems.append(f"“{cell(cells, 'active_until')}” is not a date: write it like 2027-06-30.")
        approver = cell(cells, "approver").lower()
        if approver and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", approver):
            row_problems.append(f"“{approver}” is not an email address.")
        seen.setdefault(code, line)
        if row_problems:
            problems.extend((line, problem) for problem in row_problems)
        else:
            found.append(FinanceRow(line, code, name, department, active_until, approver))
    return found, problems


@dataclass(frozen=True)
class OnFile:
    """An account as the portal has it, for comparing with the file."""

    code: str
    name: str
    department: str
    active_until: date | None
    approver: str
    withdrawn: bool


@dataclass
class FinancePlan:
    added: list[FinanceRow] = field(default_factory=list)
    changed: list[tuple[FinanceRow, list[str]]] = field(default_factory=list)
    withdrawn: list[OnFile] = field(default_factory=list)
    new_departments: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.withdrawn)


def finance_plan(rows: list[FinanceRow], on_file: dict[str, OnFile], departments: dict[str, str]) -> FinancePlan:
    """What applying the file does: accounts added, changed (each change in words) and withdrawn (on file,
    not in the file), and departments it names that the portal does not have yet. `departments` maps
    each department's name and code, casefolded, to its name."""
    plan = FinancePlan()
    for row in rows:
        department = departments.get(row.department.casefold(), row.department)
        if row.department.casefold() not in departments and department not in plan.new_departments:
            plan.new_departments.append(department)
        current = on_file.get(row.code)
        if current is None:
            plan.added.append(row)
            continue
        changes = []
        if current.withdrawn:
            changes.append("reinstated")
        if current.name != row.name:
            changes.append(f"name “{current.name}” → “{row.name}”")
        if current.department != department:
            changes.append(f"department {current.department} → {department}")
        if current.active_until != row.active_until:
            before = current.active_until.isoformat() if current.active_until else "no end date"
            after = row.active_until.isoformat() if row.active_until else "no end date"
            changes.append(f"active until {before} → {after}")
        if row.approver and current.approver != row.approver:  # an empty Approver leaves it as it is
            changes.append(f"approver {current.approver or 'none'} → {row.approver or 'none'}")
        if changes:
            plan.changed.append((row, changes))
        else:
            plan.unchanged += 1
    in_file = {row.code for row in rows}
    plan.withdrawn = [account for code, account in sorted(on_file.items())
                      if code not in in_file and not account.withdrawn]
    return plan
