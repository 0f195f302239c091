"""Everything on file: the address book, budget accounts, preferences, and sensitive changes."""
import html
import re
from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import select

from portal.accounts.models import Preferences
from portal.addresses.models import Address
from portal.billing.models import AccountHolder, BillingAccount
from portal.catalog.services import checkout_defaults
from portal.extensions import db
from portal.shop.delivery import DeliveryMethod
from tests.factories import NOW, PASSWORD

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def addresses(app, user):
    with app.app_context():
        return list(db.session.scalars(select(Address).where(Address.user_id == user.id).order_by(Address.id)))


def test_address_book_lists_addresses_default_first(make, customer, customer_client):
    make.address(customer, label="Home office", kind="carrier")
    page = customer_client.get("/addresses").get_data(as_text=True)
    assert page.index("Default") < page.index("Home office")
    assert "12 Elm Street, Ithaca, NY 14850" in page


def test_a_pickup_address_says_pickup_once_and_where_the_shop_is(app, make, customer, customer_client):
    make.address(customer, kind=DeliveryMethod.PICKUP, label="Pickup at the shop")
    page = customer_client.get("/addresses").get_data(as_text=True)
    summary = page[page.index('<h2 class="h3">Pickup at the shop'):]
    summary = summary[:summary.index("</div>")]  # what the card shows (its buttons name it for screen readers)
    assert summary.count("Pickup at the shop") == 1 and app.config["SHOP_LOCATION"] in summary


def test_add_an_address_with_errors_next_to_fields_and_nothing_saved(app, customer, customer_client):
    response = customer_client.post("/addresses", data={"kind": "carrier", "label": "Cabin", "recipient": "Me",
                                                        "street1": "1 Lake Rd", "city": "Dryden", "state": "NY",
                                                        "postal_code": "ABCDE"}, headers=HTMX)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and fragment.lstrip().startswith('<section id="address-new"')
    assert 'id="postal_code-error"' in fragment and 'value="1 Lake Rd"' in fragment
    assert len(addresses(app, customer)) == 1
    customer_client.post("/addresses", data={"kind": "carrier", "label": "Cabin", "recipient": "Me",
                                              "street1": "1 Lake Rd", "city": "Dryden", "state": "ny",
                                              "postal_code": "13053", "make_default": "y"})
    saved = addresses(app, customer)
    assert [a.label for a in saved if a.is_default] == ["Cabin"] and saved[-1].state == "NY"


def test_edit_inline_returns_the_row_and_orders_keep_their_snapshot(app, make, customer, customer_client):
    order = make.order(customer)
    address = addresses(app, customer)[0]
    editor = customer_client.get(f"/addresses/{address.id}/edit", headers={**HTMX, "HX-Target": f"address-{address.id}"})
    assert editor.get_data(as_text=True).lstrip().startswith(f'<li id="address-{address.id}"')
    saved = customer_client.post(f"/addresses/{address.id}", headers=HTMX, data={
        **address.snapshot(), "kind": "campus", "building": "Day Hall", "room": "300"})
    assert "Day Hall" in saved.get_data(as_text=True) and 'method="post"' in saved.get_data(as_text=True)
    assert addresses(app, customer)[0].building == "Day Hall"
    page = customer_client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Myron Taylor Hall" in page and "Day Hall" not in page


def test_delete_with_undo(app, make, customer, customer_client):
    other = make.address(customer, label="Second")
    first = addresses(app, customer)[0]
    body = customer_client.post(f"/addresses/{first.id}/delete", headers=HTMX).get_data(as_text=True)
    assert "Deleted “" in body and "Undo" in body
    remaining = [a for a in addresses(app, customer) if a.deleted_at is None]
    assert [a.id for a in remaining] == [other.id] and remaining[0].is_default  # the default moved on
    customer_client.post(f"/addresses/{first.id}/restore", headers=HTMX)
    assert all(a.deleted_at is None for a in addresses(app, customer))


def test_undo_expires_and_deleted_addresses_are_not_offered(app, customer, customer_client, frozen_clock):
    first = addresses(app, customer)[0]
    response = customer_client.post(f"/addresses/{first.id}/delete")
    assert response.headers["Location"] == f"/addresses?undo={first.id}"
    assert "Undo" in customer_client.get(response.headers["Location"]).get_data(as_text=True)
    frozen_clock.shift(timedelta(minutes=11))
    assert customer_client.post(f"/addresses/{first.id}/restore").status_code == 404


@pytest.mark.parametrize("path", ["/addresses/{id}/edit", "/addresses/{id}"])
def test_another_customers_address_answers_404(app, make, customer_client, path):
    theirs = addresses(app, make.customer())[0]
    assert customer_client.get(path.format(id=theirs.id)).status_code == 404
    assert customer_client.post(f"/addresses/{theirs.id}", data={"label": "Mine now"}).status_code == 404
    assert customer_client.post(f"/addresses/{theirs.id}/delete").status_code == 404
    assert addresses(app, make.customer())  # untouched


def test_budget_accounts_page_shows_why_an_account_cannot_be_used(make, customer, customer_client):
    department = customer.memberships[0].department
    make.user(name="Dana Reyes", email="dana@example.edu", administers=[department])
    make.account(customer, name="Summer institute", active_until=date(2026, 8, 31), department=department)
    page = customer_client.get("/billing").get_data(as_text=True)
    assert "Summer institute" in page
    assert ('<p class="notice notice-warn unusable-reason">This account expired on August 31, 2026. Choose another or '
            f'ask Dana Reyes (dana@example.edu), the {department.name} administrator, to renew it.</p>') in page
    assert 'class="error"' not in page


def test_adding_an_account_needs_a_recent_sign_in(app, customer, customer_client, frozen_clock):
    frozen_clock.shift(timedelta(minutes=20))
    department = customer.memberships[0].department_id
    data = {"code": "10-2222-7000", "name": "Outreach", "department": str(department)}
    response = customer_client.post("/billing", data=data)
    assert response.status_code == 303 and response.headers["Location"].startswith("/confirm-password")
    wrong = customer_client.post("/confirm-password", data={"password": "not it", "next": "/billing"})
    assert "That is not your password" in wrong.get_data(as_text=True)
    assert customer_client.post("/confirm-password", data={"password": PASSWORD, "next": "/billing"}
                                ).headers["Location"] == "/billing"
    assert customer_client.post("/billing", data=data).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(BillingAccount).where(BillingAccount.code == "10-2222-7000")) is not None


def test_a_budget_code_in_the_wrong_format_is_explained(customer, customer_client):
    department = customer.memberships[0].department_id
    response = customer_client.post("/billing", data={"code": "104410", "name": "X", "department": str(department)})
    assert response.status_code == 422
    assert "Budget codes look like 10-4410-7200" in response.get_data(as_text=True)
    assert 'value="104410"' in response.get_data(as_text=True)


def test_a_code_on_file_for_someone_else_is_refused_and_names_the_administrator(app, make, customer, customer_client):
    department = customer.memberships[0].department
    make.user(name="Dana Admin", administers=[department])  # the administrator the refusal names
    theirs = make.account(make.customer(department=department), department=department)
    response = customer_client.post("/billing", data={"code": theirs.code, "name": "Mine",
                                                      "department": str(department.id)})
    assert "Ask the department's administrator (Dana Admin" in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(AccountHolder).where(AccountHolder.account_id == theirs.id,
                                                             AccountHolder.user_id == customer.id)) is None


def test_department_administrator_manages_who_charges_and_approval(app, make, customer):
    department = customer.memberships[0].department
    admin = make.user(administers=[department])
    account = make.account(None, department=department)
    client = app.test_client()
    client.sign_in(admin)
    assert client.get(f"/billing/{account.id}/manage").status_code == 200
    client.post(f"/billing/{account.id}/holders", data={"email": customer.email})
    response = client.post(f"/billing/{account.id}/manage", data={"name": "Law outreach", "threshold": "2,500",
                                                                   "approver": admin.email})
    assert response.status_code == 303
    client.post(f"/billing/{account.id}/withdraw", data={"reason": "Budget closed for the year"})
    with app.app_context():
        saved = db.session.get(BillingAccount, account.id)
        assert saved.approval_threshold_cents == 250000 and saved.approver_id == admin.id
        assert saved.withdrawn_reason == "Budget closed for the year"
        assert db.session.scalar(select(AccountHolder).where(AccountHolder.account_id == account.id,
                                                             AccountHolder.user_id == customer.id))
    page = app.test_client()
    page.sign_in(customer)
    assert "withdrawn by its department: Budget closed for the year" in page.get("/billing").get_data(as_text=True)


def test_only_the_departments_administrator_manages_its_accounts(make, customer, customer_client):
    account = make.account(customer, department=customer.memberships[0].department)
    assert customer_client.get(f"/billing/{account.id}/manage").status_code == 404
    assert customer_client.post(f"/billing/{account.id}/withdraw", data={"reason": "x"}).status_code == 404


def test_preferences_prefill_the_configurator(app, make, customer, customer_client):
    make.catalog()
    page = customer_client.get("/preferences").get_data(as_text=True)
    assert "No preference" in page and "20 lb 100% recycled" in page
    customer_client.post("/preferences", data={"stock": "recycled", "color": "color", "sides": "", "binding": ""})
    with app.app_context():
        assert db.session.get(Preferences, customer.id).options == {"stock": "recycled", "color": "color"}
    configurator = customer_client.get("/products/course-pack").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*name="opt_stock"[^>]*value="recycled"', configurator)
    assert re.search(r'<input checked[^>]*name="opt_color"[^>]*value="color"', configurator)
    bad = customer_client.post("/preferences", data={"stock": "gold-leaf"})
    assert bad.status_code == 422


def test_preferences_choose_the_delivery_method_address_and_account_new_orders_start_from(
        app, make, customer, customer_client, ctx):
    make.catalog()
    pickup = make.address(customer, kind=DeliveryMethod.PICKUP)
    second = make.account(customer, department=customer.memberships[0].department, name="Outreach grant")
    page = customer_client.get("/preferences").get_data(as_text=True)
    assert "Pickup at the shop" in page and "Outreach grant" in page
    saved = customer_client.post("/preferences", data={"address": str(pickup.id), "account": str(second.id)})
    assert saved.status_code == 303
    defaults = checkout_defaults(customer)
    assert defaults.address.id == pickup.id and defaults.holding.account_id == second.id
    stranger = make.customer()
    theirs = make.address(stranger)
    refused = customer_client.post("/preferences", data={"address": str(theirs.id)})
    assert refused.status_code == 422 and "Choose one of your addresses." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert checkout_defaults(customer).address.id == pickup.id


def test_changing_the_password_signs_out_other_browsers(app, customer, customer_client):
    other = app.test_client()
    other.sign_in(customer)
    response = customer_client.post("/account/password", data={"current": PASSWORD, "new": "a much longer passphrase"})
    assert response.status_code == 303
    assert other.get("/orders").status_code == 302
    assert customer_client.get("/orders").status_code == 200
    short = customer_client.post("/account/password", data={"current": "a much longer passphrase", "new": "short"})
    assert "Use at least 10 characters." in short.get_data(as_text=True)


def test_changing_email_refuses_one_in_use(make, customer, customer_client):
    taken = make.customer()
    response = customer_client.post("/account/email", data={"email": taken.email})
    assert "Another account uses that email" in response.get_data(as_text=True)


def test_an_email_full_of_markup_is_refused_and_kept_out(customer, customer_client):
    response = customer_client.post("/account/email", data={"email": "<script>alert(1)</script>@example.edu"})
    assert response.status_code == 422 and "Enter an email address like" in response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_a_stranger_learns_nothing_about_another_departments_budget_code(make, customer, customer_client):
    other = make.department("Athletics")
    coach = make.user(name="Coach Admin", email="coach@example.edu", administers=[other])
    make.account(coach, department=other, code="10-7777-7000")
    department = customer.memberships[0].department_id
    response = customer_client.post("/billing", data={"code": "10-7777-7000", "name": "Mine",
                                                      "department": str(department)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "cannot be added here" in page
    assert "Coach Admin" not in page and "coach@example.edu" not in page and "Athletics" not in page


def test_staff_see_the_customers_previous_orders_and_notes_on_an_order(app, make, customer, staff_client):
    first, second = make.order(customer), make.order(customer)
    staff_client.post(f"/staff/customers/{customer.id}/notes", data={"body": "Call before delivering"})
    page = staff_client.get(f"/orders/{second.number}").get_data(as_text=True)
    assert "Call before delivering" in page and first.number in page and "Only shop staff see this" in page


def test_customers_never_see_staff_notes_or_staff_pages(make, customer, customer_client):
    order = make.order(customer)
    assert "Only shop staff see this" not in customer_client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert customer_client.get(f"/staff/customers/{customer.id}").status_code == 404
    assert customer_client.post(f"/staff/customers/{customer.id}/notes", data={"body": "x"}).status_code == 404
