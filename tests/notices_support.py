"""Helpers for the notice tests: the outbox rows of an order, and the links its notices carry."""
from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.notices import links
from portal.notices.models import Notice
from portal.notices.rules import Channel, NoticeKind


def notices_of(order, channel: Channel = Channel.EMAIL) -> list[Notice]:
    """The order's notices on one channel, oldest first, read afresh from the database."""
    db.session.expire_all()
    return list(db.session.scalars(select(Notice).where(Notice.order_id == order.id, Notice.channel == channel)
                                   .order_by(Notice.id)))


def approval_token(order) -> str:
    """The token of the approval links sent for `order` (from the approver's notice in the portal)."""
    link = db.session.scalar(select(Notice.link).where(
        Notice.order_id == order.id, Notice.kind == NoticeKind.APPROVAL_NEEDED, Notice.channel == Channel.PORTAL))
    return link.rsplit("/", 1)[1]


def tracking_path(order, *, now) -> str:
    return links.path("notices.track", token=links.sign(order.tracking_token, purpose="tracking", now=now))
