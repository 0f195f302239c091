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


def recent_sign_in_required(view):
    """Changing email, password or a billing account: confirm the password first if the sign-in is old."""
    from flask import request, url_for

    from portal.accounts.rules import signed_in_recently
    from portal.database import utcnow
    from portal.web.navigation import redirect_to

    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if not signed_in_recently(getattr(current_user, "authenticated_at", None), utcnow()):
            back = request.full_path.rstrip("?") if request.method == "GET" else (request.referrer or "/")
            return redirect_to(url_for("accounts.confirm_password", next=back))
        return view(*args, **kwargs)

    return guarded
