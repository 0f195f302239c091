"""Checkout: where it goes, who pays, when it is needed; adding an address or account inline."""
from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict
from wtforms import DateField, Form, FormField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from portal.addresses.models import AddressKind
from portal.web.forms import choices

KIND_CHOICES = choices([(AddressKind.CAMPUS.value, "Campus delivery"), (AddressKind.PICKUP.value, "Pickup at the shop"),
                        (AddressKind.CARRIER.value, "Ship by carrier")])


class DayField(DateField):
    """A date in ISO form, as browsers' date inputs send it, with a plain message when it is not."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = date.fromisoformat(text)
        except ValueError:
            self.data = None
            raise ValueError("Enter a date like 2026-12-15.") from None


class NewAddressForm(Form):
    kind = RadioField("How should it reach you?", choices=KIND_CHOICES, default=AddressKind.CAMPUS.value)
    label = StringField("Name for this address", render_kw={"placeholder": "Law School mailroom"})
    recipient = StringField("Recipient", render_kw={"autocomplete": "name"})
    building = StringField("Building")
    room = StringField("Room or mail stop")
    street1 = StringField("Street address", render_kw={"autocomplete": "address-line1"})
    street2 = StringField("Apartment, suite (optional)", render_kw={"autocomplete": "address-line2"})
    city = StringField("City", render_kw={"autocomplete": "address-level2"})
    state = StringField("State", render_kw={"autocomplete": "address-level1", "maxlength": 2})
    postal_code = StringField("ZIP code", render_kw={"autocomplete": "postal-code", "inputmode": "numeric"})
    phone = StringField("Phone (optional)", render_kw={"autocomplete": "tel"})


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
    new_address = FormField(NewAddressForm)
    new_account = FormField(NewAccountForm)


CHECKOUT_FIELDS = {"address", "billing_account", "need_by", "instructions", "idempotency_key", "action",
                   "csrf_token"}


def configuration_args(values: MultiDict) -> MultiDict:
    """The configurator's values carried through checkout (everything that is not checkout's own)."""
    return MultiDict([(k, v) for k, v in values.items(multi=True)
                      if k not in CHECKOUT_FIELDS and not k.startswith(("new_address-", "new_account-"))])
