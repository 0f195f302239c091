"""What services raise when they refuse: routes turn these into messages next to the fields."""
from __future__ import annotations


class ValidationFailed(Exception):
    """Input that breaks a rule: `errors` maps a form field name to the message shown beside it."""

    def __init__(self, errors: dict[str, str] | str):
        self.errors = errors if isinstance(errors, dict) else {"": errors}
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in self.errors.items()))


class NotAllowed(Exception):
    """The current user may not do this (routes answer 404: not theirs, as if not there)."""


class Conflict(Exception):
    """Someone else changed the thing first; `message` says what changed and by whom."""

    def __init__(self, message: str, current=None):
        self.message = message
        self.current = current
        super().__init__(message)
