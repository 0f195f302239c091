"""One URL, a page or a fragment (STYLE.md): render() picks which from the htmx request headers."""
from __future__ import annotations

from typing import Any

from flask import render_template, request
from htmx_flask import make_response


def wants_fragment() -> bool:
    """A targeted htmx request gets the fragment; boosted and history-restore requests the page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page: str, partial: str | None = None, /, *, status: int = 200,
           trigger: dict | str | None = None, headers: dict | None = None, **context: Any):
    """Render `page`, or `partial` for a targeted htmx request, from one context; Vary: HX-Request."""
    template = partial if partial and wants_fragment() else page
    response = make_response(render_template(template, **context), status, trigger=trigger)
    if headers:
        response.headers.update(headers)
    response.vary.add("HX-Request")
    return response
