"""Generic error pages: nothing internal leaks; htmx requests get a small fragment they can show.

A service's NotAllowed is answered here, once, as 404: not theirs, as if not there.
"""
from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import NotFound, ServiceUnavailable

from portal.failures import NotAllowed, Unavailable
from portal.web.rendering import render

MESSAGES = {
    400: ("Something in that request was not right", "Go back, check the form and try again."),
    403: ("That is not allowed", "If you think it should be, call the shop."),
    404: ("Page not found", "The page is not there, or it is not yours to see."),
    405: ("That is not allowed here", "Go back and try again."),
    413: ("That file is too large", "Upload a smaller file, or call the shop to send large files."),
    429: ("Too many requests", "Wait a few minutes and try again."),
    500: ("Something went wrong on our side", "Nothing was saved. Try again, or call the shop."),
    503: ("We cannot reach our file storage right now", "Nothing was saved. Try again in a minute, or call the shop."),
}
UNAVAILABLE_RETRY_SECONDS = 30


def init_app(app: Flask) -> None:
    def handle(error):
        code = getattr(error, "code", 500) or 500
        title, advice = MESSAGES.get(code, MESSAGES[500])
        if isinstance(error, CSRFError):
            title, advice = "This form has expired", "Reload the page and submit it again; nothing was saved."
        # What the error says beyond its page (Retry-After on a 429, Allow on a 405) goes with it.
        kept = {name: value for name, value in (error.get_headers() if hasattr(error, "get_headers") else [])
                if name.lower() != "content-type"}
        return render("errors/error.html", "errors/_error.html", status=code, headers=kept or None,
                      code=code, title=title, advice=advice)

    def not_theirs(error: NotAllowed):
        """What abort(404) answers: the same page, or fragment, through the same handler."""
        return handle(NotFound())

    def unavailable(error: Unavailable):
        """A store that does not answer: 503 with Retry-After; the request's transaction rolls back."""
        app.logger.warning("Unavailable: %s", error)
        return handle(ServiceUnavailable(retry_after=UNAVAILABLE_RETRY_SECONDS))

    for code in MESSAGES:
        app.register_error_handler(code, handle)
    app.register_error_handler(Unavailable, unavailable)
    app.register_error_handler(CSRFError, handle)
    app.register_error_handler(NotAllowed, not_theirs)
