"""Sign-in rules: who counts as the same email, when sign-in is throttled, how long a session lives."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

SESSION_LIFETIME = timedelta(days=14)
RECENT_SIGN_IN = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def throttle_window_start(now: datetime, window_minutes: int) -> datetime:
    return now - timedelta(minutes=window_minutes)


def is_throttled(failures_for_email: int, failures_for_address: int, max_failures: int) -> bool:
    """Too many recent failures for this email, or four times as many from one network address.

    Counted for any email, known or not, so the answer never reveals who has an account.
    """
    return failures_for_email >= max_failures or failures_for_address >= 4 * max_failures


def signed_in_recently(authenticated_at: datetime | None, now: datetime) -> bool:
    """Changing email, password or a billing account needs a sign-in in the last 15 minutes."""
    return authenticated_at is not None and now - authenticated_at <= RECENT_SIGN_IN


EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def email_problem(email: str) -> str | None:
    if not email:
        return "Enter your email address."
    if len(email) > 254 or not EMAIL.fullmatch(email):
        return "Enter an email address like name@example.edu."
    return None


def password_problem(password: str) -> str | None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    return None
