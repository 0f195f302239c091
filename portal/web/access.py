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
