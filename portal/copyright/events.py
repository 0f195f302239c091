"""What happens to clearances, told to the domains above without importing them (blinker signals sent
inside the transaction, as orders.events): notices connect in their init_app and write the outbox."""
from __future__ import annotations

from blinker import Namespace

_events = Namespace()

# sender: the ClearanceRequest refused; keyword arguments: now, actor (the staff member)
reading_refused = _events.signal("reading-refused")
# sender: the order whose price a granted fee raised above its account's approval threshold (it waits for
# approval again); keyword arguments: now, actor, occurrence (what tells this approval from the first)
fee_needs_approval = _events.signal("fee-needs-approval")
