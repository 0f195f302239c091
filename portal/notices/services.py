"""Notices: written to the outbox in the same transaction as the change they announce."""
from __future__ import annotations

from datetime import datetime

KINDS = ("received", "approval_needed", "proof_ready", "ready_for_pickup", "out_for_delivery", "shipped",
         "delivered", "delay")


def announce(order, kind: str, *, now: datetime, actor=None, **details) -> None:
    """Records that `kind` happened to `order`, for delivery to the people who should hear of it.

    Called by the service that made the change, inside its transaction; nothing is sent here.
    The outbox that makes this real comes with the notices work (issue 6); until then it records
    nothing.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
