"""How a job is priced and which quantities are allowed. Pure: plain values in, plain values out."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from math import ceil
from itertools import product as product_of
from typing import Collection, Mapping, Sequence

from portal.shop.formats import money, plural


@dataclass(frozen=True)
class ChoiceRules:
    label: str
    per_copy_cents: Decimal = Decimal(0)
    per_page_cents: Decimal = Decimal(0)
    per_sheet_cents: Decimal = Decimal(0)
    pages_per_sheet: int | None = None  # 1 single-sided, 2 double-sided
    extra_days: int = 0


@dataclass(frozen=True)
class ProductRules:
    min_quantity: int = 1
    max_quantity: int = 10000
    quantity_step: int = 1
    unit_name: str = "copy"
    default_pages: int = 1
    setup_cents: int = 0
    minimum_cents: int = 0  # the least a job is charged (before rush); 0: no minimum
    per_copy_cents: Decimal = Decimal(0)
    per_page_cents: Decimal = Decimal(0)
    volume_breaks: tuple[tuple[int, int], ...] = ()  # (min quantity, percent off)
    rush_surcharge_percent: int = 0  # 0: rush is not offered
    needs_proof: bool = False


@dataclass(frozen=True)
class PriceLine:
    label: str
    cents: int


@dataclass(frozen=True)
class Quote:
    """A price: its lines add up to the total."""

    quantity: int
    pages_per_copy: int
    sheets_per_copy: int
    lines: tuple[PriceLine, ...] = field(default_factory=tuple)

    @property
    def total_cents(self) -> int:
        return sum(line.cents for line in self.lines)

    @property
    def per_copy_cents(self) -> int:
        return round(self.total_cents / self.quantity) if self.quantity else 0


def cents(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def quantity_problem(product: ProductRules, quantity: int | None) -> str | None:
    """Why a quantity cannot be ordered, or None: between the minimum and maximum, in steps."""
    unit = product.unit_name
    if quantity is None:
        return f"Enter how many {plural(2, unit).split(' ', 1)[1]} you need."
    if quantity < product.min_quantity:
        return f"The minimum is {plural(product.min_quantity, unit)}."
    if quantity > product.max_quantity:
        return (f"The most we take online is {plural(product.max_quantity, unit)}; "
                "call the shop for larger runs.")
    if product.quantity_step > 1 and quantity % product.quantity_step:
        lower = quantity - quantity % product.quantity_step
        return (f"Order in multiples of {product.quantity_step:,}: for example "
                f"{max(lower, product.min_quantity):,} or {lower + product.quantity_step:,}.")
    return None


def sheets_per_copy(pages: int, chosen: Mapping[str, ChoiceRules]) -> int:
    per_sheet = next((c.pages_per_sheet for c in chosen.values() if c.pages_per_sheet), 1)
    return max(1, ceil(pages / per_sheet))


def volume_discount_percent(product: ProductRules, quantity: int) -> int:
    return max((percent for minimum, percent in product.volume_breaks if quantity >= minimum), default=0)


def price(product: ProductRules, chosen: Mapping[str, ChoiceRules], *, quantity: int,
          pages: int, rush: bool = False) -> Quote:
    """The price of `quantity` copies of `pages` pages with the chosen options.

    Setup once; per copy the product's base rate plus each choice's rate per copy, per page and per
    sheet; a volume discount on everything but setup; a job below the product's minimum charge is
    brought up to it; rush adds its surcharge to the whole.
    """
    pages = max(1, pages)
    sheets = sheets_per_copy(pages, chosen)
    lines: list[PriceLine] = []
    if product.setup_cents:
        lines.append(PriceLine("Setup", product.setup_cents))
    base = quantity * (product.per_copy_cents + pages * product.per_page_cents)
    if base:
        lines.append(PriceLine(f"Printing, {plural(quantity, product.unit_name)} × {plural(pages, 'page')}",
                               cents(base)))
    for choice in chosen.values():
        amount = quantity * (choice.per_copy_cents + pages * choice.per_page_cents
                             + sheets * choice.per_sheet_cents)
        if amount:
            lines.append(PriceLine(choice.label, cents(amount)))
    discount = volume_discount_percent(product, quantity)
    if discount:
        running = sum(line.cents for line in lines) - product.setup_cents
        lines.append(PriceLine(f"Volume discount, {discount}%", -cents(Decimal(running * discount) / 100)))
    short = product.minimum_cents - sum(line.cents for line in lines)
    if short > 0:
        lines.append(PriceLine(f"Minimum charge ({money(product.minimum_cents)} a job)", short))
    if rush and product.rush_surcharge_percent:
        running = sum(line.cents for line in lines)
        lines.append(PriceLine(f"Rush, +{product.rush_surcharge_percent}%",
                               cents(Decimal(running * product.rush_surcharge_percent) / 100)))
    return Quote(quantity=quantity, pages_per_copy=pages, sheets_per_copy=sheets, lines=tuple(lines))


def smallest_quantity(product: ProductRules) -> int:
    """The fewest the product can be ordered in: its minimum, rounded up to its step."""
    step = max(1, product.quantity_step)
    return -(-product.min_quantity // step) * step


def starting_quote(product: ProductRules, options: Mapping[str, Sequence[ChoiceRules]]) -> Quote:
    """The lowest price the product is sold at, for the catalog's "from $X": the smallest quantity
    allowed, at the product's usual page count, with the cheapest choices. The choices are tried
    together, since the sides chosen change how many sheets the paper is charged for."""
    codes = list(options)
    quotes = (price(product, dict(zip(codes, combination)), quantity=smallest_quantity(product),
                    pages=product.default_pages)
              for combination in product_of(*(options[code] for code in codes)))
    return min(quotes, key=lambda quote: quote.total_cents)


COURSE_CODE = re.compile(r"([A-Z]{2,6}) ?(\d{3,4}[A-Z]?)")
TERMS = (("Spring", 1), ("Summer", 6), ("Fall", 9))  # term name, first month


def clean_course_code(code: str | None) -> str:
    """'law501' and 'LAW  501' are both 'LAW 501'."""
    match = COURSE_CODE.fullmatch("".join((code or "").upper().split()))
    return f"{match.group(1)} {match.group(2)}" if match else " ".join((code or "").split())


def course_code_problem(code: str) -> str | None:
    if not code:
        return "Enter the course code, like LAW 501."
    if not COURSE_CODE.fullmatch(code):
        return "Course codes look like LAW 501 or HIST 2100: letters, then the course number."
    return None


def upcoming_terms(today: date, count: int = 4) -> list[str]:
    """This term and the next ones, for the course pack's term list."""
    terms, year = [], today.year
    index = [i for i, (_, month) in enumerate(TERMS) if today.month >= month][-1]
    while len(terms) < count:
        terms.append(f"{TERMS[index][0]} {year}")
        index += 1
        if index == len(TERMS):
            index, year = 0, year + 1
    return terms


def course_pack_terms(calendar: Sequence[tuple[str, date]], today: date, count: int = 4) -> list[str]:
    """The terms a course pack can be ordered for, named as the manager named them on the Terms page: the current
    term (the last whose classes began on or before today) and the coming ones, by first day of classes, `count`
    at most. `calendar` is the Terms page as (name, first day of classes).

    Until the manager has entered a coming term, the generated names stand in (upcoming_terms: Spring, Summer,
    Fall and the year), so instructors can still order while the Terms page is behind; those packs are not given
    a deadline until the manager enters their term under the same name."""
    ordered = sorted(calendar, key=lambda term: term[1])
    coming = [name for name, first_day in ordered if first_day > today]
    if not coming:
        return upcoming_terms(today, count)
    current = [name for name, first_day in ordered if first_day <= today][-1:]
    return (current + coming)[:count]


YEAR = re.compile(r"\s*\b(19|20)\d\d\b\s*")


def season(term: str | None) -> str:
    """A term's name without its year: "Fall" for Fall 2026, "Winter Intersession" for Winter Intersession 2027."""
    return " ".join(YEAR.sub(" ", term or "").split())


def reorder_term(original: str | None, terms: Sequence[str]) -> str | None:
    """The term a course pack is reprinted for, among `terms` (course_pack_terms: the current one first): the same
    term while it is current or coming, otherwise the next term of the same season (a Fall course is taught again
    in the Fall), otherwise the current term. None only when no term is offered."""
    if original in terms:
        return original
    same_season = season(original)
    return next((term for term in terms if same_season and season(term) == same_season), terms[0] if terms else None)


# What a catalog file and the manager's catalog forms both check, one rule each. Each check takes the
# value as written (text) and returns (value, None) or (None, problem): the problem in words that a file
# names after its key ("price.setup: -5.00 is negative") and a form shows next to its field.
STAGES = ("prepress", "printing", "finishing")
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
CODE = re.compile(r"[a-z0-9][a-z0-9_-]*")
DECIMAL = re.compile(r"-?\d+(\.\d+)?")
WHOLE = re.compile(r"-?\d+")
RATE_LIMIT = Decimal(10) ** 7  # cents: the rate columns hold 7 digits before the point, 3 after
MINUTES_LIMIT = Decimal(10) ** 5  # minutes per copy, sheet or impression
SETUP_MINUTES_LIMIT = Decimal(10) ** 7


def text_problem(value: str, *, limit: int, required: bool = False) -> str | None:
    """Free text: at most `limit` characters; not blank when required."""
    if required and not value.strip():
        return "is empty"
    if len(value) > limit:
        return f"at most {limit} characters (this has {len(value)})"
    return None


def code_problem(value: str, *, slug: bool = False) -> str | None:
    """A code (a choice, an option, a station) or a product's slug: lowercase letters, digits and -
    (codes also _), starting with a letter or digit."""
    if not (SLUG if slug else CODE).fullmatch(value):
        kind = "lowercase letters, digits and -" if slug else "lowercase letters, digits, _ and -"
        return f'"{value}" may hold only {kind}'
    return None


def read_whole(value: str, *, minimum: int, maximum: int) -> tuple[int | None, str | None]:
    """A whole number between `minimum` and `maximum`."""
    value = value.strip()
    if not WHOLE.fullmatch(value):
        return None, f'expected a whole number, found "{value}"'
    number = int(value)
    if not minimum <= number <= maximum:
        return None, f"{number} is not between {minimum:,} and {maximum:,}"
    return number, None


def read_decimal(value: str, *, places: int, below: Decimal, unit: str) -> tuple[Decimal | None, str | None]:
    """A decimal number read from its characters (never through a float): at least 0, with at most
    `places` decimals, below `below`."""
    value = value.strip()
    if not DECIMAL.fullmatch(value):
        return None, f'expected {unit}, found "{value}"'
    number = Decimal(value)
    if number < 0:
        return None, f"{value} is negative"
    if number != number.quantize(Decimal(1).scaleb(-places)):
        return None, f"{value} has more than {places} decimals"
    if number >= below:
        return None, f"{value} is too large (below {below:,} please)"
    return number, None


def read_dollars(value: str, *, whole_cents: bool = False) -> tuple[Decimal | None, str | None]:
    """Dollars written as text ("0.045") as cents: whole cents for an amount (a setup charge), to a
    thousandth of a cent for a rate (per copy, page or sheet). Never negative."""
    amount, problem = read_decimal(value, places=2 if whole_cents else 5, below=RATE_LIMIT / 100,
                                   unit='dollars like "0.75"')
    return (None, problem) if amount is None else (plain_decimal(amount.scaleb(2)), None)


def read_minutes(value: str, *, setup: bool = False) -> tuple[Decimal | None, str | None]:
    """Minutes of a routing step: a setup to a thousandth, a rate (per copy, sheet, impression) to
    five decimals."""
    return read_decimal(value, places=3 if setup else 5, below=SETUP_MINUTES_LIMIT if setup else MINUTES_LIMIT,
                        unit="minutes")


def plain_decimal(value: Decimal) -> Decimal:
    """25.000 as 25, 0.00830 as 0.0083: the shortest exact digits, never an exponent."""
    text = format(Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Decimal(text)


def quantity_rule_problems(*, low: int, high: int, step: int, usual: int) -> dict[str, str]:
    """A product's quantity rules, checked together: the maximum not below the minimum, the usual
    quantity between them and a multiple of the step. Problems by rule: "max", "default"."""
    if high < low:
        return {"max": f"the maximum ({high:,}) is below the minimum ({low:,})"}
    if not low <= usual <= high:
        return {"default": f"the usual quantity ({usual:,}) is not between the minimum ({low:,}) "
                           f"and the maximum ({high:,})"}
    if usual % step:
        return {"default": f"the usual quantity ({usual:,}) is not a multiple of the step ({step:,})"}
    return {}


def volume_break_problem(start: int, *, low: int | None, high: int | None, previous: int | None) -> str | None:
    """A quantity break starts within the product's quantities, above the break before it."""
    if low is not None and start < low:
        return f"a break from {start:,} is below the minimum quantity ({low:,})"
    if high is not None and start > high:
        return f"a break from {start:,} is above the maximum quantity ({high:,})"
    if previous is not None and start <= previous:
        return f"list the breaks from the smallest quantity up ({start:,} comes after {previous:,})"
    return None


def station_problem(code: str, stations: Collection[str]) -> str | None:
    """A routing step goes to a station the shop has."""
    return None if code in stations else f'there is no station "{code}" in stations'


def stage_problem(stage: str) -> str | None:
    return None if stage in STAGES else f'stage "{stage}" is not one of {", ".join(STAGES)}'


def when_option_problem(option: str, options: Mapping[str, Collection[str]]) -> str | None:
    """A step done only for some choices names one of the product's own options..."""
    return None if option in options else f'the product has no option "{option}"'


def when_choice_problem(option: str, choice: str, options: Mapping[str, Collection[str]]) -> str | None:
    """...and that option's own choices."""
    return None if choice in options[option] else f'option "{option}" has no choice "{choice}"'


NO_CHOICES = "an option needs at least one choice"
ONE_DEFAULT = "only one choice can be the default"
NO_WHEN_CHOICES = "name at least one choice"


def repeated_problem(what: str, code: str, first: str = "") -> str:
    """The same code twice in one list: 'choice "bw" is given twice (first on line 18)'."""
    return f'{what} "{code}" is given twice' + (f" ({first})" if first else "")


def sentence(problem: str) -> str:
    """A check's problem as a form shows it: 'A break from 5 is below the minimum quantity (10).'"""
    text = problem[:1].upper() + problem[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


# The bounds of each whole number a product, a choice or a station holds (the file and the forms).
BOUNDS = {
    "min_quantity": dict(minimum=1, maximum=1_000_000), "max_quantity": dict(minimum=1, maximum=1_000_000),
    "quantity_step": dict(minimum=1, maximum=100_000), "default_quantity": dict(minimum=1, maximum=1_000_000),
    "default_pages": dict(minimum=1, maximum=100_000), "break_from": dict(minimum=1, maximum=1_000_000),
    "percent_off": dict(minimum=1, maximum=99), "rush_surcharge_percent": dict(minimum=0, maximum=200),
    "base_days": dict(minimum=0, maximum=60), "pages_per_day": dict(minimum=1, maximum=10_000_000),
    "extra_days": dict(minimum=0, maximum=60), "pages_per_sheet": dict(minimum=1, maximum=64),
    "minutes_per_day": dict(minimum=1, maximum=100_000), "weekday_minutes": dict(minimum=0, maximum=100_000),
}
# The longest text each holds, in characters.
LIMITS = {"product_name": 120, "summary": 240, "description": 20000, "unit_name": 30, "option_label": 60,
          "help": 240, "choice_label": 80, "station_name": 80, "code": 30, "slug": 60}


# A course-pack reading's copyright, as the instructor declares it (CopyrightStatus values): what each
# status needs to be told, and what the form keeps. The shop's side of clearing is portal/copyright.
READING_PARTS = ("granted_by", "justification", "work_title", "work_author", "work_publisher", "pages_used",
                 "total_pages")
READING_LIMITS = {"granted_by": 160, "justification": 600, "work_title": 200, "work_author": 160,
                  "work_publisher": 160}
NEEDS = {"permission_obtained": ("granted_by",), "fair_use": ("justification",),
         "awaiting_clearance": ("work_title", "work_author", "work_publisher", "pages_used", "total_pages")}
MISSING = {"copyright": "Choose this reading's copyright status.",
           "granted_by": "Say who granted the permission (the publisher, the author, a clearance service).",
           "justification": "Give a short reason this use is fair use.",
           "work_title": "Enter the title of the book or journal the reading comes from.",
           "work_author": "Enter the author or editor.",
           "work_publisher": "Enter the publisher.",
           "pages_used": "Enter how many pages of the work the pack uses.",
           "total_pages": "Enter how many pages the whole work has."}


def reading_declaration(status: str, values: dict[str, str]) -> tuple[dict[str, object], dict[str, str]]:
    """What the instructor declared for one reading: the details its status needs (`values` by part,
    as typed), tidied, and the problems by part ("copyright" when no status was chosen). A status of
    DECLARED is required; "permission obtained" needs who granted it, "fair use" a short
    justification, "please clear it for me" the work's title, author, publisher and pages used of total."""
    if status not in NEEDS and status not in ("public_domain",):
        return {}, {"copyright": MISSING["copyright"]}
    details: dict[str, object] = {}
    problems: dict[str, str] = {}
    for part in NEEDS.get(status, ()):
        text = " ".join(str(values.get(part) or "").split())
        if part in ("pages_used", "total_pages"):
            number, problem = read_whole(text.replace(",", ""), minimum=1, maximum=100_000) if text else (None, None)
            if not text:
                problems[part] = MISSING[part]
            elif problem:
                problems[part] = sentence(problem)
            details[part] = number
            continue
        if not text:
            problems[part] = MISSING[part]
        elif len(text) > READING_LIMITS[part]:
            problems[part] = f"Use at most {READING_LIMITS[part]} characters."
        details[part] = text
    used, total = details.get("pages_used"), details.get("total_pages")
    if isinstance(used, int) and isinstance(total, int) and used > total:
        problems.setdefault("pages_used", f"The pack cannot use more pages ({used}) than the work has ({total}).")
    return details, problems


def reorder_declaration(status: str | None, details: dict | None) -> dict[str, str] | None:
    """A past reading's copyright as a reorder's configurator values: what was declared is declared again;
    one the shop cleared asks the shop again (a clearance it holds for the work is reused at once, an
    expired one goes back to its queue); a reading taken out of the pack (removed, linked instead) or
    refused is left out (None); an old "pending" must be chosen again (blank)."""
    if status in ("removed", "linked_in_lms", "refused"):
        return None
    declared = {"cleared_by_shop": "awaiting_clearance", "pending": ""}.get(status or "", status or "")
    if declared not in NEEDS and declared != "public_domain":
        declared = ""
    values = {"copyright": declared}
    for part in NEEDS.get(declared, ()):
        value = (details or {}).get(part)
        values[part] = "" if value is None else str(value)
    return values
