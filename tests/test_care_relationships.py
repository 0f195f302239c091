"""The Relationships page and the purchasing office's file of outside print purchases: services against the
real database (SQLite and PostgreSQL), then over HTTP. Dates are relative to factories.NOW."""
from __future__ import annotations

import base64
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.care import outside, relationships
from portal.care.models import OutsidePurchase
from portal.extensions import db
from portal.failures import Conflict, ValidationFailed
from portal.notices import tracking
from tests.factories import NOW, list_bytes

WEEK = timedelta(days=7)


def purchases(*rows):
    return list_bytes([["Department", "Vendor", "Date", "Amount"], *rows])


def loaded(data):
    checked = outside.preview(data, now=NOW)
    outside.apply(data, digest=checked.digest, now=NOW)
    db.session.commit()
    return checked


@pytest.fixture
def campus(make):
    """History ordered every three weeks until thirteen weeks ago; Law orders every week and buys nothing outside;
    Chemistry sent the shop everything until three months ago and now buys outside."""
    history, law, chemistry = make.department("History"), make.department("School of Law"), make.department("Chemistry")
    people = {name: make.customer(department=department, name=f"{name} person") for name, department in
              (("History", history), ("Law", law), ("Chemistry", chemistry))}
    for weeks in (19, 16, 13):
        make.order(people["History"], now=NOW - weeks * WEEK)
    second = make.customer(department=law)
    for weeks, who in ((4, people["Law"]), (3, people["Law"]), (2, second), (1, people["Law"])):
        make.order(who, now=NOW - weeks * WEEK)
    for weeks in (20, 16, 2):
        make.order(people["Chemistry"], now=NOW - weeks * WEEK)
    day = (NOW - 3 * WEEK).date().isoformat()
    loaded(purchases(["Chemistry", "Ithaca Print & Copy", day, "5000.00"]))
    return {"history": history, "law": law, "chemistry": chemistry, "people": people}


def test_the_relationships_figures_per_department(make, ctx, campus):
    view = relationships.overview(now=NOW)
    figures = {figure.department.name: figure for figure in view.departments}
    history, law, chemistry = figures["History"], figures["School of Law"], figures["Chemistry"]
    assert len(view.months) == 12 and view.months[-1] == NOW.date().replace(day=1)
    assert (law.order_count, law.people.counted, law.people.hits) == (4, 2, 1)
    assert law.gap == 7 and not law.overdue and law.share == 1.0
    assert history.gap == 21 and history.overdue == "History hasn't ordered in 13 weeks; they usually order every 3 weeks."
    assert chemistry.outside_cents == 500000 and chemistry.trend == "drifting" and chemistry.recent < 0.5
    assert [f.department.name for f in view.full_three] == ["School of Law"]   # History ordered nothing since
    assert {f.department.name for f in view.full_six} == {"History", "School of Law"}
    assert [f.department.name for f in view.drifting] == ["Chemistry"]
    assert [f.department.name for f in view.overdue] == ["History"]
    assert sum(shop for _, shop, _, _ in view.by_month) == sum(f.spend_cents for f in view.departments)
    assert view.by_month[-1][2] == 500000 or view.by_month[-2][2] == 500000


def test_satisfaction_and_open_cases_per_department(make, ctx, campus):
    make.staff()
    order = make.order(campus["people"]["Law"], now=NOW - timedelta(days=1))
    tracking.record_satisfaction(order, 1, comment="Late again.", now=NOW)
    db.session.commit()
    law = next(f for f in relationships.overview(now=NOW).departments if f.department.name == "School of Law")
    assert (law.satisfaction.counted, law.satisfaction.hits, law.open_cases) == (1, 0, 1)


def test_the_outside_file_is_previewed_with_problems_by_line_and_changes_nothing(make, ctx):
    make.department("History")
    data = purchases(["History", "Ithaca Print", "2026-10-14", "412.50"], ["Physics", "Ithaca Print", "2026-10-14", "1"],
                     ["History", "=HYPERLINK(\"x\")", "2026-13-01", "abc"])
    checked = outside.preview(data, now=NOW)
    assert [line for line, _ in checked.problems] == [3, 4, 4] and not checked.can_apply
    assert db.session.scalar(select(func.count()).select_from(OutsidePurchase)) == 0
    with pytest.raises(ValidationFailed):
        outside.apply(data, digest=checked.digest, now=NOW)


@pytest.mark.parametrize("data, message", [
    (b"", "This file is empty."),
    (list_bytes([["Department", "Amount"], ["History", "1"]]), "The file has no “Vendor” column."),
    (b"PK\x03\x04 not really a workbook", "This Excel workbook is damaged"),
])
def test_an_unreadable_outside_file_says_what_to_do(ctx, data, message):
    with pytest.raises(ValidationFailed) as refusal:
        outside.preview(data, now=NOW)
    assert refusal.value.errors["file"].startswith(message)


def test_the_outside_file_is_applied_once_and_a_row_on_file_is_not_added_twice(make, ctx):
    history = make.department("History")
    history.code = "HIST"
    db.session.commit()
    rows = [["HIST", "Ithaca Print", "2026-10-14", "412.50"], ["History", "Campus Express", "10/22/2026", "$80"]]
    first = loaded(purchases(*rows))
    assert [(row.department, row.amount_cents) for row in first.added] == [("History", 41250), ("History", 8000)]
    again = outside.preview(purchases(*rows, ["History", "Ithaca Print", "2026-11-02", "12"]), now=NOW)
    assert (len(again.added), again.already) == (1, 2)
    stale = outside.preview(purchases(["History", "Other", "2026-11-03", "5"]), now=NOW)
    loaded(purchases(["History", "Other", "2026-11-03", "5"]))
    with pytest.raises(Conflict):
        outside.apply(purchases(["History", "Other", "2026-11-03", "5"]), digest=stale.digest, now=NOW)
    assert db.session.scalar(select(func.count()).select_from(OutsidePurchase)) == 3


def test_the_relationships_page_shows_the_100_percent_departments_and_who_is_drifting(make, campus, staff_client):
    page = staff_client.get("/staff/relationships").get_data(as_text=True)
    assert "At 100% for the last three months" in page and "<strong>School of Law</strong>" in page
    assert "History hasn&#39;t ordered in 13 weeks; they usually order every 3 weeks." in page
    assert re.search(r"<strong>Chemistry</strong>: \d+% with the shop, down from 100%", page)
    assert 'aria-label="Share of print spend with the shop by month:' in page and "$5,000.00" in page
    assert "/staff/relationships/outside" not in page   # the import is the manager's


def test_the_relationships_page_is_for_staff_and_the_import_for_the_manager(make, customer_client, staff_client):
    administrator = make.user(administers=[make.department()])
    assert customer_client.get("/staff/relationships").status_code == 404
    assert staff_client.get("/staff/relationships/outside").status_code == 404
    assert staff_client.post("/staff/relationships/outside/apply", data={"data": "", "digest": ""}).status_code == 404
    customer_client.get("/sign-out")
    customer_client.sign_in(administrator)
    assert customer_client.get("/staff/relationships").status_code == 404


def test_the_manager_previews_and_applies_the_outside_file(make, client):
    make.department("History")
    manager = make.user(role=Role.ADMIN)
    client.sign_in(manager)
    assert "Download a sample" in client.get("/staff/relationships/outside").get_data(as_text=True)
    sample = client.get("/staff/relationships/outside/sample.csv")
    assert sample.status_code == 200 and sample.headers["Content-Type"].startswith("text/csv")
    bad = client.post("/staff/relationships/outside", data={"file": (io.BytesIO(purchases(
        ["History", "<b>Print</b>", "2026-10-14", "ten"])), "outside.csv")}, content_type="multipart/form-data")
    assert bad.status_code == 200 and "Line 2: “ten” is not an amount in dollars" in bad.get_data(as_text=True)
    assert "Add these purchases" not in bad.get_data(as_text=True)
    data = purchases(["History", "<b>Print</b>", "2026-10-14", "10"])
    preview = client.post("/staff/relationships/outside", data={"file": (io.BytesIO(data), "outside.csv")},
                          content_type="multipart/form-data").get_data(as_text=True)
    assert "&lt;b&gt;Print&lt;/b&gt;" in preview and "Add these purchases" in preview
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', preview).group(1)
    encoded = base64.b64encode(data).decode()
    applied = client.post("/staff/relationships/outside/apply", data={"data": encoded, "digest": digest})
    assert applied.status_code == 303 and applied.location.endswith("/staff/relationships")
    assert client.post("/staff/relationships/outside/apply", data={"data": encoded, "digest": digest}
                       ).status_code == 422   # applied already: the preview is stale, nothing added twice
    assert client.post("/staff/relationships/outside/apply", data={"data": "%%%", "digest": digest}).status_code == 422
    assert client.post("/staff/relationships/outside", data={}).status_code == 422
    assert db.session.scalar(select(func.count()).select_from(OutsidePurchase)) == 1
