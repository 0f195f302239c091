"""The print run: how many pieces are printed for a list's good addresses."""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from portal.catalog.rules import ProductRules, plural, quantity_problem  # pure rules; imports nothing of the portal


def addresses(count: int) -> str:
    return f"{count:,} address{'' if count == 1 else 'es'}"


@dataclass(frozen=True)
class PrintRun:
    quantity: int | None  # None: the list cannot be printed as one order
    note: str = ""
    problem: str | None = None


def print_run(product: ProductRules, pieces: int) -> PrintRun:
    """How many to print for `pieces` good addresses: the product's minimum, then up to its step.
    The spares come back with the order; a list past the maximum cannot be ordered online."""
    unit = product.unit_name
    quantity = max(product.min_quantity, ceil(pieces / product.quantity_step) * product.quantity_step)
    problem = quantity_problem(product, quantity)
    if problem:
        return PrintRun(None, problem=f"Your list has {addresses(pieces)}. " + problem)
    if quantity == pieces:
        return PrintRun(quantity, f"One {unit} for each of your {pieces:,} addresses.")
    spare = quantity - pieces
    why = (f"the minimum run is {plural(product.min_quantity, unit)}" if quantity == product.min_quantity
           else f"we print in multiples of {product.quantity_step:,}")
    return PrintRun(quantity, f"{plural(quantity, unit)} for your {pieces:,} addresses: {why}. "
                              f"The {plural(spare, 'spare')} come back to you with the order.")
