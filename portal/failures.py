"""What services raise when they refuse: routes turn these into messages next to the fields."""
from __future__ import annotations


class ValidationFailed(Exception):
    """Input that breaks a rule: `errors` maps a form field name to the message shown beside it."""

    def __init__(self, errors: dict[str, str] | str):
        self.errors = errors if isinstance(errors, dict) else {"": errors}
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in self.errors.items()))


def written(value: str | None, *, field: str, limit: int, missing: str | None = None) -> str:
    """Free text as kept: stripped; raises ValidationFailed on `field` when longer than `limit`
    characters, or empty when a `missing` message says it is required."""
    text = (value or "").strip()
    if missing and not text:
        raise ValidationFailed({field: missing})
    if len(text) > limit:
        raise ValidationFailed({field: f"Use at most {limit:,} characters."})
    return text


class NotAllowed(Exception):
    """The current user may not do this (routes answer 404: not theirs, as if not there)."""


class Conflict(Exception):
    """Someone else changed the thing first; `message` says what changed and by whom."""

    def __init__(self, message: str, current=None):
        self.message = message
        self.current = current
        super().__init__(message)


class Unavailable(Exception):
    """Something the portal depends on (the file store) is not answering: nothing was saved; try again
    (answered once, by the error handler, as 503 with Retry-After)."""
