"""Notice preferences, an approver's decision, the satisfaction answer."""
from __future__ import annotations

from wtforms import Form, RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import Length

from portal.notices.rules import SATISFACTION_ANSWERS
from portal.web.forms import choices


class PreferencesForm(Form):
    # "kind:channel" for every notice the person wants; what is left out is turned off.
    wanted = SelectMultipleField("Notices you get", choices=[], validate_choice=False)


class DecisionForm(Form):
    decision = RadioField("Your decision", choices=choices([("approve", "Approve"), ("decline", "Decline")]))
    reason = TextAreaField("Why are you declining it?",
                           [Length(max=1000, message="Use at most 1,000 characters.")],
                           description="The person who ordered sees this, so they know what to do next.")


class SatisfactionForm(Form):
    answer = RadioField("How satisfied are you with this order?",
                        choices=choices(SATISFACTION_ANSWERS.items()), validate_choice=False)
    comment = TextAreaField("Anything you want to tell us? (optional)",
                            description="The shop reads every comment.")
