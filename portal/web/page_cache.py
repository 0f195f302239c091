"""Signed-in pages kept rendered, per process, and served again without rendering (issue 19).

A view marked `@kept` (the order history, an order, the address book, the staff queue and board) is kept
under: the sign-in session that asked for it (its token, so a page is only ever served to the session it
was rendered for), the path with its query, the htmx headers (a fragment is not the page), the data version
(portal.database: moved on by every transaction that writes anything, in its own commit) and the minute.
So a kept page is never older than the last committed write, nor than the minute: whatever a page says about
"now" (today's date, the cut-off, how long ago) is at most as old as the minute it was made in. A sign-out,
a password change or a deactivation ends sessions by writing, so the session's kept pages are never served
again; a session that merely expires is checked against the expiry kept with the page.

The key also holds the session's form secret, so the form tokens in a kept page are this session's own (they
never expire: WTF_CSRF_TIME_LIMIT is None). Nothing is kept while a message waits to be flashed, nor when the
view changed the session.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user

from portal.database import Kept, latest_data_version, utcnow
from portal.extensions import db

MARK = "kept_page"
KEY = "kept_page_key"
FORM_SECRET = "csrf_token"  # where Flask-WTF keeps the session's form secret (its tokens are signed from it)
USER_SESSION = "_user_id"  # where Flask-Login keeps the session token (the portal's user id is the session token)
NOT_KEPT_HEADERS = {"set-cookie", "content-length", "x-request-id"}
LARGEST = 1024 * 1024  # bytes: a page larger than this is rendered every time


def kept(view: Callable) -> Callable:
    """Marks a GET view whose page may be kept and served again (innermost: guards above it still wrap it,
    and functools.wraps carries the mark out to them)."""
    setattr(view, MARK, True)
    return view


def page_cache(entries: int, budget: int = 64 * 1024 * 1024) -> Kept:
    """The pages of one process: (status, headers, body bytes, session expiry), within `entries` and `budget`
    bytes of bodies."""
    return Kept(entries, budget=budget, size=lambda page: len(page[2]))


def _cache() -> Kept:
    return current_app.extensions[MARK]


def _key() -> tuple | None:
    """This request's key, when it asks for a kept view in a signed-in session with nothing to flash."""
    if request.method != "GET" or _cache().entries <= 0:
        return None
    if not getattr(current_app.view_functions.get(request.endpoint), MARK, False):
        return None
    token = session.get(USER_SESSION)
    if not token or "_flashes" in session:
        return None
    version = latest_data_version(db.engine)
    if version is None:
        return None
    htmx = tuple(sorted((name, value) for name, value in request.headers.items() if name.lower().startswith("hx-")))
    return request.full_path, token, session.get(FORM_SECRET), htmx, version, int(utcnow().timestamp() // 60)


def _serve_kept():
    key = _key()
    if key is None:
        return None
    page = _cache().get(key)
    if page is None or page[3] <= utcnow():
        g.setdefault(KEY, key)
        return None
    status, headers, body, _ = page
    return Response(body, status, headers)


def _keep(response: Response) -> Response:
    key = g.pop(KEY, None)
    if (key is None or response.status_code != 200 or response.direct_passthrough or response.is_streamed
            or session.modified or response.mimetype != "text/html"):
        return response
    expires = getattr(current_user, "session_expires_at", None)
    if expires is None or current_user.get_id() != key[1]:  # rendered for this very session, or not kept
        return response
    body = response.get_data()
    if len(body) > LARGEST:
        return response
    headers = [(name, value) for name, value in response.headers.items() if name.lower() not in NOT_KEPT_HEADERS]
    _cache().put(key, (response.status_code, headers, body, expires))
    return response


def init_app(app: Flask) -> None:
    """After tracing's before_request (a kept page is logged and timed too)."""
    app.extensions[MARK] = page_cache(app.config.get("PAGE_CACHE_ENTRIES", 0))
    app.before_request(_serve_kept)
    app.after_request(_keep)
