"""The configurator form, built per product from its options."""
from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict

from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, IntegerField, RadioField,
                     SelectField, StringField)
from wtforms.validators import Length, NumberRange, Optional

from portal.catalog.models import CopyrightStatus, Product
from portal.catalog import kinds
from portal.catalog.rules import upcoming_terms
from portal.documents.rules import title_from_name
from portal.web.forms import choices

COPYRIGHT_CHOICES = choices((status.value, status.label) for status in CopyrightStatus)
WHOLE_NUMBER = "Enter a whole number, like 120."


class WholeNumberField(IntegerField):
    """An integer that may be left blank, accepts "1,200", and says plainly when it is not a number."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return  # not submitted at all: keep the default
        text = valuelist[0].replace(",", "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = int(text)
        except ValueError:
            self.data = None
            raise ValueError(WHOLE_NUMBER) from None


class FileEntryForm(Form):
    """One uploaded file in the job: a course pack reading or a piece of artwork."""

    file_id = HiddenField()
    title = StringField("Title", [Length(max=200, message="Use at most 200 characters.")])
    copyright = SelectField("Copyright", choices=COPYRIGHT_CHOICES,
                            default=CopyrightStatus.PERMISSION_OBTAINED.value)


class ConfiguratorForm(Form):
    quantity = WholeNumberField("Quantity", [Optional(), NumberRange(min=1, message="Enter at least 1.")],
                            render_kw={"inputmode": "numeric"})
    rush = BooleanField("Rush this job")
    title = StringField("Job name", [Length(max=160, message="Use at most 160 characters.")])
    course_code = StringField("Course code", [Length(max=20, message="Use at most 20 characters.")],
                              render_kw={"placeholder": "LAW 501", "autocomplete": "off"})
    term = SelectField("Term", default="", validate_choice=False)
    instructor = StringField("Instructor", [Length(max=120, message="Use at most 120 characters.")])
    enrollment = WholeNumberField("Enrollment", [Optional(), NumberRange(min=1, max=5000,
                              message="Enter the number of students, 1 to 5,000.")],
                              render_kw={"inputmode": "numeric"})
    files = FieldList(FormField(FileEntryForm))

    option_fields: list[tuple[str, RadioField]]

    def options(self):
        """The product's option fields, in order: (option code, field)."""
        return [(name.removeprefix("opt_"), self[name]) for name in self._option_names]


def configurator_form(product: Product, formdata=None, *, today: date, defaults: dict | None = None,
                      instructor: str = ""):
    """A form with one radio group per product option, defaulting to the product's (or saved) choices;
    a course pack's instructor starts as `instructor` (the faculty member ordering)."""
    defaults = defaults or {}
    attributes = {"_option_names": []}
    for option in product.options:
        name = f"opt_{option.code}"
        chosen = defaults.get(option.code)
        codes = [c.code for c in option.choices]
        attributes[name] = RadioField(
            option.label, choices=choices((c.code, c.label) for c in option.choices),
            default=chosen if chosen in codes else option.default_choice.code, description=option.help)
        attributes["_option_names"].append(name)
    hooks = kinds.hooks_for(product.kind)
    if hooks:  # the fields the product's kind adds: a mailer's list, mail class and mail date
        attributes.update(hooks.fields())
    form_class = type(f"Configure{product.slug.title().replace('-', '')}", (ConfiguratorForm,), attributes)
    form = form_class(formdata, quantity=None if product.is_course_pack else product.default_quantity,
                      instructor=instructor if product.is_course_pack else "")
    form.term.choices = choices([("", "Choose a term")] + [(t, t) for t in upcoming_terms(today)])
    return form


FORM_ONLY = {"csrf_token", "action", "upload", "product"}


def config_args(product: Product, formdata: MultiDict) -> list[tuple[str, str]]:
    """The configuration as query arguments: what checkout and "edit" links carry."""
    return [("product", product.slug)] + [(k, v) for k, v in formdata.items(multi=True) if k not in FORM_ONLY]


def file_entries(formdata: MultiDict) -> list[dict[str, str]]:
    """The files in a submitted configurator, in their order, as plain values."""
    indexes = sorted({int(key.split("-")[1]) for key in formdata
                      if key.startswith("files-") and key.endswith("-file_id") and key.split("-")[1].isdigit()})
    return [{part: formdata.get(f"files-{i}-{part}", "") for part in ("file_id", "title", "copyright")}
            for i in indexes]


def entry_for(stored) -> dict[str, str]:
    return {"file_id": str(stored.id), "title": title_from_name(stored.original_name),
            "copyright": CopyrightStatus.PERMISSION_OBTAINED.value}


def move_entry(entries: list[dict[str, str]], action: str) -> list[dict[str, str]]:
    """Applies a "remove-N" or "up-N" button to the list of files."""
    verb, _, index = action.partition("-")
    if verb in ("remove", "up") and index.isdigit() and int(index) < len(entries):
        i = int(index)
        if verb == "remove":
            entries.pop(i)
        elif i > 0:
            entries[i - 1], entries[i] = entries[i], entries[i - 1]
    return entries


def with_entries(formdata: MultiDict, entries: list[dict[str, str]]) -> MultiDict:
    """The submitted values with the files renumbered from 0 in their new order."""
    kept = [(k, v) for k, v in formdata.items(multi=True) if not k.startswith("files-") and k not in FORM_ONLY]
    for i, entry in enumerate(entries):
        kept += [(f"files-{i}-{part}", value) for part, value in entry.items()]
    return MultiDict(kept)
