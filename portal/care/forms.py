"""The problem report, the case thread's forms (customer and staff), and who owns what."""
from __future__ import annotations

from wtforms import FileField, Form, HiddenField, RadioField, SelectField, StringField, TextAreaField

from portal.care.rules import CAUSE_LABELS, REPORTED_CAUSES
from portal.web.forms import DayField, choices


class ReportForm(Form):
    cause = RadioField("What went wrong?", choices=choices((cause.value, CAUSE_LABELS[cause]) for cause in REPORTED_CAUSES),
                       validate_choice=False)
    problem = TextAreaField("Tell us what happened", description="A sentence or two is enough: we have the order, "
                            "its timeline and its files.")
    wanted = TextAreaField("What would make it right? (optional)",
                           description="A reprint, a credit, a call: whatever you need.")
    attachment = FileField("A photo or PDF (optional)", description="JPEG, PNG or PDF.")


class MessageForm(Form):
    body = TextAreaField("Your message")
    version = HiddenField()


class MadeRightForm(Form):
    answer = RadioField("Did this make it right?", choices=choices([("yes", "Yes"), ("no", "No, not yet")]),
                        validate_choice=False)


class HandoffForm(Form):
    owner = SelectField("Hand it to", choices=[], validate_choice=False)
    reason = TextAreaField("Why (for the next owner)")
    version = HiddenField()


class CreditForm(Form):
    amount = StringField("Refund or credit, in dollars")
    reason = TextAreaField("Reason (the customer and their department see it)")


class NoteForm(Form):
    note = TextAreaField("Note for the production record (the shop only)")


class ResolveForm(Form):
    summary = TextAreaField("What was done")
    version = HiddenField()


class OwnerForm(Form):
    department = HiddenField()
    staff = SelectField("Owner", choices=[], validate_choice=False)


class DutyForm(Form):
    staff = SelectField("On duty", choices=[], validate_choice=False)
    starts_on = DayField("From")
