"""Checkout as the page sees it: the configured job, the choices on file, price, date and problems.

Built the same way for the page, the summary fragment and every button, so what is shown before
ordering is what place_order records.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from werkzeug.datastructures import MultiDict

from portal.accounts.models import User
from portal.accounts.services import departments_of
from portal.addresses import services as addresses
from portal.addresses.models import Address
from portal.billing import rules as billing_rules
from portal.billing import services as billing
from portal.billing.models import AccountHolder
from portal.catalog import forms as catalog_forms
from portal.catalog import kinds
from portal.catalog import services as catalog
from portal.failures import NotAllowed
from portal.orders import rules
from portal.orders.forms import CheckoutForm, configuration_args
from portal.promises import services as promises
from portal.shop.clock import shop_today
from portal.shop.delivery import DeliveryMethod
from portal.web.forms import choices


@dataclass
class Checkout:
    form: CheckoutForm
    config: catalog.Configuration
    config_values: MultiDict
    addresses: list[Address]
    holdings: list[AccountHolder]
    unusable: dict[int, str]
    today: date
    now: datetime
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def product(self):
        return self.config.product

    @property
    def address(self) -> Address | None:
        return next((a for a in self.addresses if str(a.id) == self.form.address.data), None)

    @property
    def delivery_method(self) -> DeliveryMethod:
        return self.address.kind if self.address else DeliveryMethod.CAMPUS

    @property
    def quote(self):
        return self.config.quote()

    @property
    def estimate(self):
        return self.config.estimate(delivery_method=self.delivery_method, now=self.now)

    @property
    def holding(self) -> AccountHolder | None:
        """The budget account chosen to charge, when it is one this customer holds."""
        return next((h for h in self.holdings if str(h.account_id) == self.form.billing_account.data), None)

    @property
    def waits_for_approval(self) -> bool:
        """The chosen account's approver must approve this price before production starts (as placing decides)."""
        quote = self.quote
        return bool(self.holding and quote) and billing_rules.needs_approval(
            threshold_cents=self.holding.account.approval_threshold_cents, price_cents=quote.total_cents)

    @property
    def misses_need_by(self) -> bool:
        estimate = self.estimate
        return rules.misses_need_by(self.form.need_by.data, estimate.delivery if estimate else None)

    def ways_to_meet(self):
        if not self.misses_need_by:
            return []
        return promises.ways_to_meet(
            self.config.job(), rush_surcharge_percent=self.product.rush_surcharge_percent,
            delivery_method=self.delivery_method, need_by=self.form.need_by.data, now=self.now)

    @property
    def adding_address(self) -> bool:
        return not self.addresses or any(key.startswith("new_address-") for key in self.problems)

    @property
    def adding_account(self) -> bool:
        return not self.holdings or any(key.startswith("new_account-") for key in self.problems)

    @property
    def to_bookstore(self) -> bool:
        return self.delivery_method == DeliveryMethod.BOOKSTORE

    @property
    def offers_bookstore(self) -> bool:
        """A course pack can go to the campus bookstore, which sells it to the students."""
        return self.product.is_course_pack or self.to_bookstore

    @property
    def has_bookstore_address(self) -> bool:
        return any(address.kind == DeliveryMethod.BOOKSTORE for address in self.addresses)

    def bookstore_terms(self) -> tuple[int | None, int | None, dict[str, str]]:
        """For the campus bookstore: the price a student pays (cents) and the copies in a bundle, with problems
        by field; (None, None, {}) for any other delivery."""
        if not self.to_bookstore:
            return None, None, {}
        price, price_problem = rules.student_price_cents(self.form.student_price.data or "")
        bundle, bundle_problem = rules.copies_per_bundle(self.form.copies_per_bundle.data or "", self.config.quantity)
        problems = {name: problem for name, problem in (("student_price", price_problem),
                                                         ("copies_per_bundle", bundle_problem)) if problem}
        return price, bundle, problems

    def edit_args(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in self.config_values.items(multi=True) if k != "product"]


def build(user: User, values: MultiDict | None, *, now: datetime) -> Checkout:
    """Everything checkout shows, from the submitted values (or the query string on first view).

    Another customer's file, address or billing account id in the values raises NotAllowed (a 404).
    """
    values = values if values is not None else MultiDict()
    today = shop_today(now)
    config_values = configuration_args(values)
    product = catalog.product_by_slug(config_values.get("product", ""))
    config_form = catalog_forms.configurator_form(product, config_values, today=today)
    config_form.validate()
    config = catalog.configure(product, config_form, user, today=today, now=now)
    on_file_addresses = addresses.addresses_of(user)
    holdings = billing.holdings_of(user)
    unusable = billing.unusable_reasons([h.account for h in holdings], today)
    first_view = not any(key in values for key in ("address", "billing_account", "idempotency_key"))
    default_account = next((h for h in holdings if h.account_id not in unusable), None)
    form = CheckoutForm(None if first_view else values,
                        address=str(on_file_addresses[0].id) if on_file_addresses else "",
                        billing_account=str(default_account.account_id) if default_account else "",
                        idempotency_key=uuid.uuid4().hex)
    form.address.choices = choices((a.id, a.label) for a in on_file_addresses)
    form.billing_account.choices = choices((h.account_id, h.account.name) for h in holdings)
    form.new_account.form.department.choices = choices((d.id, d.name) for d in departments_of(user))
    checkout = Checkout(form, config, config_values, on_file_addresses, holdings, unusable, today, now)
    _check_foreign_ids(checkout, user)
    return checkout


def _check_foreign_ids(checkout: Checkout, user: User) -> None:
    form = checkout.form
    if form.address.data and checkout.address is None:
        raise NotAllowed("address")  # not one of this customer's addresses
    if form.billing_account.data and checkout.holding is None:
        raise NotAllowed("billing account")  # not an account this customer may charge


def problems_before_placing(checkout: Checkout) -> dict[str, str]:
    """Everything that stops the order, by field: the form, the job, the address, the account."""
    form = checkout.form
    form.validate()
    problems = {name: errors[0] for name, errors in form.errors.items()
                if name in ("need_by", "instructions") and errors}
    if "need_by" not in problems:
        problem = rules.need_by_problem(form.need_by.data, checkout.today)
        if problem:
            problems["need_by"] = problem
    if checkout.address is None:
        problems["address"] = "Choose where the order goes, or add an address."
    account_id = int(form.billing_account.data) if form.billing_account.data else None
    if account_id is None:
        problems["billing_account"] = "Choose the budget account to charge, or add one."
    elif account_id in checkout.unusable:
        problems["billing_account"] = checkout.unusable[account_id]
    problems.update(checkout.bookstore_terms()[2])
    if checkout.config.problems:
        problems["config"] = "Some details of the job are missing: edit the job to finish them."
        hooks = kinds.hooks_for(checkout.config.product.kind)
        if hooks and hooks.spell_out_problems:  # say exactly what, say, a mailer still needs (its proof, its date)
            problems["config"] = " ".join(checkout.config.problems.values()) + " Edit the job to finish."
    return problems
