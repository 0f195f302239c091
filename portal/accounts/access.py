"""Who may change what is sensitive: email, password or a billing account need a recent sign-in."""
from __future__ import annotations

from functools import wraps

from flask import request, url_for
from flask_login import current_user, login_required

from portal.accounts.rules import signed_in_recently
from portal.database import utcnow
from portal.web.navigation import redirect_to


def recent_sign_in_required(view):
    """Changing email, password or a billing account: confirm the password first if the sign-in is old."""
    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if not signed_in_recently(getattr(current_user, "authenticated_at", None), utcnow()):
            back = request.full_path.rstrip("?") if request.method == "GET" else (request.referrer or "/")
            return redirect_to(url_for("accounts.confirm_password", next=back))
        return view(*args, **kwargs)

    return guarded
