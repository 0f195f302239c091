"""Checkout: where it goes, who pays, when it is needed; adding an address or account inline."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict
from wtforms import Form, FormField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from portal.addresses.forms import AddressForm
from portal.orders.rules import DEFAULT_BUNDLE
from portal.web.forms import DayField


class NewAccountForm(Form):
    code = StringField("Budget code", render_kw={"autocomplete": "off"})
    name = StringField("Account name")
    department = SelectField("Department", choices=[])


class CheckoutForm(Form):
    address = RadioField("Deliver to", choices=[], validate_choice=False)
    billing_account = RadioField("Charge to", choices=[], validate_choice=False)
    need_by = DayField("Need it by (optional)", [Optional()],
                        description="We will tell you now if the date cannot be met, and what would meet it.")
    instructions = TextAreaField("Notes for the shop (optional)",
                                 [Length(max=2000, message="Use at most 2,000 characters.")])
    idempotency_key = HiddenField()
    # Delivery to the campus bookstore only (DeliveryMethod.BOOKSTORE): how the bookstore sells and receives it.
    student_price = StringField("Price a student pays at the bookstore",
                                description="Dollars a copy, like 24.50. We print it on the packing slip.",
                                render_kw={"inputmode": "decimal", "autocomplete": "off"})
    copies_per_bundle = StringField("Copies in a bundle", default=str(DEFAULT_BUNDLE),
                                    description="How many copies we shrink-wrap together for the bookstore's shelves.",
                                    render_kw={"inputmode": "numeric", "autocomplete": "off"})
    new_address = FormField(AddressForm)
    new_account = FormField(NewAccountForm)


CHECKOUT_FIELDS = {"address", "billing_account", "need_by", "instructions", "idempotency_key", "action",
                   "csrf_token", "student_price", "copies_per_bundle"}


def configuration_args(values: MultiDict) -> MultiDict:
    """The configurator's values carried through checkout (everything that is not checkout's own)."""
    return MultiDict([(k, v) for k, v in values.items(multi=True)
                      if k not in CHECKOUT_FIELDS and not k.startswith(("new_address-", "new_account-"))])
