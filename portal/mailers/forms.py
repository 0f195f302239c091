"""Mailer forms: the mailer's fields in the configurator, the column mapping, the design."""
from __future__ import annotations

from urllib.parse import urlencode

from wtforms import BooleanField, Form, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from portal.mailers import rules
from portal.orders.forms import DayField
from portal.web.forms import choices

MAIL_CLASS_CHOICES = choices((mail_class.value, mail_class.label) for mail_class in rules.MailClass)


def configurator_fields() -> dict:
    """The fields a mailer's configurator adds: its list (carried as an id), mail class and date."""
    return {
        "mailing_list": HiddenField(),
        "mail_class": RadioField("Mail class", choices=MAIL_CLASS_CHOICES, default=rules.MailClass.FIRST_CLASS.value),
        "mail_date": DayField("Mail date (optional)", [Optional()]),
    }


def mapping_form(headers, formdata=None, *, proposed: dict[str, int]):
    """One select per field of the piece, listing the file's columns."""
    column_choices = choices([("", "Not in this list")] + [(i, h) for i, h in enumerate(headers)])
    attributes = {}
    for field_ in rules.Field:
        index = proposed.get(field_.value)
        attributes[field_.value] = SelectField(field_.label, choices=column_choices,
                                               default="" if index is None else str(index))
    return type("MappingForm", (Form,), attributes)(formdata)


def chosen_mapping(form) -> dict[str, int | None]:
    chosen = {}
    for field_ in rules.Field:
        value = form[field_.value].data
        chosen[field_.value] = int(value) if value not in (None, "") and str(value).isdigit() else None
    return chosen


class DesignForm(Form):
    headline = StringField("Headline", render_kw={"maxlength": 120},
                           description="Large type on the front, for example: See you at Reunion, {first_name}!")
    message = TextAreaField("Message", render_kw={"rows": 7},
                            description="Printed on every piece. Put merge fields in braces, like {first_name}; "
                                        "leave a blank line between paragraphs.")
    return_address = TextAreaField("Return address", render_kw={"rows": 4},
                                   description="Up to 4 lines, printed in the top left corner.")
    remove_artwork = BooleanField("Remove the artwork and print the headline on the front")


def order_args(order) -> str:
    """A mailer order's options and mail class as configurator values, for sending it again."""
    pairs = [(f"opt_{code}", choice) for code, choice in (order.options or {}).items()]
    if order.mail_class:
        pairs.append(("mail_class", order.mail_class.value))
    return urlencode(pairs)
