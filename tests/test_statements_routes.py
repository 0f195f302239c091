"""Statements over HTTP: pages, real PDFs (read with pypdf) and CSV files (read with csv) for department
administrators and staff, the journal file with no formula cell, the month close, and the credit form."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone

import pytest
from pypdf import PdfReader

from portal.accounts.models import Role
from portal.spreadsheets import FORMULA_STARTS
from tests.statements_support import charged

DECEMBER_2 = datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc)


@pytest.fixture
def campus(make):
    law, history = make.department("School of Law"), make.department("History")
    customer = make.customer(department=law, name="Prof. Maya Okafor")
    law_account = make.account(customer, department=law, code="10-4410-7200", name="=Law course materials")
    history_account = make.account(customer, department=history, code="10-2230-7200", name="History teaching")
    template = make.order(customer, account=law_account)
    orders = [charged(template, account=law_account, price_cents=12000, delivered_on=date(2026, 11, 3),
                      title="LAW 501 course pack"),
              charged(template, account=law_account, price_cents=4550, delivered_on=date(2026, 11, 17),
                      title="=HYPERLINK(\"http://evil.example\",\"Click\")"),
              charged(template, account=history_account, price_cents=999, delivered_on=date(2026, 11, 5))]
    return dict(law=law, history=history, customer=customer, law_account=law_account, orders=orders,
                history_account=history_account, administrator=make.user(name="Daniel Reyes", administers=[law]),
                manager=make.user(role=Role.ADMIN, name="Rosa Alvarez"))


def _client(app, user):
    client = app.test_client()
    client.sign_in(user)
    return client


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _no_formula_cells(rows):
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), row


def _cents(cell: str) -> int:
    dollars, cents = cell.split(".")
    assert dollars.isdigit() and len(cents) == 2 and cents.isdigit(), cell
    return int(dollars) * 100 + int(cents)


def test_department_administrators_have_statements_in_their_navigation(app, campus, customer_client):
    page = _client(app, campus["administrator"]).get("/").get_data(as_text=True)
    assert ">Statements</a>" in page
    assert ">Statements</a>" not in customer_client.get("/").get_data(as_text=True)
    assert customer_client.get("/statements").status_code == 404
    assert customer_client.get("/statements/2026-11").status_code == 404


def test_an_administrator_sees_their_departments_statement_and_no_other(app, campus):
    client = _client(app, campus["administrator"])
    month = client.get("/statements/2026-11").get_data(as_text=True)
    assert "School of Law" in month and "History" not in month and "$165.50" in month
    page = client.get(f"/statements/2026-11/departments/{campus['law'].id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert campus["orders"][0].number in text and "LAW 501 course pack" in text and "$165.50" in text
    assert "&#34;http://evil.example&#34;" in text or "&quot;http://evil.example&quot;" in text
    assert client.get(f"/statements/2026-11/departments/{campus['history'].id}").status_code == 404
    assert client.get(f"/statements/2026-11/accounts/{campus['history_account'].id}/statement.csv").status_code == 404
    assert client.get(f"/statements/2026-11/departments/{campus['history'].id}/statement.pdf").status_code == 404
    assert client.get("/statements/2026-11/journal.csv").status_code == 404
    assert client.get("/statements/2026-13").status_code == 404


def test_the_months_show_their_net_charge_as_a_chart_and_a_table(app, campus, staff_client):
    mine = _client(app, campus["administrator"]).get("/statements").get_data(as_text=True)
    assert "November 2026 $165.50" in mine  # the chart's text alternative, for the Law School only
    assert '<td class="num">$165.50</td>' in mine and "<svg" in mine
    everyone = staff_client.get("/statements").get_data(as_text=True)
    assert '<td class="num">$175.49</td>' in everyone  # with History's $9.99


def test_a_department_statement_downloads_as_a_pdf_whose_totals_match_the_orders(app, campus):
    response = _client(app, campus["administrator"]).get(
        f"/statements/2026-11/departments/{campus['law'].id}/statement.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Statement: School of Law" in text and "November 2026" in text and "Not final" in text
    for order in campus["orders"][:2]:
        assert order.number in text
    assert campus["orders"][2].number not in text
    assert "$165.50" in text and "Prof. Maya Okafor" in text


def test_a_statement_downloads_as_csv_with_no_formula_cells_and_amounts_that_parse(app, campus):
    rows = _csv(_client(app, campus["administrator"]).get(
        f"/statements/2026-11/departments/{campus['law'].id}/statement.csv"))
    _no_formula_cells(rows)
    header = rows[0]
    charges = [row for row in rows[1:] if row[1] == "Charge"]
    assert sorted(_cents(row[header.index("Charge")]) for row in charges) == [4550, 12000]
    assert [row for row in rows if row[1] == "Net due"][0][header.index("Charge")] == "165.50"
    assert any(row[3] == "'=HYPERLINK(\"http://evil.example\",\"Click\")" for row in charges)
    account_rows = _csv(_client(app, campus["administrator"]).get(
        f"/statements/2026-11/accounts/{campus['law_account'].id}/statement.csv"))
    _no_formula_cells(account_rows)
    assert [row for row in account_rows if row[1] == "Charge"] == charges  # the department has this one account


def test_the_journal_file_is_for_staff_and_has_no_formula_cells(app, campus, staff_client):
    rows = _csv(staff_client.get("/statements/2026-11/journal.csv"))
    _no_formula_cells(rows)
    assert rows[0] == ["debit_account", "credit_account", "amount", "reference", "period"]
    assert sorted((row[0], _cents(row[2])) for row in rows[1:]) == [("10-2230-7200", 999), ("10-4410-7200", 16550)]
    assert {row[4] for row in rows[1:]} == {"2026-11"}


def test_the_manager_closes_a_month_once_it_is_over(app, campus, staff_client, shop_clock):
    manager = _client(app, campus["manager"])
    assert staff_client.get("/statements/2026-11/close").status_code == 404
    assert staff_client.post("/statements/2026-11/close").status_code == 404
    assert "Close November 2026 for good" in manager.get("/statements/2026-11/close").get_data(as_text=True)
    early = manager.post("/statements/2026-11/close")
    assert early.status_code == 422 and "is not over yet" in early.get_data(as_text=True)
    assert manager.post("/statements/2026-11/close", csrf=False).status_code == 400

    shop_clock.move_to(DECEMBER_2)
    closed = manager.post("/statements/2026-11/close")
    assert closed.status_code == 303 and closed.headers["Location"].endswith("/statements/2026-11")
    page = manager.get("/statements/2026-11").get_data(as_text=True)
    assert "November 2026 is closed" in page and "these statements are final" in page
    again = manager.post("/statements/2026-11/close")
    assert again.status_code == 422 and "already closed" in again.get_data(as_text=True)
    pdf = _client(app, campus["administrator"]).get(f"/statements/2026-11/departments/{campus['law'].id}/statement.pdf")
    assert "Final: the month was closed" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()


def test_staff_credit_an_order_and_the_customer_sees_it(app, make, campus, staff_client):
    order = campus["orders"][0]
    customer = _client(app, campus["customer"])
    assert "Credit this order" in staff_client.get(f"/staff/jobs/{order.number}").get_data(as_text=True)
    form = staff_client.get(f"/staff/jobs/{order.number}/credit")
    assert form.status_code == 200 and "Amount to credit" in form.get_data(as_text=True)

    refused = staff_client.post(f"/staff/jobs/{order.number}/credit",
                                data={"kind": "reprint", "amount": "500", "reason": "Smudged <b>page</b> 4"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "more than the order&#39;s price, $120.00" in text
    assert 'value="500"' in text and "Smudged &lt;b&gt;page&lt;/b&gt; 4" in text

    done = staff_client.post(f"/staff/jobs/{order.number}/credit",
                             data={"kind": "reprint", "amount": "12.50", "reason": "Smudged page 4"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/staff/jobs/{order.number}")
    assert "Smudged page 4" in staff_client.get(f"/staff/jobs/{order.number}").get_data(as_text=True)
    page = customer.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Smudged page 4" in page and "-$12.50" in page and "$107.50" in page
    statement = _client(app, campus["administrator"]).get(
        f"/statements/2026-11/departments/{campus['law'].id}").get_data(as_text=True)
    assert "Smudged page 4" in statement and "$153.00" in statement
    assert customer.post(f"/staff/jobs/{order.number}/credit",
                         data={"kind": "reprint", "amount": "1", "reason": "x"}).status_code == 404
