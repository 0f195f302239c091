"""Who may reach a route: staff pages answer 404 to everyone else, like a page that is not there."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def staff_required(view):
    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if not current_user.is_staff:
            abort(404)
        return view(*args, **kwargs)

    return guarded


def admin_required(view):
    """The shop manager's pages (admins only); anyone else gets 404, as if they were not there."""
    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if not current_user.is_admin:
            abort(404)
        return view(*args, **kwargs)

    return guarded
