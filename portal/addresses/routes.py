"""Routes of addresses (pages come with the issues that need them)."""
from __future__ import annotations

from portal.addresses import blueprint  # noqa: F401
