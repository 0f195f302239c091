"""One URL, a page or a fragment (STYLE.md): render() picks which from the htmx request headers."""
from __future__ import annotations

from typing import Any, Callable

from flask import flash, render_template, request
from htmx_flask import make_response

from portal.web.navigation import redirect_to


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


def answer(location: str, page: str | Callable[..., Any], /, *args: Any, trigger: dict | str | None = None,
           headers: dict | None = None, flashed: tuple[str, str] | None = None, **context: Any):
    """A form post answered for both worlds: htmx gets the page back, a plain post 303 to `location`.

    Any htmx request (boosted too) gets `page` rendered as render() does: its partial (the first of
    `args`) for a targeted request, the whole page for a boosted one, with `trigger` and `headers`.
    `page` may instead be a function that builds the answer; it is called, only for htmx, with `args`,
    `context` and whichever of `trigger`/`headers` are given. A plain post is redirected to
    `location`, with `flashed` (message, category) shown on the page it lands on.
    """
    if not getattr(request, "htmx", None):
        if flashed:
            flash(*flashed)
        return redirect_to(location)
    if callable(page):
        given = {name: value for name, value in (("trigger", trigger), ("headers", headers)) if value is not None}
        return page(*args, **given, **context)
    return render(page, *args, trigger=trigger, headers=headers, **context)
