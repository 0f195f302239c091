"""What happens in the notices' pages, told to the domains above them without importing them (blinker
signals, sent inside the transaction of the change). Receivers connect in their init_app."""
from __future__ import annotations

from blinker import Namespace

_events = Namespace()

# sender: the order whose satisfaction check was answered; keyword arguments: score (1 to 5), now.
# A receiver may return what it did, in words, for the thank-you page: {"text": ..., "url": ...}.
satisfaction_answered = _events.signal("satisfaction-answered")
