"""The address form: the same fields in the address book and inline at checkout."""
from __future__ import annotations

from wtforms import Form, RadioField, StringField

from portal.shop.delivery import DeliveryMethod
from portal.web.forms import choices

KIND_CHOICES = choices([(DeliveryMethod.CAMPUS.value, "Campus delivery"), (DeliveryMethod.PICKUP.value, "Pickup at the shop"),
                        (DeliveryMethod.CARRIER.value, "Ship by carrier"),
                        (DeliveryMethod.BOOKSTORE.value, "The campus bookstore (course packs sold to students)")])


class AddressForm(Form):
    kind = RadioField("How should it reach you?", choices=KIND_CHOICES, default=DeliveryMethod.CAMPUS.value)
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
