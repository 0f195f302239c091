"""A refused form, answered once: roll back what the service flushed, then the form again with its errors.

A request that raises is rolled back in one place too, by the framework: Flask-SQLAlchemy tears down
every app context with `db.session.remove()`, which closes the session and so rolls back whatever the
request did not commit (an error page included). The portal adds no second mechanism for that.
"""
from __future__ import annotations

from typing import Any, Callable

from portal.extensions import db
from portal.web.navigation import invalid_status
from portal.web.rendering import render


def refused(page: str | Callable[..., Any], /, *args: Any, **context: Any):
    """The form again after a service refused it (ValidationFailed), with invalid_status(): 422 for a
    plain post, 200 for htmx. What the service flushed is rolled back first.

    `page` is a page template, with an optional partial after it, rendered as render() does with
    `context` (the errors under the name the template reads: problems=..., error=...); or a function
    that builds the page and takes `status`, called with `args` and `context`. Either way the page is
    built after the rollback and shows what is stored: pass it what is already loaded (rolled-back
    objects reload on access) and let the builder run its queries.
    """
    db.session.rollback()
    if callable(page):
        return page(*args, status=invalid_status(), **context)
    return render(page, *args, status=invalid_status(), **context)
