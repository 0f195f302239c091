"""How a job is priced and which quantities are allowed. Pure: plain values in, plain values out."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from math import ceil
from itertools import product as product_of
from typing import Mapping, Sequence

from portal.shop.formats import plural


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
    sheet; a volume discount on everything but setup; rush adds its surcharge to the whole.
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


def reorder_term(original: str | None, today: date) -> str:
    """The term a course pack is reprinted for: the same term while it is current or coming,
    otherwise the next term of the same season (a Fall course is taught again in the Fall)."""
    terms = upcoming_terms(today, count=len(TERMS) + 1)
    if original in terms:
        return original
    season = (original or "").split(" ")[0]
    return next((term for term in terms if term.startswith(season + " ")), terms[0])
