"""Product kinds plug into the catalog. A kind that adds more than options, a quantity and files (a
mailer adds its mailing list, mail class and mail date) registers hooks here when the app is made,
and the configurator, checkout and ordering call them instead of naming the kind:
- fields(): the fields it adds to the configurator form;
- configure(config, form, owner, problems, now=...): reads them into `config.addition` (an object
  with `promise(estimate)`, the date it is promised; `title`, what the job is called when it has no
  title; and `fixes_quantity`, true when it sets the quantity itself), adding problems by field;
- record(order, addition, estimate): copies what the kind adds onto the order as it is placed;
- spell_out_problems: checkout lists the kind's own problems instead of one general message;
- partials: the template folder whose _configurator, _quantity, _quote, _checkout_summary and _order
  partials show what it adds (templates ask kind_partial(kind, name)).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class KindHooks:
    fields: Callable[[], dict]
    configure: Callable[..., None]
    record: Callable[..., None]
    partials: str
    spell_out_problems: bool = False


_registered: dict[str, KindHooks] = {}


def register(kind: str, hooks: KindHooks) -> None:
    """Called once per app by the kind's package (the same hooks again change nothing)."""
    _registered[kind] = hooks


def hooks_for(kind: str) -> KindHooks | None:
    """The hooks a product kind registered, or None for a kind with nothing to add."""
    return _registered.get(kind)


def partial(kind: str, name: str) -> str | None:
    """The template showing what a kind adds at one place (`_quote.html`...), or None."""
    hooks = _registered.get(kind)
    return f"{hooks.partials}/{name}" if hooks else None
