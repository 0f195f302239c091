"""How an order reaches its customer: one enum for addresses, orders, promises and the queue."""
from __future__ import annotations

import enum


class DeliveryMethod(enum.StrEnum):
    CAMPUS = "campus"
    PICKUP = "pickup"
    CARRIER = "carrier"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {DeliveryMethod.CAMPUS: "Campus delivery", DeliveryMethod.PICKUP: "Pickup at the shop",
          DeliveryMethod.CARRIER: "Carrier shipping"}
