"""Links that work from an email: absolute URLs from the configured base (never from the request's
Host header), and signed, expiring tokens whose clock is passed in."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from portal.failures import NotAllowed
from portal.notices.rules import ALWAYS_SENT
from portal.web.navigation import absolute, path

__all__ = ["LinkExpired", "absolute", "days", "path", "sign", "unsign", "unsubscribe_link"]


class LinkExpired(NotAllowed):
    """A genuine link past its expiry; `value` is what it was signed with (we signed it: it can be trusted to
    say which thing it was for, so the page can say what to do instead)."""

    def __init__(self, purpose: str, value=None):
        super().__init__(purpose)
        self.value = value


class _SignerAt(TimestampSigner):
    """A timestamp signer whose clock is `at` (seconds since the epoch) instead of time.time()."""

    def __init__(self, *args, at: int, **kwargs):
        super().__init__(*args, **kwargs)
        self._at = at

    def get_timestamp(self) -> int:
        return self._at


def _serializer(purpose: str, now: datetime) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=f"notices.{purpose}", signer=_SignerAt,
                                  signer_kwargs={"at": int(now.timestamp())})


def sign(value, *, purpose: str, now: datetime) -> str:
    """`value` signed for one purpose ("tracking", "approval", "satisfaction"), stamped with `now`."""
    return _serializer(purpose, now).dumps(value)


def unsign(token: str, *, purpose: str, max_age: timedelta, now: datetime):
    """The value signed into `token` for `purpose`.

    Raises LinkExpired when it is older than max_age (or from the future), NotAllowed when it was
    not signed by us for this purpose.
    """
    serializer = _serializer(purpose, now)
    try:
        return serializer.loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as expired:  # signed by us, but too old
        try:
            value = serializer.load_payload(expired.payload) if expired.payload is not None else None
        except BadSignature:
            value = None
        raise LinkExpired(purpose, value) from None
    except BadSignature:
        raise NotAllowed(purpose) from None


def unsubscribe_link(recipient_id: int, kind, *, now: datetime) -> str | None:
    """The one-click link that turns one kind of email off for its recipient, or None for the
    kinds that are always sent (an action is needed)."""
    if kind in ALWAYS_SENT:
        return None
    token = sign({"u": recipient_id, "k": kind.value}, purpose="unsubscribe", now=now)
    return absolute("notices.unsubscribe", token=token)


def days(config_key: str) -> timedelta:
    return timedelta(days=current_app.config[config_key])
