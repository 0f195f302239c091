"""Routes of mailers."""
from __future__ import annotations

from portal.mailers import blueprint  # noqa: F401
