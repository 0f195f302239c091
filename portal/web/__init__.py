"""HTTP helpers shared by every domain: render(), security headers, errors, filters, access guards."""
from __future__ import annotations

from flask import Blueprint, Flask

from portal.web import errors, filters, security
from portal.web.access import staff_required
from portal.web.rendering import render

blueprint = Blueprint("web", __name__)

__all__ = ["init_app", "render", "staff_required"]


def init_app(app: Flask) -> None:
    security.init_app(app)
    errors.init_app(app)
    filters.init_app(app)
    from portal.web import routes  # noqa: F401

    app.register_blueprint(blueprint)
