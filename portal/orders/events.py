"""What happens to orders, told to the domains above them without importing them: named events
(blinker signals, as Flask's own) sent inside the transaction of the change, so what a receiver
writes (the notices' outbox) commits or rolls back with it. Receivers connect in their init_app."""
from __future__ import annotations

from blinker import Namespace

_events = Namespace()

# sender: the order just placed; keyword arguments: waits (for its account's approver), now, actor
order_placed = _events.signal("order-placed")
