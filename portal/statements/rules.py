"""Monthly statements, pure: which month an order is charged in, statement lines grouped per department and
budget account, totals, the rows of the statement CSV and of the finance system's journal file, and how a
credit typed in dollars is read. Money is integer cents throughout; nothing here reads a clock or a database.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Collection, Iterable, Sequence

from portal.shop.stages import OrderStatus


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month of the shop (its days are shop days, in the shop's time zone)."""

    year: int
    number: int

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, key: str) -> Month:
        """"2026-11" → Month(2026, 11); raises ValueError for anything else."""
        match = re.fullmatch(r"(\d{4})-(\d{2})", key or "")
        if not match or not 1 <= int(match[2]) <= 12:
            raise ValueError(f"not a month: {key!r}")
        return cls(int(match[1]), int(match[2]))

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.number:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.number, 1)

    @property
    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.number == 12 else Month(self.year, self.number + 1)

    @property
    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.number == 1 else Month(self.year, self.number - 1)

    @property
    def label(self) -> str:
        """November 2026"""
        return self.first_day.strftime("%B %Y")

    def is_over(self, today: date) -> bool:
        """Whether the month has ended by the shop day `today`."""
        return today >= self.next.first_day

    def __str__(self) -> str:
        return self.key


def charged_month(*, status: OrderStatus, delivered_on: date | None) -> Month | None:
    """The month an order is charged in: the shop month of the day it was delivered (or picked up).

    The shop charges for work it has handed over, once: a cancelled or declined order is never charged,
    an order awaiting its approver's decision (or anywhere else in the shop) is not charged yet, and a
    delivered order cannot change afterwards, so its month never moves. `delivered_on` is a shop day,
    written in the shop's time zone when the job was delivered. None: not charged (yet).
    """
    if status != OrderStatus.DELIVERED or delivered_on is None:
        return None
    return Month.of(delivered_on)


def statement_month(charged: Month, closed: Collection[Month]) -> Month:
    """The month whose statements show a charge of month `charged`: that month, unless it was already
    closed when the charge came in (a delivery recorded late), then the first open month after it.
    A closed month's statements never change."""
    month = charged
    while month in closed:
        month = month.next
    return month


def adjustment_month(made_on: date) -> Month:
    """A credit falls in the month it is made (a shop day): always open, since only a month that is over
    can be closed. A correction to a closed month so appears in the next open one."""
    return Month.of(made_on)


def close_refusal(month: Month, *, today: date, closed: bool) -> str | None:
    """Why `month` cannot be closed on shop day `today`, or None when it can."""
    if closed:
        return f"{month.label} is already closed; its statements are final."
    if not month.is_over(today):
        return (f"{month.label} is not over yet: it can be closed from "
                f"{month.next.first_day.strftime('%A, %B %-d, %Y')}.")
    return None


MONEY = re.compile(r"\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?")


def dollars_to_cents(text: str | None) -> int:
    """"12", "12.5", "$1,234.50" → cents (an int, no float on the way); raises ValueError with the message
    shown next to the field for anything else, including zero and negative amounts."""
    typed = (text or "").strip()
    if not typed:
        raise ValueError("Enter the amount to credit, in dollars, like 12.50.")
    if typed.startswith("-") or typed.startswith("$-") or typed.startswith("($"):
        raise ValueError("Enter the credit as a positive amount, like 12.50.")
    match = MONEY.fullmatch(typed)
    if not match:
        raise ValueError("Enter an amount in dollars and cents, like 12.50.")
    cents = int(match[1].replace(",", "")) * 100 + int((match[2] or "0").ljust(2, "0"))
    if cents == 0:
        raise ValueError("Enter an amount above $0.00.")
    return cents


def credit_refusal(credit_cents: int, *, price_cents: int, credited_cents: int) -> str | None:
    """Why a credit of `credit_cents` cannot be given on an order charged `price_cents` that already has
    `credited_cents` of credits, or None: credits never add up to more than what was charged."""
    left = price_cents - credited_cents
    if credit_cents > left:
        if credited_cents:
            return (f"That is more than can still be credited: the order was charged {_dollars(price_cents)} "
                    f"and {_dollars(credited_cents)} is already credited, so at most {_dollars(left)}.")
        return f"That is more than the order's price, {_dollars(price_cents)}."
    return None


def _dollars(cents: int) -> str:
    """$1,234.50, for messages."""
    return f"${cents // 100:,}.{cents % 100:02d}"


def plain_dollars(cents: int) -> str:
    """1234.50: cents as dollars for a spreadsheet (no $, no thousands separator). Never negative: what
    is credited is written in the credit column, so that no amount cell starts with a minus sign."""
    if cents < 0:
        raise ValueError("plain_dollars writes amounts that are not negative")
    return f"{cents // 100}.{cents % 100:02d}"


@dataclass(frozen=True)
class Line:
    """One line of a statement: an order charged (positive) or a credit on one (negative)."""

    kind: str  # "charge" or "credit"
    day: date
    order_number: str
    title: str
    ordered_by: str
    amount_cents: int
    department_id: int | None
    department_name: str
    account_id: int | None
    account_code: str
    account_name: str
    reason: str = ""
    order_id: int | None = None
    adjustment_id: int | None = None


@dataclass(frozen=True)
class Totals:
    charges_cents: int = 0
    credits_cents: int = 0  # positive: how much was credited
    charge_count: int = 0
    credit_count: int = 0

    @property
    def net_cents(self) -> int:
        return self.charges_cents - self.credits_cents


def totals(lines: Iterable[Line]) -> Totals:
    """What the lines add up to: charges, credits (as a positive amount) and their counts."""
    charges = credits = charge_count = credit_count = 0
    for line in lines:
        if line.amount_cents >= 0:
            charges += line.amount_cents
            charge_count += 1
        else:
            credits -= line.amount_cents
            credit_count += 1
    return Totals(charges, credits, charge_count, credit_count)


@dataclass(frozen=True)
class AccountStatement:
    account_id: int | None
    code: str
    name: str
    department_name: str
    lines: tuple[Line, ...]

    @property
    def totals(self) -> Totals:
        return totals(self.lines)


@dataclass(frozen=True)
class DepartmentStatement:
    department_id: int | None
    name: str
    accounts: tuple[AccountStatement, ...] = field(default_factory=tuple)

    @property
    def lines(self) -> tuple[Line, ...]:
        return tuple(line for account in self.accounts for line in account.lines)

    @property
    def totals(self) -> Totals:
        return totals(self.lines)


def _line_order(line: Line):
    return (line.day, line.kind != "charge", line.order_number, line.adjustment_id or 0)


def by_account(lines: Iterable[Line]) -> list[AccountStatement]:
    """The lines as one statement per budget account, by code; each account's lines by day."""
    grouped: dict[tuple, list[Line]] = {}
    for line in lines:
        grouped.setdefault((line.account_code, line.account_id), []).append(line)
    return [AccountStatement(account_id=account_id, code=code, name=found[0].account_name,
                             department_name=found[0].department_name, lines=tuple(sorted(found, key=_line_order)))
            for (code, account_id), found in sorted(grouped.items(), key=lambda item: (item[0][0], item[0][1] or 0))]


def by_department(lines: Iterable[Line]) -> list[DepartmentStatement]:
    """The lines as one statement per department (by name), each made of its accounts' statements."""
    grouped: dict[tuple, list[Line]] = {}
    for line in lines:
        grouped.setdefault((line.department_name, line.department_id), []).append(line)
    return [DepartmentStatement(department_id=department_id, name=name, accounts=tuple(by_account(found)))
            for (name, department_id), found in sorted(grouped.items(), key=lambda item: (item[0][0], item[0][1] or 0))]


STATEMENT_HEADERS = ("Date", "Type", "Order", "Job", "Ordered by", "Budget account", "Account name", "Department",
                     "Reason", "Charge", "Credit")


def statement_rows(month: Month, accounts: Sequence[AccountStatement], *, closed: bool) -> list[list[str]]:
    """A statement as CSV rows: a heading, one row per charge or credit, each account's total, then the
    statement's totals and what is due. Amounts are plain dollars and never negative: a credit is written
    in the Credit column (so no amount cell starts with a minus sign, which a spreadsheet could evaluate);
    a net credit is written as "Net credit" in the Credit column."""
    rows: list[list[str]] = [list(STATEMENT_HEADERS)]
    for account in accounts:
        for line in account.lines:
            charge = plain_dollars(line.amount_cents) if line.amount_cents >= 0 else ""
            credit = plain_dollars(-line.amount_cents) if line.amount_cents < 0 else ""
            rows.append([line.day.isoformat(), "Charge" if line.kind == "charge" else "Credit", line.order_number,
                         line.title, line.ordered_by, account.code, account.name, account.department_name,
                         line.reason, charge, credit])
        rows.append(_total_row(f"Total for {account.code}", account.totals))
    overall = totals(line for account in accounts for line in account.lines)
    rows.append(_total_row(f"Total for {month.label}" + ("" if closed else " (month not closed yet)"), overall))
    net = overall.net_cents
    rows.append(["", "Net credit" if net < 0 else "Net due", "", "", "", "", "", "", "",
                 plain_dollars(net) if net >= 0 else "", plain_dollars(-net) if net < 0 else ""])
    return rows


def _total_row(label: str, total: Totals) -> list[str]:
    return ["", "Total", "", label, "", "", "", "", "", plain_dollars(total.charges_cents),
            plain_dollars(total.credits_cents)]


JOURNAL_FIELDS = ("debit_account", "credit_account", "amount", "reference", "period", "description", "department")


def journal_columns(setting: str) -> list[tuple[str, str]]:
    """PORTAL_JOURNAL_COLUMNS read: comma-separated fields, each `field` or `Heading=field`, in the order
    the finance system wants them, e.g. "Debit=debit_account,Credit=credit_account,Amount=amount".
    Raises ValueError naming an unknown field."""
    columns = []
    for item in (part.strip() for part in setting.split(",")):
        if not item:
            continue
        heading, _, name = item.rpartition("=")
        name = name.strip()
        if name not in JOURNAL_FIELDS:
            raise ValueError(f"PORTAL_JOURNAL_COLUMNS: unknown field {name!r}; use {', '.join(JOURNAL_FIELDS)}")
        columns.append((heading.strip() or name, name))
    if not columns:
        raise ValueError("PORTAL_JOURNAL_COLUMNS names no field")
    return columns


@dataclass(frozen=True)
class JournalEntry:
    debit_account: str
    credit_account: str
    amount_cents: int  # never negative: a net credit swaps the accounts instead
    reference: str
    period: str
    description: str
    department: str


def journal_entries(month: Month, accounts: Sequence[AccountStatement], *, recovery_account: str) -> list[JournalEntry]:
    """The chargeback for the finance system: one entry per budget account with a net amount in the month.
    A net charge debits the department's account and credits the shop's recovery account; a net credit
    (credits above charges) is the reverse entry. Amounts are positive; the entries add up, signed, to the
    month's net total."""
    entries = []
    for account in accounts:
        net = account.totals.net_cents
        if net == 0:
            continue
        debit, credit = (account.code, recovery_account) if net > 0 else (recovery_account, account.code)
        entries.append(JournalEntry(
            debit_account=debit, credit_account=credit, amount_cents=abs(net),
            reference=f"PRINT-{month.key}-{account.code}", period=month.key,
            description=f"Printing {month.label}: {account.name}" + (" (net credit)" if net < 0 else ""),
            department=account.department_name))
    return entries


def journal_rows(entries: Sequence[JournalEntry], columns: Sequence[tuple[str, str]]) -> list[list[str]]:
    """The journal file's rows: the configured headings, then one row per entry in the configured columns."""
    rows = [[heading for heading, _ in columns]]
    for entry in entries:
        values = {"debit_account": entry.debit_account, "credit_account": entry.credit_account,
                  "amount": plain_dollars(entry.amount_cents), "reference": entry.reference, "period": entry.period,
                  "description": entry.description, "department": entry.department}
        rows.append([values[name] for _, name in columns])
    return rows
