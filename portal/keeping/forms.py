"""Staff forms for the shop calendar: closures and a station down for a day."""
from __future__ import annotations

from wtforms import Form, SelectField, StringField

from portal.web.forms import DayField


class ClosureForm(Form):
    day = DayField("Day")
    reason = StringField("Reason", render_kw={"placeholder": "Winter break"})


class DowntimeForm(Form):
    station = SelectField("Station", choices=[])
    day = DayField("Day")
    reason = StringField("Reason", render_kw={"placeholder": "Maintenance"})
