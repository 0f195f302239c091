"""The stages a job goes through in the shop, from awaiting approval to delivered: one enum for orders,
the queue, promises and notices."""
from __future__ import annotations

import enum


class OrderStatus(enum.StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    RECEIVED = "received"
    PREPRESS = "prepress"
    PRINTING = "printing"
    FINISHING = "finishing"
    READY = "ready"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    ON_HOLD = "on_hold"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self not in (OrderStatus.DELIVERED, OrderStatus.CANCELLED)


STATUS_LABELS = {
    OrderStatus.AWAITING_APPROVAL: "Awaiting approval",
    OrderStatus.RECEIVED: "Received",
    OrderStatus.PREPRESS: "Prepress",
    OrderStatus.PRINTING: "Printing",
    OrderStatus.FINISHING: "Finishing",
    OrderStatus.READY: "Ready",
    OrderStatus.SHIPPED: "Shipped",
    OrderStatus.DELIVERED: "Delivered",
    OrderStatus.ON_HOLD: "On hold",
    OrderStatus.CANCELLED: "Cancelled",
}
