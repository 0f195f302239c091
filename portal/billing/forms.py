"""Budget account forms: adding one to your list, and managing one as its department administrator."""
from __future__ import annotations

from wtforms import EmailField, Form, SelectField, StringField, TextAreaField

from portal.web.forms import DayField


class AccountForm(Form):
    code = StringField("Budget code", render_kw={"autocomplete": "off"})
    name = StringField("Account name")
    department = SelectField("Department", choices=[])


class ManageForm(Form):
    name = StringField("Account name")
    active_until = DayField("Active until (optional)", description="After this date no one can charge it.")
    threshold = StringField("Approval needed above (optional)", description="In dollars, like 2500. Empty: no approval.",
                            render_kw={"inputmode": "decimal"})
    approver = EmailField("Approver's email", description="Approves orders above the amount with one click.")


class HolderForm(Form):
    email = EmailField("Email of the person to add")


class WithdrawForm(Form):
    reason = TextAreaField("Why (shown to people who try to charge it)", render_kw={"rows": 2})
