"""Which budget accounts can be charged, and when an order needs its approver. Pure."""
from __future__ import annotations

import re
from datetime import date, datetime


def code_problem(code: str, *, pattern: str, example: str) -> str | None:
    """Why a budget code is not in the university's format, or None."""
    if not code:
        return f"Enter the budget code, like {example}."
    if not re.fullmatch(pattern, code):
        return f"Budget codes look like {example}: check the digits and dashes."
    return None


def clean_code(code: str | None) -> str:
    return "".join((code or "").split())


def unusable_reason(*, active_until: date | None, withdrawn_at: datetime | None,
                    withdrawn_reason: str, today: date) -> str | None:
    """Why an account cannot be charged today, in words the customer can act on; None if it can."""
    if withdrawn_at is not None:
        why = f": {withdrawn_reason}" if withdrawn_reason else ""
        return f"This account was withdrawn by its department{why}. Choose another account or ask its administrator."
    if active_until is not None and active_until < today:
        return (f"This account expired on {active_until.strftime('%B %-d, %Y')}. "
                "Choose another account or ask its administrator to renew it.")
    return None


def needs_approval(*, threshold_cents: int | None, price_cents: int) -> bool:
    """Orders above an account's approval threshold wait for its approver."""
    return threshold_cents is not None and price_cents > threshold_cents
