"""The manager's form for a term."""
from __future__ import annotations

from wtforms import Form, StringField

from portal.web.forms import DayField


class TermForm(Form):
    name = StringField("Term", render_kw={"placeholder": "Spring 2027", "autocomplete": "off"},
                       description="As instructors will choose it in the course-pack configurator, with its year: "
                                   "Spring 2027, Winter Intersession 2027.")
    first_day = DayField("First day of classes", render_kw={"type": "date"})
