"""Redirects that work for plain browsers and htmx alike; addresses of the portal in or outside a request."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, redirect, request, url_for


def redirect_to(location: str):
    """303 See Other for a plain form post; HX-Redirect (a full page load) for htmx."""
    if getattr(request, "htmx", None):
        return "", 200, {"HX-Redirect": location}
    return redirect(location, code=303)


def invalid_status() -> int:
    """A form with errors: 422 for a plain post, 200 for htmx (which swaps only 2xx answers)."""
    return 200 if getattr(request, "htmx", None) else 422


def path(endpoint: str, **values) -> str:
    """The path of a route, in or outside a request (the worker and the command line have none)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def absolute(endpoint: str, **values) -> str:
    """The absolute URL of a route, from BASE_URL: links in emails never trust a Host header."""
    return current_app.config["BASE_URL"].rstrip("/") + path(endpoint, **values)


def safe_next(target: str | None, user=None) -> str:
    """Where the user was going (a path on this site only), else their start page: the queue for
    staff, the home page for customers."""
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("queue.index") if user is not None and user.is_staff else url_for("home.index")
