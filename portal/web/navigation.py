"""Redirects that work for plain browsers and htmx alike."""
from __future__ import annotations

from flask import redirect, request


def redirect_to(location: str):
    """303 See Other for a plain form post; HX-Redirect (a full page load) for htmx."""
    if getattr(request, "htmx", None):
        return "", 200, {"HX-Redirect": location}
    return redirect(location, code=303)


def invalid_status() -> int:
    """A form with errors: 422 for a plain post, 200 for htmx (which swaps only 2xx answers)."""
    return 200 if getattr(request, "htmx", None) else 422
