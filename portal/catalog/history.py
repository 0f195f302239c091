"""What changed in the catalog, in words: a product (or a station) before and after, as the fields that
differ with their old and new values written out. Pure: entries of the catalog file in, text out; the
manager's services record what this finds (CatalogChange), the product's history page shows it."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from portal.catalog.files import ChoiceEntry, OptionEntry, ProductEntry, RouteEntry, StationEntry, dollars
from portal.catalog.rules import plain_decimal
from portal.promises.rules import WEEKDAYS

NONE = "—"
DAY_NAMES = {"mon": "Mondays", "tue": "Tuesdays", "wed": "Wednesdays", "thu": "Thursdays", "fri": "Fridays"}


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


def _money(cents: Decimal | int) -> str:
    return f"${dollars(cents)}"


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _breaks(breaks) -> str:
    return "; ".join(f"from {start:,}: {off}% off" for start, off in breaks) or "none"


def _minutes(value: Decimal) -> str:
    return format(plain_decimal(value), "f")


def _choice(option: str, choice: ChoiceEntry) -> dict[str, str]:
    at = f"Option {option}, choice {choice.code}"
    return {f"{at}: label": choice.label, f"{at}: default": _yes(choice.is_default),
            f"{at}: per copy": _money(choice.per_copy_cents), f"{at}: per page": _money(choice.per_page_cents),
            f"{at}: per sheet": _money(choice.per_sheet_cents),
            f"{at}: pages per sheet": str(choice.pages_per_sheet) if choice.pages_per_sheet else NONE,
            f"{at}: extra days": str(choice.extra_days)}


def _option(option: OptionEntry) -> dict[str, str]:
    written = {f"Option {option.code}: label": option.label, f"Option {option.code}: help": option.help}
    for choice in option.choices:
        written.update(_choice(option.code, choice))
    return written


def step_words(step: RouteEntry) -> str:
    """'bw_press (printing): setup 5 min, 0.0083 min a printed page, when color is bw'."""
    parts = [f"setup {_minutes(step.setup_minutes)} min"]
    for value, unit in ((step.per_copy, "a copy"), (step.per_sheet, "a sheet"), (step.per_impression, "a printed page")):
        if value:
            parts.append(f"{_minutes(value)} min {unit}")
    words = f"{step.station} ({step.stage}): {', '.join(parts)}"
    if step.when_option:
        words += f", when {step.when_option} is {' or '.join(step.when_choices)}"
    return words


def product_fields(entry: ProductEntry, replaced_by: str | None = None) -> dict[str, str]:
    """Every field of a product, named as the history shows it, with its value as text."""
    written = {
        "Name": entry.name, "Kind": entry.kind.value, "Active": _yes(entry.active),
        "Replaced by": replaced_by or NONE, "Summary": entry.summary, "Description": entry.description,
        "Minimum quantity": f"{entry.min_quantity:,}", "Maximum quantity": f"{entry.max_quantity:,}",
        "Quantity step": f"{entry.quantity_step:,}", "Usual quantity": f"{entry.default_quantity:,}",
        "Unit": entry.unit_name, "Usual pages": f"{entry.default_pages:,}",
        "Setup": _money(entry.setup_cents), "Minimum charge": _money(entry.minimum_cents), "Per copy": _money(entry.per_copy_cents),
        "Per page": _money(entry.per_page_cents), "Quantity breaks": _breaks(entry.volume_breaks),
        "Rush surcharge": f"{entry.rush_surcharge_percent}%", "Base days": str(entry.base_days),
        "Pages a day": f"{entry.pages_per_day:,}", "Needs a proof": _yes(entry.needs_proof),
        "Needs files": _yes(entry.needs_files),
    }
    for option in entry.options:
        written.update(_option(option))
    for number, step in enumerate(entry.route, start=1):
        written[f"Routing step {number}"] = step_words(step)
    return written


def station_fields(entry: StationEntry) -> dict[str, str]:
    written = {"Name": entry.name, "Minutes a day": f"{entry.minutes_per_day:,}"}
    differ = dict(entry.weekday_minutes)
    for day in WEEKDAYS:
        written[f"Minutes on {DAY_NAMES[day]}"] = f"{differ.get(day, entry.minutes_per_day):,}"
    return written


def changes(before: dict[str, str] | None, after: dict[str, str]) -> list[Change]:
    """The fields that differ, in the order `after` (then `before`) lists them; a field only one side
    has is added (old "—") or removed (new "—"). With no `before`, the thing is new: every field."""
    before = before or {}
    found = [Change(name, before.get(name, NONE), value) for name, value in after.items()
             if before.get(name) != value]
    found += [Change(name, value, NONE) for name, value in before.items() if name not in after]
    return found
