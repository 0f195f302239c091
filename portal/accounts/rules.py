"""Sign-in rules: who counts as the same email, when sign-in is throttled, how long a session lives."""
from __future__ import annotations

import re
from math import ceil
from datetime import datetime, timedelta

SESSION_LIFETIME = timedelta(days=14)
RECENT_SIGN_IN = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def throttle_window_start(now: datetime, window_minutes: int) -> datetime:
    return now - timedelta(minutes=window_minutes)


FIRST_DELAY = timedelta(seconds=30)
LONGEST_DELAY = timedelta(minutes=15)


def throttle_wait(failures: int, latest: datetime | None, *, free: int, now: datetime) -> timedelta:
    """How long to wait before the next attempt after `failures` recent ones, the latest at `latest`:
    nothing for the first `free`, then 30 seconds, doubling with each further failure up to 15
    minutes, counted from the latest. It slows whoever types wrong passwords, never anyone else:
    sign-in counts them per email from one network address, and per network address."""
    if failures < free or latest is None:
        return timedelta(0)
    delay = min(FIRST_DELAY * 2 ** (failures - free), LONGEST_DELAY)
    return max(timedelta(0), latest + delay - now)


def wait_text(wait: timedelta) -> str:
    """30 seconds, 2 minutes: how long, rounded up."""
    seconds = max(1, ceil(wait.total_seconds()))
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{ceil(seconds / 60)} minutes"


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
