"""Care over HTTP: report a problem from the order page or its tracking link, the case page (signed in or from
its link), the staff's cases; other people's cases answer 404."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from portal.accounts.models import Role
from portal.care import services
from portal.care.models import Case
from portal.care.rules import CaseState
from portal.database import utcnow
from portal.extensions import db
from portal.notices import links
from tests.factories import NOW

REPORT = {"cause": "damaged", "problem": "Two boxes arrived soaked.", "wanted": "Replace the two boxes."}
XSS = "<script>alert(1)</script>"


def only_case() -> Case:
    db.session.expire_all()
    return db.session.scalar(select(Case))


def test_the_order_page_offers_report_a_problem(make, customer, customer_client):
    order = make.order(customer)
    page = customer_client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert f"/orders/{order.number}/problem" in page


def test_a_customer_reports_a_problem_and_sees_the_case_number_and_owner(make, customer, customer_client):
    make.staff(name="Dana Reyes")
    order = make.order(customer)
    assert customer_client.get(f"/orders/{order.number}/problem").status_code == 200
    response = customer_client.post(f"/orders/{order.number}/problem", data={
        **REPORT, "attachment": (io.BytesIO(b"\xff\xd8\xff\xe0 jpeg"), "box.jpg")}, content_type="multipart/form-data")
    case = only_case()
    assert response.status_code == 303 and response.location.endswith(f"/cases/{case.number}")
    page = customer_client.get(response.location).get_data(as_text=True)
    assert case.number in page and "Dana Reyes" in page and "Two boxes arrived soaked." in page
    assert "box.jpg" in page and case.file.media_type == "image/jpeg"
    assert f"Case <a href=\"/cases/{case.number}\">{case.number}</a>" in customer_client.get(
        f"/orders/{order.number}").get_data(as_text=True)


def test_a_refused_report_keeps_what_was_typed_and_saves_nothing(make, customer, customer_client):
    make.staff()
    order = make.order(customer)
    response = customer_client.post(f"/orders/{order.number}/problem",
                                    data={"cause": "", "problem": XSS, "wanted": "x" * 2500})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose what went wrong." in page and "Use at most 2,000 characters." in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and XSS not in page
    assert only_case() is None


def test_someone_elses_order_or_case_is_not_found(make, customer, customer_client):
    make.staff()
    other = make.customer()
    order = make.order(other)
    assert customer_client.get(f"/orders/{order.number}/problem").status_code == 404
    assert customer_client.post(f"/orders/{order.number}/problem", data=REPORT).status_code == 404
    case = services.report(order=order, cause="late", problem="Late.", wanted="", attachment=None, now=NOW)
    db.session.commit()
    assert customer_client.get(f"/cases/{case.number}").status_code == 404
    assert customer_client.get(f"/staff/cases/{case.number}").status_code == 404
    assert customer_client.post(f"/staff/cases/{case.number}/resolve", data={"summary": "x"}).status_code == 404
    assert customer_client.get("/staff/cases").status_code == 404


def test_a_problem_is_reported_from_the_tracking_link_without_signing_in(make, customer, client):
    make.staff(name="Dana Reyes")
    order = make.order(customer)
    token = links.sign(order.tracking_token, purpose="tracking", now=utcnow())
    assert f"/track/{token}/problem" in client.get(f"/track/{token}").get_data(as_text=True)
    response = client.post(f"/track/{token}/problem", data=REPORT)
    assert response.status_code == 303 and "/case/" in response.location
    page = client.get(response.location).get_data(as_text=True)
    case = only_case()
    assert case.customer_id == customer.id and case.number in page and "Dana Reyes" in page
    assert client.get(f"/track/{token}x/problem").status_code == 404


def test_the_customer_answers_from_the_case_link_without_signing_in(make, customer, client):
    owner = make.staff()
    case = services.report(order=make.order(customer), cause="quality", problem="Smudged.", wanted="",
                           attachment=None, now=NOW)
    services.offer_reprint(case, actor=owner, now=NOW)
    db.session.commit()
    token = services.link_token(case, now=utcnow())
    page = client.get(f"/case/{token}").get_data(as_text=True)
    assert "Accept the reprint" in page and "Write to" in page
    assert client.post(f"/case/{token}/message", data={"body": ""}).status_code == 422
    assert client.post(f"/case/{token}/message", data={"body": "Thank you!"}).status_code == 303
    assert client.post(f"/case/{token}/reprint", data={}).status_code == 303
    case = only_case()
    assert case.reprint_order_id is not None and case.state == CaseState.OPEN
    assert client.post(f"/case/{token}/message", data={"body": "Hi"}, csrf=False).status_code == 400
    assert client.post(f"/case/{token}x/message", data={"body": "Hi"}).status_code == 404


def test_staff_see_their_cases_answer_and_resolve_and_the_customer_says_no(make, customer, staff, staff_client,
                                                                        client):
    case = services.report(order=make.order(customer), cause="late", problem="It came a day late.", wanted="",
                           attachment=None, now=NOW)
    db.session.commit()
    listing = staff_client.get("/staff/cases").get_data(as_text=True)
    assert case.number in listing and customer.name in listing
    assert "It came a day late." in staff_client.get(f"/staff/cases/{case.number}").get_data(as_text=True)
    assert staff_client.post(f"/staff/cases/{case.number}/message",
                             data={"body": "Sorry: we will credit the rush.", "version": case.version}).status_code == 303
    refused = staff_client.post(f"/staff/cases/{case.number}/resolve", data={"summary": "", "version": ""})
    assert refused.status_code == 422 and "Say what was done" in refused.get_data(as_text=True)
    assert staff_client.post(f"/staff/cases/{case.number}/resolve",
                             data={"summary": "Credited.", "version": ""}).status_code == 303
    token = services.link_token(only_case(), now=utcnow())
    assert "Did this make it right?" in client.get(f"/case/{token}").get_data(as_text=True)
    assert client.post(f"/case/{token}/answer", data={"answer": "no"}).status_code == 303
    assert only_case().state == CaseState.OPEN and only_case().owner_id == staff.id


def test_a_stale_staff_form_says_what_changed(make, customer, staff, staff_client):
    second = make.staff(name="Omar Haddad")
    case = services.report(order=make.order(customer), cause="late", problem="Late.", wanted="", attachment=None,
                           now=NOW)
    db.session.commit()
    seen = case.version
    services.hand_off(case, to_staff_id=second.id, reason="Bindery.", actor=staff, now=NOW)
    db.session.commit()
    response = staff_client.post(f"/staff/cases/{case.number}/handoff",
                                 data={"owner": str(staff.id), "reason": "Back.", "version": seen})
    assert response.status_code == 409 and "Omar Haddad" in response.get_data(as_text=True)


def test_department_administrators_read_their_departments_cases(make, app):
    law = make.department("Law")
    customer = make.customer(department=law)
    make.staff()
    administrator = make.user(administers=[law])
    case = services.report(order=make.order(customer), cause="billing", problem="Charged twice.", wanted="",
                           attachment=None, now=NOW)
    db.session.commit()
    client = app.test_client()
    client.sign_in(administrator)
    page = client.get(f"/cases/{case.number}")
    assert page.status_code == 200 and "Charged twice." in page.get_data(as_text=True)
    assert "Write to" not in page.get_data(as_text=True)
    token = re.search(r"/case/([^/\"]+)/", page.get_data(as_text=True))
    assert token is None  # no forms to act as the customer
    assert client.post(f"/case/{services.link_token(case, now=utcnow())}/message",
                       data={"body": "Hi"}).status_code == 404


def test_the_manager_sets_who_owns_what(make, app, staff_client):
    manager = make.user(role=Role.ADMIN)
    staff = make.staff(name="Dana Reyes")
    law = make.department("Law")
    assert staff_client.get("/staff/care/owners").status_code == 404
    client = app.test_client()
    client.sign_in(manager)
    assert "Law" in client.get("/staff/care/owners").get_data(as_text=True)
    assert client.post("/staff/care/owners", data={"department": law.id, "staff": staff.id}).status_code == 303
    refused = client.post("/staff/care/owners", data={"what": "duty", "staff": staff.id, "starts_on": "soon"})
    assert refused.status_code == 422 and "2026-12-15" in refused.get_data(as_text=True)
    assert client.post("/staff/care/owners", data={"what": "duty", "staff": staff.id,
                                                   "starts_on": "2026-12-01"}).status_code == 303
    assert "Dana Reyes from" in client.get("/staff/care/owners").get_data(as_text=True)


def test_a_very_dissatisfied_answer_shows_the_case_and_its_owner(make, customer, client):
    make.staff(name="Dana Reyes")
    order = make.order(customer)
    token = links.sign(order.tracking_token, purpose="satisfaction", now=utcnow())
    page = client.post(f"/satisfaction/{token}", data={"answer": "1"}).get_data(as_text=True)
    case = only_case()
    assert case.number in page and "Dana Reyes" in page and "/case/" in page


def test_the_satisfaction_check_takes_an_optional_comment(make, customer, client):
    order = make.order(customer)
    token = links.sign(order.tracking_token, purpose="satisfaction", now=utcnow())
    assert 'name="comment"' in client.get(f"/satisfaction/{token}").get_data(as_text=True)
    response = client.post(f"/satisfaction/{token}", data={"answer": "4", "comment": XSS})
    assert response.status_code == 200 and "Thank you" in response.get_data(as_text=True)
    db.session.expire_all()
    assert order.satisfaction_comment == XSS
    refused = client.post(f"/satisfaction/{token}", data={"answer": "4", "comment": "x" * 2001})
    assert refused.status_code == 422 and "Use at most 2,000 characters." in refused.get_data(as_text=True)


def test_the_care_page_shows_the_trend_chart_its_table_and_every_comment_escaped(make, customer, staff_client):
    make.staff(name="Dana Reyes")
    order = make.order(customer)
    token = links.sign(order.tracking_token, purpose="satisfaction", now=utcnow())
    staff_client.post(f"/satisfaction/{token}", data={"answer": "1", "comment": XSS})
    response = staff_client.get("/staff/care")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<svg viewBox="0 0 600 170" role="img" aria-label="Share satisfied by month:' in page
    assert "November 2026" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page and XSS not in page
    assert "Very dissatisfied" in page and "Dissatisfied answer" in page and only_case().number in page
    assert "/staff/care" in staff_client.get("/staff/cases").get_data(as_text=True)


def test_the_care_page_is_for_staff_only(make, customer, customer_client, client):
    administrator = make.user(administers=[make.department()])   # a department administrator is not staff
    assert customer_client.get("/staff/care").status_code == 404
    assert client.get("/staff/care").status_code == 302   # to sign in
    client.sign_in(administrator)
    assert client.get("/staff/care").status_code == 404


JPEG = b"\xff\xd8\xff\xe0 a photo of the crushed box"


def test_whoever_reads_a_case_downloads_its_photo_and_nobody_else(make, app, client):
    law = make.department("Law")
    customer = make.customer(department=law)
    make.staff()
    case = services.report(order=make.order(customer), cause="damaged", problem="Crushed.", wanted="",
                           attachment=(JPEG, "box.jpg"), now=NOW)
    db.session.commit()
    administrator, stranger = app.test_client(), app.test_client()
    administrator.sign_in(make.user(administers=[law]))
    stranger.sign_in(make.customer())
    page = administrator.get(f"/cases/{case.number}").get_data(as_text=True)
    assert f'href="/cases/{case.number}/attachment">box.jpg</a>' in page
    download = administrator.get(f"/cases/{case.number}/attachment")
    assert download.status_code == 200 and download.data == JPEG and "box.jpg" in download.headers["Content-Disposition"]
    assert administrator.get(f"/files/{case.file_id}").status_code == 404  # the file route stays the owner's and staff's
    assert stranger.get(f"/cases/{case.number}/attachment").status_code == 404
    token = services.link_token(case, now=utcnow())
    assert f"/case/{token}/attachment" in client.get(f"/case/{token}").get_data(as_text=True)
    assert client.get(f"/case/{token}/attachment").data == JPEG  # from the emailed link, without signing in
    assert client.get(f"/case/{token}x/attachment").status_code == 404


def test_an_expired_case_link_says_how_to_reach_the_case_and_changes_nothing(make, customer, client, app):
    make.staff(name="Dana Reyes", email="dana@example.edu")
    case = services.report(order=make.order(customer), cause="late", problem="Late.", wanted="", attachment=None,
                           now=NOW)
    db.session.commit()
    old = services.link_token(case, now=utcnow() - links.days("CARE_LINK_DAYS") - links.days("CARE_LINK_DAYS") / 30)
    page = client.get(f"/case/{old}")
    text = page.get_data(as_text=True)
    assert page.status_code == 410
    assert f"This link to case {case.number} has expired" in text and "Dana Reyes" in text and "dana@example.edu" in text
    assert f'href="/cases/{case.number}"' in text
    entries = len(only_case().entries)
    answered = client.post(f"/case/{old}/message", data={"body": "Still here?"})
    assert answered.status_code == 410 and len(only_case().entries) == entries
    forged = client.get(f"/case/{old[:-2]}xx")
    assert forged.status_code == 404  # a link we did not sign is not there at all
