"""Routes of billing (pages come with the issues that need them)."""
from __future__ import annotations

from portal.billing import blueprint  # noqa: F401
