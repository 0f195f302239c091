"""Notices: written to the outbox in the same transaction as the change they announce.

announce() is called by the service that made the change, inside its transaction; nothing is sent
there. The worker (portal/notices/delivery.py) delivers the email rows later; portal rows are shown
at once in the notification centre. Services flush and never commit.
"""
from __future__ import annotations

import logging
import math
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import Department, Membership, User
from portal.billing.models import BillingAccount
from portal.extensions import db
from portal.failures import Conflict, NotAllowed
from portal.notices import emails, links, rules
from portal.notices.models import Announcement, ApprovalRequest, Notice, NoticePreference, NoticeStatus
from portal.notices.rules import Channel, NoticeKind
from portal.orders.models import Order, OrderEvent, OrderStatus
from portal.shop.delivery import DeliveryMethod
from portal.shop.paging import Page

log = logging.getLogger("portal.notices")

KINDS = tuple(kind.value for kind in NoticeKind)
# A delay is worth telling while the order is still on its way.
DELAY_STATUSES = (OrderStatus.RECEIVED, OrderStatus.PREPRESS, OrderStatus.PRINTING, OrderStatus.FINISHING,
                  OrderStatus.READY, OrderStatus.SHIPPED, OrderStatus.ON_HOLD)
SESSION_FLAG = "notices_to_deliver"
# Ready on the shop's shelf for its customer to collect: not running late, whatever the date (they were told it is ready).
WAITS_FOR_PICKUP = (Order.status == OrderStatus.READY) & (Order.delivery_method == DeliveryMethod.PICKUP)


def announce_placed(order: Order, *, waits: bool, now: datetime, actor: User) -> None:
    """An order was placed (orders.events.order_placed): it is received, or waits for its approver."""
    announce(order, NoticeKind.APPROVAL_NEEDED if waits else NoticeKind.RECEIVED, now=now, actor=actor)


def announce_refused(request, *, now: datetime, actor: User) -> None:
    """The shop could not get permission for a reading (copyright.events.reading_refused): its instructor is
    told which one and what they can choose, once per request."""
    announce(request.order, NoticeKind.COPYRIGHT_REFUSED, now=now, actor=actor, reading=request.reading.title,
             reason=request.notes, occurrence=f"request-{request.id}")


def announce_fee_approval(order: Order, *, now: datetime, actor: User, occurrence: str) -> None:
    """A permission fee raised the order above its account's threshold (copyright.events.fee_needs_approval):
    its approver is asked again, with links for the new amount."""
    announce(order, NoticeKind.APPROVAL_NEEDED, now=now, actor=actor, occurrence=occurrence)


def outbox_backlog(*, now: datetime) -> dict:
    """How many emails wait to be sent, and how long the oldest has waited (seconds): a worker that
    stopped shows here first."""
    count, oldest = db.session.execute(select(func.count(), func.min(Notice.created_at)).where(
        Notice.channel == Channel.EMAIL, Notice.status.in_([NoticeStatus.PENDING, NoticeStatus.SENDING]))).one()
    return {"pending_emails": count,
            "oldest_pending_seconds": int((now - oldest).total_seconds()) if oldest else 0}


def announce_link(link, *, secret: str, url: str, now: datetime) -> None:
    """A one-time account link was made (accounts.events.link_issued): email it to its person, once."""
    kind = NoticeKind(link.purpose.value)
    announcement_id = _claim_dedup_key(order_id=None, kind=kind, occurrence="", details={},
                                       dedup_key=f"link-{link.id}", actor_id=link.created_by_id, at=now)
    if announcement_id is None:
        return
    announcement = db.session.get(Announcement, announcement_id)
    department = db.session.scalar(select(Department.name).join(Membership).where(Membership.user_id == link.user_id)
                                   .order_by(Membership.id.desc()).limit(1))
    content = emails.compose_account(kind, link.user, url=url, expires_at=link.expires_at, inviter=link.created_by,
                                     department=department)
    db.session.add(_notice(announcement, link.user, Channel.EMAIL, content, now=now))
    db.session.info[SESSION_FLAG] = True
    db.session.flush()


def announce_to(recipient: User, kind: NoticeKind, *, dedup_key: str, content: emails.Content, now: datetime,
                actor: User | None = None) -> Announcement | None:
    """Something about a person rather than an order (a month's statements are ready), told by the domain
    that composed `content`: one email to `recipient` and its line in the notification centre, written once
    per `dedup_key` (a repeat, in this transaction or any other, writes nothing and returns None)."""
    announcement_id = _claim_dedup_key(order_id=None, kind=kind, occurrence="", details={}, dedup_key=dedup_key,
                                       actor_id=actor.id if actor else None, at=now)
    if announcement_id is None:
        return None
    announcement = db.session.get(Announcement, announcement_id)
    for channel in (Channel.EMAIL, Channel.PORTAL):
        db.session.add(_notice(announcement, recipient, channel, content, now=now))
    db.session.info[SESSION_FLAG] = True
    db.session.flush()
    return announcement


def open_request(order: Order, approver: User, *, now: datetime) -> str:
    """Asks `approver` to decide on `order`; returns the signed token the emailed links carry."""
    approval = ApprovalRequest(order_id=order.id, approver_id=approver.id, nonce=secrets.token_urlsafe(32),
                              created_at=now, expires_at=now + links.days("APPROVAL_LINK_DAYS"), reason="")
    db.session.add(approval)
    db.session.flush()
    return links.sign({"r": approval.id, "n": approval.nonce}, purpose="approval", now=now)


def announce(order: Order, kind: str, *, now: datetime, actor: User | None = None, **details) -> Announcement | None:
    """Records that `kind` happened to `order`, for delivery to the people who should hear of it.

    Writes one announcement (its dedup key unique: the same event announced again, in this
    transaction or any other, writes nothing and returns None) and one notice per recipient and
    channel the recipient's preferences allow (action-needed notices always go out). Emails are
    rendered now, with a fixed Message-ID, and wait in the outbox for the worker; a rollback of the
    caller's transaction takes them with it. `details` are shown in the notice (carrier,
    tracking_number, reason, ...); `occurrence=` names what tells a repeat of this kind apart.
    Raises ValueError for an unknown kind.
    """
    try:
        kind = NoticeKind(kind)
    except ValueError:
        raise ValueError(f"unknown notice kind {kind!r}") from None
    details = rules.plain_details(details)
    occurrence = rules.occurrence(kind, details)
    details.pop("occurrence", None)
    db.session.flush()  # the order has its id and number
    announcement_id = _claim_dedup_key(order_id=order.id, kind=kind, occurrence=occurrence, details=details,
                                       dedup_key=rules.dedup_key(order.id, kind, occurrence),
                                       actor_id=actor.id if actor else None, at=now)
    if announcement_id is None:
        return None
    announcement = db.session.get(Announcement, announcement_id)
    for recipient in _recipients(order, kind):
        approval_token = None
        if kind == NoticeKind.APPROVAL_NEEDED:
            approval_token = open_request(order, recipient, now=now)
        for channel in rules.wanted_channels(kind, turned_off(recipient)):
            content = emails.compose(order, kind, recipient, channel=channel, details=details, actor=actor, now=now,
                                     approval_token=approval_token)
            db.session.add(_notice(announcement, recipient, channel, content, now=now))
            if channel == Channel.EMAIL:
                db.session.info[SESSION_FLAG] = True
    db.session.flush()
    return announcement


def _claim_dedup_key(**values) -> int | None:
    """Inserts the announcement unless its dedup key is taken (then None), without failing the
    caller's transaction: INSERT ... ON CONFLICT DO NOTHING, on SQLite and PostgreSQL alike."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(Announcement).values(**values)
                 .on_conflict_do_nothing(index_elements=["dedup_key"]).returning(Announcement.id))
    return db.session.execute(statement).scalar_one_or_none()


def _notice(announcement: Announcement, recipient: User, channel: Channel, content: emails.Content, *,
            now: datetime) -> Notice:
    notice = Notice(announcement=announcement, order_id=announcement.order_id, recipient_id=recipient.id,
                    kind=announcement.kind, channel=channel, subject=content.subject, summary=content.summary,
                    link=content.link, created_at=now, next_attempt_at=now, attempts=0, last_error="")
    if channel == Channel.EMAIL:
        notice.to_name = rules.header_text(recipient.name, 120)
        notice.to_address = recipient.email
        notice.body_text, notice.body_html = content.body_text, content.body_html
        notice.message_id = emails.new_message_id()
        notice.status = NoticeStatus.PENDING
    else:  # shown in the notification centre as soon as the change commits
        notice.status, notice.sent_at = NoticeStatus.SENT, now
    return notice


def _recipients(order: Order, kind: NoticeKind) -> list[User]:
    if kind not in rules.TO_APPROVER:
        return [order.customer]
    account = db.session.get(BillingAccount, order.billing_account_id) if order.billing_account_id else None
    if account is None or account.approver is None:
        log.warning("Order %s waits for approval but its account has no approver to ask", order.number)
        return []
    return [account.approver]


def turned_off(user: User) -> set[tuple[str, str]]:
    """The (kind, channel) pairs this person turned off."""
    rows = db.session.execute(select(NoticePreference.kind, NoticePreference.channel).where(
        NoticePreference.user_id == user.id, NoticePreference.enabled.is_(False)))
    return {(kind.value, channel.value) for kind, channel in rows}


UNSUBSCRIBE_LINK_DAYS = 365


def unsubscribe_target(token: str, *, now: datetime) -> tuple[User, NoticeKind]:
    """Who an unsubscribe link is for and which kind of email it turns off. Raises NotAllowed for a
    forged link (or a kind that is always sent), LinkExpired for one older than a year."""
    value = links.unsign(token, purpose="unsubscribe", max_age=timedelta(days=UNSUBSCRIBE_LINK_DAYS), now=now)
    person = db.session.get(User, value["u"])
    try:
        kind = NoticeKind(value["k"])
    except ValueError:
        raise NotAllowed("unsubscribe") from None
    if person is None or kind in rules.ALWAYS_SENT:
        raise NotAllowed("unsubscribe")
    return person, kind


def unsubscribe(token: str, *, now: datetime) -> tuple[User, NoticeKind]:
    """A one-click link from an email (RFC 8058) turns that kind of email off for its recipient, who
    need not sign in: the signed link proves who. Raises as unsubscribe_target()."""
    person, kind = unsubscribe_target(token, now=now)
    preference = db.session.scalar(select(NoticePreference).where(
        NoticePreference.user_id == person.id, NoticePreference.kind == kind, NoticePreference.channel == Channel.EMAIL))
    if preference is None:
        db.session.add(NoticePreference(user_id=person.id, kind=kind, channel=Channel.EMAIL, enabled=False))
    else:
        preference.enabled = False
    db.session.flush()
    return person, kind


def save_preferences(user: User, *, wanted: set[tuple[str, str]]) -> None:
    """Keeps the (kind, channel) pairs in `wanted` on and turns the others off; notices that are
    always sent stay on whatever is submitted."""
    db.session.execute(delete(NoticePreference).where(NoticePreference.user_id == user.id))
    for kind in rules.PREFERENCE_KINDS:
        if kind in rules.ALWAYS_SENT:
            continue
        for channel in Channel:
            if (kind.value, channel.value) not in wanted:
                db.session.add(NoticePreference(user_id=user.id, kind=kind, channel=channel, enabled=False))
    db.session.flush()


def inbox(user: User, *, page: int = 1, per_page: int = 25) -> Page:
    """The person's notices in the portal, newest first. Two queries."""
    where = (Notice.recipient_id == user.id, Notice.channel == Channel.PORTAL)
    total = db.session.scalar(select(func.count()).select_from(Notice).where(*where))
    page = max(1, min(page, max(1, math.ceil(total / per_page))))
    items = list(db.session.scalars(select(Notice).where(*where).order_by(Notice.created_at.desc(), Notice.id.desc())
                                    .limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, per_page, has_next=page * per_page < total, total=total)


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notice).where(
        Notice.recipient_id == user.id, Notice.channel == Channel.PORTAL, Notice.read_at.is_(None)))


def mark_read(user: User, notice_id: int, *, now: datetime) -> Notice:
    """Marks one of the person's portal notices read. Raises NotAllowed for anyone else's."""
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.recipient_id != user.id or notice.channel != Channel.PORTAL:
        raise NotAllowed("notice")
    if notice.read_at is None:
        notice.read_at = now
        db.session.flush()
    return notice


def mark_all_read(user: User, *, now: datetime) -> int:
    result = db.session.execute(update(Notice).where(
        Notice.recipient_id == user.id, Notice.channel == Channel.PORTAL, Notice.read_at.is_(None)).values(read_at=now))
    return result.rowcount


def mark_done(user: User, order: Order, kind: NoticeKind, *, now: datetime) -> None:
    """Marks the person's portal notices of `kind` about `order` read: the action they asked for is done."""
    db.session.execute(update(Notice).where(
        Notice.recipient_id == user.id, Notice.order_id == order.id, Notice.kind == kind,
        Notice.channel == Channel.PORTAL, Notice.read_at.is_(None)).values(read_at=now)
        .execution_options(synchronize_session=False))


def order_by_number(number: str) -> Order:
    order = db.session.scalar(select(Order).where(Order.number == number))
    if order is None:
        raise NotAllowed("order")
    return order


def announcements_of(order: Order, *, page: int = 1, per_page: int = 25) -> Page:
    """Everything announced about an order, newest first, each with its notices and their
    recipients (staff see who was told what, and how delivery went). Four queries."""
    total = db.session.scalar(select(func.count()).select_from(Announcement).where(Announcement.order_id == order.id))
    page = max(1, min(page, max(1, math.ceil(total / per_page))))
    items = list(db.session.scalars(
        select(Announcement).where(Announcement.order_id == order.id)
        .options(selectinload(Announcement.notices).joinedload(Notice.recipient))
        .order_by(Announcement.at.desc(), Announcement.id.desc()).limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, per_page, has_next=page * per_page < total, total=total)


def failed_notices(*, page: int = 1, per_page: int = 25) -> Page:
    """Emails parked as failed, newest first, with their order and recipient. Two queries."""
    where = (Notice.channel == Channel.EMAIL, Notice.status == NoticeStatus.FAILED)
    total = db.session.scalar(select(func.count()).select_from(Notice).where(*where))
    page = max(1, min(page, max(1, math.ceil(total / per_page))))
    items = list(db.session.scalars(
        select(Notice).where(*where).options(joinedload(Notice.order), joinedload(Notice.recipient))
        .order_by(Notice.created_at.desc(), Notice.id.desc()).limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, per_page, has_next=page * per_page < total, total=total)


def resend(notice_id: int, *, now: datetime) -> Notice:
    """Puts a failed email back in the outbox, due now, with the same Message-ID.

    Raises NotAllowed when there is no such email, Conflict when it is not failed (already resent,
    or sent meanwhile).
    """
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.channel != Channel.EMAIL:
        raise NotAllowed("notice")
    changed = db.session.execute(
        update(Notice).where(Notice.id == notice_id, Notice.status == NoticeStatus.FAILED)
        .values(status=NoticeStatus.PENDING, next_attempt_at=now, attempts=0, lease_until=None, claim=None)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.refresh(notice)
        raise Conflict(f"This notice is {notice.status.label.lower()} already: nothing to resend.", notice)
    db.session.refresh(notice)
    db.session.info[SESSION_FLAG] = True
    return notice


def check_delays(*, now: datetime) -> list[Announcement]:
    """Announces a delay for every open order now expected after its promise, once per slip.

    "Once per slip": the announcement's occurrence is the new expected date, so the same slip is
    never told twice and a further slip is told again. The reason is the order's latest public
    timeline note, if any. Run by the periodic sweep, so the customer hears before the promised
    date passes (as soon as the expected date moves).
    """
    late = (Order.status.in_(DELAY_STATUSES), Order.expected_date > Order.promise_date, ~WAITS_FOR_PICKUP)
    told = set(db.session.execute(
        select(Announcement.order_id, Announcement.occurrence).join(Order, Order.id == Announcement.order_id)
        .where(Announcement.kind == NoticeKind.DELAY, *late)).all())
    announced = []
    for order in db.session.scalars(select(Order).where(*late).order_by(Order.promise_date, Order.id)):
        if (order.id, order.expected_date.isoformat()) in told:
            continue
        announcement = announce(order, NoticeKind.DELAY, now=now, expected_date=order.expected_date,
                                reason=latest_note(order) or order.at_risk_reason or "")
        if announcement is not None:
            announced.append(announcement)
    return announced


def latest_note(order: Order) -> str:
    """The order's latest public timeline note (an event without a status change), or ""."""
    return db.session.scalar(
        select(OrderEvent.message).where(OrderEvent.order_id == order.id, OrderEvent.public.is_(True),
                                         OrderEvent.status.is_(None), OrderEvent.message != "")
        .order_by(OrderEvent.at.desc(), OrderEvent.id.desc()).limit(1)) or ""
