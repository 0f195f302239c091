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


# An address mail servers take: the usual characters before the @ (RFC 5322's atext and dots), a domain of
# letters, digits and hyphens; never markup, quotes, spaces or control characters.
EMAIL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                   r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")


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


ROLE_NAMES = {"customer": "a customer", "staff": "staff", "admin": "an admin"}


def role_change_problem(*, changing_self: bool, role_before: str, role_after: str) -> str | None:
    """An admin cannot take away their own admin role: whoever changes roles is an admin, so the shop
    never loses its last one. Roles are their names: customer, staff, admin."""
    if changing_self and role_before == "admin" and role_after != "admin":
        return "You cannot remove your own admin access. Another admin can, if it should go."
    return None


def deactivation_problem(*, changing_self: bool) -> str | None:
    """An admin cannot deactivate themself (they would be signed out, and the shop might lose its last admin)."""
    if changing_self:
        return "You cannot deactivate yourself. Another admin can, if you are leaving."
    return None


def role_change_message(name: str, role_before: str, role_after: str) -> str:
    """What a role change did, in words: "Ana Ruiz is staff now.", "... staff access is removed"."""
    if role_before == role_after:
        return f"{name} is already {ROLE_NAMES[role_after]}. Nothing changed."
    if role_after == "customer":
        return f"{name}'s staff access is removed: they are a customer now."
    if role_after == "staff" and role_before == "admin":
        return f"{name} is staff now: no longer an admin, they keep the queue and customers."
    if role_after == "staff":
        return f"{name} is staff now: they see the queue and customers."
    return f"{name} is an admin now: they manage people too."


def member_removal_problem(*, removing_self: bool, is_administrator: bool, administrators: int) -> str | None:
    """A department administrator cannot remove themself when no other administrator would be left."""
    if removing_self and is_administrator and administrators <= 1:
        return ("You are this department's only administrator, so you cannot remove yourself. "
                "Call the shop to hand the department to someone else first.")
    return None


# One-time account links (invitations, password resets).
INVITATION_LIFETIME = timedelta(days=7)
RESET_LIFETIME = timedelta(hours=1)
RESETS_PER_HOUR = 3  # more reset emails for one person in an hour are not sent (nobody is mail-bombed)


def link_problem(*, used_at: datetime | None, expires_at: datetime, now: datetime) -> str | None:
    """Why a one-time link no longer works, in words; None while it does."""
    if used_at is not None:
        return "This link was already used. Links work once."
    if now >= expires_at:
        return "This link has expired."
    return None


# Campus sign-in (OpenID Connect): what the campus tells us about a person.
def claim_text(claims: dict, name: str | None) -> str:
    """A claim as one line of text ("" when absent); a list claim (groups) gives its first entry."""
    value = claims.get(name) if name else None
    if isinstance(value, (list, tuple)):
        value = next((item for item in value if item), None)
    return " ".join(str(value).split()) if value not in (None, "") else ""


def claim_values(claims: dict, name: str | None) -> list[str]:
    """Every value of a claim that may be one value or a list (a department, or several)."""
    value = claims.get(name) if name else None
    values = value if isinstance(value, (list, tuple)) else [value]
    return [" ".join(str(item).split()) for item in values if item not in (None, "")]


def matching_department(values: list[str], departments: list[tuple[int, str, str | None]]) -> int | None:
    """The first department (id, name, code) whose name or code is one of `values`, ignoring case."""
    wanted = [value.casefold() for value in values]
    for value in wanted:
        for department_id, name, code in departments:
            if value in (name.casefold(), (code or "").casefold()):
                return department_id
    return None


def campus_name(claims: dict, name_claim: str, email: str) -> str:
    """The person's name from the claims: the name claim, else given and family names, else the email's
    local part, at most 120 characters."""
    name = claim_text(claims, name_claim) or " ".join(
        part for part in (claim_text(claims, "given_name"), claim_text(claims, "family_name")) if part)
    return (name or email.split("@")[0])[:120]
