"""Product kinds plug into the catalog. A kind that adds more than options, a quantity and files (a
mailer adds its mailing list, mail class and mail date) registers hooks here when the app is made,
and the configurator, checkout and ordering call them instead of naming the kind:
- fields(): the fields it adds to the configurator form;
- configure(config, form, owner, problems, now=...): reads them into `config.addition` (an object
  with `promise(estimate)`, the date it is promised; `promise_label`, what that date is, like
  "Mailed on"; `title`, what the job is called when it has no title; and `fixes_quantity`, true when
  it sets the quantity itself), adding problems by field;
- record(order, addition, estimate): copies what the kind adds onto the order as it is placed;
- spell_out_problems: checkout lists the kind's own problems instead of one general message;
- card: the catalog card's words for its lowest price and usual turnaround (CardWords);
- partials: the template folder whose _configurator, _quantity, _quote, _checkout_summary and _order
  partials show what it adds (templates ask kind_partial(kind, name)).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from portal.shop.delivery import DeliveryMethod


@dataclass(frozen=True)
class CardWords:
    """How a catalog card says what a product costs at least ("{price}" is like "$18.00") and how
    long it usually takes ("{days}" is like "3 business days"), counted to `delivery` (the shop's
    usual campus delivery; a mailer counts to the day it is mailed)."""

    starting_price: str = "From {price}"
    turnaround: str = "Usually {days}"
    delivery: DeliveryMethod = DeliveryMethod.CAMPUS


@dataclass(frozen=True)
class KindHooks:
    fields: Callable[[], dict]
    configure: Callable[..., None]
    record: Callable[..., None]
    partials: str
    spell_out_problems: bool = False
    card: CardWords = CardWords()


_registered: dict[str, KindHooks] = {}


def register(kind: str, hooks: KindHooks) -> None:
    """Called once per app by the kind's package (the same hooks again change nothing)."""
    _registered[kind] = hooks


def hooks_for(kind: str) -> KindHooks | None:
    """The hooks a product kind registered, or None for a kind with nothing to add."""
    return _registered.get(kind)


def card_words(kind: str) -> CardWords:
    """The words a kind registered for its catalog card, or the shop's usual ones."""
    hooks = _registered.get(kind)
    return hooks.card if hooks else CardWords()


def partial(kind: str, name: str) -> str | None:
    """The template showing what a kind adds at one place (`_quote.html`...), or None."""
    hooks = _registered.get(kind)
    return f"{hooks.partials}/{name}" if hooks else None
