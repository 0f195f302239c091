"""Statements, pure: the month an order is charged in, credits typed in dollars, totals, the statement and
journal CSV rows (formula-safe, no negative amount), and totals that reconcile over generated months."""
from __future__ import annotations

import csv
import io
import random
from datetime import date

import pytest

from portal.shop.stages import OrderStatus
from portal.spreadsheets import FORMULA_STARTS, csv_text
from portal.statements import rules
from portal.statements.rules import Month

NOV = Month(2026, 11)


def test_a_month_knows_its_neighbours_label_and_end():
    assert Month.parse("2026-11") == NOV
    assert (NOV.key, NOV.label, NOV.first_day) == ("2026-11", "November 2026", date(2026, 11, 1))
    assert NOV.next == Month(2026, 12) and Month(2026, 12).next == Month(2027, 1)
    assert Month(2027, 1).previous == Month(2026, 12)
    assert not NOV.is_over(date(2026, 11, 30)) and NOV.is_over(date(2026, 12, 1))


@pytest.mark.parametrize("key", ["2026-13", "2026-1", "26-11", "", "2026-11-01", "november"])
def test_anything_but_a_month_is_refused(key):
    with pytest.raises(ValueError):
        Month.parse(key)


@pytest.mark.parametrize("status, delivered_on, month", [
    (OrderStatus.DELIVERED, date(2026, 11, 30), NOV),
    (OrderStatus.DELIVERED, date(2026, 12, 1), Month(2026, 12)),
    (OrderStatus.DELIVERED, None, None),
    (OrderStatus.CANCELLED, None, None),          # cancelled, or declined by the approver: never charged
    (OrderStatus.AWAITING_APPROVAL, None, None),  # not charged until approved (and delivered)
    (OrderStatus.RECEIVED, None, None),
    (OrderStatus.PRINTING, None, None),
    (OrderStatus.SHIPPED, None, None),
    (OrderStatus.ON_HOLD, None, None),
])
def test_an_order_is_charged_in_the_month_it_is_delivered(status, delivered_on, month):
    assert rules.charged_month(status=status, delivered_on=delivered_on) == month


def test_a_charge_for_a_closed_month_goes_to_the_next_open_one():
    assert rules.statement_month(NOV, closed=set()) == NOV
    assert rules.statement_month(NOV, closed={NOV}) == Month(2026, 12)
    assert rules.statement_month(NOV, closed={NOV, Month(2026, 12)}) == Month(2027, 1)
    assert rules.statement_month(NOV, closed={Month(2026, 10)}) == NOV


def test_a_month_closes_once_and_only_when_it_is_over():
    assert "not over yet" in rules.close_refusal(NOV, today=date(2026, 11, 23), closed=False)
    assert "Tuesday, December 1, 2026" in rules.close_refusal(NOV, today=date(2026, 11, 30), closed=False)
    assert rules.close_refusal(NOV, today=date(2026, 12, 1), closed=False) is None
    assert "already closed" in rules.close_refusal(NOV, today=date(2026, 12, 2), closed=True)


@pytest.mark.parametrize("typed, cents", [("12", 1200), ("12.5", 1250), ("12.50", 1250), ("$12.05", 1205),
                                          ("1,234.56", 123456), (" $ 0.01 ", 1)])
def test_a_credit_in_dollars_is_read_as_cents(typed, cents):
    assert rules.dollars_to_cents(typed) == cents


@pytest.mark.parametrize("typed, says", [("", "Enter the amount"), ("0", r"above \$0\.00"), ("0.00", r"above \$0\.00"),
                                         ("-5", "positive"), ("$-5", "positive"), ("12.345", "dollars and cents"),
                                         ("twelve", "dollars and cents"), ("1e3", "dollars and cents"),
                                         ("12,34", "dollars and cents"), ("=1+1", "dollars and cents")])
def test_a_credit_that_is_not_an_amount_says_why(typed, says):
    with pytest.raises(ValueError, match=says):
        rules.dollars_to_cents(typed)


def test_credits_never_add_up_to_more_than_the_price():
    assert rules.credit_refusal(5000, price_cents=5000, credited_cents=0) is None
    assert "more than the order's price, $50.00" in rules.credit_refusal(5001, price_cents=5000, credited_cents=0)
    assert "at most $10.00" in rules.credit_refusal(1001, price_cents=5000, credited_cents=4000)
    assert rules.credit_refusal(1000, price_cents=5000, credited_cents=4000) is None


def _line(amount: int, *, account: str = "10-4410-7200", department: str = "School of Law", department_id: int = 1,
          day: date = date(2026, 11, 3), title: str = "LAW 501 course pack", reason: str = "") -> rules.Line:
    return rules.Line(kind="charge" if amount >= 0 else "credit", day=day, order_number="26-00042", title=title,
                      ordered_by="Prof. Maya Okafor", amount_cents=amount, department_id=department_id,
                      department_name=department, account_id=hash(account) % 1000, account_code=account,
                      account_name="Law course materials", reason=reason)


def test_totals_count_charges_and_credits_apart():
    total = rules.totals([_line(10000), _line(2550), _line(-1250)])
    assert (total.charges_cents, total.credits_cents, total.net_cents) == (12550, 1250, 11300)
    assert (total.charge_count, total.credit_count) == (2, 1)


def _cells(rows) -> list[list[str]]:
    return list(csv.reader(io.StringIO(csv_text(rows).lstrip("\ufeff"))))


def test_the_statement_csv_has_no_negative_amount_and_no_formula_cell():
    lines = [_line(10000, title="=HYPERLINK(\"http://evil\")"), _line(-12000, reason="+reprint @once -smudged"),
             _line(-50, title="@SUM(A1)")]
    rows = _cells(rules.statement_rows(NOV, rules.by_account(lines), closed=True))
    assert rows[0] == list(rules.STATEMENT_HEADERS)
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), row
    charge, credit = rows[0].index("Charge"), rows[0].index("Credit")
    amounts = [cell for row in rows[1:] for cell in (row[charge], row[credit]) if cell]
    assert all(cell.replace(".", "", 1).isdigit() for cell in amounts)
    assert rows[-1][1] == "Net credit" and rows[-1][credit] == "20.50"  # 100.00 - 120.00 - 0.50
    assert rows[1][3] == "'=HYPERLINK(\"http://evil\")"


def test_journal_columns_are_configurable_and_checked():
    assert rules.journal_columns("Debit=debit_account, Credit=credit_account,amount") == [
        ("Debit", "debit_account"), ("Credit", "credit_account"), ("amount", "amount")]
    with pytest.raises(ValueError, match="unknown field 'cost_centre'"):
        rules.journal_columns("debit_account,cost_centre")
    with pytest.raises(ValueError):
        rules.journal_columns(" , ")


def test_a_net_credit_is_the_reverse_journal_entry_with_a_positive_amount():
    accounts = rules.by_account([_line(5000, account="A"), _line(-7000, account="B"), _line(7000, account="B"),
                                 _line(-100, account="C")])
    entries = rules.journal_entries(NOV, accounts, recovery_account="90-1000-4800")
    assert [(e.debit_account, e.credit_account, e.amount_cents) for e in entries] == [
        ("A", "90-1000-4800", 5000), ("90-1000-4800", "C", 100)]  # B nets to zero: no entry
    rows = rules.journal_rows(entries, rules.journal_columns("debit_account,credit_account,amount,reference,period"))
    assert rows[1] == ["A", "90-1000-4800", "50.00", "PRINT-2026-11-A", "2026-11"]


@pytest.mark.parametrize("seed", range(25))
def test_statements_reconcile_with_their_lines_in_generated_months(seed):
    rng = random.Random(seed)
    accounts = [(f"10-{n:04d}-7200", f"Department {n % 4}", n % 4) for n in range(rng.randint(1, 9))]
    lines = []
    for _ in range(rng.randint(0, 120)):
        code, department, department_id = rng.choice(accounts)
        amount = rng.randint(1, 500_000) * (-1 if rng.random() < 0.2 else 1)
        lines.append(_line(amount, account=code, department=department, department_id=department_id,
                           day=date(2026, 11, rng.randint(1, 30))))
    departments = rules.by_department(lines)
    expected = sum(line.amount_cents for line in lines)
    assert sum(d.totals.net_cents for d in departments) == expected
    assert sum(a.totals.net_cents for d in departments for a in d.accounts) == expected
    assert sorted(map(id, (line for d in departments for line in d.lines))) == sorted(map(id, lines))
    entries = rules.journal_entries(NOV, rules.by_account(lines), recovery_account="90-1000-4800")
    assert sum(e.amount_cents if e.credit_account == "90-1000-4800" else -e.amount_cents for e in entries) == expected
    assert all(isinstance(e.amount_cents, int) and e.amount_cents > 0 for e in entries)
