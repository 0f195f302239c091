"""The queue's filters, and the forms on the job page and the customer's proof answer."""
from __future__ import annotations

from wtforms import BooleanField, FileField, Form, SelectField, StringField, TextAreaField

from portal.queue import rules
from portal.queue.services import FilterChoices, QueueFilters
from portal.web.forms import choices

WHEN = choices([("", "Any promised date"), ("due_today", "Due today"), ("late", "Late"),
                ("at_risk", "At risk (expected after promised)")])


class QueueFilterForm(Form):
    q = StringField("Search", render_kw={"placeholder": "26-00042, customer or job", "autocomplete": "off",
                                         "type": "search"})
    stage = SelectField("Stage", choices=[], validate_choice=False)
    when = SelectField("Promised", choices=WHEN, validate_choice=False)
    rush = BooleanField("Rush only")
    product = SelectField("Product", choices=[], validate_choice=False)
    department = SelectField("Department", choices=[], validate_choice=False)
    assigned = SelectField("Assigned to", choices=[], validate_choice=False)
    station = SelectField("Station", choices=[], validate_choice=False)


def filter_form(args, options: FilterChoices, *, current_user_id: int) -> QueueFilterForm:
    form = QueueFilterForm(args)
    form.stage.choices = choices([("open", "All open stages")] + [(s.value, rules.stage_label(s)) for s in rules.STAGES]
                                 + [("delivered", "Delivered"), ("cancelled", "Cancelled")])
    form.product.choices = choices([("", "All products")] + [(p.id, p.name) for p in options.products])
    form.department.choices = choices([("", "All departments")] + [(d.id, d.name) for d in options.departments])
    form.station.choices = choices([("", "All stations")] + [(s.id, s.name) for s in options.stations])
    form.assigned.choices = choices([("", "Anyone"), (str(current_user_id), "Me"), ("unassigned", "Nobody yet")]
                                    + [(u.id, u.name) for u in options.staff if u.id != current_user_id])
    return form


def filters_from(form: QueueFilterForm) -> QueueFilters:
    """The filters as the services take them; anything unrecognised is ignored."""
    def number(value):
        return int(value) if value and str(value).isdigit() else None

    return QueueFilters(search=(form.q.data or "")[:100], stage=form.stage.data or "open",
                        when=form.when.data if form.when.data in ("due_today", "late", "at_risk") else "",
                        rush=bool(form.rush.data), product_id=number(form.product.data),
                        department_id=number(form.department.data), station_id=number(form.station.data),
                        assigned=form.assigned.data if (form.assigned.data or "") == "unassigned"
                        or str(form.assigned.data or "").isdigit() else "")


class HoldForm(Form):
    reason = StringField("Why is it on hold?", description="The customer sees this on their order page.",
                         render_kw={"maxlength": 200})


class ShipForm(Form):
    carrier = StringField("Carrier", render_kw={"maxlength": 40, "list": "carriers", "placeholder": "UPS"})
    tracking_number = StringField("Tracking number", render_kw={"maxlength": 60, "autocomplete": "off"})


class DeliverForm(Form):
    received_by = StringField("Received by", description="The name of the person who took it.",
                              render_kw={"maxlength": 120, "autocomplete": "off"})


class NoteForm(Form):
    text = TextAreaField("Add an internal note", description="Staff only: the customer never sees notes.")


class ProofForm(Form):
    proof = FileField("Proof PDF", render_kw={"accept": "application/pdf,.pdf"})
    message = TextAreaField("Message to the customer (optional)",
                            render_kw={"placeholder": "Please check the cover and page order."})


class AssignForm(Form):
    assigned_to = SelectField("Assigned to", choices=[], validate_choice=False)
