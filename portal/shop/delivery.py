"""How an order reaches its customer (one enum for addresses, orders, promises and the queue), and how
a mailer's pieces travel (the mail class an order keeps; postage is the mailers' rule)."""
from __future__ import annotations

import enum


class DeliveryMethod(enum.StrEnum):
    CAMPUS = "campus"
    PICKUP = "pickup"
    CARRIER = "carrier"
    BOOKSTORE = "bookstore"  # a course pack sold to students by the campus bookstore

    @property
    def label(self) -> str:
        return LABELS[self]

    @property
    def on_campus_run(self) -> bool:
        """Taken by the shop's own campus delivery run (a campus room, or the bookstore's receiving dock)."""
        return self in (DeliveryMethod.CAMPUS, DeliveryMethod.BOOKSTORE)


LABELS = {DeliveryMethod.CAMPUS: "Campus delivery", DeliveryMethod.PICKUP: "Pickup at the shop",
          DeliveryMethod.CARRIER: "Carrier shipping", DeliveryMethod.BOOKSTORE: "Campus bookstore"}


class MailClass(enum.StrEnum):
    FIRST_CLASS = "first_class"
    MARKETING = "marketing"

    @property
    def label(self) -> str:
        return {"first_class": "First-Class Mail", "marketing": "USPS Marketing Mail"}[self.value]

    @property
    def transit(self) -> str:
        return {"first_class": "2 to 5 days", "marketing": "3 to 10 days"}[self.value]
