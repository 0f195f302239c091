"""Mailers as a product kind: what they add to the configurator, the job and the order (catalog.kinds)."""
from __future__ import annotations

from portal.catalog import kinds
from portal.catalog.models import ProductKind
from portal.mailers import forms, services
from portal.shop.delivery import DeliveryMethod


def init_app(app) -> None:
    """Called by create_app: the catalog, checkout and ordering call these for mailer products."""
    kinds.register(ProductKind.MAILER, kinds.KindHooks(
        fields=forms.configurator_fields, configure=services.configure_mailer, record=services.record_on_order,
        partials="mailers", spell_out_problems=True,
        card=kinds.CardWords(starting_price="From {price} plus postage", turnaround="Usually mailed in {days}",
                             delivery=DeliveryMethod.PICKUP)))  # promised for the day it is mailed: no transit
