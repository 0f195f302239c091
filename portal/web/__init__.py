"""HTTP helpers shared by every domain: render(), answer(), refused(), security headers, errors, filters,
access guards, kept pages."""
from __future__ import annotations

from flask import Flask

from portal.web import assets, errors, filters, page_cache, routes, security, tracing
from portal.web.access import admin_required, staff_required
from portal.web.page_cache import kept
from portal.web.refusals import refused
from portal.web.rendering import answer, render

__all__ = ["admin_required", "answer", "init_app", "kept", "refused", "render", "staff_required"]


def init_app(app: Flask) -> None:
    tracing.init_app(app)
    page_cache.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    filters.init_app(app)
    assets.init_app(app)
    app.register_blueprint(routes.blueprint)
