"""Routes of promises (pages come with the issues that need them)."""
from __future__ import annotations

from portal.promises import blueprint  # noqa: F401
