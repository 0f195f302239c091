"""Security headers on every response (RELIABILITY.md, baseline controls)."""
from __future__ import annotations

from flask import Flask, session
from flask_login import current_user

from portal.web.page_cache import USER_SESSION

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    secure = app.config["PORTAL_ENV"] == "production"

    @app.after_request
    def add_security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # A session with a person in it, or a signed-in user (a kept page is served without loading the user).
        if response.mimetype == "text/html" and (USER_SESSION in session or current_user.is_authenticated):
            # A signed-in page shows addresses, budget codes, orders: never kept by a browser or proxy.
            response.headers["Cache-Control"] = "no-store"
        return response
