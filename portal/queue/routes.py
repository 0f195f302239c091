"""Routes of queue."""
from __future__ import annotations

from portal.queue import blueprint, models  # noqa: F401
