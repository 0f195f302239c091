"""Staff forms for the shop calendar: closures and a station down for a day."""
from __future__ import annotations

from wtforms import Form, SelectField, StringField

from portal.web.forms import DayField


# The two forms share one page: their fields keep the names the services answer to, with ids of their own.
class ClosureForm(Form):
    day = DayField("Day", id="closure-day")
    reason = StringField("Reason", id="closure-reason", render_kw={"placeholder": "Winter break"})


class DowntimeForm(Form):
    station = SelectField("Station", choices=[], id="downtime-station")
    day = DayField("Day", id="downtime-day")
    reason = StringField("Reason", id="downtime-reason", render_kw={"placeholder": "Maintenance"})
