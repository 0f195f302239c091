"""The staff's form for a request in the Copyright queue, and the instructor's choice after a refusal."""
from __future__ import annotations

from wtforms import Form, RadioField, StringField, TextAreaField

from portal.catalog.forms import FileEntryForm
from portal.copyright.rules import Choice
from portal.web.forms import choices


class WorkForm(Form):
    """What the shop records as it clears a reading; the buttons are "save", "grant" and "refuse"."""

    sent_on = StringField("Request sent on", description="The day the shop asked the rights holder.",
                          render_kw={"type": "date"})
    fee = StringField("Permission fee quoted ($)", description="Added to the pack's price when granted. Blank: none.",
                      render_kw={"inputmode": "decimal"})
    notes = TextAreaField("Notes", description="A refusal's reason is sent to the instructor.", render_kw={"rows": 3})
    period = StringField("Covers (term or period)", description="Needed to grant: the clearance is reused for this work.",
                         render_kw={"placeholder": "Spring 2027"})
    expires_on = StringField("Permission expires on", description="Needed to grant.", render_kw={"type": "date"})


def work_form(request, formdata=None, *, usual_expiry) -> WorkForm:
    """The form for `request`, starting from what is recorded (the pack's term as the period)."""
    return WorkForm(formdata, data=None if formdata is not None else dict(
        sent_on=request.sent_on.isoformat() if request.sent_on else "",
        fee=f"{request.fee_cents / 100:.2f}" if request.fee_cents is not None else "",
        notes=request.notes, period=request.order.term or "", expires_on=usual_expiry.isoformat()))


class ChoiceForm(FileEntryForm):
    """A refused reading: remove it, link it instead, or replace it with another (its own title and status)."""

    choice = RadioField("What becomes of this reading", choices=choices((c.value, c.label) for c in Choice),
                        validate_choice=False)
    title = StringField("Title of the new reading")
