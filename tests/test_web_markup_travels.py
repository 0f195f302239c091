"""Markup in every text field, followed further (the table is in test_web_markup.py): a carrier address and the
shop's hold, shipping and delivery words; a person's name in an invitation; budget account names and a
withdrawal's reason; a care case handed off, credited and resolved; credits on statements; the catalog editor's
words; a course pack's readings and the shop's copyright work; the shop calendar's reasons; the queue's search.
Each is typed through the real routes and checked escaped in the pages and fragments it reaches, escaped in the
HTML email and plain in the text one (a real SMTP server), drawn as typed in the PDFs, and plain in the CSVs."""
from __future__ import annotations

import csv
import io
import re
from io import BytesIO
from urllib.parse import urlencode

from sqlalchemy import select

from portal.accounts.models import Role
from portal.addresses.models import Address
from portal.billing.models import AccountHolder, BillingAccount
from portal.copyright.models import ClearanceRequest
from portal.extensions import db
from portal.notices import delivery
from portal.orders.models import Order, OrderStatus
from portal.promises.models import Station
from tests.factories import NOW, job_values, pdf_bytes, to_clear
from tests.statements_support import charged
from tests.test_catalog_manage import stored_form
from tests.test_web_markup import (  # noqa: F401 (frozen_clock: the same still clock as the table's scenarios)
    ACCOUNTS, CALENDAR, CASE, CATALOG, CLEARANCE, CREDITS, HTMX, INVITE, JOURNEY, READINGS, SEARCH, _assert_escaped,
    _fields_of, _pdf_text, _version, escaped, frozen_clock)

MARKUP = "<script>alert("


def _typed(scenario: str) -> dict[str, str]:
    """The scenario's payloads by "Form.field"."""
    return {".".join(name.rsplit(".", 2)[-2:]): text for name, text in _fields_of(scenario).items()}


def _signed_in(app, person):
    client = app.test_client()
    client.sign_in(person)
    return client


def _page(client, path: str, **kwargs) -> str:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def _posted(response, *codes: int):
    page = response.get_data(as_text=True)
    assert response.status_code in (codes or (303,)), re.findall(r'class="error[^>]*>([^<]+)', page) or page[:2000]
    return response


def _shows(html: str, where: str, *texts: str) -> None:
    """Each text is in `html` as characters (escaped), never as markup."""
    for text in texts:
        _assert_escaped(html, [text], f"{where}: {text}")
    assert MARKUP not in html, where


def _mails(smtp_server, person, kind: str):
    delivery.sweep(now=NOW)
    found = [m for m in smtp_server.mailbox.to(person.email) if m.message["X-Portal-Notice"] == kind]
    assert found, (kind, [m.message["X-Portal-Notice"] for m in smtp_server.received])
    return found


def _mail_shows(mails, where: str, *texts: str) -> None:
    """Escaped in an HTML part, the characters typed in a text part."""
    for text in texts:
        assert any(text in mail.part("plain") for mail in mails), (where, text)
        _shows("\n".join(mail.part("html") for mail in mails), where, text)


def _pdf_shows(data: bytes, where: str, *texts: str) -> None:
    pdf = _pdf_text(data)
    for text in texts:
        assert text in " ".join(pdf.split()), (where, text, pdf[:1500])


def _csv_cells(response) -> list[str]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return [cell for row in csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))) for cell in row]


def test_a_carrier_address_and_the_shops_hold_shipping_and_delivery_words_stay_text(app, make, smtp_server):
    typed = _typed(JOURNEY)
    customer, staff = make.customer(), make.staff()
    make.catalog()
    client, staff_client = _signed_in(app, customer), _signed_in(app, staff)
    street = {key.split(".")[1]: text for key, text in typed.items() if key.startswith("AddressForm.")}
    _posted(client.post("/addresses", data={"kind": "carrier", "label": "Home", "recipient": "Ana Lima",
                                            "state": "NY", "postal_code": "14850", **street}))
    _shows(_page(client, "/addresses"), "address book", *street.values())
    address = db.session.scalar(select(Address).where(Address.user_id == customer.id, Address.kind == "carrier"))
    order = make.order(customer, "flyer", address=address, quantity=100)
    order.status = OrderStatus.READY
    db.session.commit()
    number, move = order.number, f"/staff/jobs/{order.number}/move"
    hold = typed["HoldForm.reason"]
    _posted(staff_client.post(move, data={"to": "on_hold", "seen": "ready", "reason": hold}))
    _shows(_page(staff_client, f"/staff/jobs/{number}"), "job page on hold", hold)
    _shows(_page(staff_client, "/staff/queue?stage=on_hold", headers=HTMX), "queue fragment", hold)
    _shows(_page(staff_client, "/staff/queue/board"), "queue board", hold)
    _shows(_page(client, f"/orders/{number}"), "order timeline", hold)
    _posted(staff_client.post(move, data={"to": "ready", "seen": "on_hold"}))
    carrier, tracking = typed["ShipForm.carrier"], typed["ShipForm.tracking_number"]
    _posted(staff_client.post(move, data={"to": "shipped", "seen": "ready", "carrier": carrier,
                                          "tracking_number": tracking}))
    _mail_shows(_mails(smtp_server, customer, "shipped"), "shipped email", carrier, tracking)
    received = typed["DeliverForm.received_by"]
    _posted(staff_client.post(move, data={"to": "delivered", "seen": "shipped", "received_by": received}))
    _mail_shows(_mails(smtp_server, customer, "delivered"), "delivered email", received)
    _shows(_page(client, f"/orders/{number}"), "order page", carrier, tracking, received, street["street1"],
           street["city"])
    _shows(_page(staff_client, f"/staff/jobs/{number}"), "job page", carrier, tracking, received, street["street1"])
    slip = staff_client.get(f"/staff/jobs/{number}/packing-slip.pdf")
    _pdf_shows(slip.data, "packing slip", street["street1"], street["street2"], street["city"], carrier, tracking)


def test_an_invited_persons_name_is_text_in_the_lists_and_the_invitation(app, make, smtp_server):
    name = _typed(INVITE)["InviteForm.name"]
    department = make.department("School of Law")
    administrator = make.user(administers=[department])
    client = _signed_in(app, administrator)
    _posted(client.post("/people/invite", data={"email": "new.person@example.edu", "name": name,
                                                "department": str(department.id)}), 200, 303)
    _shows(_page(client, f"/departments/{department.id}/members"), "members page", name)
    _shows(_page(_signed_in(app, make.user(role=Role.ADMIN)), "/staff/people?q=new.person"), "people page", name)
    sent = [m for m in smtp_server.received if "new.person@example.edu" in str(m.message["To"])]
    if not sent:
        delivery.sweep(now=NOW)
        sent = [m for m in smtp_server.received if "new.person@example.edu" in str(m.message["To"])]
    assert sent
    _mail_shows(sent, "invitation", name)


def _statement_shows(app, make, department, where: str, *texts: str) -> None:
    """The department's statement of the month (NOW's), as its administrator reads it: page, PDF and CSV."""
    reader = _signed_in(app, make.user(administers=[department]))
    path = f"/statements/2026-11/departments/{department.id}"
    _shows(_page(reader, path), f"{where} statement", *texts)
    _pdf_shows(reader.get(f"{path}/statement.pdf").data, f"{where} statement PDF", *texts)
    cells = _csv_cells(reader.get(f"{path}/statement.csv"))
    for text in texts:
        assert any(text in cell for cell in cells), (where, text, cells)


def _delivered(make, customer) -> Order:
    """A flyer order of `customer`'s, delivered today (so charged on this month's statement: it can be credited)."""
    placed = make.order(customer, "flyer")
    return charged(placed, account=db.session.get(BillingAccount, placed.billing_account_id), price_cents=4200,
                   delivered_on=NOW.date())


def _checkout_page(client, customer, make) -> str:
    job = job_values("flyer", [make.stored_file(customer, pages=1)], quantity=100)
    return _page(client, "/checkout?" + urlencode(list(job.items(multi=True))))


def test_budget_account_names_and_a_withdrawals_reason_are_text_wherever_the_account_is_shown(app, make):
    typed = _typed(ACCOUNTS)
    customer = make.customer()
    department = customer.memberships[0].department
    make.catalog()
    client = _signed_in(app, customer)
    added = typed["AccountForm.name"]
    _posted(client.post("/billing", data={"code": "10-5555-1234", "name": added, "department": str(department.id)}))
    account = db.session.scalar(select(BillingAccount).where(BillingAccount.code == "10-5555-1234"))
    _shows(_page(client, "/billing"), "accounts page", added)
    _shows(_checkout_page(client, customer, make), "checkout page", added)
    order = make.order(customer, "flyer", account=account, quantity=100)
    _shows(_page(client, f"/orders/{order.number}"), "order page", added)
    _shows(_page(_signed_in(app, make.staff()), f"/staff/jobs/{order.number}"), "job page", added)
    charged(order, account=account, price_cents=4200, delivered_on=NOW.date())
    _statement_shows(app, make, department, "account name", added)

    administrator = _signed_in(app, make.user(administers=[department]))
    renamed, reason = typed["ManageForm.name"], typed["WithdrawForm.reason"]
    managed = make.account(customer, department=department)
    _posted(administrator.post(f"/billing/{managed.id}/manage", data={"name": renamed}))
    _shows(_page(administrator, f"/billing/{managed.id}/manage"), "manage page", renamed)
    _shows(_page(client, "/billing"), "accounts page", renamed)
    _posted(administrator.post(f"/billing/{managed.id}/withdraw", data={"reason": reason}))
    _shows(_page(client, "/billing"), "accounts page", reason)
    _shows(_checkout_page(client, customer, make), "checkout page", renamed, reason)


def test_a_cases_handoff_credit_and_resolution_are_text_for_staff_the_customer_and_the_email(
        app, make, smtp_server):
    typed = _typed(CASE)
    customer, first, second = make.customer(), make.staff(), make.staff()
    order = _delivered(make, customer)
    client, staff_client = _signed_in(app, customer), _signed_in(app, first)
    reported = _posted(client.post(f"/orders/{order.number}/problem", data={"cause": "damaged", "problem": "Torn."}))
    case = reported.location.rsplit("/", 1)[1]
    staff_page = _page(staff_client, f"/staff/cases/{case}")
    handoff = typed["HandoffForm.reason"]
    _posted(staff_client.post(f"/staff/cases/{case}/handoff", data={
        "owner": str(second.id), "reason": handoff, "version": _version(staff_page)}))
    owner = _signed_in(app, second)
    _shows(_page(owner, f"/staff/cases/{case}"), "staff case page", handoff)
    assert escaped(handoff) not in _page(client, f"/cases/{case}")  # the reason is for the next owner only
    credit, summary = typed["CreditForm.reason"], typed["ResolveForm.summary"]
    _posted(owner.post(f"/staff/cases/{case}/credit", data={"amount": "1.00", "reason": credit}))
    staff_page = _page(owner, f"/staff/cases/{case}")
    _posted(owner.post(f"/staff/cases/{case}/resolve", data={"summary": summary, "version": _version(staff_page)}))
    _shows(_page(owner, f"/staff/cases/{case}"), "staff case page", credit, summary)
    _shows(_page(client, f"/cases/{case}"), "customer case page", credit, summary)
    _shows(_page(client, f"/orders/{order.number}"), "order page credits", credit)
    _mail_shows(_mails(smtp_server, customer, "case_update"), "case emails", credit, summary)
    _statement_shows(app, make, customer.memberships[0].department, "care credit", credit)


def test_a_credits_reason_is_text_on_the_job_the_order_and_the_statement(app, make):
    reason = _typed(CREDITS)["CreditForm.reason"]
    customer, staff = make.customer(), make.staff()
    order = _delivered(make, customer)
    staff_client = _signed_in(app, staff)
    _posted(staff_client.post(f"/staff/jobs/{order.number}/credit", data={
        "kind": "reprint", "amount": "1.00", "reason": reason}))
    _shows(_page(staff_client, f"/staff/jobs/{order.number}"), "job page", reason)
    _shows(_page(_signed_in(app, customer), f"/orders/{order.number}"), "order page", reason)
    _statement_shows(app, make, customer.memberships[0].department, "credit", reason)


def _placed(client, customer, values) -> Order:
    """The job of `values` placed through checkout, to the customer's address and account on file."""
    address = db.session.scalar(select(Address.id).where(Address.user_id == customer.id))
    account = db.session.scalar(select(AccountHolder.account_id).where(AccountHolder.user_id == customer.id))
    _posted(client.post("/checkout", data={**values.to_dict(), "idempotency_key": f"k-{len(values)}", "address": str(address),
                                           "billing_account": str(account), "action": "place"}))
    return db.session.scalar(select(Order).where(Order.customer_id == customer.id).order_by(Order.id.desc()))


def test_the_catalog_editors_words_are_text_in_the_catalog_the_configurator_the_order_and_the_ticket(app, make):
    typed = _typed(CATALOG)
    make.catalog()
    manager = _signed_in(app, make.user(role=Role.ADMIN))
    product = {key.split(".")[1]: text for key, text in typed.items() if key.startswith("ProductForm.")}
    option = {"options-0-label": typed["OptionForm.label"], "options-0-help": typed["OptionForm.help"],
              "options-0-choices-0-label": typed["ChoiceForm.label"]}  # Size, and its usual choice
    _posted(manager.post("/staff/catalog/products/flyer", data=stored_form(app, **product, **option)))
    station = typed["StationForm.name"]
    _posted(manager.post("/staff/catalog/stations/new", data={"code": "laminator", "name": station,
                                                             "minutes_per_day": "480"}))
    _shows(_page(manager, "/staff/catalog"), "catalog area", product["name"], station)
    _shows(_page(manager, "/staff/catalog/products/flyer"), "product editor", station)
    _shows(_page(manager, "/staff/catalog/products/flyer/history"), "product history", product["name"],
           product["summary"], product["description"])
    customer, staff = make.customer(), make.staff()
    client, staff_client = _signed_in(app, customer), _signed_in(app, staff)
    _shows(_page(client, "/products"), "catalog", product["name"], product["summary"])
    _shows(_page(client, "/products/flyer"), "configurator", product["name"], product["unit_name"], *option.values())
    order = _placed(client, customer, job_values("flyer", [make.stored_file(customer, pages=1)], quantity=100))
    _shows(_page(client, f"/orders/{order.number}"), "order page", product["name"], typed["ChoiceForm.label"])
    _shows(_page(staff_client, f"/staff/jobs/{order.number}"), "job page", product["name"],
           typed["ChoiceForm.label"])
    _shows(_page(staff_client, "/staff/queue", headers=HTMX), "queue fragment", product["name"])
    _shows(_page(staff_client, "/staff/queue"), "queue filters", station)
    _pdf_shows(staff_client.get(f"/staff/jobs/{order.number}/ticket.pdf").data, "ticket", product["name"],
               typed["ChoiceForm.label"])


def test_a_course_packs_instructor_readings_and_works_to_clear_are_text_for_the_shop_and_on_paper(app, make):
    typed = _typed(READINGS)
    customer, staff = make.customer(), make.staff()
    make.catalog()
    client, staff_client = _signed_in(app, customer), _signed_in(app, staff)
    title, instructor = typed["FileEntryForm.title"], typed["ConfiguratorForm.instructor"]
    work = [typed[f"FileEntryForm.{part}"] for part in ("work_title", "work_author", "work_publisher")]
    files = [make.stored_file(customer, pages=4), make.stored_file(customer, pages=6)]
    values = job_values("course-pack", files, instructor=instructor, **{"files-0-title": title},
                        **to_clear(1, work=work[0], author=work[1], publisher=work[2], pages_used=6))
    _shows(_page(client, "/checkout?" + urlencode(list(values.items(multi=True)))),
           "checkout summary", work[0])
    order = _placed(client, customer, values)
    _shows(_page(client, f"/orders/{order.number}"), "order page", title, instructor)
    _shows(_page(staff_client, f"/staff/jobs/{order.number}"), "job page", title, instructor, work[0])
    _pdf_shows(staff_client.get(f"/staff/jobs/{order.number}/ticket.pdf").data, "ticket", title, instructor)
    _shows(_page(staff_client, "/staff/copyright"), "copyright queue", *work)
    request = db.session.scalar(select(ClearanceRequest.id).where(ClearanceRequest.order_id == order.id))
    _shows(_page(staff_client, f"/staff/copyright/{request}"), "clearance request", instructor, *work)


def test_the_shops_copyright_notes_and_period_and_the_instructors_replacement_are_text_where_read(
        app, make, smtp_server):
    typed = _typed(CLEARANCE)
    customer, staff = make.customer(), make.staff()
    make.catalog()
    client, staff_client = _signed_in(app, customer), _signed_in(app, staff)
    order = make.order(customer, files=[make.stored_file(customer, pages=12)], **to_clear(0))
    request = db.session.scalar(select(ClearanceRequest.id).where(ClearanceRequest.order_id == order.id))
    notes = typed["WorkForm.notes"]
    _posted(staff_client.post(f"/staff/copyright/{request}", data={"action": "refuse", "notes": notes}))
    _shows(_page(staff_client, f"/staff/copyright/{request}"), "clearance request", notes)
    _shows(_page(client, f"/orders/{order.number}"), "order page", notes)
    choice_page = f"/orders/{order.number}/readings/{request}"
    _shows(_page(client, choice_page), "the instructor's choice", notes)
    _mail_shows(_mails(smtp_server, customer, "copyright_refused"), "refusal email", notes)

    replacement = {key.split(".")[1]: text for key, text in typed.items() if key.startswith("ChoiceForm.")}
    _posted(client.post(choice_page, content_type="multipart/form-data", data={
        "choice": "replace", "copyright": "awaiting_clearance", "pages_used": "8", "total_pages": "400",
        **replacement, "upload": (BytesIO(pdf_bytes(8)), "williston.pdf")}))
    _shows(_page(client, f"/orders/{order.number}"), "order page", replacement["title"])
    _shows(_page(staff_client, f"/staff/jobs/{order.number}"), "job page", replacement["title"],
           replacement["work_title"])
    _pdf_shows(staff_client.get(f"/staff/jobs/{order.number}/ticket.pdf").data, "ticket", replacement["title"])
    _shows(_page(staff_client, "/staff/copyright"), "copyright queue", replacement["work_title"],
           replacement["work_author"], replacement["work_publisher"])

    again = db.session.scalar(select(ClearanceRequest.id).where(ClearanceRequest.order_id == order.id)
                              .order_by(ClearanceRequest.id.desc()))
    period = typed["WorkForm.period"]
    _posted(staff_client.post(f"/staff/copyright/{again}", content_type="multipart/form-data", data={
        "action": "grant", "period": period, "expires_on": "2027-06-30", "fee": ""}))
    reused = make.order(customer, files=[make.stored_file(customer, pages=12)], **to_clear(
        0, work=replacement["work_title"], author=replacement["work_author"], publisher=replacement["work_publisher"],
        pages_used=8, total_pages=400))
    cleared = db.session.scalar(select(ClearanceRequest.id).where(ClearanceRequest.order_id == reused.id))
    _shows(_page(staff_client, f"/staff/copyright/{cleared}"), "a clearance reused", period)


def test_the_shop_calendars_reasons_are_text_on_the_promises_page(app, make, staff_client):
    typed = _typed(CALENDAR)
    make.catalog()
    bindery = db.session.scalar(select(Station.id).where(Station.code == "bindery"))
    _posted(staff_client.post("/staff/promises/closures", data={"day": "2026-12-24",
                                                                "reason": typed["ClosureForm.reason"]}))
    _posted(staff_client.post("/staff/promises/downtime", data={"station": str(bindery), "day": "2026-11-24",
                                                                "reason": typed["DowntimeForm.reason"]}))
    _shows(_page(staff_client, "/staff/promises"), "promises page", *typed.values())


def test_what_was_searched_for_is_text_in_the_queues_results(app, make, staff_client):
    searched = _typed(SEARCH)["QueueFilterForm.q"]
    make.catalog()
    make.order(make.customer(), "flyer")
    query = "/staff/queue?" + urlencode({"q": searched})
    _shows(_page(staff_client, query, headers=HTMX), "queue results fragment", searched)
    _shows(_page(staff_client, query), "queue page", searched)
