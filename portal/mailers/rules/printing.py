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
    spares: int = 0  # printed (and charged) beyond one piece for each good address
    advice: str = ""  # what the customer can do about the spares


def print_run(product: ProductRules, pieces: int) -> PrintRun:
    """How many to print for `pieces` good addresses: the product's minimum, then up to its step.
    The spares are printed and charged, and come back with the order (postage is only for the pieces
    mailed), so the customer is told why, and that adding as many addresses costs only their postage.
    A list past the maximum cannot be ordered online."""
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
                              f"The {plural(spare, 'spare')} come back to you with the order.", spares=spare,
                    advice=f"To mail them instead, add up to {addresses(spare)} to your list: "
                           "they are printed already, so they cost only their postage.")
