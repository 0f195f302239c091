"""Routes of notices."""
from __future__ import annotations

from portal.notices import blueprint  # noqa: F401
