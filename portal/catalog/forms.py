"""The configurator form, built per product from its options; the manager's product and station forms."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Collection, Sequence

from werkzeug.datastructures import MultiDict

from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, IntegerField, RadioField,
                     SelectField, StringField, TextAreaField)
from wtforms.validators import Length, NumberRange, Optional

from portal.catalog.files import ChoiceEntry, OptionEntry, ProductEntry, RouteEntry, StationEntry, dollars
from portal.catalog.models import DECLARED_STATUSES, Product, ProductKind
from portal.catalog import kinds
from portal.catalog.rules import (BOUNDS, LIMITS, NO_CHOICES, NO_WHEN_CHOICES, ONE_DEFAULT, STAGES, code_problem,
                                  READING_PARTS, plain_decimal, quantity_rule_problems, read_dollars, read_minutes,
                                  read_whole,
                                  repeated_problem, sentence, stage_problem, station_problem, text_problem,
                                  volume_break_problem, when_choice_problem, when_option_problem)
from portal.catalog.services import course_pack_terms
from portal.documents.rules import title_from_name
from portal.promises.rules import WEEKDAYS
from portal.web.forms import choices

# The instructor chooses each reading's status; nothing is chosen for them.
DECLARED_LABELS = {"public_domain": "Public domain", "permission_obtained": "Permission obtained",
                   "fair_use": "Fair use", "awaiting_clearance": "Please clear it for me"}
COPYRIGHT_CHOICES = choices([("", "Choose a status")] + [(s.value, DECLARED_LABELS[s.value]) for s in DECLARED_STATUSES])
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
    copyright = SelectField("Copyright", choices=COPYRIGHT_CHOICES, default="", validate_choice=False)
    granted_by = StringField("Permission granted by", render_kw={"autocomplete": "off"})
    justification = TextAreaField("Why this is fair use", render_kw={"rows": 2})
    work_title = StringField("Title of the work", description="The book or journal the reading comes from.")
    work_author = StringField("Author or editor")
    work_publisher = StringField("Publisher")
    pages_used = StringField("Pages used", render_kw={"inputmode": "numeric"})
    total_pages = StringField("of total pages", render_kw={"inputmode": "numeric"})


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
    a course pack's instructor starts as `instructor` (the faculty member ordering) and its terms are those open
    for ordering today (services.course_pack_terms: the one query the form makes, for a course pack only, so
    every caller lists the same terms that configure() accepts)."""
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
    offered = course_pack_terms(today) if product.is_course_pack else []
    form.term.choices = choices([("", "Choose a term")] + [(t, t) for t in offered])
    return form


FORM_ONLY = {"csrf_token", "action", "upload", "product"}


def config_args(product: Product, formdata: MultiDict) -> list[tuple[str, str]]:
    """The configuration as query arguments: what checkout and "edit" links carry."""
    return [("product", product.slug)] + [(k, v) for k, v in formdata.items(multi=True) if k not in FORM_ONLY]


def file_entries(formdata: MultiDict) -> list[dict[str, str]]:
    """The files in a submitted configurator, in their order, as plain values."""
    indexes = sorted({int(key.split("-")[1]) for key in formdata
                      if key.startswith("files-") and key.endswith("-file_id") and key.split("-")[1].isdigit()})
    return [{part: formdata.get(f"files-{i}-{part}", "") for part in ("file_id", "title", "copyright") + READING_PARTS}
            for i in indexes]


def entry_for(stored) -> dict[str, str]:
    return {"file_id": str(stored.id), "title": title_from_name(stored.original_name), "copyright": ""}


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


class BreakForm(Form):
    """A quantity break: from this many, this much off (a blank row is left out)."""

    start = StringField("From quantity", render_kw={"inputmode": "numeric"})
    percent_off = StringField("Percent off", render_kw={"inputmode": "numeric"})


class ChoiceForm(Form):
    code = StringField("Code", render_kw={"autocomplete": "off"})
    label = StringField("Label")
    is_default = BooleanField("The usual choice")
    per_copy = StringField("Per copy ($)", render_kw={"inputmode": "decimal"})
    per_page = StringField("Per page ($)", render_kw={"inputmode": "decimal"})
    per_sheet = StringField("Per sheet ($)", render_kw={"inputmode": "decimal"})
    pages_per_sheet = StringField("Pages per sheet", description="1 single-sided, 2 double-sided; blank: not a sides choice",
                                  render_kw={"inputmode": "numeric"})
    extra_days = StringField("Extra days", render_kw={"inputmode": "numeric"})


class OptionForm(Form):
    code = StringField("Code", render_kw={"autocomplete": "off"})
    label = StringField("Label")
    help = StringField("Help for the customer")
    choices = FieldList(FormField(ChoiceForm))


class StepForm(Form):
    """One step of the routing: a station, its stage and minutes, done always or only for some choices."""

    station = SelectField("Station", validate_choice=False)
    stage = SelectField("Stage", choices=choices((stage, stage.title()) for stage in STAGES), validate_choice=False)
    setup_minutes = StringField("Setup minutes", render_kw={"inputmode": "decimal"})
    per_copy = StringField("Minutes a copy", render_kw={"inputmode": "decimal"})
    per_sheet = StringField("Minutes a sheet", render_kw={"inputmode": "decimal"})
    per_impression = StringField("Minutes a printed page", render_kw={"inputmode": "decimal"})
    when_option = StringField("Only when option", description="An option code; blank: always",
                              render_kw={"autocomplete": "off"})
    when_choices = StringField("is one of", description="Its choice codes, separated by commas",
                               render_kw={"autocomplete": "off"})


class ProductForm(Form):
    """A product as the manager edits it: every value as text, read by the catalog's checks."""

    name = StringField("Name")
    slug = StringField("Web address name", description="Lowercase letters, digits and -; it cannot change later.",
                       render_kw={"autocomplete": "off"})
    kind = SelectField("Kind", choices=choices((kind.value, kind.value.replace("_", " ").capitalize())
                                               for kind in ProductKind), validate_choice=False)
    summary = StringField("Summary", description="One line on the catalog card.")
    description = TextAreaField("Description")
    min_quantity = StringField("Minimum quantity", render_kw={"inputmode": "numeric"})
    max_quantity = StringField("Maximum quantity", render_kw={"inputmode": "numeric"})
    quantity_step = StringField("Quantity step", description="Orders are multiples of this.",
                                render_kw={"inputmode": "numeric"})
    default_quantity = StringField("Usual quantity", render_kw={"inputmode": "numeric"})
    unit_name = StringField("Unit", description="What one copy is called: copy, flyer, postcard.")
    default_pages = StringField("Usual pages a copy", render_kw={"inputmode": "numeric"})
    setup = StringField("Setup ($)", description="Charged once per order.", render_kw={"inputmode": "decimal"})
    minimum = StringField("Minimum charge ($)", description="The least a job is charged, before rush. Blank: none.",
                          render_kw={"inputmode": "decimal"})
    per_copy = StringField("Per copy ($)", render_kw={"inputmode": "decimal"})
    per_page = StringField("Per page ($)", render_kw={"inputmode": "decimal"})
    rush_surcharge_percent = StringField("Rush surcharge (%)", description="0: rush is not offered.",
                                         render_kw={"inputmode": "numeric"})
    breaks = FieldList(FormField(BreakForm))
    base_days = StringField("Base days", render_kw={"inputmode": "numeric"})
    pages_per_day = StringField("Pages a day", render_kw={"inputmode": "numeric"})
    needs_proof = BooleanField("Needs a proof the customer approves")
    needs_files = BooleanField("The customer uploads files")
    options = FieldList(FormField(OptionForm))
    steps = FieldList(FormField(StepForm))


def _money(cents) -> str:
    return dollars(cents) if cents else ""


def _minutes(value) -> str:
    return format(plain_decimal(value), "f") if value else ""


def product_values(entry: ProductEntry) -> dict:
    """A product (as the catalog file says it) as the form's starting values."""
    return dict(
        name=entry.name, slug=entry.slug, kind=entry.kind.value, summary=entry.summary,
        description=entry.description, min_quantity=str(entry.min_quantity), max_quantity=str(entry.max_quantity),
        quantity_step=str(entry.quantity_step), default_quantity=str(entry.default_quantity),
        unit_name=entry.unit_name, default_pages=str(entry.default_pages), setup=dollars(entry.setup_cents),
        minimum=_money(entry.minimum_cents),
        per_copy=dollars(entry.per_copy_cents), per_page=dollars(entry.per_page_cents),
        rush_surcharge_percent=str(entry.rush_surcharge_percent),
        breaks=[dict(start=str(start), percent_off=str(off)) for start, off in entry.volume_breaks] + [{}],
        base_days=str(entry.base_days), pages_per_day=str(entry.pages_per_day), needs_proof=entry.needs_proof,
        needs_files=entry.needs_files,
        options=[dict(code=option.code, label=option.label, help=option.help, choices=[
            dict(code=c.code, label=c.label, is_default=c.is_default, per_copy=_money(c.per_copy_cents),
                 per_page=_money(c.per_page_cents), per_sheet=_money(c.per_sheet_cents),
                 pages_per_sheet=str(c.pages_per_sheet or ""), extra_days=str(c.extra_days or ""))
            for c in option.choices]) for option in entry.options],
        steps=[dict(station=step.station, stage=step.stage, setup_minutes=_minutes(step.setup_minutes),
                    per_copy=_minutes(step.per_copy), per_sheet=_minutes(step.per_sheet),
                    per_impression=_minutes(step.per_impression), when_option=step.when_option or "",
                    when_choices=", ".join(step.when_choices)) for step in entry.route],
    )


NEW_PRODUCT = ProductEntry(slug="", name="", kind=ProductKind.PRINT, min_quantity=1, max_quantity=10000,
                           default_quantity=100, rush_surcharge_percent=50)


def product_form(formdata=None, *, entry: ProductEntry | None = None, stations: Sequence[tuple[str, str]] = (),
                 action: str = "") -> ProductForm:
    """The product form: what was typed (`formdata`, with an "add-..." or "remove-..." `action` applied to
    its lists: change_lists), else the product as it is (`entry`), else a new one; its routing steps
    offer `stations` (code, name)."""
    form = ProductForm(formdata, data=None if formdata is not None else product_values(entry or NEW_PRODUCT))
    if formdata is not None:
        change_lists(form, action)
        if all((b.form.start.data or "").strip() or (b.form.percent_off.data or "").strip() for b in form.breaks):
            form.breaks.append_entry()  # always room for one more break
    for step in form.steps:
        step.form.station.choices = choices([("", "Choose a station")] + list(stations))
    return form


def change_lists(form: ProductForm, action: str) -> bool:
    """Applies an "add-option", "add-choice-N", "add-step" or "remove-option-N", "remove-choice-N-M",
    "remove-step-N" button to the form's lists (nothing is saved: the form shows again); False for any
    other action."""
    verb, _, target = action.partition("-")
    what, _, where = target.partition("-")
    indexes = [int(part) for part in where.split("-") if part.isdigit()]
    options = form.options.entries
    if verb == "add" and what == "option":
        form.options.append_entry({"choices": [{}]})
    elif verb == "add" and what == "choice" and len(indexes) == 1 and indexes[0] < len(options):
        options[indexes[0]].form.choices.append_entry()
    elif verb == "add" and what == "step":
        form.steps.append_entry()
    elif verb == "remove" and what == "option" and len(indexes) == 1 and indexes[0] < len(options):
        del options[indexes[0]]
    elif (verb == "remove" and what == "choice" and len(indexes) == 2 and indexes[0] < len(options)
          and indexes[1] < len(options[indexes[0]].form.choices.entries)):
        del options[indexes[0]].form.choices.entries[indexes[1]]
    elif verb == "remove" and what == "step" and len(indexes) == 1 and indexes[0] < len(form.steps.entries):
        del form.steps.entries[indexes[0]]
    else:
        return False
    return True


class _Problems(dict):
    """Problems by form field name, each as a sentence; the first for a field stays."""

    def note(self, field, problem: str | None) -> None:
        if problem and field.name not in self:
            self[field.name] = sentence(problem)


def _whole(field, problems: _Problems, bound: str, *, default: int | None = None) -> int | None:
    text = (field.data or "").replace(",", "").strip()
    if not text:
        if default is None:
            problems.note(field, "enter a whole number")
        return default
    number, problem = read_whole(text, **BOUNDS[bound])
    problems.note(field, problem)
    return number


def _dollars(field, problems: _Problems, *, whole_cents: bool = False):
    text = (field.data or "").replace("$", "").replace(",", "").strip()
    if not text:
        return Decimal(0)
    cents, problem = read_dollars(text, whole_cents=whole_cents)
    problems.note(field, problem)
    return cents


def _minutes_read(field, problems: _Problems, *, setup: bool = False):
    text = (field.data or "").strip()
    if not text:
        return Decimal(0)
    minutes, problem = read_minutes(text, setup=setup)
    problems.note(field, problem)
    return minutes


def _text(field, problems: _Problems, limit: str, *, required: bool = False) -> str:
    text = (field.data or "").strip()
    problems.note(field, text_problem(text, limit=LIMITS[limit], required=required))
    return text


def _code(field, problems: _Problems, *, slug: bool = False) -> str:
    text = _text(field, problems, "slug" if slug else "code", required=True)
    if text:
        problems.note(field, code_problem(text, slug=slug))
    return text


def product_entry(form: ProductForm, *, slug: str | None, active: bool, stations: Collection[str]
                  ) -> tuple[ProductEntry | None, dict[str, str]]:
    """The product the form describes, checked by the same rules as the catalog file (rules.py), and
    every problem by field name; the entry is None when there is any. `slug`: the product's, or None
    for a new product (read from the form)."""
    problems = _Problems()
    kind = form.kind.data if form.kind.data in {k.value for k in ProductKind} else None
    if kind is None:
        problems.note(form.kind, f'"{form.kind.data}" is not one of {", ".join(k.value for k in ProductKind)}')
    low = _whole(form.min_quantity, problems, "min_quantity")
    high = _whole(form.max_quantity, problems, "max_quantity")
    step = _whole(form.quantity_step, problems, "quantity_step", default=1)
    usual = _whole(form.default_quantity, problems, "default_quantity")
    if None not in (low, high, step, usual):
        rule_problems = quantity_rule_problems(low=low, high=high, step=step, usual=usual)
        problems.note(form.max_quantity, rule_problems.get("max"))
        problems.note(form.default_quantity, rule_problems.get("default"))
    breaks, previous = [], None
    for row in form.breaks:
        if not (row.form.start.data or "").strip() and not (row.form.percent_off.data or "").strip():
            continue
        start = _whole(row.form.start, problems, "break_from")
        off = _whole(row.form.percent_off, problems, "percent_off")
        if start is not None:
            problems.note(row.form.start, volume_break_problem(start, low=low, high=high, previous=previous))
            previous = start
        breaks.append((start, off))
    options, offered = [], {}
    for option_row in form.options:
        option = option_row.form
        code = _code(option.code, problems)
        if code in offered:
            problems.note(option.code, repeated_problem("option", code))
        chosen = []
        for choice_row in option.choices:
            choice = choice_row.form
            choice_code = _code(choice.code, problems)
            if choice_code in {c.code for c in chosen}:
                problems.note(choice.code, repeated_problem("choice", choice_code))
            if choice.is_default.data and any(c.is_default for c in chosen):
                problems.note(choice.is_default, ONE_DEFAULT)
            pages_per_sheet = (_whole(choice.pages_per_sheet, problems, "pages_per_sheet")
                               if (choice.pages_per_sheet.data or "").strip() else None)
            chosen.append(ChoiceEntry(
                code=choice_code, label=_text(choice.label, problems, "choice_label", required=True),
                is_default=bool(choice.is_default.data), per_copy_cents=_dollars(choice.per_copy, problems),
                per_page_cents=_dollars(choice.per_page, problems), per_sheet_cents=_dollars(choice.per_sheet, problems),
                pages_per_sheet=pages_per_sheet, extra_days=_whole(choice.extra_days, problems, "extra_days", default=0)))
        if not chosen:
            problems.note(option.label, NO_CHOICES)
        offered[code] = {c.code for c in chosen}
        options.append(OptionEntry(code=code, label=_text(option.label, problems, "option_label", required=True),
                                   help=_text(option.help, problems, "help"), choices=tuple(chosen)))
    route = []
    for step_row in form.steps:
        step_form = step_row.form
        station = (step_form.station.data or "").strip()
        problems.note(step_form.station, station_problem(station, stations) if station else "choose a station")
        problems.note(step_form.stage, stage_problem(step_form.stage.data or ""))
        when_option = (step_form.when_option.data or "").strip() or None
        when_choices = tuple(code for code in (part.strip() for part in (step_form.when_choices.data or "").split(","))
                             if code)
        if when_option:
            problems.note(step_form.when_option, when_option_problem(when_option, offered))
            if when_option in offered:
                for code in when_choices:
                    problems.note(step_form.when_choices, when_choice_problem(when_option, code, offered))
            if not when_choices:
                problems.note(step_form.when_choices, NO_WHEN_CHOICES)
        elif when_choices:
            problems.note(step_form.when_option, "name the option these choices belong to")
        route.append(RouteEntry(
            station=station, stage=step_form.stage.data or "",
            setup_minutes=_minutes_read(step_form.setup_minutes, problems, setup=True),
            per_copy=_minutes_read(step_form.per_copy, problems), per_sheet=_minutes_read(step_form.per_sheet, problems),
            per_impression=_minutes_read(step_form.per_impression, problems),
            when_option=when_option, when_choices=when_choices if when_option else ()))
    values = dict(
        slug=slug if slug is not None else _code(form.slug, problems, slug=True),
        name=_text(form.name, problems, "product_name", required=True), kind=ProductKind(kind) if kind else None,
        active=active, summary=_text(form.summary, problems, "summary"),
        description=_text(form.description, problems, "description"),
        min_quantity=low, max_quantity=high, quantity_step=step, default_quantity=usual,
        unit_name=_text(form.unit_name, problems, "unit_name", required=True),
        default_pages=_whole(form.default_pages, problems, "default_pages", default=1),
        setup_cents=_dollars(form.setup, problems, whole_cents=True),
        minimum_cents=_dollars(form.minimum, problems, whole_cents=True), per_copy_cents=_dollars(form.per_copy, problems),
        per_page_cents=_dollars(form.per_page, problems), volume_breaks=tuple(breaks),
        rush_surcharge_percent=_whole(form.rush_surcharge_percent, problems, "rush_surcharge_percent", default=0),
        base_days=_whole(form.base_days, problems, "base_days", default=1),
        pages_per_day=_whole(form.pages_per_day, problems, "pages_per_day", default=50000),
        needs_proof=bool(form.needs_proof.data), needs_files=bool(form.needs_files.data),
        options=tuple(options), route=tuple(route))
    if problems:
        return None, dict(problems)
    values["setup_cents"], values["minimum_cents"] = int(values["setup_cents"]), int(values["minimum_cents"])
    return ProductEntry(**values), {}


class StationForm(Form):
    code = StringField("Code", description="Lowercase letters, digits, _ and -; it cannot change later.",
                       render_kw={"autocomplete": "off"})
    name = StringField("Name")
    minutes_per_day = StringField("Working minutes a business day", description="All its machines and people together.",
                                  render_kw={"inputmode": "numeric"})
    # A weekday whose hours differ (the bindery closes early on Fridays); blank: the usual minutes.
    mon = StringField("Mondays", render_kw={"inputmode": "numeric"})
    tue = StringField("Tuesdays", render_kw={"inputmode": "numeric"})
    wed = StringField("Wednesdays", render_kw={"inputmode": "numeric"})
    thu = StringField("Thursdays", render_kw={"inputmode": "numeric"})
    fri = StringField("Fridays", render_kw={"inputmode": "numeric"})


def station_values(entry: StationEntry) -> dict:
    """A station (as the catalog file says it) as the form's starting values: weekdays blank when usual."""
    return dict(code=entry.code, name=entry.name, minutes_per_day=str(entry.minutes_per_day),
                **{day: str(minutes) for day, minutes in entry.weekday_minutes})


def station_entry(form: StationForm, *, code: str | None) -> tuple[StationEntry | None, dict[str, str]]:
    """The station the form describes, by the catalog file's rules; `code`: the station's, or None for a new one."""
    problems = _Problems()
    values = dict(code=code if code is not None else _code(form.code, problems),
                  name=_text(form.name, problems, "station_name", required=True),
                  minutes_per_day=_whole(form.minutes_per_day, problems, "minutes_per_day"))
    usual = values["minutes_per_day"] or 0
    weekdays = {day: _whole(form[day], problems, "weekday_minutes", default=usual) for day in WEEKDAYS}
    if problems:
        return None, dict(problems)
    values["weekday_minutes"] = tuple((day, minutes) for day, minutes in weekdays.items()
                                      if minutes != values["minutes_per_day"])
    return StationEntry(**values), {}


class DefaultsForm(Form):
    """The Preferences page's on-file defaults: choices filled in by the route from what is on file."""
    address = SelectField("Deliver to", description="How and where new orders are delivered, from your address book.",
                          validate_choice=False, coerce=str)
    account = SelectField("Charge to", description="The budget account new orders start from.",
                          validate_choice=False, coerce=str)
