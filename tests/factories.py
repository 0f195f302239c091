"""make_* factories with keyword overrides. Each commits, so requests in the same test see the rows."""
from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime, timezone
from functools import lru_cache
from io import BytesIO

from pypdf import PdfWriter
from werkzeug.datastructures import MultiDict

from portal.accounts.models import Department, DepartmentKind, Membership, MemberRole, Role, User
from portal.accounts.services import hash_password
from portal.addresses.models import Address
from portal.shop.delivery import DeliveryMethod
from portal.billing.models import AccountHolder, BillingAccount
from portal.catalog import forms as catalog_forms
from portal.catalog import services as catalog
from portal.catalog.models import ProductKind
from portal.catalog.rules import upcoming_terms
from portal.demo.catalog import load_catalog
from portal.documents import services as documents
from portal.extensions import db
from portal.mailers import services as mailers
from portal.orders import services as orders

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)  # Monday 10:00 in the shop's time zone
_sequence = itertools.count(1)


@lru_cache(maxsize=1)
def password_hash() -> str:
    return hash_password(PASSWORD)


def pdf_bytes(pages: int = 3, *, marker: str = "") -> bytes:
    """A real PDF of blank letter pages; `marker` makes its content (and hash) unique."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    writer.add_metadata({"/Title": marker or uuid.uuid4().hex})
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def job_values(product_slug: str = "course-pack", files=(), **overrides) -> MultiDict:
    """The configurator's values for a complete job: what a customer would submit."""
    values = {"product": product_slug}
    if product_slug == "course-pack":
        values.update(course_code="LAW 501", term=upcoming_terms(NOW.date())[1], instructor="Maya Okafor",
                      enrollment="40")
    for index, stored in enumerate(files):
        values[f"files-{index}-file_id"] = str(stored.id)
        values[f"files-{index}-title"] = f"Reading {index + 1}"
        values[f"files-{index}-copyright"] = "permission_obtained"
        values[f"files-{index}-granted_by"] = "The publisher, by letter"
    values.update({k: str(v) for k, v in overrides.items() if v is not None})
    return MultiDict(values)


def to_clear(index: int = 0, *, work: str = "Contracts: Cases and Materials", author: str = "E. Farnsworth",
             publisher: str = "Aspen", pages_used: int = 30, total_pages: int = 900) -> dict[str, str]:
    """Configurator values asking the shop to clear reading `index` ("please clear it for me"), with its work."""
    prefix = f"files-{index}-"
    return {prefix + "copyright": "awaiting_clearance", prefix + "work_title": work, prefix + "work_author": author,
            prefix + "work_publisher": publisher, prefix + "pages_used": str(pages_used),
            prefix + "total_pages": str(total_pages)}


class Factory:
    def _commit(self, *objects):
        db.session.add_all(objects)
        db.session.commit()
        return objects[0] if objects else None

    def department(self, name: str | None = None, kind=DepartmentKind.ACADEMIC) -> Department:
        return self._commit(Department(name=name or f"Department {next(_sequence)}", kind=kind))

    def user(self, *, role=Role.CUSTOMER, name: str | None = None, email: str | None = None,
             departments=(), administers=()) -> User:
        n = next(_sequence)
        user = User(email=email or f"person{n}@example.edu", name=name or f"Person {n}", role=role,
                    password_hash=password_hash())
        db.session.add(user)
        db.session.flush()
        for department in departments:
            db.session.add(Membership(user_id=user.id, department_id=department.id))
        for department in administers:
            db.session.add(Membership(user_id=user.id, department_id=department.id, role=MemberRole.ADMINISTRATOR))
        db.session.commit()
        return user

    def customer(self, *, on_file: bool = True, department: Department | None = None, **kwargs) -> User:
        """A customer in a department, with a default campus address and budget account on file."""
        department = department or self.department()
        user = self.user(departments=[department], **kwargs)
        if on_file:
            self.address(user, is_default=True)
            self.account(user, department=department, is_default=True)
        return user

    def staff(self, **kwargs) -> User:
        return self.user(role=Role.STAFF, **kwargs)

    def address(self, user: User, *, kind=DeliveryMethod.CAMPUS, is_default: bool = False, **fields) -> Address:
        values = dict(label=f"Office {next(_sequence)}", recipient=user.name, building="Myron Taylor Hall",
                      room="Room 120")
        if kind == DeliveryMethod.CARRIER:
            values.update(building="", room="", street1="12 Elm Street", city="Ithaca", state="NY",
                          postal_code="14850")
        if kind == DeliveryMethod.PICKUP:
            values.update(label="Pickup at the shop", building="", room="")
        values.update(fields)
        return self._commit(Address(user_id=user.id, kind=kind, is_default=is_default, **values))

    def account(self, user: User | None, *, department: Department | None = None, is_default: bool = False,
                code: str | None = None, **fields) -> BillingAccount:
        n = next(_sequence)
        department = department or self.department()
        account = BillingAccount(code=code or f"10-{n % 10000:04d}-{7000 + n % 1000:04d}",
                                 name=fields.pop("name", f"Teaching account {n}"), department_id=department.id, **fields)
        self._commit(account)
        if user is not None:
            self._commit(AccountHolder(account_id=account.id, user_id=user.id, is_default=is_default))
        return account

    def catalog(self) -> dict:
        products = load_catalog()
        db.session.commit()
        return products

    def stored_file(self, user: User, *, pages: int = 3, name: str = "reading.pdf"):
        stored = documents.store_pdf(user, data=pdf_bytes(pages), filename=name)
        db.session.commit()
        return stored

    def configuration(self, user: User, product_slug: str = "course-pack", files=None, today: date | None = None,
                      **overrides) -> catalog.Configuration:
        products = self.catalog()
        product = catalog.product_by_slug(product_slug)
        if product.kind == ProductKind.MAILER and "mailing_list" not in overrides:
            overrides["mailing_list"] = self.mailing_list(user, product_slug).id
        if files is None:
            files = [self.stored_file(user, pages=12)] if products[product_slug].needs_files else []
        values = job_values(product_slug, files, **overrides)
        form = catalog_forms.configurator_form(product, values, today=today or NOW.date())
        form.validate()
        return catalog.configure(product, form, user, today=today or NOW.date())

    def order(self, user: User, product_slug: str = "course-pack", *, now: datetime = NOW, key: str | None = None,
              address: Address | None = None, account: BillingAccount | None = None, **overrides):
        """An order placed through the real service, from the customer's defaults."""
        config = self.configuration(user, product_slug, today=now.date(), **overrides)
        defaults = catalog.checkout_defaults(user)
        order = orders.place_order(
            customer=user, config=config, address=address or defaults.address,
            account=account or defaults.holding.account, need_by=None, instructions="",
            idempotency_key=key or uuid.uuid4().hex, now=now)
        db.session.commit()
        return order

    def mailing_list(self, user: User, product_slug: str = "postcard-mailer", *, rows=None, approved: bool = True,
                     filename: str = "alumni.csv", looks: dict | None = None, **design):
        """A mailing list accepted, mapped and designed through the real services; approved (for
        the default look) without rendering a proof unless `approved` is False."""
        products = self.catalog()
        data = list_bytes(rows if rows is not None else MAILING_ROWS)
        mailing = mailers.accept_list(user, product=products[product_slug], data=data, filename=filename)
        if not mailing.is_mapped:
            mailers.save_mapping(user, mailing, mailing_guess(mailing))
        mailers.save_design(mailing, headline=design.get("headline", "See you at Reunion, {first_name}!"),
                            message=design.get("message", "Dear {first_name},\n\nJoin us on campus June 6."),
                            return_address=design.get("return_address", "Alumni House\nIthaca NY 14853"))
        if approved:
            product = products[product_slug]
            mailing.approved_fingerprint = mailers.fingerprint(mailing, mailers.appearance(product, looks or {}))
            mailing.approved_at, mailing.approved_by_id = NOW, user.id
        db.session.commit()
        return mailing


MAILING_ROWS = [
    ["First name", "Last name", "Address", "City", "State", "ZIP"],
    ["Ana", "Lima", "12 Elm Street", "Ithaca", "NY", "14850"],
    ["Marcus", "Ohene", "480 Lake Shore Drive", "Chicago", "IL", "60611"],
    ["Sofia", "Brandt", "77 Harbor Road", "Portland", "ME", "04101"],
]


def list_bytes(rows, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    """A mailing list file as a spreadsheet program would save it."""
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def mailing_guess(mailing) -> dict:
    from portal.mailers import rules

    return rules.guess_mapping(mailing.headers)
