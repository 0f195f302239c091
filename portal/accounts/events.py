"""What happens to people, told to the domains above without importing them: blinker signals sent inside
the transaction of the change, so what a receiver writes (the notices' outbox) commits or rolls back with it."""
from __future__ import annotations

from blinker import Namespace

_events = Namespace()

# sender: the AccountLink just made (an invitation or a password reset); keyword arguments:
# secret (the one-time secret the emailed link carries; only its hash is stored), url, now
link_issued = _events.signal("account-link-issued")
