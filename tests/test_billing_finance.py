"""The finance office's file of departments and budget accounts: preview by line, apply in one transaction."""
from __future__ import annotations

import base64
import re
from datetime import date
from io import BytesIO

from sqlalchemy import select

from portal.accounts.models import Department, Role
from portal.billing import rules
from portal.billing.models import BillingAccount
from portal.extensions import db

HEADINGS = "Account Code,Account Name,Dept,Active Until,Approver\r\n"


def upload(client, text: str, *, encoding: str = "utf-8", name: str = "finance.csv"):
    return client.post("/staff/finance-file", data={"file": (BytesIO(text.encode(encoding)), name)},
                       content_type="multipart/form-data")


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def apply_previewed(client, page: str):
    return client.post("/staff/finance-file/apply", data={"data": hidden(page, "data"), "digest": hidden(page, "digest")})


def _admin_client(app, make):
    admin = make.user(role=Role.ADMIN)
    client = app.test_client()
    client.sign_in(admin)
    return client


def test_only_the_shop_manager_loads_the_file(app, staff_client, customer_client):
    for client in (staff_client, customer_client):
        assert client.get("/staff/finance-file").status_code == 404
        assert upload(client, HEADINGS + "10-4410-7200,Ops,Law,,\r\n").status_code == 404


def test_the_preview_shows_what_is_added_changed_and_withdrawn_and_changes_nothing(app, make, ctx):
    law = make.department("School of Law")
    law.code = "LAW"
    approver = make.user(email="fiscal@example.edu")
    kept = make.account(None, department=law, code="10-4410-7200", name="Law ops")
    gone = make.account(None, department=law, code="10-4410-9999", name="Old grant")
    db.session.commit()
    client = _admin_client(app, make)
    text = (HEADINGS + "10-4410-7200,Law School operations,law,6/30/2027,fiscal@example.edu\r\n"
            "10-5000-0001,Museum store,Art Museum,2027-06-30,\r\n")
    page = upload(client, text).get_data(as_text=True)
    assert "1 to add, 1 to change, 1 to withdraw" in page
    assert "name “Law ops” → “Law School operations”" in page and "approver none → fiscal@example.edu" in page
    assert "10-4410-9999" in page and "new departments: Art Museum" in page
    db.session.expire_all()
    assert db.session.get(BillingAccount, kept.id).name == "Law ops"  # nothing changed yet

    done = apply_previewed(client, page)
    assert done.status_code == 303
    db.session.expire_all()
    kept, gone = db.session.get(BillingAccount, kept.id), db.session.get(BillingAccount, gone.id)
    assert (kept.name, kept.active_until, kept.approver_id) == ("Law School operations", date(2027, 6, 30), approver.id)
    assert gone.withdrawn_at is not None and "finance office" in gone.withdrawn_reason
    museum = db.session.scalar(select(BillingAccount).where(BillingAccount.code == "10-5000-0001"))
    assert museum.department.name == "Art Museum"
    again = upload(client, text).get_data(as_text=True)  # the same file again: nothing to do
    assert "The portal already matches this file" in again


def test_row_problems_are_named_by_line_and_nothing_is_applied(app, make, ctx):
    make.department("History")
    client = _admin_client(app, make)
    text = (HEADINGS + "10-4420-1100,History teaching,History,,\r\n"
            "1044201100,Bad code,History,,\r\n"
            "10-4420-1100,Twice,History,,\r\n"
            "10-4420-2200,,History,someday,nobody@example.edu\r\n")
    response = upload(client, text)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Line 3: Budget codes look like 10-4410-7200" in page
    assert "Line 4: Account 10-4420-1100 is also on line 2" in page
    assert "Line 5: The account has no name." in page and "Line 5: “someday” is not a date" in page
    assert "Apply these changes" not in page
    forced = client.post("/staff/finance-file/apply", data={"data": base64.b64encode(text.encode()).decode(),
                                                            "digest": "x"})
    assert forced.status_code == 422 and "Fix the rows with problems first" in forced.get_data(as_text=True)
    assert db.session.scalar(select(BillingAccount.id)) is None


def test_an_unknown_approver_is_a_row_problem(app, make, ctx):
    make.department("History")
    page = upload(_admin_client(app, make), HEADINGS + "10-4420-1100,History,History,,who@example.edu\r\n")
    assert "Line 2: Nobody in the portal has the email who@example.edu" in page.get_data(as_text=True)


def test_a_file_that_is_not_a_table_or_lacks_columns_is_refused_next_to_the_field(app, make):
    client = _admin_client(app, make)
    refused = upload(client, "Code,Something\r\n10-4420-1100,x\r\n")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "The file has no “Account name” column." in page
    assert 'aria-invalid="true"' in page
    empty = upload(client, "")
    assert empty.status_code == 422 and "This file is empty" in empty.get_data(as_text=True)


def test_excels_windows_encoding_is_read(app, make, ctx):
    make.department("Résidence Life")
    client = _admin_client(app, make)
    page = upload(client, HEADINGS + "10-4430-0001,Café fund,Résidence Life,,\r\n", encoding="cp1252")
    assert "Café fund" in page.get_data(as_text=True)
    assert apply_previewed(client, page.get_data(as_text=True)).status_code == 303
    assert db.session.scalar(select(BillingAccount.name)) == "Café fund"


def test_a_change_since_the_preview_asks_to_look_again(app, make, ctx):
    history = make.department("History")
    client = _admin_client(app, make)
    page = upload(client, HEADINGS + "10-4420-1100,History teaching,History,,\r\n").get_data(as_text=True)
    db.session.add(BillingAccount(code="10-4420-1100", name="Made meanwhile", department_id=history.id))
    db.session.commit()
    response = apply_previewed(client, page)
    assert response.status_code == 422
    assert "changed since this preview" in response.get_data(as_text=True)
    assert "name “Made meanwhile” → “History teaching”" in response.get_data(as_text=True)
    assert db.session.scalar(select(BillingAccount.name)) == "Made meanwhile"


def test_the_sample_opens_with_no_formula_cells(app, make):
    sample = _admin_client(app, make).get("/staff/finance-file/sample.csv")
    assert sample.status_code == 200 and sample.headers["Content-Type"].startswith("text/csv")
    assert not any(cell.startswith(("=", "+", "@")) for line in sample.get_data(as_text=True).splitlines()
                   for cell in line.split(","))


def test_dates_are_read_as_finance_systems_write_them():
    assert rules.parse_day("2027-06-30") == rules.parse_day("6/30/2027") == rules.parse_day("30-Jun-2027") \
        == date(2027, 6, 30)
    assert rules.parse_day("") is None


def test_departments_are_matched_by_name_or_code_ignoring_case(ctx, make):
    law = make.department("School of Law")
    law.code = "LAW"
    plan = rules.finance_plan([rules.FinanceRow(2, "10-4410-7200", "Ops", "law", None, "")], {},
                              {"school of law": "School of Law", "law": "School of Law"})
    assert plan.new_departments == [] and [row.code for row in plan.added] == ["10-4410-7200"]
    assert db.session.scalar(select(Department.name).where(Department.code == "LAW")) == "School of Law"
