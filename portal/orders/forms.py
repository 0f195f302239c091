"""Checkout: where it goes, who pays, when it is needed; adding an address or account inline."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict
from wtforms import Form, FormField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from portal.addresses.forms import AddressForm
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
    new_address = FormField(AddressForm)
    new_account = FormField(NewAccountForm)


CHECKOUT_FIELDS = {"address", "billing_account", "need_by", "instructions", "idempotency_key", "action",
                   "csrf_token"}


def configuration_args(values: MultiDict) -> MultiDict:
    """The configurator's values carried through checkout (everything that is not checkout's own)."""
    return MultiDict([(k, v) for k, v in values.items(multi=True)
                      if k not in CHECKOUT_FIELDS and not k.startswith(("new_address-", "new_account-"))])
