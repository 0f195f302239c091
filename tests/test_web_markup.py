"""Markup in every text field: a table of every field a person can type into, derived from the WTForms classes
(a new field without a row fails), each given a script payload. Every field's typed value, kept and shown back
next to its error, is escaped; the fields whose text is shown on to other pages are followed through the real
routes: escaped in the page and the htmx fragment, escaped in the HTML email and plain in the text one (a real
SMTP server), and drawn as the characters typed in the PDFs (pypdf reads the text back)."""
from __future__ import annotations

import importlib
import pkgutil
import sys
import re
from io import BytesIO
from urllib.parse import urlencode

import pytest
import time_machine
from flask_wtf import FlaskForm
from markupsafe import escape
from pypdf import PdfReader
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.fields import FieldList, FormField, HiddenField, PasswordField, StringField

import portal
from portal.accounts.models import Role
from portal.extensions import db
from portal.notices import delivery, links
from portal.orders.models import Order
from tests.factories import NOW, job_values, pdf_bytes
from tests.notices_support import approval_token

HTMX = {"HX-Request": "true"}


def payload(n: int) -> str:
    """A script a field must never run: 25 characters, so it fits the short fields too."""
    return f"<script>alert({n})</script>"


def escaped(text: str) -> str:
    return str(escape(text))


# Where each field's text goes on from its form. A scenario name: it is followed through that scenario's real
# routes (the first six here, the rest in test_web_markup_travels.py). ECHO: it is only kept and shown back in its
# own form (the check below covers it), and the comment beside it says why it goes no further: it must be a number,
# a date, a code or an email (markup is refused with a message, and echoed escaped), or no other page shows it.
ECHO = "echo"
ORDER, QUEUE, MAILER, CARE, PEOPLE, ANSWERS = "order", "queue", "mailer", "care", "people", "answers"
JOURNEY, INVITE, ACCOUNTS, CASE, CREDITS = "journey", "invite", "accounts", "case", "credits"
CATALOG, READINGS, CLEARANCE, CALENDAR, SEARCH = "catalog", "readings", "clearance", "calendar", "search"
# The catalog editor's numbers and codes: read by the catalog's checks (money, whole numbers, minutes, codes).
NUMBERS_AND_CODES = {
    "BreakForm": ("percent_off", "start"),
    "ChoiceForm": ("code", "extra_days", "pages_per_sheet", "per_copy", "per_page", "per_sheet"),
    "OptionForm": ("code",),
    "StepForm": ("per_copy", "per_impression", "per_sheet", "setup_minutes", "when_choices", "when_option"),
    "ProductForm": ("base_days", "default_pages", "default_quantity", "max_quantity", "min_quantity", "minimum",
                    "pages_per_day", "per_copy", "per_page", "quantity_step", "rush_surcharge_percent", "setup",
                    "slug"),
    "StationForm": ("code", "fri", "minutes_per_day", "mon", "thu", "tue", "wed"),
}

FIELDS = {
    # Accounts: emails are checked to be addresses (markup refused, issue 15); names and notes are shown on.
    "portal.accounts.forms.SignInForm.email": ECHO,
    "portal.accounts.forms.EmailForm.email": ECHO,
    "portal.accounts.forms.NoteForm.body": PEOPLE,
    "portal.accounts.forms.MemberForm.email": ECHO,
    "portal.accounts.forms.ForgotForm.email": ECHO,
    "portal.accounts.forms.InviteForm.email": ECHO,
    "portal.accounts.forms.InviteForm.name": INVITE,
    # Addresses: typed at checkout (or in the address book), shown on the order, the ticket and the packing slip.
    "portal.addresses.forms.AddressForm.label": ORDER,
    "portal.addresses.forms.AddressForm.recipient": ORDER,
    "portal.addresses.forms.AddressForm.building": ORDER,
    "portal.addresses.forms.AddressForm.room": ORDER,
    "portal.addresses.forms.AddressForm.phone": ECHO,  # kept on the address; no page, slip or ticket shows it
    "portal.addresses.forms.AddressForm.street1": JOURNEY,
    "portal.addresses.forms.AddressForm.street2": JOURNEY,
    "portal.addresses.forms.AddressForm.city": JOURNEY,
    "portal.addresses.forms.AddressForm.state": ECHO,  # a two-letter state code
    "portal.addresses.forms.AddressForm.postal_code": ECHO,  # a ZIP code
    # Billing.
    "portal.billing.forms.AccountForm.code": ECHO,  # a budget code
    "portal.billing.forms.AccountForm.name": ACCOUNTS,
    "portal.billing.forms.ManageForm.approver": ECHO,  # an email
    "portal.billing.forms.ManageForm.name": ACCOUNTS,
    "portal.billing.forms.ManageForm.threshold": ECHO,  # dollars
    "portal.billing.forms.HolderForm.email": ECHO,  # an email
    "portal.billing.forms.WithdrawForm.reason": ACCOUNTS,
    # Care cases.
    "portal.care.forms.ReportForm.problem": CARE,
    "portal.care.forms.ReportForm.wanted": CARE,
    "portal.care.forms.MessageForm.body": CARE,
    "portal.care.forms.HandoffForm.reason": CASE,
    "portal.care.forms.CreditForm.amount": ECHO,  # dollars
    "portal.care.forms.CreditForm.reason": CASE,
    "portal.care.forms.NoteForm.note": CARE,
    "portal.care.forms.ResolveForm.summary": CASE,
    # The configurator, its readings, and the shop's catalog editor (staff).
    "portal.catalog.forms.ConfiguratorForm.title": ORDER,
    "portal.catalog.forms.ConfiguratorForm.course_code": ECHO,  # a course code, like LAW 501
    "portal.catalog.forms.ConfiguratorForm.instructor": READINGS,
    "portal.catalog.forms.FileEntryForm.title": READINGS,
    # kept on the reading; shown only back in the configurator's declaration (a reorder with changes)
    "portal.catalog.forms.FileEntryForm.granted_by": ECHO,
    "portal.catalog.forms.FileEntryForm.justification": ECHO,  # as granted_by
    "portal.catalog.forms.FileEntryForm.pages_used": ECHO,  # a whole number
    "portal.catalog.forms.FileEntryForm.total_pages": ECHO,  # a whole number
    "portal.catalog.forms.FileEntryForm.work_author": READINGS,
    "portal.catalog.forms.FileEntryForm.work_publisher": READINGS,
    "portal.catalog.forms.FileEntryForm.work_title": READINGS,
    **{f"portal.catalog.forms.{form}.{name}": ECHO for form, names in NUMBERS_AND_CODES.items() for name in names},
    "portal.catalog.forms.ChoiceForm.label": CATALOG,
    "portal.catalog.forms.OptionForm.help": CATALOG,
    "portal.catalog.forms.OptionForm.label": CATALOG,
    **{f"portal.catalog.forms.ProductForm.{name}": CATALOG for name in ("description", "name", "summary",
                                                                       "unit_name")},
    "portal.catalog.forms.StationForm.name": CATALOG,
    # Copyright clearances (course packs): the instructor's replacement for a refused reading, the shop's work.
    **{f"portal.copyright.forms.ChoiceForm.{name}": CLEARANCE for name in ("title", "work_author", "work_publisher",
                                                                          "work_title")},
    "portal.copyright.forms.ChoiceForm.granted_by": ECHO,  # as the configurator's granted_by
    "portal.copyright.forms.ChoiceForm.justification": ECHO,  # as the configurator's justification
    "portal.copyright.forms.ChoiceForm.pages_used": ECHO,  # a whole number
    "portal.copyright.forms.ChoiceForm.total_pages": ECHO,  # a whole number
    "portal.copyright.forms.WorkForm.notes": CLEARANCE,
    "portal.copyright.forms.WorkForm.period": CLEARANCE,
    "portal.copyright.forms.WorkForm.expires_on": ECHO,  # a date
    "portal.copyright.forms.WorkForm.sent_on": ECHO,  # a date
    "portal.copyright.forms.WorkForm.fee": ECHO,  # dollars
    # The shop's calendar.
    "portal.keeping.forms.ClosureForm.reason": CALENDAR,
    "portal.keeping.forms.DowntimeForm.reason": CALENDAR,
    # Checkout.
    "portal.orders.forms.NewAccountForm.code": ECHO,  # a budget code
    "portal.orders.forms.NewAccountForm.name": ORDER,
    "portal.orders.forms.CheckoutForm.instructions": ORDER,
    "portal.orders.forms.CheckoutForm.copies_per_bundle": ECHO,  # a whole number
    "portal.orders.forms.CheckoutForm.student_price": ECHO,  # dollars
    # Mailers: the design is drawn on every piece of the proof.
    "portal.mailers.forms.DesignForm.headline": MAILER,
    "portal.mailers.forms.DesignForm.message": MAILER,
    "portal.mailers.forms.DesignForm.return_address": MAILER,
    # Notices: an approver's reason, a customer's satisfaction comment.
    "portal.notices.forms.DecisionForm.reason": ANSWERS,
    "portal.notices.forms.SatisfactionForm.comment": ANSWERS,
    # The queue: the search, a hold's reason, shipping and delivery, staff's notes and the proof's message.
    "portal.queue.forms.QueueFilterForm.q": SEARCH,
    "portal.queue.forms.HoldForm.reason": JOURNEY,
    "portal.queue.forms.ShipForm.carrier": JOURNEY,
    "portal.queue.forms.ShipForm.tracking_number": JOURNEY,
    "portal.queue.forms.DeliverForm.received_by": JOURNEY,
    "portal.queue.forms.NoteForm.text": QUEUE,
    "portal.queue.forms.ProofForm.message": QUEUE,
    # Statements and terms.
    "portal.statements.forms.CreditForm.amount": ECHO,  # dollars
    "portal.statements.forms.CreditForm.reason": CREDITS,
    "portal.terms.forms.TermForm.name": ECHO,  # a term's name, like Spring 2027
}


def _portal_forms() -> dict[str, type[Form]]:
    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        if module.name.rsplit(".", 1)[-1] in ("forms",) or module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found, waiting = {}, list(Form.__subclasses__())
    while waiting:
        form = waiting.pop()
        waiting.extend(form.__subclasses__())
        # a form class the module defines, not one made at run time from it (the configurator's per product)
        defined = getattr(sys.modules.get(form.__module__), form.__name__, None) is form
        if form.__module__.startswith("portal.") and form is not FlaskForm and defined:
            found[f"{form.__module__}.{form.__name__}"] = form
    return found


def typed_fields() -> dict[str, object]:
    """Every field a person types into, by "module.Form.field": the text inputs and text areas (not passwords,
    hidden values, choices, files or dates picked from a calendar); lists and sub-forms are their own forms."""
    fields = {}
    for name, form in _portal_forms().items():
        for attribute in dir(form):
            unbound = getattr(form, attribute, None)
            kind = getattr(unbound, "field_class", None)
            if kind is None or issubclass(kind, (FieldList, FormField, PasswordField, HiddenField)):
                continue
            if issubclass(kind, StringField):
                fields[f"{name}.{attribute}"] = unbound
    return fields


def test_every_field_a_person_can_type_into_has_a_row():
    fields = typed_fields()
    assert len(fields) > 100
    missing = sorted(set(fields) - set(FIELDS))
    assert not missing, f"fields with no row in FIELDS (say where their text goes): {missing}"
    gone = sorted(set(FIELDS) - set(fields))
    assert not gone, f"rows for fields that no longer exist: {gone}"


def test_what_was_typed_into_every_field_is_shown_back_escaped(app):
    """The value kept next to a field's error (or shown again to edit) is the characters typed, never markup."""
    with app.test_request_context("/", method="POST"):
        for number, (name, unbound) in enumerate(sorted(typed_fields().items())):
            typed = payload(number)
            alone = type("One", (Form,), {"field": unbound})(formdata=MultiDict({"field": typed}))
            alone.validate()
            html = str(alone.field())
            assert typed not in html, name
            assert escaped(typed) in html, (name, html)


# The scenarios: the text followed through the portal's real routes.
@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _fields_of(scenario: str) -> dict[str, str]:
    return {name: payload(number) for number, name in enumerate(sorted(FIELDS)) if FIELDS[name] == scenario}


def _assert_escaped(html: str, texts, where: str) -> None:
    for text in texts:
        assert text not in html, (where, text)
    assert any(escaped(text) in html for text in texts), where


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def test_markup_typed_while_ordering_is_text_in_pages_fragments_emails_and_pdfs(app, make, smtp_server):
    typed = _fields_of(ORDER)
    field = {name.rsplit(".", 2)[-2] + "." + name.rsplit(".", 1)[-1]: text for name, text in typed.items()}
    customer = make.customer(on_file=False)
    staff = make.staff()
    make.catalog()
    client, staff_client = app.test_client(), app.test_client()
    client.sign_in(customer)
    staff_client.sign_in(staff)
    job = job_values("flyer", [make.stored_file(customer, pages=1)], title=field["ConfiguratorForm.title"])
    base = {**dict(job.items()), "idempotency_key": "k-markup", "instructions": field["CheckoutForm.instructions"]}
    added = client.post("/checkout", headers={**HTMX, "HX-Target": "checkout-form"}, data={
        **base, "action": "add_address", "new_address-kind": "campus",
        **{f"new_address-{key.split('.')[1]}": text for key, text in field.items() if key.startswith("AddressForm")}})
    fragment = added.get_data(as_text=True)
    assert added.status_code == 200, fragment[:2000]
    _assert_escaped(fragment, [field["AddressForm.recipient"]], "checkout fragment")
    address_id = re.search(r'name="address" value="(\d+)" checked', fragment).group(1)
    department_id = customer.memberships[0].department_id
    with_account = client.post("/checkout", data={
        **base, "address": address_id, "action": "add_account", "new_account-code": "10-1234-5678",
        "new_account-name": field["NewAccountForm.name"], "new_account-department": str(department_id)})
    page = with_account.get_data(as_text=True)
    _assert_escaped(page, [field["NewAccountForm.name"]], "checkout page")
    account_id = re.search(r'name="billing_account" value="(\d+)" checked', page).group(1)
    placed = client.post("/checkout", data={**base, "address": address_id, "billing_account": account_id,
                                            "action": "place"})
    assert placed.status_code == 303, placed.get_data(as_text=True)[:2000]
    with app.app_context():
        order = db.session.scalar(select(Order))
        number = order.number
    texts = list(typed.values())
    # Pages: the customer's order, the staff's job page, and the history and queue fragments.
    order_page = client.get(f"/orders/{number}").get_data(as_text=True)
    for text in (field["ConfiguratorForm.title"], field["CheckoutForm.instructions"], field["AddressForm.building"]):
        _assert_escaped(order_page, [text], f"order page: {text}")
    job_page = staff_client.get(f"/staff/jobs/{number}").get_data(as_text=True)
    for text in (field["ConfiguratorForm.title"], field["CheckoutForm.instructions"], field["AddressForm.recipient"]):
        _assert_escaped(job_page, [text], f"job page: {text}")
    history = client.get("/orders?" + urlencode({"q": "alert"}), headers=HTMX).get_data(as_text=True)
    _assert_escaped(history, [field["ConfiguratorForm.title"]], "history fragment")
    queue = staff_client.get("/staff/queue", headers=HTMX).get_data(as_text=True)
    _assert_escaped(queue, [field["ConfiguratorForm.title"]], "queue fragment")
    for html in (order_page, job_page, history, queue):
        assert "<script>alert(" not in html
    # The emails: the order-received notice, delivered through a real SMTP server.
    report = delivery.sweep(now=NOW)
    assert report.sent and not report.failed
    mail = smtp_server.mailbox.to(customer.email)[-1]
    html_mail, plain = mail.part("html"), mail.part("plain")
    _assert_escaped(html_mail, [field["ConfiguratorForm.title"]], "email html")
    assert field["ConfiguratorForm.title"] in plain  # a text part shows the characters as typed
    # The PDFs: the job ticket and the packing slip draw the characters typed, not markup run.
    for path in (f"/staff/jobs/{number}/ticket.pdf", f"/staff/jobs/{number}/packing-slip.pdf"):
        response = staff_client.get(path)
        assert response.mimetype == "application/pdf", path
        text = _pdf_text(response.data)
        assert any(typed_text in text for typed_text in texts), (path, text[:1000])
    ticket = _pdf_text(staff_client.get(f"/staff/jobs/{number}/ticket.pdf").data)
    assert field["ConfiguratorForm.title"] in ticket


def test_markup_in_staff_notes_and_a_proofs_message_is_text_for_staff_the_customer_and_the_email(
        app, make, smtp_server):
    typed = _fields_of(QUEUE)
    note, message = typed["portal.queue.forms.NoteForm.text"], typed["portal.queue.forms.ProofForm.message"]
    customer, staff = make.customer(), make.staff()
    order = make.order(customer, "flyer")
    number = order.number
    client, staff_client = app.test_client(), app.test_client()
    client.sign_in(customer)
    staff_client.sign_in(staff)
    noted = staff_client.post(f"/staff/jobs/{number}/notes", data={"text": note})
    assert noted.status_code == 303, noted.get_data(as_text=True)[:1000]
    sent = staff_client.post(f"/staff/jobs/{number}/proofs", content_type="multipart/form-data",
                             data={"message": message, "proof": (BytesIO(pdf_bytes(1)), "proof.pdf")})
    assert sent.status_code in (200, 303), sent.get_data(as_text=True)[:2000]
    job_page = staff_client.get(f"/staff/jobs/{number}").get_data(as_text=True)
    _assert_escaped(job_page, [note], "job page note")
    order_page = client.get(f"/orders/{number}").get_data(as_text=True)
    assert note not in order_page and escaped(note) not in order_page  # staff notes are never the customer's
    _assert_escaped(order_page, [message], "order page proof message")
    delivery.sweep(now=NOW)
    proof_mail = [m for m in smtp_server.mailbox.to(customer.email) if m.message["X-Portal-Notice"] == "proof_ready"]
    assert proof_mail, [m.message["X-Portal-Notice"] for m in smtp_server.received]
    html_mail = proof_mail[-1].part("html")
    assert message not in html_mail and note not in html_mail


def test_markup_in_a_mailers_design_is_drawn_as_text_on_the_proof(app, make, customer_client, customer):
    typed = _fields_of(MAILER)
    design = {name.rsplit(".", 1)[-1]: text for name, text in typed.items()}
    mailing = make.mailing_list(customer, approved=False)
    saved = customer_client.post(f"/mailers/lists/{mailing.id}/design", data=design)
    assert saved.status_code == 303, saved.get_data(as_text=True)[:2000]
    page = customer_client.get(f"/mailers/lists/{mailing.id}/design").get_data(as_text=True)
    for text in design.values():
        assert text not in page, text
    assert escaped(design["headline"]) in page
    built = customer_client.post(f"/mailers/lists/{mailing.id}/proof", data={}, headers=HTMX)
    assert built.status_code == 200
    assert "<script>alert(" not in built.get_data(as_text=True)
    text = _pdf_text(customer_client.get(f"/mailers/lists/{mailing.id}/proof.pdf").data)
    for name in ("headline", "message", "return_address"):
        assert design[name] in text, (name, text[:1500])


def _version(page: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)


def test_markup_in_a_care_case_is_text_for_the_customer_staff_and_in_the_email(app, make, smtp_server):
    typed = {name.rsplit(".", 2)[-2] + "." + name.rsplit(".", 1)[-1]: text for name, text in _fields_of(CARE).items()}
    customer, staff = make.customer(), make.staff()
    order = make.order(customer, "flyer")
    client, staff_client = app.test_client(), app.test_client()
    client.sign_in(customer)
    staff_client.sign_in(staff)
    reported = client.post(f"/orders/{order.number}/problem", data={
        "cause": "damaged", "problem": typed["ReportForm.problem"], "wanted": typed["ReportForm.wanted"]})
    assert reported.status_code == 303, reported.get_data(as_text=True)[:2000]
    number = reported.location.rsplit("/", 1)[1]
    case_page = client.get(f"/cases/{number}").get_data(as_text=True)
    for key in ("ReportForm.problem", "ReportForm.wanted"):
        _assert_escaped(case_page, [typed[key]], f"customer case page: {key}")
    staff_page = staff_client.get(f"/staff/cases/{number}").get_data(as_text=True)
    _assert_escaped(staff_page, [typed["ReportForm.problem"]], "staff case page")
    wrote = staff_client.post(f"/staff/cases/{number}/message",
                              data={"body": typed["MessageForm.body"], "version": _version(staff_page)})
    assert wrote.status_code == 303, wrote.get_data(as_text=True)[:2000]
    noted = staff_client.post(f"/staff/cases/{number}/note", data={"note": typed["NoteForm.note"]})
    assert noted.status_code == 303, noted.get_data(as_text=True)[:2000]
    staff_page = staff_client.get(f"/staff/cases/{number}").get_data(as_text=True)
    for key in ("MessageForm.body", "NoteForm.note"):
        _assert_escaped(staff_page, [typed[key]], f"staff case page: {key}")
    case_page = client.get(f"/cases/{number}").get_data(as_text=True)
    _assert_escaped(case_page, [typed["MessageForm.body"]], "customer case page: the shop's message")
    assert "<script>alert(" not in case_page and "<script>alert(" not in staff_page
    delivery.sweep(now=NOW)
    updates = [m for m in smtp_server.mailbox.to(customer.email) if m.message["X-Portal-Notice"] == "case_update"]
    assert updates, [m.message["X-Portal-Notice"] for m in smtp_server.received]
    for mail in updates:
        assert "<script>alert(" not in mail.part("html")
    assert any(typed["MessageForm.body"] in mail.part("plain") for mail in updates)
    assert any(escaped(typed["MessageForm.body"]) in mail.part("html") for mail in updates)


def test_markup_in_a_note_about_a_customer_is_text_in_the_page_and_its_fragment(app, make, staff_client):
    note = _fields_of(PEOPLE)["portal.accounts.forms.NoteForm.body"]
    customer = make.customer()
    fragment = staff_client.post(f"/staff/customers/{customer.id}/notes", data={"body": note},
                                 headers={**HTMX, "HX-Target": "customer-notes"}).get_data(as_text=True)
    _assert_escaped(fragment, [note], "notes fragment")
    page = staff_client.get(f"/staff/customers/{customer.id}").get_data(as_text=True)
    _assert_escaped(page, [note], "customer page")


def test_markup_in_an_approvers_reason_and_a_satisfaction_comment_is_text_where_they_are_read(
        app, make, client, smtp_server):
    typed = {name.rsplit(".", 2)[-2]: text for name, text in _fields_of(ANSWERS).items()}
    approver = make.user(name="Daniel Reyes")
    customer = make.customer(on_file=False)
    make.address(customer, is_default=True)
    account = make.account(customer, is_default=True, approval_threshold_cents=100, approver_id=approver.id)
    waiting = make.order(customer, "flyer", account=account)
    path = f"/approvals/{approval_token(waiting)}"
    declined = client.post(path, data={"decision": "decline", "reason": typed["DecisionForm"]})
    page = declined.get_data(as_text=True)
    assert declined.status_code == 200, page[:2000]
    _assert_escaped(page, [typed["DecisionForm"]], "approval page")
    delivery.sweep(now=NOW)
    told = [m for m in smtp_server.mailbox.to(customer.email) if m.message["X-Portal-Notice"] == "declined"]
    assert told, [m.message["X-Portal-Notice"] for m in smtp_server.received]
    _assert_escaped(told[-1].part("html"), [typed["DecisionForm"]], "declined email")
    assert typed["DecisionForm"] in told[-1].part("plain")

    answered = make.order(customer, "flyer")
    token = links.sign(answered.tracking_token, purpose="satisfaction", now=NOW)
    thanked = client.post(f"/satisfaction/{token}", data={"answer": "2", "comment": typed["SatisfactionForm"]})
    assert thanked.status_code == 200, thanked.get_data(as_text=True)[:2000]
    assert "<script>alert(" not in thanked.get_data(as_text=True)
    manager = app.test_client()
    manager.sign_in(make.user(role=Role.ADMIN))
    care = manager.get("/staff/care").get_data(as_text=True)
    _assert_escaped(care, [typed["SatisfactionForm"]], "the care page's satisfaction answers")
