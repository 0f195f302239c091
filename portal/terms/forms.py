"""The manager's form for a term."""
from __future__ import annotations

from wtforms import Form, StringField

from portal.web.forms import DayField


class TermForm(Form):
    name = StringField("Term", render_kw={"placeholder": "Spring 2027", "autocomplete": "off"},
                       description="As the course-pack configurator lists it: Spring, Summer or Fall, then the year.")
    first_day = DayField("First day of classes", render_kw={"type": "date"})
