"""The staff's credit form (amount in dollars, what for, why) and the manager's month-close confirmation."""
from __future__ import annotations

from wtforms import Form, RadioField, StringField, TextAreaField

from portal.statements.models import AdjustmentKind
from portal.web.forms import choices


class CreditForm(Form):
    kind = RadioField("What is the credit for?", choices=choices((kind.value, kind.label) for kind in AdjustmentKind),
                      validate_choice=False)
    amount = StringField("Amount to credit, in dollars",
                         description="At most what is left of the order's price, like 12.50.",
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})
    reason = TextAreaField("Reason", description="The customer and their department administrator see it.",
                           render_kw={"rows": 3, "maxlength": 500})
